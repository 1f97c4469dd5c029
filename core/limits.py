"""The one rate limit: how often one reader did one thing in the current window, counted in
the shared cache (atomic across processes: cache.add, then cache.incr)."""

import time

from django.core.cache import cache


def over_limit(scope: str, who: str, *, limit: int, seconds: int) -> bool:
    """Count one more `scope` action by `who` in this window of `seconds`; whether that makes
    more than `limit`."""
    key = f"{scope}:rate:{who}:{int(time.time() // seconds)}"
    cache.add(key, 0, timeout=seconds * 2)
    try:
        return cache.incr(key) > limit
    except ValueError:  # expired between the two calls: a new window
        return False
