"""The newsroom's writing desk: who may do what, revisions, autosaves and stale saves.

Revisions are django-reversion's: every save through the admin is one revision of the
article with its bylines and tags. This module reads them for people (compare, restore) and
keeps the rules editors and writers live by in one place.
"""

import difflib
import re
from dataclasses import dataclass
from datetime import timedelta

import reversion
from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from reversion.models import Version
from taggit.models import Tag

from . import signals, versions
from .models import Article, Authorship, Autosave, Category, TaggedArticle
from .text import clean_line, clean_text

# The fields an autosave keeps and offers back: what a person types.
AUTOSAVED_FIELDS = ["title", "slug", "byline", "body", "excerpt", "seo_description"]
# What a restore brings back; status and publication time stay as they are now (as WordPress).
RESTORED_FIELDS = [
    "title", "slug", "byline", "body", "excerpt", "seo_description",
    "featured_image", "disclaimer", "promotion", "comments_open",
]  # fmt: skip


def register_revisions():
    """Keep revisions of articles with their bylines and tags (called from BlogConfig.ready)."""
    if not reversion.is_registered(Article):
        reversion.register(Authorship)
        reversion.register(TaggedArticle)
        reversion.register(Article, follow=["authorships", "taggedarticle_set"])


# Who may do what -----------------------------------------------------------------------------


def can_publish(user) -> bool:
    return user.has_perm("blog.publish_article")


def can_edit(user, article: Article) -> bool:
    """Editors edit everything; a writer edits their own articles until they are published."""
    if not user.has_perm("blog.change_article"):
        return False
    if user.has_perm("blog.edit_others_article"):
        return True
    return (
        article.status != Article.Status.PUBLISHED
        and article.authorships.filter(user=user).exists()
    )


def visible_articles(user, articles):
    """The articles this person sees in the admin: their own for writers, all for the rest
    (editors edit them, moderators read them)."""
    is_writer = user.has_perm("blog.change_article") and not user.has_perm(
        "blog.edit_others_article"
    )
    if not is_writer:
        return articles
    return articles.filter(pk__in=Authorship.objects.filter(user=user).values("article_id"))


def bylined_staff():
    """Who can be named an author: active people who write (Writers, Editors, superusers) and
    anyone already in a byline (contributors who never sign in, imported authors)."""
    writers = Q(groups__name__in=["Writers", "Editors"]) | Q(is_superuser=True)
    bylined = Q(pk__in=Authorship.objects.values("user_id"))
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(writers | bylined)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def set_authors(article: Article, users) -> None:
    """Make `users` the article's byline, in this order."""
    users = list(users)
    before = set(article.authorships.values_list("user_id", flat=True))
    article.authorships.all().delete()
    Authorship.objects.bulk_create(
        Authorship(article=article, user=user, position=position)
        for position, user in enumerate(users)
    )
    lists = before | {user.pk for user in users}
    signals.links_changed(article, set(map(versions.author_list, lists)))


# Stale saves ---------------------------------------------------------------------------------


def stale_save_message(article: Article, opened_version: int) -> str | None:
    """Why a save of `article` from a form opened at `opened_version` must be refused, or None.

    Locks the row until the transaction ends, so of two saves at once the second waits and
    then sees the first one's version.
    """
    current = (
        Article.objects.select_for_update()
        .filter(pk=article.pk)
        .values_list("lock_version", flat=True)
        .first()
    )
    if current is None or current == opened_version:
        return None
    latest = Version.objects.get_for_object(article).select_related("revision__user").first()
    who = _("Someone else")  # the first words: a name as its owner wrote it, or this
    when = ""
    # Named only if the last revision is the change: the list's publish and unpublish move the
    # version on without one.
    if latest is not None and latest.field_dict.get("lock_version") == current:
        if latest.revision.user:
            who = latest.revision.user.get_full_name() or latest.revision.user.get_username()
        when = timezone.localtime(latest.revision.date_created).strftime("%H:%M")
    return _(
        "%(who)s saved this article%(when)s, after you opened it. Your changes have not been "
        "saved, and nothing of theirs was overwritten. Your text is still in this form: copy "
        "what you need, then open the article again to see their version."
    ) % {"who": who, "when": _(" at %(time)s") % {"time": when} if when else ""}


