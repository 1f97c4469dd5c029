"""The site under test: a scratch database, its environment, and gunicorn on loopback."""

import http.client
import json
import os
import secrets
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from .pages import Page

PROJECT_DIR = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
# gunicorn's rule of thumb is 2 x cores + 1 workers, for apps that wait on I/O. These pages
# are CPU-bound and the load generator shares the machine's two cores, so one sync worker per
# core keeps the server busy without the workers fighting over the CPU.
GUNICORN_OPTIONS = ["--workers", "2", "--worker-class", "sync"]


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


def site_environment(workdir: Path, database_url: str, port: int):
    """Production-like: DEBUG off, a random key, plain http on loopback, nothing external."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": HOST,
        "SITE_URL": f"http://{HOST}:{port}",
        "DATABASE_URL": database_url,
        "STATIC_ROOT": str(workdir / "static"),
        "MEDIA_ROOT": str(workdir / "media"),
        # Never reach a real Akismet or mail server from a benchmark.
        "AKISMET_API_KEY": "",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "LOG_LEVEL": "WARNING",
    }


def prepare(env, workdir: Path, *, articles: int, comments_per_article: int, pages: list[str]):
    """Migrate, seed and collect static files (see bench/prepare.py); return the pages."""
    out = workdir / "pages.json"
    command = [sys.executable, "-m", "bench.prepare", str(out)]
    command += [f"--articles={articles}", f"--comments-per-article={comments_per_article}"]
    command += [f"--pages={','.join(pages)}"]
    subprocess.run(command, env=env, cwd=PROJECT_DIR, check=True)
    return [Page(**page) for page in json.loads(out.read_text())]


@contextmanager
def gunicorn(env, port: int, log_path: Path):
    """Serve the site with gunicorn until the block ends; stop it even on errors."""
    command = [sys.executable, "-m", "gunicorn", "config.wsgi:application"]
    command += ["--bind", f"{HOST}:{port}", *GUNICORN_OPTIONS]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, env=env, cwd=PROJECT_DIR, stdout=log, stderr=log)
    try:
        wait_until_up(process, port, log_path)
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
            status, _ = fetch(port, Page("up", "/_bench/minimal/"))
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within {timeout:.0f}s:\n{log_tail(log_path)}")


def fetch(port: int, page: Page):
    """One request for `page`: (status, body)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        conn.request(page.method, page.path, body=page.body or None, headers=page.request_headers())
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def log_tail(log_path: Path, lines=40):
    return "\n".join(log_path.read_text(errors="replace").splitlines()[-lines:])
