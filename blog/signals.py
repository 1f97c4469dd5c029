"""Keep cached pages current: each change bumps the versions of the pages that show it.

See blog/versions.py for what each page depends on. Drafts and scheduled articles are shown
nowhere, so saving one changes nothing cached; a public article's save makes its own page and
the lists it is on stale; publishing, unpublishing or moving one in time also makes stale the
pages of the articles before and after it, and the related lists it may enter. What every page
shows (categories, tags' names, disclaimers, promotions, pages, images) bumps `content`.
"""

import datetime

from django.db.models.signals import (
    m2m_changed,
    post_delete,
    post_init,
    post_save,
    pre_delete,
    pre_save,
)
from django.dispatch import Signal
from django.utils import timezone
from taggit.models import Tag

from core import caching

from . import versions
from .models import Article, Authorship, Category, Disclaimer, Image, Page, Promotion, TaggedArticle

# Sent when articles become published without a save of each (the admin's list action), with
# `articles`: a queryset of them. Whoever tells readers of new posts listens.
published = Signal()

SITE_MODELS = [Category, Disclaimer, Page, Promotion]


def site_changed(sender, **kwargs):
    caching.bump(caching.CONTENT)


def shown_thing_changed(sender, created=False, **kwargs):
    """A new image or tag is shown nowhere yet: the article that shows it says so when saved."""
    if not created:
        caching.bump(caching.CONTENT)


def _public(status, published_at, now) -> bool:
    return status == Article.Status.PUBLISHED and published_at is not None and published_at <= now


def lists_showing(article: Article) -> set[str]:
    """The versions of every list `article` is on, if it is public."""
    categories = article.categories.values_list("path", flat=True)
    tags = TaggedArticle.objects.filter(content_object=article).values_list("tag_id", flat=True)
    authors = Authorship.objects.filter(article=article).values_list("user_id", flat=True)
    return {
        versions.ARTICLES,
        *versions.categories_and_parents(categories),
        *map(versions.tag_list, tags),
        *map(versions.author_list, authors),
    }


def neighbours(article: Article, published_at) -> set[str]:
    """What is around the public articles just before and after `published_at`, but
    `article`: their pages link to it while it is public there."""
    public = Article.objects.published().exclude(pk=article.pk).values_list("pk", flat=True)
    before = public.filter(published_at__lt=published_at).order_by("-published_at").first()
    after = public.filter(published_at__gt=published_at).order_by("published_at").first()
    return {versions.around(pk) for pk in (before, after) if pk is not None}


def related_lists_entered(article: Article, tag_ids=None) -> set[str]:
    """The related lists `article` may now be in: those of its tags (or of `tag_ids`) that
    have a later public article. A related list shows earlier articles, so an article
    published as the newest of its tags enters none."""
    if tag_ids is None:
        tag_ids = TaggedArticle.objects.filter(content_object=article).values("tag_id")
    later = (
        TaggedArticle.objects.filter(
            tag_id__in=tag_ids,
            content_object__in=Article.objects.published().filter(
                published_at__gt=article.published_at
            ),
        )
        .values_list("tag_id", flat=True)
        .distinct()
    )
    return set(map(versions.related, later))


def remember_publication(sender=Article, instance=None, **kwargs) -> None:
    """What a later save compares with: whether and when the article was public (None: not
    loaded, so read before the save)."""
    loaded = instance.__dict__
    if "status" in loaded and "published_at" in loaded:
        instance._published_as = (loaded["status"], loaded["published_at"])


def read_publication(sender, instance, raw=False, **kwargs):
    if instance.pk and getattr(instance, "_published_as", None) is None and not raw:
        instance._published_as = (
            Article.objects.filter(pk=instance.pk).values_list("status", "published_at").first()
        )


def article_saved(sender, instance, created=False, raw=False, **kwargs):
    if raw:
        return
    now = timezone.now()
    before = None if created else getattr(instance, "_published_as", None)
    was = before is not None and _public(*before, now)
    remember_publication(instance=instance)
    if instance.status == Article.Status.PUBLISHED and not instance.is_published:
        caching.reschedule(caching.CONTENT)  # published later: maybe the next to come
    if not (was or instance.is_published):
        return  # a draft, or scheduled: shown nowhere (see published_by_clock)
    changed = {versions.article(instance.pk), *lists_showing(instance)}
    if was and before[1] != instance.published_at or was != instance.is_published:
        if was:
            changed |= neighbours(instance, before[1])
        if instance.is_published:
            changed |= neighbours(instance, instance.published_at)
            changed |= related_lists_entered(instance)
    caching.bump(*changed)


