"""Parts of pages cached until what they show changes, by named versions.

Each cached value is keyed on the versions it was built on. The apps name them: the blog's
`content` changes whenever an article, category, tag, disclaimer, promotion, image or page is
saved or deleted, `likes:<article id>` whenever the article is liked; the comments app's
`comments:<article id>` whenever a comment on that article changes. Bumping a version makes
every key built on it unreachable, so nothing stale is served, and a single comment never
flushes more than its own article.

Some things change by the clock, with no save (a scheduled article becomes public). An app
registers how to find the next such moment for a version (`schedule`); the moment is kept
beside the version, and the first read after it bumps the version.
"""

import time
from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.cache import cache
from django.db import transaction

CONTENT = "content"
FRAGMENT_SECONDS = 24 * 3600
# Promotions start and end by the clock, not by a save: fragments showing one expire soon.
PROMOTION_SECONDS = 300


def _key(name: str) -> str:
    return f"version:{name}"


def _next_change_key(name: str) -> str:
    return f"version:{name}:next-change"


NEVER = float("inf")
# Version name → a function giving the next time (a timestamp, or NEVER) it changes by the clock.
_schedules: dict[str, Callable[[], float]] = {}


def schedule(name: str, next_change: Callable[[], float]) -> None:
    """Bump `name` whenever the clock passes `next_change()`, a timestamp or NEVER.

    `next_change` is asked (it may query the database) when the time it gave last has passed,
    or when a bump of `name` may have moved it; never on an ordinary read.
    """
    _schedules[name] = next_change


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
    """The current version of each name, creating missing ones; and the value under `also`."""
    keys = [_key(name) for name in names]
    scheduled = [name for name in names if name in _schedules]
    extra = [_next_change_key(name) for name in scheduled]
    found = cache.get_many([*keys, *extra, *([also] if also else [])])
    for name in scheduled:
        next_at = found.get(_next_change_key(name))
        if next_at is None or next_at <= time.time():
            if next_at is not None:  # its moment has come: what it shows changed by the clock
                bump(name)
                found.pop(_key(name), None)
            cache.set(_next_change_key(name), _schedules[name](), timeout=None)
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
    cache.delete_many([_next_change_key(name) for name in names if name in _schedules])
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
