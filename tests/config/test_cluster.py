"""Broadsheet across processes, as issue #5 asks: two gunicorn app servers, A and B (two workers
each), and two `db_worker` processes, sharing one PostgreSQL database and one Redis.

- A comment posted through A is checked by a worker against the Akismet test server, approved
  by a moderator in B's admin, then shown by both servers: their cached pages are replaced
  within a second.
- A flood of comments split across A and B is refused as one: the flood window is in Redis.
- A worker stopped with SIGTERM while it runs checks loses none of them.

The processes share this test's database (rows it creates are committed: transactional tests)
and a cache key prefix of their own, which the test process uses too. They start real servers,
so the module runs only on PostgreSQL with REDIS_URL set (CI's second run).
"""

import collections
import datetime
import os
import secrets
import signal
import subprocess
import sys
import time
import uuid
from urllib.parse import urlsplit

import httpx
import pytest
import redis
from django.conf import settings as django_settings
from django.contrib.auth.hashers import make_password
from django.db import connection
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from comments import services
from comments.models import Comment
from tests.browser.tools import ensure_groups
from tests.cluster import ROOT, AppServer, Worker, free_ports, wait_for
from tests.comments.conftest import Page
from tests.factories import make_article, make_moderator

pytestmark = [
    pytest.mark.skipif(
        django_settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql"
        or not django_settings.REDIS_URL,
        reason="several app servers and workers need a shared database and cache: "
        "set DATABASE_URL=postgres://… and REDIS_URL=redis://…",
    ),
    pytest.mark.django_db(transaction=True),
]

CHECK_TASK = "comments.services.check_comment"
# Set by blog/page_cache.py on an anonymous reader page: "hit" when it came from the cache.
PAGE_CACHE_HEADER = "X-Page-Cache"
PASSWORD = "a long and unguessable passphrase"
FLOOD_MESSAGE = "You are posting comments too quickly. Slow down."


class Cluster:
    """App servers A and B, and the workers started for the current test."""

    def __init__(self, *, env, log_dir, a, b):
        self.env, self.log_dir, self.a, self.b = env, log_dir, a, b
        self.workers = []

    def start_worker(self, name):
        worker = Worker(name, env=self.env, log_dir=self.log_dir)
        self.workers.append(worker)
        return worker

    def clear_cache(self):
        """Delete the cluster's keys from Redis: its own, not the rest of the database."""
        client = redis.Redis.from_url(self.env["REDIS_URL"])
        with client:
            for key in client.scan_iter(f"{self.env['CACHE_KEY_PREFIX']}:*", count=1000):
                client.delete(key)

    def logs(self):
        """The last lines each process printed, for assertion messages."""
        return "\n".join(p.tail() for p in (self.a, self.b, *self.workers))


def _database_url(name):
    """DATABASE_URL, naming this run's test database instead of the one it names."""
    return urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}").geturl()


def _other_connections(name):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        )
        return cursor.fetchone()[0]


@pytest.fixture(scope="module")
def cluster(django_db_setup, django_db_blocker, akismet_server, tmp_path_factory):
    root = tmp_path_factory.mktemp("cluster")
    database = connection.settings_dict["NAME"]
    port_a, port_b = free_ports(2)
    env = {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        # One public address for the whole site, as behind a load balancer; plain http, so
        # no redirect to https.
        "SITE_URL": f"http://127.0.0.1:{port_a}",
        "DATABASE_URL": _database_url(database),
        "REDIS_URL": django_settings.REDIS_URL,
        "CACHE_KEY_PREFIX": f"cluster-{uuid.uuid4().hex[:12]}",
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "AKISMET_API_KEY": "test-key",
        "AKISMET_API_URL": akismet_server.url,
        "COMMENTS_FLOOD_SECONDS": "15",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "STATIC_ROOT": str(root / "static"),
        "MEDIA_ROOT": str(root / "media"),
        "LOG_LEVEL": "INFO",
        "PYTHONUNBUFFERED": "1",
    }
    # With DEBUG off, static files are served by their hashed names from the manifest.
    collected = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert collected.returncode == 0, collected.stdout + collected.stderr

    a = AppServer("server-A", port=port_a, env=env, log_dir=root)
    b = AppServer("server-B", port=port_b, env=env, log_dir=root)
    cluster = Cluster(env=env, log_dir=root, a=a, b=b)
    try:
        a.wait_until_healthy()
        b.wait_until_healthy()
        yield cluster
    finally:
        a.stop()
        b.stop()
        cluster.clear_cache()
        # pytest-django drops the test database at the end: no server may still be connected.
        with django_db_blocker.unblock():
            wait_for(lambda: _other_connections(database) == 0, timeout=10,
                     what="the servers' database connections to close")  # fmt: skip


