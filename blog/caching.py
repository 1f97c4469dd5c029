"""Parts of reader pages cached until what they show changes.

Each cached value is keyed on a version: `content` changes whenever an article, category, tag,
disclaimer, promotion, image or page is saved or deleted; `comments:<article id>` whenever a
comment on that article changes (and `comments`, for the site-wide comments feed, whenever any
does); `likes:<article id>` whenever the article is liked. Bumping a version makes every key
built on it unreachable, so nothing stale is served, and a single comment never flushes more
than its own article.

A scheduled article becomes public by the clock, with no save: the time of the next such
publication is kept beside the content version, and the first request after it bumps it.
"""

import time
from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

CONTENT = "content"
COMMENTS = "comments"
FRAGMENT_SECONDS = 24 * 3600
# Promotions start and end by the clock, not by a save: fragments showing one expire soon.
PROMOTION_SECONDS = 300


def comments_version_name(article_id: int) -> str:
    return f"comments:{article_id}"


def likes_version_name(article_id: int) -> str:
    return f"likes:{article_id}"


def is_likes_version(name: str) -> bool:
    return name.startswith("likes:")


def _key(name: str) -> str:
    return f"version:{name}"


NEXT_PUBLICATION = "version:content:next-publication"
NEVER = float("inf")


def _next_publication() -> float:
    from .models import Article

    upcoming = (
        Article.objects.filter(status=Article.Status.PUBLISHED, published_at__gt=timezone.now())
        .order_by("published_at")
        .values_list("published_at", flat=True)
        .first()
    )
    return upcoming.timestamp() if upcoming else NEVER


# Within one request, each version is read once: one consistent snapshot, and fewer round
# trips to the cache. Set by PageCacheMiddleware; commands and tasks read afresh each time.
_snapshot: ContextVar[dict | None] = ContextVar("versions_snapshot", default=None)


@contextmanager
def snapshot():
    token = _snapshot.set({})
    try:
        yield
    finally:
        _snapshot.reset(token)


def versions(*names: str) -> tuple:
    """The current version of each name, as first read in this request."""
    return versions_and_value(None, *names)[0]


def versions_and_value(key: str | None, *names: str) -> tuple[tuple, object]:
    """`versions(*names)`, and the cached value under `key`, in one round trip to the cache."""
    known = _snapshot.get()
    if known is None:
        known = {}
    missing = [name for name in names if name not in known]
    value = None
    if missing or key:
        read, value = _read(missing, key)
        known.update(zip(missing, read, strict=True))
    return tuple(known[name] for name in names), value


def _read(names, also) -> tuple[tuple, object]:
    """The current version of each name, creating missing ones (a cache may evict them); and
    the value under the key `also`."""
    keys = [_key(name) for name in names]
    extra = [NEXT_PUBLICATION] if CONTENT in names else []
    found = cache.get_many([*keys, *extra, *([also] if also else [])])
    if CONTENT in names:
        next_at = found.get(NEXT_PUBLICATION)
        if next_at is None or next_at <= time.time():
            if next_at is not None:  # a scheduled article has just become public
                bump(CONTENT)
                found.pop(_key(CONTENT), None)
            cache.set(NEXT_PUBLICATION, _next_publication(), timeout=None)
    result = []
    for name in names:
        value = found.get(_key(name))
        if value is None:
            # A fresh, unique start: never a value some stale fragment was keyed on.
            cache.add(_key(name), time.time_ns(), timeout=None)
            value = cache.get(_key(name))
        result.append(value)
    return tuple(result), found.get(also) if also else None


def bump(*names: str) -> None:
    """Make everything built on these versions stale: now, and again when the change commits.

    Between a change and its commit, another request still reads the old rows; bumped only
    now, it would store them under the new version. The second bump makes that stale too.
    """
    _bump(names)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: _bump(names))


# How many changes this process has made: what it checked before one must be checked again.
changes_here = 0


def _bump(names) -> None:
    global changes_here
    changes_here += 1
    if _snapshot.get():
        _snapshot.get().clear()  # this request changed something: read afresh from now on
    if CONTENT in names:
        cache.delete(NEXT_PUBLICATION)
    for name in names:
        try:
            cache.incr(_key(name))
        except ValueError:  # not in the cache: any new value invalidates
            cache.set(_key(name), time.time_ns(), timeout=None)


def cached(parts: tuple, compute: Callable[[], object], *, depends_on=(CONTENT,), timeout=None):
    """`compute()`, cached under `parts` and the current versions of `depends_on`."""
    key = "fragment:" + ":".join(str(p) for p in (*parts, *versions(*depends_on)))
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout=timeout or FRAGMENT_SECONDS)
    return value
