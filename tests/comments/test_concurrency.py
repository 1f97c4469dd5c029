"""Many readers posting at the same moment, over real HTTP against a live server; and what
an Akismet check locks while it records its verdict."""

import http.client
import re
import threading
import time
from html import unescape
from urllib.parse import urlencode, urlsplit

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Group
from django.db import connection, transaction

from blog.models import Article
from comments import services
from comments.models import Comment
from comments.notifications import send_moderator_digest
from tests.cluster import wait_for
from tests.factories import make_article, make_moderator

READERS = 50


def load_form(base_url, article_path):
    """What a browser holds after loading the article: the form's fields."""
    page = http.client.HTTPConnection(urlsplit(base_url).netloc, timeout=30)
    page.request("GET", article_path)
    response = page.getresponse()
    html = response.read().decode()
    page.close()
    assert response.status == 200, html[:500]
    hidden = re.findall(r'name="(signature|article)" value="([^"]*)"', html)
    return {name: unescape(value) for name, value in hidden}


def typed_by(n):
    return {"name": f"Reader {n}", "email": f"reader{n}@example.com", "url": "",
            "content": f"Comment {n} of {READERS}.", "parent": "", "hp_website": ""}  # fmt: skip


def post_all_at_once(base_url, article_path, forms):
    """Each reader connects, waits for the others, then all send their form at the same moment.

    (They share one page load and its form signature: loading the page is not what is tested.)
    Returns each reader's (status, body).
    """
    form = load_form(base_url, article_path)
    # Connected one by one: the test server accepts only 10 connections at a time.
    connections = []
    readers = list(dict.fromkeys(typed["email"] for typed in forms))
    for typed in forms:
        # Each reader from an address of their own on the loopback network (127.0.0.2, …).
        n = readers.index(typed["email"])
        address = (f"127.0.{n // 250}.{n % 250 + 2}", 0)
        connections.append(
            http.client.HTTPConnection(
                urlsplit(base_url).netloc, timeout=60, source_address=address
            )
        )
        connections[-1].connect()
        time.sleep(0.01)
    barrier = threading.Barrier(len(forms))
    results = [None] * len(forms)

    def reader(n):
        typed, connection = forms[n], connections[n]
        try:
            barrier.wait()
            connection.request(
                "POST",
                "/comments/post/",
                body=urlencode({**form, **typed}),
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Origin": base_url,
                    "Referer": base_url + article_path,
                    "User-Agent": f"Reader {n}",
                },
            )
            answer = connection.getresponse()
            results[n] = (answer.status, answer.read().decode(errors="replace"))
            connection.close()
        except Exception as exc:  # reported with the others below
            results[n] = (None, repr(exc))

    threads = [threading.Thread(target=reader, args=(n,)) for n in range(len(forms))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


@pytest.fixture
def live_site(live_server):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip(
            "the in-memory SQLite test database is one shared connection for every live-server "
            "thread, unlike production; give DATABASES['default']['TEST'] a file NAME"
        )
    yield live_server.url
    # A post's check and emails run once its reader has the answer, in the server's thread for
    # that request: the test's database goes only when the server has done all it was asked.
    wait_for(lambda: not any(t.name.endswith("(process_request_thread)")
                             for t in threading.enumerate()),
             timeout=60, what="the live server's requests to finish")  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_fifty_readers_posting_at_once_are_all_stored_once(live_site, akismet):
    article = make_article("Busy thread")

    forms = [typed_by(n) for n in range(READERS)]

    results = post_all_at_once(live_site, article.get_absolute_url(), forms)

    failed = [(n, status, body[:300]) for n, (status, body) in enumerate(results) if status != 302]
    assert failed == []
    contents = sorted(Comment.objects.values_list("content", flat=True))
    assert contents == sorted(f"Comment {n} of {READERS}." for n in range(READERS))
    # Each is checked once its reader has the answer, by the server thread that answered.
    unchecked = Comment.objects.filter(verdict=Comment.Verdict.UNCHECKED)
    wait_for(lambda: not unchecked.exists(), timeout=60, what="every comment checked")
    assert set(Comment.objects.values_list("verdict", flat=True)) == {Comment.Verdict.HAM}
    assert len(akismet.received("comment-check")) == READERS


@pytest.mark.django_db(transaction=True)
def test_double_click_stores_the_comment_once(live_site):
    article = make_article("Double click")

    results = post_all_at_once(live_site, article.get_absolute_url(), [typed_by(1)] * 2)

    assert sorted(status for status, _body in results) == [302, 409]
    assert Comment.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_double_click_without_a_flood_window_stores_the_comment_once(live_site, settings):
    settings.COMMENTS_FLOOD_SECONDS = 0
    article = make_article("Double click")

    results = post_all_at_once(live_site, article.get_absolute_url(), [typed_by(1)] * 2)

    assert sorted(status for status, _body in results) == [302, 409]
    assert Comment.objects.count() == 1


# What a check locks --------------------------------------------------------------------------

on_postgresql = pytest.mark.skipif(
    django_settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="row locks: PostgreSQL only (SQLite locks the whole database for every write)",
)


@pytest.fixture
def comment_while_editing():
    """A held comment on an article an editor is saving (their transaction holds the row lock
    an UPDATE takes). Waiting longer than 2 s for a lock fails."""
    article = make_article("Being edited")
    comment = Comment.objects.create(article=article, author_name="Ada", content="Hi.")
    editing, done = threading.Event(), threading.Event()

    def editor():
        with transaction.atomic():
            Article.objects.select_for_update(no_key=True).get(pk=article.pk)
            editing.set()
            done.wait(timeout=10)
        connection.close()

    thread = threading.Thread(target=editor)
    thread.start()
    editing.wait(timeout=10)
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '2s'")
    yield comment
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = 0")
    done.set()
    thread.join()


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_recording_a_verdict_does_not_wait_for_the_article(akismet, comment_while_editing):
    services.check_with_akismet(comment_id=comment_while_editing.pk)

    comment = Comment.objects.get(pk=comment_while_editing.pk)
    assert comment.verdict == Comment.Verdict.HAM


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_moderator_digest_does_not_wait_for_the_article(comment_while_editing, mailoutbox):
    # A transactional test's database may have been emptied of the groups migrations make.
    Group.objects.get_or_create(name="Moderators")
    make_moderator()

    assert send_moderator_digest() == 1


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_an_erasure_racing_new_comments_leaves_none_half_erased():
    """Readers' comments from the address arrive while its erasure runs: each comment ends
    wholly anonymised (it was there before) or wholly as sent (it came after), never between."""
    from comments import privacy
    from comments.models import PrivacyRequest

    article = make_article("Racing")
    kim = {"article": article, "author_name": "Kim", "author_email": "kim@example.com",
           "author_ip": "198.51.100.9"}  # fmt: skip
    for n in range(20):
        Comment.objects.create(**kim, content=f"Before {n}.")
    asked = PrivacyRequest.objects.create(
        email="kim@example.com", kind="erase", status=PrivacyRequest.Status.CONFIRMED
    )
    start = threading.Barrier(2)

    def erase():
        start.wait()
        privacy.erase(request=asked, by=None)
        connection.close()

    def keep_posting():
        start.wait()
        for n in range(40):
            Comment.objects.create(**kim, content=f"During {n}.")
        connection.close()

    threads = [threading.Thread(target=erase), threading.Thread(target=keep_posting)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    erased = ("Anonymous", "", None)
    sent = ("Kim", "kim@example.com", "198.51.100.9")
    rows = Comment.objects.values_list("content", "author_name", "author_email", "author_ip")
    for content, *who in rows:
        assert tuple(who) in (erased, sent), (content, who)
        if content.startswith("Before"):
            assert tuple(who) == erased, content
    assert PrivacyRequest.objects.get().status == PrivacyRequest.Status.DONE
