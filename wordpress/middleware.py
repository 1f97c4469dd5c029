"""Old WordPress links keep working after `manage.py import_wxr`, as WordPress answers them.

The query-string addresses WordPress answers on its home page (`/?p=4`, `/?page_id=2`,
`/?cat=3`, `/?tag=news`, `/?author=1`, `/?m=202401`, `/?feed=rss2`, `/?attachment_id=9`,
`/?paged=2`) answer 301 with the new address, or 404 when there is nothing there: never the
home page. They are decided before the page cache could store anything under them, so the
answer is the same with a warm cache as with a cold one.

Any other address is looked up among the imported permalinks only once it has answered 404,
so pages that exist pay nothing.
"""

import re
from urllib.parse import urlencode

from django.db.models import Q
from django.http import Http404, HttpResponsePermanentRedirect
from django.urls import reverse
from taggit.models import Tag

from .models import WordPressItem

# Query key → the kinds of imported item its ID can be.
ITEM_KINDS = {
    "p": ["post", "page"],
    "page_id": ["page"],
    "cat": ["category"],
    "author": ["author"],
    "attachment_id": ["attachment"],
}
FEEDS = {"rss2": "blog:feed", "rss": "blog:feed", "rdf": "blog:feed", "atom": "blog:feed_atom",
         "comments-rss2": "comments:feed"}  # fmt: skip
# The keys that make `/` a WordPress address rather than the home page (`s` is the search).
WORDPRESS_KEYS = (*ITEM_KINDS, "tag", "m", "feed", "paged")
MONTH = re.compile(r"(\d{4})(\d{2})?(\d{2})?")
BIGINT = 19  # digits: a larger ID was never WordPress's


class WordPressLinksMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        reading = request.method in ("GET", "HEAD")
        if reading and request.path == "/" and any(k in request.GET for k in WORDPRESS_KEYS):
            target = query_target(request.GET)
            if target is None:
                raise Http404("Nothing at this WordPress address.")
            return HttpResponsePermanentRedirect(target)
        response = self.get_response(request)
        # A path with a NUL byte was never a WordPress permalink (and PostgreSQL refuses it).
        if response.status_code == 404 and reading and "\x00" not in request.path:
            path = request.path
            other = path[:-1] if path.endswith("/") else f"{path}/"
            # `~Q(old_url="")` repeats the partial index's condition, which SQLite needs to use it.
            target = imported_url(Q(old_url__in=[path, other]) & ~Q(old_url=""))
            if target and target != path:
                return HttpResponsePermanentRedirect(target)
        return response


def query_target(query) -> str | None:
    """Where WordPress's query-string address `/?<query>` lives now, or None (a 404)."""
    for key, kinds in ITEM_KINDS.items():
        if key in query:
            value = query[key]
            if not (value.isascii() and value.isdigit() and len(value) <= BIGINT):
                return None
            return imported_url(Q(kind__in=kinds, wp_id=int(value)))
    if "tag" in query:
        tag = Tag.objects.filter(slug=query["tag"]).first()
        return tag and reverse("blog:tag", kwargs={"slug": tag.slug})
    if "m" in query:
        return _archive_url(query["m"])
    if "feed" in query:
        name = FEEDS.get(query["feed"])
        return name and reverse(name)
    page = query.get("paged", "")
    if page.isascii() and page.isdigit() and 0 < len(page) <= BIGINT and int(page) > 0:
        search = f"?{urlencode({'s': query['s']})}" if "s" in query else ""
        if int(page) == 1:
            return f"/{search}"
        return reverse("blog:home", kwargs={"page": int(page)}) + search
    return None


def _archive_url(value: str) -> str | None:
    """`?m=2024`, `?m=202401`, `?m=20240115`: the year, month or day archive."""
    match = MONTH.fullmatch(value) if value.isascii() else None
    if match is None:
        return None
    year, month, day = match.groups()
    if day:
        return reverse("blog:day", kwargs={"year": year, "month": month, "day": day})
    if month:
        return reverse("blog:month", kwargs={"year": year, "month": month})
    return reverse("blog:year", kwargs={"year": year})


def imported_url(condition) -> str | None:
    """The address of the public item imported as `condition`: article, page, category,
    author or image."""
    items = WordPressItem.objects.filter(condition).select_related(
        "article", "page", "category", "user", "image"
    )
    for item in items.order_by("-pk"):
        target = item.target  # None: deleted here
        if target is None or not getattr(target, "is_published", True):
            continue  # drafts and unpublished pages are not given away
        if item.kind == WordPressItem.Kind.AUTHOR:
            return reverse("blog:author", kwargs={"username": target.get_username()})
        if item.kind == WordPressItem.Kind.ATTACHMENT:
            return target.file.url
        return target.get_absolute_url()
    return None
