"""Shared fixtures: a media folder per test, and the Akismet-compatible server."""

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from tests.akismet_server import AkismetServer

# Property-based tests: the same examples on every run and machine (a fixed seed), so CI is
# repeatable; failures found are replayed from .hypothesis/, which git ignores.
hypothesis_settings.register_profile(
    "broadsheet",
    derandomize=True,
    deadline=None,
    max_examples=40,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
hypothesis_settings.load_profile("broadsheet")


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


def _clear_cache():
    """Empty this run's cache (on Redis, only this run's keys: see config/redis_cache.py)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def clear_cache():
    _clear_cache()
    yield
    _clear_cache()


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


@pytest.fixture
def smtp(settings):
    """A real SMTP server on 127.0.0.1 the site sends its email to; `smtp.messages` holds what it
    received."""
    from tests import smtp_server

    controller, mailbox = smtp_server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    yield mailbox
    controller.stop()