@pytest.fixture(autouse=True)
def shared_cache(cluster, settings):
    """The test process uses the servers' cache, as a third app server would: an article saved
    here is news to them. Each test starts with none of the cluster's keys: no flood window,
    no cached page left by the test before."""
    default = settings.CACHES["default"]
    settings.CACHES = {"default": {**default, "KEY_PREFIX": cluster.env["CACHE_KEY_PREFIX"]}}
    cluster.clear_cache()


@pytest.fixture
def workers(cluster, transactional_db):
    """Two db_worker processes, running; stopped before the test's data is flushed."""
    started = [cluster.start_worker(f"worker-{n}") for n in (1, 2)]
    try:
        for worker in started:
            worker.wait_until_started()
        yield started
    finally:
        for worker in started:
            worker.stop()
            cluster.workers.remove(worker)


# What a browser does ---------------------------------------------------------------------------


def read(url):
    """GET `url` as an anonymous reader (no cookies at all), as a Page."""
    response = httpx.get(url, timeout=10)
    assert response.status_code == 200, (url, response.status_code, response.text[:500])
    return Page(response)


def post_comment(browser, server, article, **typed):
    """Load the article page from `server` and send its comment form with `typed` filled in."""
    page_url = server.url + article.get_absolute_url()
    page = Page(browser.get(page_url))
    assert page.response.status_code == 200, (page_url, page.response.status_code)
    # Whatever the form holds is sent back: its signature, and a CSRF token while the form still
    # has one (the browser's cookie jar then holds the cookie). Anonymous posts are checked by
    # their Origin, which browsers send with every POST.
    fields = {name: value for name, value in page.form_values().items() if value is not False}
    return browser.post(
        server.url + "/comments/post/",
        data={**fields, **typed},
        headers={"Origin": server.url, "Referer": page_url},
    )


def sign_in(browser, server, username):
    login_url = f"{server.url}/admin/login/?next=/admin/"
    form = Page(browser.get(login_url))
    token = form.find("input", name="csrfmiddlewaretoken").attrs["value"]
    response = browser.post(
        login_url,
        data={"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD,
              "next": "/admin/"},
        headers={"Origin": server.url, "Referer": login_url},
    )  # fmt: skip
    assert (response.status_code, response.headers.get("location")) == (302, "/admin/"), (
        response.status_code,
        response.text[:1000],
    )


def approve_in_admin(browser, server, comment):
    """From the moderation queue (held comments), tick `comment` and run the Approve action."""
    queue = Page(browser.get(f"{server.url}/admin/comments/comment/", follow_redirects=True))
    assert queue.find("input", name="_selected_action", value=str(comment.pk)), (
        f"comment {comment.pk} is not in the moderation queue"
    )
    token = queue.find("input", name="csrfmiddlewaretoken").attrs["value"]
    queue_url = str(queue.response.url)
    return browser.post(
        queue_url,
        data={"csrfmiddlewaretoken": token, "action": "approve", "index": "0",
              "select_across": "0", "_selected_action": str(comment.pk)},
        headers={"Origin": server.url, "Referer": queue_url},
    )  # fmt: skip