# Autosave ------------------------------------------------------------------------------------


def autosave(*, user, article: Article | None, fields: dict) -> Autosave:
    """Keep this person's unsaved changes to `article` (None: a new article)."""
    kept = {name: str(fields.get(name, ""))[:200_000] for name in AUTOSAVED_FIELDS}
    saved, _created = Autosave.objects.update_or_create(
        user=user, article=article, defaults={"fields": kept, "saved_at": timezone.now()}
    )
    return saved


def pending_autosave(*, user, article: Article | None) -> Autosave | None:
    """The autosave to offer back: newer than the article's last save, and different."""
    saved = Autosave.objects.filter(user=user, article=article).first()
    if saved is None or article is None:
        return saved
    unchanged = all(
        saved.fields.get(name, "") == (getattr(article, name) or "") for name in AUTOSAVED_FIELDS
    )
    if unchanged or saved.saved_at <= article.updated_at:
        return None
    return saved


def others_editing(*, user, article: Article, minutes: int = 10):
    """Other people with unsaved changes to `article` kept in the last `minutes`: they are
    editing it now, and whoever saves second will be asked to reconcile."""
    since = timezone.now() - timedelta(minutes=minutes)
    return (
        Autosave.objects.filter(article=article, saved_at__gte=since)
        .exclude(user=user)
        .select_related("user")
    )


def discard_autosave(*, user, article: Article | None) -> None:
    Autosave.objects.filter(user=user, article=article).delete()


# Revisions -----------------------------------------------------------------------------------


def revisions(article: Article):
    """The article's revisions, newest first, with who saved them."""
    return Version.objects.get_for_object(article).select_related("revision__user")


@dataclass
class Snapshot:
    """An article as one revision kept it, in words a person reads."""

    version: Version
    fields: dict
    authors: list[int]
    tags: list[int]

    @classmethod
    def of(cls, version: Version) -> "Snapshot":
        followed = version.revision.version_set.all()
        authorships = [v.field_dict for v in followed if v.content_type.model == "authorship"]
        tagged = [v.field_dict for v in followed if v.content_type.model == "taggedarticle"]
        authorships.sort(key=lambda row: (row.get("position", 0), row.get("id", 0)))
        return cls(
            version=version,
            fields=version.field_dict,
            authors=[row["user_id"] for row in authorships],
            tags=[row["tag_id"] for row in tagged],
        )


@dataclass
class Change:
    label: str
    before: str
    after: str
    diff: SafeString

    @property
    def changed(self) -> bool:
        return self.before != self.after


def compare(older: Version, newer: Version) -> list[Change]:
    """Field by field, what changed from `older` to `newer`; the body as a word diff."""
    a, b = Snapshot.of(older), Snapshot.of(newer)
    users = get_user_model().objects.in_bulk(a.authors + b.authors)
    categories = Category.objects.in_bulk(
        list(a.fields.get("categories", [])) + list(b.fields.get("categories", []))
    )
    tags = Tag.objects.in_bulk(a.tags + b.tags)

    def names(objects, ids, name=str):
        return ", ".join(name(objects[i]) for i in ids if i in objects)

    def person(user):
        return user.get_full_name() or user.get_username()

    def status(fields):
        return str(dict(Article.Status.choices).get(fields.get("status"), fields.get("status", "")))

    rows = [
        (_("Title"), a.fields.get("title", ""), b.fields.get("title", "")),
        (_("Slug"), a.fields.get("slug", ""), b.fields.get("slug", "")),
        (_("Status"), status(a.fields), status(b.fields)),
        (
            _("Published at"),
            _when(a.fields.get("published_at")),
            _when(b.fields.get("published_at")),
        ),
        (_("Authors"), names(users, a.authors, person), names(users, b.authors, person)),
        (_("Byline override"), a.fields.get("byline", ""), b.fields.get("byline", "")),
        (
            _("Categories"),
            names(categories, a.fields.get("categories", [])),
            names(categories, b.fields.get("categories", [])),
        ),
        (_("Tags"), names(tags, sorted(a.tags)), names(tags, sorted(b.tags))),
        (_("Excerpt"), a.fields.get("excerpt", ""), b.fields.get("excerpt", "")),
        (_("Body"), _readable(a.fields.get("body", "")), _readable(b.fields.get("body", ""))),
    ]
    return [Change(label, before, after, word_diff(before, after)) for label, before, after in rows]


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