def article_deleted(sender, instance, **kwargs):
    """Before the delete, while its links to lists are still there to be read."""
    if instance.is_published:
        changed = {versions.article(instance.pk), *lists_showing(instance)}
        caching.bump(*changed, *neighbours(instance, instance.published_at))


def published_by_clock(since: float) -> None:
    """Scheduled articles whose time has come since `since`: as if each was published."""
    since = datetime.datetime.fromtimestamp(since, tz=datetime.UTC)
    changed = set()
    for article in Article.objects.published().filter(published_at__gt=since):
        changed |= {versions.article(article.pk), *lists_showing(article)}
        changed |= neighbours(article, article.published_at)
        changed |= related_lists_entered(article)
    if changed:
        caching.bump(*changed)


def articles_changed(before) -> None:
    """For changes that send no signal per article (the admin's list actions, an update()):
    `before` holds (pk, status, published_at) of each article before; each is compared with
    the database now."""
    was = {pk: (status, published_at) for pk, status, published_at in before}
    for article in Article.objects.filter(pk__in=was):
        article._published_as = was[article.pk]
        article_saved(Article, article)


def links_changed(article: Article, lists: set[str], *, entered_tags=()) -> None:
    """The article's categories, tags or authors changed: if it is public, its page, and the
    lists it joined or left (and the site-wide ones, whose entries show them)."""
    if article.is_published:
        entered = related_lists_entered(article, entered_tags) if entered_tags else set()
        caching.bump(versions.article(article.pk), versions.ARTICLES, *lists, *entered)


def categories_changed(sender, instance, action, pk_set, **kwargs):
    if not isinstance(instance, Article):  # from the category's side: rare, so everything
        if action.startswith("post_"):
            caching.bump(caching.CONTENT)
        return
    if action in ("post_add", "post_remove"):
        paths = Category.objects.filter(pk__in=pk_set).values_list("path", flat=True)
    elif action == "pre_clear":
        paths = instance.categories.values_list("path", flat=True)
    else:
        return
    links_changed(instance, versions.categories_and_parents(paths))


def authors_changed(sender, instance, action, pk_set, **kwargs):
    if action in ("post_add", "post_remove"):
        users = pk_set
    elif action == "pre_clear":
        users = list(Authorship.objects.filter(article=instance).values_list("user_id", flat=True))
    else:
        return
    if isinstance(instance, Article):
        links_changed(instance, set(map(versions.author_list, users)))
    elif action.startswith("post_"):
        caching.bump(caching.CONTENT)


def tagging_changed(sender, instance, created=False, **kwargs):
    article = Article.objects.filter(pk=instance.content_object_id).first()
    if article is not None:
        entered = [instance.tag_id] if created else []
        links_changed(article, {versions.tag_list(instance.tag_id)}, entered_tags=entered)


def connect():
    for model in SITE_MODELS:
        post_save.connect(site_changed, sender=model, dispatch_uid=f"site-save-{model}")
        post_delete.connect(site_changed, sender=model, dispatch_uid=f"site-del-{model}")
    for model in (Image, Tag):
        post_save.connect(shown_thing_changed, sender=model, dispatch_uid=f"shown-save-{model}")
        post_delete.connect(site_changed, sender=model, dispatch_uid=f"shown-del-{model}")
    post_init.connect(remember_publication, sender=Article, dispatch_uid="article-loaded")
    pre_save.connect(read_publication, sender=Article, dispatch_uid="article-saving")
    post_save.connect(article_saved, sender=Article, dispatch_uid="article-saved")
    pre_delete.connect(article_deleted, sender=Article, dispatch_uid="article-deleted")
    post_save.connect(tagging_changed, sender=TaggedArticle, dispatch_uid="tagging-saved")
    post_delete.connect(tagging_changed, sender=TaggedArticle, dispatch_uid="tagging-deleted")
    m2m_changed.connect(
        categories_changed, sender=Article.categories.through, dispatch_uid="article-categories"
    )
    m2m_changed.connect(
        authors_changed, sender=Article.authors.through, dispatch_uid="article-authors"
    )