def make_cluster_moderator():
    ensure_groups()  # an earlier transactional test's flush removed the migration's groups
    moderator = make_moderator()
    # The servers check passwords with Django's default hashers, not the suite's fast one.
    moderator.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    moderator.save(update_fields=["password"])
    return moderator


def form_errors(page):
    return [node.text for node in page.find_all(cls="form-error")]


# The tests ---------------------------------------------------------------------------------------


def test_comment_posted_on_a_checked_by_a_worker_approved_on_b_is_shown_by_both(
    cluster, workers, akismet
):
    a, b = cluster.a, cluster.b
    article = make_article("Two servers, one site")
    moderator = make_cluster_moderator()
    content = "Posted through server A, approved through server B."

    response = post_comment(httpx.Client(timeout=30), a, article, name="Ada Lovelace",
                            email="ada@example.com", content=content)  # fmt: skip
    assert response.status_code == 302, (response.status_code, response.text[:1000])
    comment = Comment.objects.get(content=content)

    # A worker, not the app server, asks Akismet; the first-time commenter waits for review.
    wait_for(
        lambda: Comment.objects.exclude(verdict=Comment.Verdict.UNCHECKED).filter(pk=comment.pk),
        timeout=30, what="a worker to check the comment", logs=cluster.logs,
    )  # fmt: skip
    comment.refresh_from_db()
    assert (comment.verdict, comment.status) == (Comment.Verdict.HAM, Comment.Status.HELD)
    checks = akismet.received("comment-check")
    assert [(c["comment_content"], c["user_ip"]) for c in checks] == [(content, "127.0.0.1")]
    # The worker records the task's success once the check has committed and it has queued
    # what follows (the moderators' digest): a moment after the verdict shows.
    task = wait_for(
        lambda: DBTaskResult.objects.filter(task_path=CHECK_TASK)
        .exclude(status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING])
        .first(),
        timeout=10, what="the worker to finish the check task", logs=cluster.logs,
    )  # fmt: skip
    assert task.status == TaskResultStatus.SUCCESSFUL
    assert len(task.worker_ids) == 1 and task.worker_ids[0] in {w.name for w in workers}

    # Readers of A and B do not see it yet, and the page is now in the cache for both.
    article_path = article.get_absolute_url()
    for server in (a, b):
        assert read(server.url + article_path).comment(comment) is None
        again = read(server.url + article_path)
        assert again.response.headers.get(PAGE_CACHE_HEADER) == "hit", (
            server.name,
            dict(again.response.headers),
        )

    desk = httpx.Client(timeout=30)
    sign_in(desk, b, moderator.username)
    response = approve_in_admin(desk, b, comment)
    approved_at = time.monotonic()
    assert response.status_code == 302, (response.status_code, response.text[:1000])
    comment.refresh_from_db()
    assert (comment.status, comment.decided_by) == (Comment.Status.APPROVED, moderator)

    # Each server shows it on the first read that follows, well within the second allowed.
    shown_after = {}
    while len(shown_after) < 2 and time.monotonic() - approved_at < 10:
        for server in (a, b):
            if server.name not in shown_after and read(server.url + article_path).comment(comment):
                shown_after[server.name] = round(time.monotonic() - approved_at, 3)
    assert set(shown_after) == {a.name, b.name}, f"shown only by {shown_after} within 10 s"
    assert max(shown_after.values()) <= 1.0, f"seconds after approval: {shown_after}"