_BLOCK_END = re.compile(r"</(p|h\d|li|blockquote|figcaption|tr|pre)>|<br\s*/?>")


def _readable(body: str) -> str:
    """A body as text, one paragraph a line, for comparing."""
    text = strip_tags(_BLOCK_END.sub("\n", body or ""))
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def word_diff(before: str, after: str) -> SafeString:
    """`after`, with words removed since `before` in <del> and words added in <ins>."""
    old, new = re.split(r"(\s+)", str(before or "")), re.split(r"(\s+)", str(after or ""))
    parts = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            parts.append(escape("".join(new[j1:j2])))
            continue
        if i2 > i1:
            parts.append(f"<del>{escape(''.join(old[i1:i2]))}</del>")
        if j2 > j1:
            parts.append(f"<ins>{escape(''.join(new[j1:j2]))}</ins>")
    return mark_safe("".join(parts))  # noqa: S308 - every piece is escaped above


@dataclass
class Restored:
    """The article a restore wrote, and what of the revision it had to leave out, in words."""

    article: Article
    left_out: list[str]


@transaction.atomic
def restore(*, article: Article, version: Version, user) -> Restored:
    """Bring back `version`'s words, filing and byline, as a new revision.

    Status and publication time stay as they are: restoring an old text never publishes or
    unpublishes anything by itself. What the revision points at may have changed since: an
    image, disclaimer, promotion, category, author or tag deleted since is left out, and so is
    a slug another article has taken (the current one stays). `left_out` says which.
    """
    snapshot = Snapshot.of(version)
    fields = snapshot.fields
    left_out = []
    for name in RESTORED_FIELDS:
        field = Article._meta.get_field(name)
        if field.attname not in fields:
            continue
        value = fields[field.attname]
        if isinstance(value, str):
            # Revisions saved before text was cleaned at the door may still hold controls.
            value = (clean_text if isinstance(field, models.TextField) else clean_line)(value)
        reason = _not_restorable(article, field, value)
        if reason:
            left_out.append(reason)
        else:
            setattr(article, field.attname, value)
    categories = list(Category.objects.filter(pk__in=fields.get("categories", [])))
    users = get_user_model().objects.in_bulk(snapshot.authors)
    authors = [users[pk] for pk in snapshot.authors if pk in users]
    tags = list(Tag.objects.filter(pk__in=snapshot.tags))
    deleted = len(set(fields.get("categories", []))) - len(categories)
    if deleted:
        left_out.append(
            ngettext("%d category (deleted)", "%d categories (deleted)", deleted) % deleted
        )
    deleted = len(set(snapshot.authors)) - len(authors)
    if deleted:
        left_out.append(ngettext("%d author (deleted)", "%d authors (deleted)", deleted) % deleted)
    deleted = len(set(snapshot.tags)) - len(tags)
    if deleted:
        left_out.append(ngettext("%d tag (deleted)", "%d tags (deleted)", deleted) % deleted)
    article.lock_version += 1
    when = timezone.localtime(version.revision.date_created).strftime("%Y-%m-%d %H:%M")
    with reversion.create_revision():
        article.save()
        article.categories.set(categories)
        set_authors(article, authors)
        article.tags.set(tags)
        reversion.add_to_revision(article)  # again, now with its bylines and tags
        reversion.set_user(user)
        reversion.set_comment(_("Restored the revision of %(when)s.") % {"when": when})
    return Restored(article=article, left_out=left_out)


def _not_restorable(article: Article, field, value) -> str | None:
    """Why `field` cannot have the revision's `value` again (it would break a foreign key or
    a unique slug), in words, or None."""
    if field.is_relation:
        gone = value is not None and not field.related_model.objects.filter(pk=value).exists()
        return _("the %(thing)s (deleted)") % {"thing": field.verbose_name} if gone else None
    if field.name == "slug" and Article.objects.filter(slug=value).exclude(pk=article.pk).exists():
        return _("the slug “%(old)s” (now another article's: it stays “%(current)s”)") % {
            "old": value,
            "current": article.slug,
        }
    return None
