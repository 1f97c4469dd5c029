"""The cache the site runs on (the disk cache on one box, Redis with REDIS_URL) keeps what
security relies on: nothing live is evicted, and counters are atomic across processes."""

import os
import sqlite3
import subprocess
import sys
import textwrap

import pytest
from django.conf import settings
from django.core.cache import cache

from tests.cluster import ROOT
from tests.factories import make_article


def test_security_keys_survive_thousands_of_pages():
    cache.add("comments:flood:ip:198.51.100.1", 1, timeout=60)
    cache.add("login-failures:ip:198.51.100.1", 4, timeout=900)

    # More pages than an article a day for five years; FileBasedCache kept 300 entries.
    for n in range(2_000):
        cache.set(f"page:{n}", b"x" * 2_000, timeout=300)

    assert cache.get("comments:flood:ip:198.51.100.1") == 1
    assert cache.get("login-failures:ip:198.51.100.1") == 4
    assert cache.get("page:0") == b"x" * 2_000


def test_counters_are_atomic_across_processes():
    cache.set("counter", 0, timeout=60)
    script = textwrap.dedent(
        """
        import django
        django.setup()
        from django.core.cache import cache
        for _ in range(200):
            cache.incr("counter")
        """
    )
    env_settings = {
        "DJANGO_SETTINGS_MODULE": "config.test_settings",
        "CACHE_DIR": str(settings.CACHES["default"]["LOCATION"]),
        "CACHE_KEY_PREFIX": settings.CACHES["default"]["KEY_PREFIX"],
    }
    env = {**os.environ, **env_settings}
    workers = [
        subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, env=env) for _ in range(3)
    ]
    assert [worker.wait(timeout=60) for worker in workers] == [0, 0, 0]

    assert cache.get("counter") == 600


def test_clearing_the_cache_leaves_other_sites_keys_alone(settings):
    if "redis" not in settings.CACHES["default"]["BACKEND"].lower():
        pytest.skip("the disk cache has one folder per site: nothing shared to leave alone")
    from django.core.cache import caches

    other = caches.create_connection("default")
    other.key_prefix = "another-site"
    other.set("page", "theirs", timeout=60)
    cache.set("page", "ours", timeout=60)

    cache.clear()

    assert cache.get("page") is None
    assert other.get("page") == "theirs"
    other.delete("page")


@pytest.mark.django_db
def test_a_cached_page_is_served_without_reopening_the_disk_cache(client, monkeypatch, settings):
    """The disk cache's connections outlive the request: opening a shard (its settings table,
    its pragmas) cost more than serving the cached page from it."""
    settings.PAGE_CACHE_RECHECK_SECONDS = 0  # every hit asks the shared cache
    if "redis" in settings.CACHES["default"]["BACKEND"].lower():
        pytest.skip("Redis keeps its connection pool on its own")
    article = make_article()
    assert client.get(article.get_absolute_url()).status_code == 200  # drawn and cached
    assert client.get(article.get_absolute_url()).status_code == 200  # every shard opened
    opened = []
    connect = sqlite3.connect
    monkeypatch.setattr(sqlite3, "connect", lambda *a, **kw: opened.append(a) or connect(*a, **kw))

    response = client.get(article.get_absolute_url())

    assert response.status_code == 200
    assert response["X-Page-Cache"] == "hit"
    assert opened == []