def test_a_flood_split_across_a_and_b_is_refused_as_one(cluster):
    article = make_article("Flooded")
    # Within a few seconds: reader 1 from 127.0.0.2 through A and again through B (a new email
    # does not make it someone else), reader 2 from 127.0.0.3 through B, reader 3 from
    # 127.0.0.4 through A; each with a browser of their own.
    addresses = ["127.0.0.2", "127.0.0.2", "127.0.0.3", "127.0.0.4"]
    servers = [cluster.a, cluster.b, cluster.b, cluster.a]
    contents = [f"Comment {n}, through {server.name}." for n, server in enumerate(servers, 1)]

    responses = [
        post_comment(httpx.Client(timeout=30, transport=httpx.HTTPTransport(local_address=ip)),
                     server, article, name=f"Reader {n}", email=f"reader{n}@example.com",
                     content=content)
        for n, (server, content, ip) in enumerate(zip(servers, contents, addresses, strict=True))
    ]  # fmt: skip

    assert [r.status_code for r in responses] == [302, 429, 302, 302], cluster.logs()
    page = Page(responses[1])
    assert form_errors(page) == [FLOOD_MESSAGE]
    assert page.form_values()["content"] == contents[1]  # the reader's words are kept
    stored = set(Comment.objects.values_list("content", "author_ip"))
    assert stored == {(contents[n], addresses[n]) for n in (0, 2, 3)}


def test_a_worker_stopped_mid_run_loses_no_task(cluster, workers, akismet, settings):
    """db_worker handles SIGTERM gracefully: it finishes the task in hand, claims no other, and
    exits 0; the tasks it never claimed stay queued for the other worker. So every comment is
    checked exactly once. (A worker killed outright, SIGKILL or a lost machine, leaves its task
    RUNNING for good: `manage.py recheck_comments` checks such comments after five minutes, as
    tests/comments/test_akismet.py shows.)"""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    akismet.delay = 0.3  # every check takes a while, so the stop comes in the middle of one
    stopping, staying = workers
    article = make_article("A busy queue")

    # Stored and queued by the service the comment view calls, as if posted through A or B.
    contents = [f"Queued comment {n}." for n in range(20)]
    for n, content in enumerate(contents):
        comment = Comment(article=article, author_name=f"Reader {n}", content=content,
                          author_email=f"reader{n}@example.com",
                          author_ip=f"127.0.1.{n}")  # fmt: skip
        services.submit_comment(comment=comment, signed_age=datetime.timedelta(seconds=30))

    def checks():
        return list(DBTaskResult.objects.filter(task_path=CHECK_TASK))

    assert len(checks()) == 20

    def in_hand():
        """The check `stopping` is running, once it has finished one before."""
        claimed = [t for t in checks() if stopping.name in t.worker_ids]
        running = [t for t in claimed if t.status == TaskResultStatus.RUNNING]
        return running[0] if running and len(claimed) > 1 else None

    task = wait_for(in_hand, timeout=30, what=f"{stopping.name} to run a second check",
                    logs=cluster.logs)  # fmt: skip
    queued = [t for t in checks() if t.status == TaskResultStatus.READY]
    stopping.send(signal.SIGTERM)
    assert stopping.wait(timeout=15) == 0, stopping.tail()
    assert queued, "the queue was empty before the worker stopped: nothing to prove"

    task.refresh_from_db()
    assert task.status == TaskResultStatus.SUCCESSFUL, (task.status, task.traceback)
    pending = DBTaskResult.objects.filter(
        status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
    )
    wait_for(lambda: not pending.exists(), timeout=60,
             what="the other worker to finish every task", logs=cluster.logs)  # fmt: skip
    failed = DBTaskResult.objects.filter(status=TaskResultStatus.FAILED)
    assert not failed.exists(), [(t.task_path, t.traceback) for t in failed]

    ran = checks()
    assert all(len(t.worker_ids) == 1 for t in ran), "a check was taken by two workers"
    ran_by = collections.Counter(t.worker_ids[0] for t in ran)
    assert set(ran_by) == {stopping.name, staying.name}, ran_by
    verdicts = dict(Comment.objects.values_list("content", "verdict"))
    assert verdicts == dict.fromkeys(contents, Comment.Verdict.HAM)
    asked = collections.Counter(c["comment_content"] for c in akismet.received("comment-check"))
    assert asked == dict.fromkeys(contents, 1)
