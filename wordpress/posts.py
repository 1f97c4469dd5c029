"""Posts → articles and pages → pages, a batch at a time, with bulk inserts for articles.

Bodies are converted and sanitised here (bulk inserts skip Article.save()); slugs are made
unique with a warning; each item's comments go on to the CommentWriter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from django.utils import timezone

from blog.models import Article, Page, TaggedArticle, page_address_free
from core import bulk

from .content import convert
from .mapping import CONVERSION, DELETED, Kind, Mapped, checksum, chunks
from .parser import Item
from .values import parse_date, parse_rss_date, plain_text, slug_for

NO_TITLE = "(no title)"
STATUS = {
    "publish": Article.Status.PUBLISHED,
    "future": Article.Status.PUBLISHED,  # with its date to come: scheduled
    "draft": Article.Status.DRAFT,
    "pending": Article.Status.DRAFT,
    "private": Article.Status.DRAFT,
}
NOT_IMPORTED = {
    "trash": "it is in the WordPress trash",
    "auto-draft": "it is an auto-draft WordPress never saved",
    "inherit": "it is a revision",
}
UPDATED_FIELDS = [
    "title",
    "slug",
    "body",
    "excerpt",
    "status",
    "published_at",
    "is_sticky",
    "comments_open",
    "updated_at",
]
AuthorLink = Article.authors.through
CategoryLink = Article.categories.through


def old_path(link: str) -> str:
    """The path of a WordPress permalink, decoded as Django decodes request paths; "" for a
    `/?p=123` link (those are answered from the ID)."""
    parts = urlsplit(link.strip())
    path = re.sub(r"/{2,}", "/", unquote(parts.path))
    if parts.query or path in ("", "/") or len(path) > 500:
        return ""
    return path


@dataclass
class _Row:
    """An article or page to write: the item, what it becomes, and its mapping if any."""

    item: Item
    where: str
    mapping: Mapped | None
    digest: str
    values: dict
    pk: int | None = None

    def __post_init__(self):
        if self.mapping is not None:
            self.pk = self.mapping.target_id


class PostWriter:
    def __init__(self, importer):
        self.imp = importer
        self.report = importer.report
        self.warn = importer.warn

    def write(self, items: list[Item]) -> None:
        posts = self._once([i for i in items if i.post_type == "post"])
        pages = self._once([i for i in items if i.post_type == "page"])
        written = self.write_articles(posts)
        self.write_pages(pages)
        self.imp.comments.write(written)

    def _once(self, items: list[Item]) -> list[Item]:
        seen, unique = {}, []
        for item in items:
            if item.wp_id in seen:
                self.warn(
                    f"{item.post_type.capitalize()} {item.wp_id} (line {item.line}) "
                    f"appears again after line {seen[item.wp_id]}; the second is skipped."
                )
                self.report.count(item.post_type, "skipped")
                continue
            seen[item.wp_id] = item.line
            unique.append(item)
        return unique

    def _skip(self, item: Item, where: str, problem: str) -> None:
        self.warn(f"{where}: {problem}.")
        self.report.count(item.post_type, "skipped")
        if item.comments:
            self.report.count(Kind.COMMENT, "skipped", len(item.comments))
            self.warn(f"{where}: its {len(item.comments)} comment(s) are not imported with it.")

    # --- Articles ---------------------------------------------------------------------------

    def status_and_date(self, item: Item, where: str):
        """(status, published_at): `publish` at its GMT date, `future` the same (scheduled),
        everything else and password-protected posts a draft; a published post whose date
        cannot be read, or is out of range (`values.parse_date`), falls back on <pubDate>, then
        the local date, then becomes a draft."""
        status = STATUS.get(item.status)
        if status is None:
            self.warn(f"{where}: unknown status {item.status!r}; imported as a draft.")
            status = Article.Status.DRAFT
        if item.password and status == Article.Status.PUBLISHED:
            self.warn(
                f"{where}: password-protected on WordPress; imported as a draft so it "
                "stays private."
            )
            status = Article.Status.DRAFT
        gmt, gmt_problem = parse_date(item.date_gmt)
        if gmt or status == Article.Status.DRAFT:
            if gmt_problem:
                self.warn(f"{where}: {gmt_problem}; left empty.")
            return status, gmt
        local, local_problem = parse_date(item.date)
        rss, rss_problem = parse_rss_date(item.pub_date)
        date = rss or local  # the local time is taken as UTC
        problems = [p for p in (gmt_problem, rss_problem, local_problem) if p]
        if date is None:
            self.warn(f"{where}: {problems[0] if problems else 'no date'}; imported as a draft.")
            return Article.Status.DRAFT, None
        if problems:
            self.warn(f"{where}: {problems[0]}; used {date:%Y-%m-%d %H:%M} UTC.")
        return status, date

    def _title(self, item: Item, where: str, max_length: int = 300) -> str:
        title = plain_text(item.title or "")
        if not title:
            self.warn(f"{where}: no title; imported as {NO_TITLE!r}.")
            return NO_TITLE
        if len(title) > max_length:
            self.warn(f"{where}: title longer than {max_length} characters; shortened.")
        return title[:max_length]

    def _body(self, item: Item, where: str) -> str:
        notes = []
        body = convert(item.content, notes)
        for note in notes:
            self.warn(f"{where}: {note}.")
        return body

    def _slug(self, item: Item, title: str, where: str, *, unicode: bool) -> str:
        """From `post_name`, else the title, else `post-<id>`. ASCII-only slugs (pages) take the
        title when the name was in another script, and need a letter: not "2" for "επίπεδο-2"."""
        decoded = unquote(item.post_name)
        full = slug_for(item.post_name, unicode=unicode, max_length=10_000)
        if len(full) > 200:
            self.warn(f"{where}: slug longer than 200 characters; shortened.")
        candidates = [full[:200].strip("-_")] if unicode or decoded.isascii() else []
        if title != NO_TITLE:
            candidates.append(slug_for(title, unicode=unicode, max_length=200))
        for slug in candidates:
            if slug and (unicode or re.search(r"[a-z]", slug)):
                return slug
        return f"{item.post_type}-{item.wp_id}"

    def _digest(self, item: Item) -> str:
        terms = sorted((t.taxonomy, t.slug, t.name) for t in item.terms)
        return checksum(
            CONVERSION,
            item.title,
            item.link,
            item.pub_date,
            item.creator,
            item.content,
            item.excerpt,
            item.post_name,
            item.status,
            item.date,
            item.date_gmt,
            item.comment_status,
            item.is_sticky,
            item.password,
            terms,
            item.meta.get("_thumbnail_id"),
        )

    def write_articles(self, items: list[Item]) -> list[tuple[Item, int]]:
        """Create or update the articles; return (item, article pk) for each one imported."""
        imp = self.imp
        existing = imp.ids.lookup(Kind.POST, [i.wp_id for i in items])
        written, todo = [], []
        for item in items:
            where = f"Post {item.wp_id} (line {item.line})"
            if item.status in NOT_IMPORTED:
                self._skip(item, where, f"not imported: {NOT_IMPORTED[item.status]}")
                continue
            digest, mapping = self._digest(item), existing.get(item.wp_id)
            if mapping and mapping.deleted:
                self._skip(item, where, DELETED)
                continue
            if mapping and mapping.checksum == digest:
                self.report.count(Kind.POST, "unchanged")
                written.append((item, mapping.target_id))
                imp.media.add_thumbnail(mapping.target_id, item, refresh=False)
                continue
            title = self._title(item, where)
            status, published_at = self.status_and_date(item, where)
            values = {
                "title": title,
                "slug": self._slug(item, title, where, unicode=True),
                "body": self._body(item, where),
                "excerpt": plain_text(item.excerpt),
                "status": status,
                "published_at": published_at,
                "is_sticky": item.is_sticky,
                "comments_open": item.comment_status.strip() == "open",
            }
            todo.append(_Row(item, where, mapping, digest, values))

        wanted = [(row.values["slug"], row.pk, row.where) for row in todo]
        for row, slug in zip(todo, self.unique_slugs(Article, wanted), strict=True):
            row.values["slug"] = slug
        new = [row for row in todo if row.mapping is None]
        for row, pk in zip(new, bulk.insert(Article, [row.values for row in new]), strict=True):
            row.pk = pk
            imp.created_articles.add(pk)
        changed = [row for row in todo if row.mapping is not None]
        now = timezone.now()
        Article.objects.bulk_update(
            [Article(pk=row.pk, updated_at=now, **row.values) for row in changed], UPDATED_FIELDS
        )
        for pks in chunks([row.pk for row in changed]):
            AuthorLink.objects.filter(article_id__in=pks).delete()
            CategoryLink.objects.filter(article_id__in=pks).delete()
            TaggedArticle.objects.filter(content_object_id__in=pks).delete()

        authors, categories, tags, mappings = [], [], [], []
        for row in todo:
            item = row.item
            author = imp.authors.for_item(item)
            if author:
                authors.append({"article_id": row.pk, "user_id": author})
            category_ids, tag_ids = imp.terms.for_item(item)
            categories += [{"article_id": row.pk, "category_id": pk} for pk in category_ids]
            tags += [{"content_object_id": row.pk, "tag_id": pk} for pk in tag_ids]
            url = old_path(item.link)
            if row.mapping is None:
                mappings.append(imp.ids.row(Kind.POST, item.wp_id, row.pk, row.digest, url))
            else:
                imp.ids.save(row.mapping, Kind.POST, item.wp_id, row.pk, row.digest, url)
            imp.media.add_thumbnail(row.pk, item, refresh=True)
            written.append((item, row.pk))
        bulk.insert(AuthorLink, authors, returning=False)
        bulk.insert(CategoryLink, categories, returning=False)
        bulk.insert(TaggedArticle, tags, returning=False)
        imp.ids.insert(mappings)
        self.report.count(Kind.POST, "created", len(new))
        self.report.count(Kind.POST, "updated", len(changed))
        return written

    def unique_slugs(self, model, wanted, *, is_free=None) -> list[str]:
        """For each (slug, own pk, where): the slug, or the first free `slug-N` with a warning.

        Free means no other row of `model` has it, no earlier item of the batch took it, and
        `is_free(slug)` (when given) agrees.
        """
        checked = {slug for slug, _, _ in wanted}
        owners = dict(model.objects.filter(slug__in=checked).values_list("slug", "pk"))
        used: dict[str, str] = {}
        label = model._meta.verbose_name

        def free(candidate, own_pk):
            if candidate in used:
                return False
            if candidate not in checked:
                checked.add(candidate)
                owner = model.objects.filter(slug=candidate).values_list("pk", flat=True)
                owners[candidate] = owner.first()
            owner = owners.get(candidate)
            return (owner is None or owner == own_pk) and (is_free is None or is_free(candidate))

        result = []
        for slug, own_pk, where in wanted:
            candidate, n = slug, 1
            while not free(candidate, own_pk):
                n += 1
                candidate = f"{slug[: 200 - len(str(n)) - 1]}-{n}"
            if candidate != slug:
                holder = used.get(slug) or (
                    f"another {label}" if owners.get(slug) else "an address of the site"
                )
                self.warn(
                    f"{where}: the slug {slug!r} is taken by {holder}; it becomes {candidate!r}."
                )
            used[candidate] = where.split(" (")[0].lower()
            result.append(candidate)
        return result

    # --- Pages ------------------------------------------------------------------------------

    def write_pages(self, items: list[Item]) -> None:
        existing = self.imp.ids.lookup(Kind.PAGE, [i.wp_id for i in items])
        todo = []
        for item in items:
            where = f"Page {item.wp_id} (line {item.line})"
            if item.status in NOT_IMPORTED:
                self._skip(item, where, f"not imported: {NOT_IMPORTED[item.status]}")
                continue
            digest, mapping = self._digest(item), existing.get(item.wp_id)
            if mapping and mapping.deleted:
                self._skip(item, where, DELETED)
                continue
            if item.comments:
                ids = ", ".join(str(c.wp_id) for c in item.comments)
                self.warn(
                    f"{where}: pages have no comments here; its {len(item.comments)} "
                    f"comment(s) are not imported ({ids})."
                )
                self.report.count(Kind.COMMENT, "skipped", len(item.comments))
            if mapping and mapping.checksum == digest:
                self.report.count(Kind.PAGE, "unchanged")
                continue
            if item.password and item.status == "publish":
                self.warn(f"{where}: password-protected on WordPress; imported unpublished.")
            title = self._title(item, where)
            slug = self._slug(item, title, where, unicode=False)
            decoded = unquote(item.post_name)
            if decoded and slug != decoded and not decoded.isascii():
                self.warn(f"{where}: page addresses are plain ASCII; {decoded!r} becomes {slug!r}.")
            values = {
                "title": title,
                "slug": slug,
                "body": self._body(item, where),
                "is_published": item.status == "publish" and not item.password,
            }
            todo.append(_Row(item, where, mapping, digest, values))
        wanted = [(row.values["slug"], row.pk, row.where) for row in todo]
        slugs = self.unique_slugs(Page, wanted, is_free=page_address_free)
        new = []
        for row, slug in zip(todo, slugs, strict=True):
            page = Page(pk=row.pk, **{**row.values, "slug": slug})
            url = old_path(row.item.link)
            if row.mapping is None:
                new.append((row, page, url))
            else:
                page.save()  # few: the plain save (which sanitises again, harmlessly)
                self.imp.ids.save(row.mapping, Kind.PAGE, row.item.wp_id, page.pk, row.digest, url)
                self.report.count(Kind.PAGE, "updated")
        # Bodies sanitised by _body; no page to make stale one by one (`invalidate_caches`).
        Page.objects.bulk_create([page for _row, page, _url in new])
        self.imp.ids.insert([
            self.imp.ids.row(Kind.PAGE, row.item.wp_id, page.pk, row.digest, url)
            for row, page, url in new
        ])  # fmt: skip
        self.report.count(Kind.PAGE, "created", len(new))
