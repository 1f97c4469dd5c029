"""Shared fixtures: a media folder per test, and the Akismet-compatible server."""

import pytest

from tests.akismet_server import AkismetServer


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    # Real hashing is slow by design; tests only need passwords that work.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session")
def akismet_server():
    with AkismetServer() as server:
        yield server


@pytest.fixture
def akismet(akismet_server, settings):
    """Akismet switched on and pointed at the test server, reset around each test."""
    akismet_server.reset()
    settings.AKISMET_API_KEY = "test-key"
    settings.AKISMET_API_URL = akismet_server.url
    settings.AKISMET_TIMEOUT = 1.0
    yield akismet_server
    akismet_server.reset()
