"""The README's deployment, started for real: deploy/nginx.conf in front of gunicorn, readers
coming from addresses of their own.

Behind nginx every request reaches gunicorn from 127.0.0.1; the site must still know each
reader by their own address (TRUSTED_PROXIES, core/client.py): flood control, Akismet's
user_ip and the sign-in limit all depend on it. Two shapes: the embedded default (one
gunicorn, SQLite, the disk cache) on every run, and two gunicorns on PostgreSQL and Redis
when the suite runs there.
"""

import os
import secrets
import subprocess
import sys
import textwrap

import httpx
import pytest
from django.conf import settings as django_settings

from bench.nginx import find_nginx, nginx
from bench.server import delete_redis_keys, scratch_database
from tests.browser.tools import missing
from tests.cluster import ROOT, AppServer, free_ports, wait_for
from tests.comments.conftest import Page

PASSWORD = "a-desk-password-2026"
FLOOD_MESSAGE = "You are posting comments too quickly. Slow down."
WRONG_PASSWORD = "Please enter the correct username and password"
LOCKED_OUT = "Too many failed sign-in attempts"
SHAPES = {
    "embedded": {"servers": 1, "scaled": False},
    "scaled": {"servers": 2, "scaled": True},
}


def manage(env, *args, input_text=None):
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, input=input_text,
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


SETUP = textwrap.dedent(
    """
    from django.contrib.auth import get_user_model
    from tests.factories import make_article
    get_user_model().objects.create_superuser("desk", "desk@example.com", {password!r})
    print(make_article("Behind the proxy").get_absolute_url())
    """
)


@pytest.fixture(scope="module", params=list(SHAPES))
def site(request, tmp_path_factory, akismet_server):
    shape = SHAPES[request.param]
    on_postgres = django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    if shape["scaled"] and not (on_postgres and django_settings.REDIS_URL):
        pytest.skip("two app servers need PostgreSQL and Redis (DATABASE_URL, REDIS_URL)")
    binary = find_nginx(install=False)
    if not binary:
        missing("nginx", "apt-get install -y nginx")
    root = tmp_path_factory.mktemp(request.param)
    port, static_port, *upstreams = free_ports(2 + shape["servers"])
    origin = f"https://127.0.0.1:{port}"
    # A database of the deployment's own: a file, or a new one on the suite's PostgreSQL server.
    server_url = os.environ["DATABASE_URL"] if shape["scaled"] else None
    with scratch_database(root, server_url) as database_url:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",  # production's, not the tests'
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "SITE_URL": origin,
            "DJANGO_CSRF_TRUSTED_ORIGINS": origin,  # the test's nginx is not on port 443
            "SECURE_PROXY_SSL_HEADER": "1",
            "TRUSTED_PROXIES": "127.0.0.1",
            "DATABASE_URL": database_url,
            "REDIS_URL": django_settings.REDIS_URL if shape["scaled"] else "",
            "CACHE_DIR": str(root / "cache"),
            "CACHE_KEY_PREFIX": f"deploy-{secrets.token_hex(6)}",
            "AKISMET_API_KEY": "test-key",
            "AKISMET_API_URL": akismet_server.url,
            "COMMENTS_FLOOD_SECONDS": "15",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "STATIC_ROOT": str(root / "static"),
            "MEDIA_ROOT": str(root / "media"),
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "collectstatic", "--noinput", "-v", "0")
        output = manage(env, "shell", input_text=SETUP.format(password=PASSWORD))
        article_path = output.strip().splitlines()[-1]
        servers = [
            AppServer(f"gunicorn-{n}", port=p, env=env, log_dir=root, workers=1)
            for n, p in enumerate(upstreams)
        ]
        try:
            for server in servers:
                server.wait_until_healthy()
            with nginx(binary, upstream_port=upstreams, port=port, static_port=static_port,
                       workdir=root, env=env):  # fmt: skip
                yield {"url": origin, "article": article_path, "servers": servers, "root": root}
        finally:
            for server in servers:
                server.stop()
            delete_redis_keys(env)  # the run's prefix only: the server may be shared


