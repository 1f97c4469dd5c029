"""The site under test: a scratch database, its environment, and gunicorn on loopback."""

import dataclasses
import http.client
import json
import os
import secrets
import socket
import ssl
import subprocess
import sys
import time
from contextlib import ExitStack, contextmanager
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from .pages import Page

PROJECT_DIR = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
# gunicorn's rule of thumb is 2 x cores + 1 workers, for apps that wait on I/O. These pages
# are CPU-bound and the load generator shares the machine's two cores, so one sync worker per
# core keeps the server busy without the workers fighting over the CPU.
GUNICORN_OPTIONS = ["--workers", "2", "--worker-class", "sync"]
AKISMET_DELAY = 0.05  # seconds the Akismet test server takes to answer: issue #15 sets 50 ms
# What each Page.setup adds to the site as configured (Akismet off, tasks run in the request).
SETUPS = {
    "": "the site as configured: Akismet off, tasks run in the request",
    "akismet": f"Akismet answering in {AKISMET_DELAY * 1000:.0f} ms, tasks run by the "
    "immediate backend (a comment's check once its POST is answered)",
    "akismet-worker": f"Akismet answering in {AKISMET_DELAY * 1000:.0f} ms, tasks queued in "
    "the database for one manage.py db_worker",
    "cold": "every cache empty on every request (DummyCache): no page, fragment or version "
    "is ever found",
}


def free_port():
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@contextmanager
def scratch_database(workdir: Path, server_url: str | None = None):
    """Yield the URL of a new, empty database, and drop it afterwards.

    SQLite by default, in `workdir`. Given a PostgreSQL URL, a fresh database is created on
    that server (the URL's own database is only used to connect), so no real data is touched.
    """
    if not server_url:
        yield f"sqlite:///{workdir / 'bench.sqlite3'}"
        return
    import psycopg
    from psycopg import sql

    name = f"broadsheet_bench_{secrets.token_hex(4)}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield urlsplit(server_url)._replace(path=f"/{name}").geturl()
    finally:
        with psycopg.connect(server_url, autocommit=True) as conn:
            drop = "DROP DATABASE IF EXISTS {} WITH (FORCE)"
            conn.execute(sql.SQL(drop).format(sql.Identifier(name)))


def site_environment(workdir: Path, database_url: str, port: int, redis_url: str | None = None):
    """Production-like: DEBUG off, a random key, plain http on loopback, nothing external.

    The cache is the site's own: a directory in `workdir`, or with `redis_url` keys under a
    prefix of this run's (see `delete_redis_keys`), so nothing else using that cache is touched.
    """
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": HOST,
        "SITE_URL": f"http://{HOST}:{port}",
        "DATABASE_URL": database_url,
        "STATIC_ROOT": str(workdir / "static"),
        "MEDIA_ROOT": str(workdir / "media"),
        "CACHE_DIR": str(workdir / "cache"),
        "REDIS_URL": "",
        # Never reach a real Akismet or mail server from a benchmark.
        "AKISMET_API_KEY": "",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        # The load generators send each POST from an address of its own in X-Forwarded-For
        # (bench/wrk.lua), believed from loopback as behind nginx: the flood window stays on.
        "TRUSTED_PROXIES": HOST,
        "LOG_LEVEL": "WARNING",
    }
    if redis_url:
        env |= {"REDIS_URL": redis_url, "CACHE_KEY_PREFIX": f"bench-{secrets.token_hex(4)}"}
    return env


def delete_redis_keys(env) -> int:
    """Delete the keys the site with environment `env` left in Redis; how many there were."""
    if not env.get("REDIS_URL"):
        return 0
    import redis

    client = redis.Redis.from_url(env["REDIS_URL"])
    # Django's Redis cache names its keys "<prefix>:<version>:<key>".
    keys = list(client.scan_iter(match=f"{env['CACHE_KEY_PREFIX']}:*", count=1000))
    for start in range(0, len(keys), 1000):
        client.delete(*keys[start : start + 1000])
    client.close()
    return len(keys)


def prepare(env, workdir: Path, *, articles: int, comments_per_article: int, pages: list[str]):
    """Migrate, seed and collect static files (see bench/prepare.py).

    Returns the pages, and what the database holds and how long seeding took.
    """
    out = workdir / "pages.json"
    command = [sys.executable, "-m", "bench.prepare", str(out)]
    command += [f"--articles={articles}", f"--comments-per-article={comments_per_article}"]
    command += [f"--pages={','.join(pages)}"]
    subprocess.run(command, env=env, cwd=PROJECT_DIR, check=True)
    prepared = json.loads(out.read_text())
    return [Page(**page) for page in prepared.pop("pages")], prepared


def tally(env, names: list[str]):
    """What the POST pages `names` stored, once checked (see bench/tally.py)."""
    command = [sys.executable, "-m", "bench.tally", *names]
    result = subprocess.run(
        command, env=env, cwd=PROJECT_DIR, check=True, stdout=subprocess.PIPE, text=True
    )
    return [json.loads(line) for line in result.stdout.splitlines()]


