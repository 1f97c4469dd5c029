"""What operators rely on: health checks, headers, the admin sign-in limit, logs."""

import logging
import os

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection

from tests.factories import make_article

pytestmark = pytest.mark.django_db


def test_healthz_answers_ok_when_database_and_cache_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_answers_503_without_the_database(client, monkeypatch):
    def broken(*args, **kwargs):
        raise connection.OperationalError("could not connect to server: 10.0.0.1 password=x")

    monkeypatch.setattr(connection, "cursor", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"
    assert b"10.0.0.1" not in response.content and b"password" not in response.content


def test_healthz_answers_503_without_the_cache(client, monkeypatch):
    monkeypatch.setattr(cache, "get", lambda *a, **k: None)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["cache"] == "unavailable"


def test_reader_pages_carry_a_strict_content_security_policy(client):
    article = make_article("Headers")
    response = client.get(article.get_absolute_url())
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_reader_pages_have_no_inline_script_or_style(client):
    article = make_article("Inline check")
    html = client.get(article.get_absolute_url()).content.decode()
    scripts = html.split("<script")[1:]
    assert all(' src="' in s.split(">")[0] or "application/ld+json" in s.split(">")[0]
               for s in scripts)  # fmt: skip
    assert "<style" not in html
    assert ' style="' not in html


def test_every_response_has_a_request_id_and_a_log_line(client, caplog):
    with caplog.at_level(logging.INFO, logger="broadsheet.request"):
        response = client.get("/robots.txt", HTTP_X_REQUEST_ID="lb-1234")
    assert response["X-Request-ID"] == "lb-1234"
    lines = [r for r in caplog.records if r.name == "broadsheet.request"]
    assert len(lines) == 1
    assert lines[0].request_id == "lb-1234"
    assert "GET /robots.txt 200" in lines[0].getMessage()


def test_a_forged_request_id_is_replaced(client):
    response = client.get("/robots.txt", HTTP_X_REQUEST_ID="bad id\nwith newline")
    assert response["X-Request-ID"] != "bad id\nwith newline"
    assert len(response["X-Request-ID"]) == 32


class TestAdminSignInLimit:
    def sign_in(self, client, username, password, ip="198.51.100.7"):
        return client.post(
            "/admin/login/?next=/admin/",
            {"username": username, "password": password},
            REMOTE_ADDR=ip,
        )

    @pytest.fixture
    def staff(self):
        return get_user_model().objects.create_user(
            "alice", "alice@example.com", "correct horse battery staple", is_staff=True
        )

    def test_five_failures_lock_the_username_even_with_the_right_password(
        self, client, staff, settings, caplog
    ):
        settings.LOGIN_FAILURE_LIMIT = 5
        with caplog.at_level(logging.WARNING, logger="broadsheet.security"):
            for attempt in range(5):
                self.sign_in(client, "alice", "wrong", ip=f"198.51.100.{attempt}")
        assert len([r for r in caplog.records if "Failed admin sign-in" in r.getMessage()]) == 5

        response = self.sign_in(client, "alice", "correct horse battery staple", ip="203.0.113.9")
        assert response.status_code == 200
        assert "Too many failed sign-in attempts" in response.content.decode()
        assert "_auth_user_id" not in client.session

    def test_failures_from_one_ip_lock_that_ip_for_other_usernames(self, client, staff):
        for name in ["a", "b", "c", "d", "e"]:
            self.sign_in(client, name, "wrong")
        response = self.sign_in(client, "alice", "correct horse battery staple")
        assert "Too many failed sign-in attempts" in response.content.decode()

    def test_a_few_failures_do_not_lock_anyone_out(self, client, staff):
        for _ in range(3):
            self.sign_in(client, "alice", "wrong")
        response = self.sign_in(client, "alice", "correct horse battery staple")
        assert response.status_code == 302


@pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL")
def test_redis_cache_keeps_one_client_and_shares_values_across_processes():
    import subprocess
    import sys

    assert cache._cache.get_client() is cache._cache.get_client()
    cache.set("shared", "from the test", timeout=60)
    # Another process with the same settings (an app server, a worker) sees the same value.
    script = (
        "import django; django.setup(); from django.core.cache import cache; "
        "print(cache.get('shared'))"
    )
    other = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings",
             "CACHE_KEY_PREFIX": cache.key_prefix, "DJANGO_DEBUG": "1"},
    )  # fmt: skip
    assert other.stdout.strip() == "from the test", other.stderr


def test_mail_goes_to_the_relay_the_environment_names(smtp, settings):
    """An operator sets EMAIL_HOST and EMAIL_PORT; a process started with them (an app server,
    a worker) sends there."""
    import subprocess
    import sys

    script = (
        "import django; django.setup(); from django.core.mail import send_mail; "
        "send_mail('Relay check', 'Sent through the relay.', None, ['ops@example.com'])"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_DEBUG": "",
             "DJANGO_SECRET_KEY": "x" * 60,
             "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
             "EMAIL_HOST": settings.EMAIL_HOST, "EMAIL_PORT": str(settings.EMAIL_PORT)},
    )  # fmt: skip

    assert done.returncode == 0, done.stderr
    assert [m["Subject"] for m in smtp.to("ops@example.com")] == ["Relay check"]
