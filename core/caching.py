"""Parts of pages cached until what they show changes, by named versions.

Each cached value is keyed on the versions it was built on. `content` is what every page
shows, and changes rarely: the navigation, the names of categories and tags, disclaimers,
promotions, pages, images, the comment rules. The apps name the rest, one per thing a page
shows: blog/versions.py (an article, a list of articles, a tag's related lists, an article's
likes) and comments/versions.py (an article's comments). Bumping a version makes every key
built on it unreachable, so nothing stale is served; and as a page depends only on what it
shows, publishing an article or posting a comment leaves the rest of the site cached.

Some things change by the clock, with no save (a scheduled article becomes public). An app
registers how to find the next such moment (`schedule`) and what changes then; the moment is
kept beside a version every page reads, and the first read after it bumps what changed.
"""

import hashlib
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
# Version name → (a function giving the next time, a timestamp or NEVER, something changes by the
# clock; a function bumping what changed then, given that time).
_schedules: dict[str, tuple[Callable[[], float], Callable[[float], None]]] = {}


def schedule(name: str, next_change: Callable[[], float], changed=None) -> None:
    """Whenever the clock passes `next_change()`, a timestamp or NEVER, call `changed(since)`
    to bump what changed by the clock since `since`, when `next_change` was last asked (by
    default, bump `name`). Checked when `name` is read.

    `next_change` is asked (it may query the database) when the time it gave last has passed,
    or when a bump of `name` may have moved it; never on an ordinary read.
    """
    _schedules[name] = (next_change, changed or (lambda since: bump(name)))


def reschedule(name: str) -> None:
    """Ask `name`'s `next_change` again on its next read: a save may have moved it.

    The moment becomes due now, and when it was last asked is kept: should the new moment
    also pass before anyone reads, that read still bumps what the clock changed since.
    """

    _due_now([name])
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: _due_now([name]))


def _due_now(names) -> None:
    """Make the next moment of each of `names` due, keeping when it was last asked."""
    keys = [_next_change_key(name) for name in names]
    found = cache.get_many(keys)
    now = time.time()
    cache.set_many({key: (0.0, (found.get(key) or (None, now))[1]) for key in keys}, timeout=None)


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
        if any(name not in known for name in names if name not in missing):
            # The clock changed something while reading: the snapshot was emptied.
            missing, (read, value) = names, _read(names, key)
        known.update(zip(missing, read, strict=True))
    return tuple(known[name] for name in names), value


def _read(names, also) -> tuple[tuple, object]:
    """The current version of each name, creating missing ones; and the value under `also`."""
    keys = [_key(name) for name in names]
    scheduled = [name for name in names if name in _schedules]
    extra = [_next_change_key(name) for name in scheduled]
    found = cache.get_many([*keys, *extra, *([also] if also else [])])
    for name in scheduled:
        # (the next moment, when it was asked): what changes then is what became due since.
        next_at, asked_at = found.get(_next_change_key(name)) or (None, None)
        if next_at is None or next_at <= time.time():
            next_change, changed = _schedules[name]
            cache.set(_next_change_key(name), (next_change(), time.time()), timeout=None)
            if next_at is not None:  # its moment has come: what it shows changed by the clock
                changed(asked_at)
                return _read(names, also)  # read again what that bumped
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
    scheduled = [name for name in names if name in _schedules]
    if scheduled:
        _due_now(scheduled)
    for name in names:
        try:
            cache.incr(_key(name))
        except ValueError:  # not in the cache: any new value invalidates
            cache.set(_key(name), time.time_ns(), timeout=None)


def _fragment_key(parts, depends_on) -> str:
    """Hashed, as page keys are: a part may be a reader's search of any length."""
    key = ":".join(str(p) for p in (*parts, *versions(*depends_on)))
    return "fragment:" + hashlib.sha256(key.encode()).hexdigest()


def cached(parts: tuple, compute: Callable[[], object], *, depends_on=(CONTENT,), timeout=None):
    """`compute()`, cached under `parts` and the current versions of `depends_on`."""
    key = _fragment_key(parts, depends_on)
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout=timeout or FRAGMENT_SECONDS)
    return value


def cached_showing(parts: tuple, compute, *, depends_on=(CONTENT,), timeout=None):
    """`cached`, for a value that also shows things found only while computing it (an
    article's neighbours): `compute()` returns the value and the names of their versions,
    which are kept with it and checked on every read. Returns the value and those names.

    The versions are read just after computing: a change committed in between is seen only
    when the value expires (`timeout`).
    """
    key = _fragment_key(parts, depends_on)
    entry = cache.get(key)
    if entry is not None:
        built_on, value = entry
        if versions(*built_on) == tuple(built_on.values()):
            return value, tuple(built_on)
    value, names = compute()
    built_on = dict(zip(names, versions(*names), strict=True))
    cache.set(key, (built_on, value), timeout=timeout or FRAGMENT_SECONDS)
    return value, tuple(built_on)
