"""The bench's settings with every cache empty on every request: Django's DummyCache stores
nothing, so the page cache, the fragment caches, the cached counts and the content versions are
all cold each time (issue #15's `cold` suite). bench/server.py also sets PAGE_CACHE_SECONDS=0,
so no process keeps a page in its own memory either."""

from bench.settings import *  # noqa: F403

CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