@contextmanager
def site(env, setup: str, port: int, workdir: Path):
    """Serve the site under `setup` (see SETUPS) until the block ends; yield its environment.

    The Akismet test server runs in this process; gunicorn and the task worker are stopped
    even on errors.
    """
    from tests.akismet_server import AkismetServer

    env = dict(env)
    with ExitStack() as stack:
        if setup.startswith("akismet"):
            akismet = stack.enter_context(AkismetServer())
            akismet.delay = AKISMET_DELAY
            env |= {
                "AKISMET_API_KEY": "bench-key",
                "AKISMET_API_URL": akismet.url,  # the test server, on loopback
            }
        if setup == "cold":
            env |= {"DJANGO_SETTINGS_MODULE": "bench.settings_cold", "PAGE_CACHE_SECONDS": "0"}
        if setup == "akismet-worker":
            env |= {"TASKS_BACKEND": "django_tasks_db.DatabaseBackend"}
            worker = [sys.executable, "manage.py", "db_worker"]
            stack.enter_context(background(worker, env, workdir / "worker.log"))
        stack.enter_context(gunicorn(env, port, workdir / "gunicorn.log"))
        yield env


@contextmanager
def gunicorn(env, port: int, log_path: Path):
    """Serve the site with gunicorn until the block ends; stop it even on errors."""
    command = [sys.executable, "-m", "gunicorn", "config.wsgi:application"]
    command += ["--bind", f"{HOST}:{port}", *GUNICORN_OPTIONS]
    with background(command, env, log_path) as process:
        wait_until_up(process, port, log_path)
        yield process


def worker_rss(process) -> list[float]:
    """The resident memory of each of gunicorn's workers (the master's children), in MB."""
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
    sizes = []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text().splitlines()
        kilobytes = next(line.split()[1] for line in status if line.startswith("VmRSS:"))
        sizes.append(round(int(kilobytes) / 1024, 1))
    return sizes


@contextmanager
def background(command, env, log_path: Path):
    """Run `command` in the project directory until the block ends, its output in `log_path`."""
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, env=env, cwd=PROJECT_DIR, stdout=log, stderr=log)
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until_up(process, port: int, log_path: Path, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited early:\n{log_tail(log_path)}")
        try:
            status, _, _ = fetch(port, Page("up", "/_bench/minimal/"))
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within {timeout:.0f}s:\n{log_tail(log_path)}")


def connection(scheme: str, port: int):
    """An HTTP(S) connection to the bench's servers; https trusts their self-signed certificate."""
    if scheme == "https":
        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
        return http.client.HTTPSConnection(HOST, port, timeout=10, context=context)
    return http.client.HTTPConnection(HOST, port, timeout=10)


def fetch(port: int, page: Page, scheme="http"):
    """One request for `page`: (status, headers, body)."""
    conn = connection(scheme, port)
    body = page.request_body(secrets.token_hex(8)) or None
    try:
        conn.request(page.method, page.path, body=body, headers=page.request_headers())
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def fill_form(port: int, page: Page) -> Page:
    """`page` as a browser would post it: GET `page.form_from`, then add the hidden inputs of
    its form that posts to `page.path` to the body, and the page's `Origin` to the headers.

    Anonymous comments need no CSRF token once the page cache is in (a cached page cannot
    carry one); while the page still sets a CSRF cookie, it is sent back too.
    """
    status, headers, html = fetch(port, Page("form", page.form_from))
    if status != 200:
        raise RuntimeError(f"GET {page.form_from} answered {status}")
    cookies = SimpleCookie()
    for header in headers.get_all("Set-Cookie", []):
        cookies.load(header)
    form = _HiddenInputs(page.path)
    form.feed(html.decode())
    if not form.found:
        raise RuntimeError(f"GET {page.form_from}: no form posting to {page.path}")
    sent = {"Origin": f"http://{HOST}:{port}"}
    if "csrftoken" in cookies:
        sent["Cookie"] = f"csrftoken={cookies['csrftoken'].value}"
    return dataclasses.replace(
        page,
        body=f"{urlencode(form.inputs)}&{page.body}",
        headers={**page.headers, **sent},
    )


class _HiddenInputs(HTMLParser):
    """The hidden inputs of the form whose action is `action`."""

    def __init__(self, action: str):
        super().__init__()
        self.action, self.inside, self.found, self.inputs = action, False, False, {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("action") == self.action
            self.found |= self.inside
        elif tag == "input" and self.inside and attrs.get("type") == "hidden":
            self.inputs[attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


def log_tail(log_path: Path, lines=40):
    return "\n".join(log_path.read_text(errors="replace").splitlines()[-lines:])


def git_commit():
    result = subprocess.run(
        ["git", "describe", "--always", "--dirty"],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
    )
    return result.stdout.strip() or None