def reader(address):
    """A browser of its own, connecting from `address` on the loopback network."""
    transport = httpx.HTTPTransport(local_address=address, verify=False)
    return httpx.Client(transport=transport, timeout=30)


def logs(site):
    tails = [server.tail() for server in site["servers"]]
    error_log = site["root"] / "nginx-error.log"
    if error_log.exists():
        tails.append(error_log.read_text()[-2000:])
    return "\n".join(tails)


def post_comment(site, address, n, **headers):
    browser = reader(address)
    page_url = site["url"] + site["article"]
    page = Page(browser.get(page_url))
    fields = {name: value for name, value in page.form_values().items() if value is not False}
    fields |= {"name": f"Reader {n}", "email": f"reader{n}@example.com",
               "content": f"Comment {n} from {address}."}  # fmt: skip
    return browser.post(
        site["url"] + "/comments/post/",
        data=fields,
        headers={"Origin": site["url"], "Referer": page_url, **headers},
    )


def test_each_reader_has_their_own_address(site, akismet_server):
    """Readers at 127.0.0.2, .3 and .4 post within the same seconds (COMMENTS_FLOOD_SECONDS=15)."""
    akismet_server.reset()
    forged = {"X-Forwarded-For": "6.6.6.6"}

    first = post_comment(site, "127.0.0.2", 1)
    again = post_comment(site, "127.0.0.2", 2)  # the same reader, a new email
    other = post_comment(site, "127.0.0.3", 3)
    # The header a client sends is only the left of what nginx passes on: not believed.
    disguised = post_comment(site, "127.0.0.2", 4, **forged)
    stranger = post_comment(site, "127.0.0.4", 5, **forged)

    statuses = [r.status_code for r in (first, again, other, disguised, stranger)]
    assert statuses == [302, 429, 302, 429, 302], logs(site)
    assert FLOOD_MESSAGE in again.text and FLOOD_MESSAGE in disguised.text, logs(site)
    # Each check runs once its reader has the answer, so the last may still be on its way.
    checks = wait_for(lambda: len(akismet_server.received("comment-check")) >= 3 and
                      akismet_server.received("comment-check"), timeout=10,
                      what="three Akismet checks", logs=lambda: logs(site))  # fmt: skip
    sent = sorted(form["user_ip"] for form in checks)
    assert sent == ["127.0.0.2", "127.0.0.3", "127.0.0.4"], logs(site)


def sign_in(site, address, username, password, **headers):
    browser = reader(address)
    login_url = site["url"] + "/admin/login/?next=/admin/"
    token = Page(browser.get(login_url)).find("input", name="csrfmiddlewaretoken")
    return browser.post(
        login_url,
        data={"csrfmiddlewaretoken": token.attrs["value"], "username": username,
              "password": password, "next": "/admin/"},
        headers={"Origin": site["url"], "Referer": login_url, **headers},
    )  # fmt: skip


def test_sign_in_failures_from_one_address_do_not_lock_out_another(site):
    """After LOGIN_FAILURE_LIMIT (5) wrong passwords from 127.0.0.5, that address is refused,
    even with the right password or a forged X-Forwarded-For; 127.0.0.6 signs in."""
    for attempt in range(5):
        failed = sign_in(site, "127.0.0.5", "intruder", "guess")
        assert failed.status_code == 200 and WRONG_PASSWORD in failed.text, (attempt, logs(site))

    locked = sign_in(site, "127.0.0.5", "desk", PASSWORD)
    assert locked.status_code == 200 and LOCKED_OUT in locked.text, logs(site)
    disguised = sign_in(site, "127.0.0.5", "desk", PASSWORD, **{"X-Forwarded-For": "6.6.6.6"})
    assert disguised.status_code == 200 and LOCKED_OUT in disguised.text, logs(site)
    elsewhere = sign_in(site, "127.0.0.6", "desk", PASSWORD)
    signed_in = (elsewhere.status_code, elsewhere.headers.get("Location"))
    assert signed_in == (302, "/admin/"), logs(site)
