"""Likes: one per reader, counted exactly, even when readers click at the same moment."""

import sqlite3
import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from blog.models import Like
from blog.services import like_article
from comments.models import ModerationSettings
from tests.factories import make_article, make_draft, make_user


@pytest.fixture
def article(db):
    return make_article("Worth a like")


def like_count(article):
    article.refresh_from_db(fields=["like_count"])
    return article.like_count


@pytest.mark.django_db
class TestLikeByHttp:
    def test_anonymous_reader_likes_once(self, client, article):
        first = client.post(article.get_like_url())
        second = client.post(article.get_like_url())

        assert first.status_code == second.status_code == 302
        assert first["Location"] == f"{article.get_absolute_url()}#likes"
        assert like_count(article) == 1
        assert Like.objects.count() == 1

    def test_two_anonymous_readers_are_two_likes(self, article):
        Client(REMOTE_ADDR="192.0.2.1").post(article.get_like_url())
        Client(REMOTE_ADDR="192.0.2.2").post(article.get_like_url())

        assert like_count(article) == 2

    def test_two_browsers_at_one_address_are_two_readers(self, article):
        Client(HTTP_USER_AGENT="Firefox").post(article.get_like_url())
        Client(HTTP_USER_AGENT="Chromium").post(article.get_like_url())

        assert like_count(article) == 2

    def test_presses_before_the_cookie_arrives_are_one_reader(self, article):
        for _ in range(5):  # each without the cookie the first answer set
            Client().post(article.get_like_url())

        assert like_count(article) == 1

    def test_visitor_cookie_is_signed_httponly_and_lasts(self, client, article):
        response = client.post(article.get_like_url())

        cookie = response.cookies["broadsheet_visitor"]
        assert cookie["httponly"]
        assert cookie["samesite"] == "Lax"
        assert int(cookie["max-age"]) >= 300 * 24 * 3600

    def test_forged_visitor_cookie_is_no_cookie(self, client, article):
        client.post(article.get_like_url())
        client.cookies["broadsheet_visitor"] = "forged-unsigned-value"

        client.post(article.get_like_url())  # the same reader, by address and browser

        assert like_count(article) == 1
        assert not Like.objects.filter(visitor="forged-unsigned-value").exists()

    def test_a_script_pressing_like_without_end_is_stopped(self, settings):
        settings.LIKES_PER_MINUTE = 5
        articles = [make_article(f"Liked {n}") for n in range(7)]
        script = Client(REMOTE_ADDR="192.0.2.66")

        answers = [
            script.post(a.get_like_url(), HTTP_ACCEPT="application/json").status_code
            for a in articles
        ]

        assert answers == [200] * 5 + [429] * 2
        assert (
            "too quickly"
            in script.post(articles[0].get_like_url(), HTTP_ACCEPT="application/json").json()[
                "error"
            ]
        )
        assert sum(like_count(a) for a in articles) == 5
        other = Client(REMOTE_ADDR="192.0.2.67").post(articles[6].get_like_url())
        assert other.status_code == 302 and like_count(articles[6]) == 1

    def test_signed_in_reader_likes_once(self, client, article):
        reader = make_user("reader")
        client.force_login(reader)

        client.post(article.get_like_url())
        client.post(article.get_like_url())

        assert like_count(article) == 1
        assert Like.objects.get().user == reader

    def test_page_shows_the_count_to_everyone_and_the_like_to_a_signed_in_reader(
        self, client, article
    ):
        reader = make_user("reader")
        client.force_login(reader)
        client.post(article.get_like_url())

        mine = client.get(article.get_absolute_url()).content.decode()
        shared = Client().get(article.get_absolute_url()).content.decode()

        assert "1 reader likes this" in mine and 'aria-pressed="true"' in mine
        assert "1 reader likes this" in shared and 'aria-pressed="false"' in shared

    def test_json_answer_for_scripts(self, client, article):
        first = client.post(article.get_like_url(), headers={"Accept": "application/json"})
        second = client.post(article.get_like_url(), headers={"Accept": "application/json"})

        assert first.status_code == 200
        assert first.json() == {"liked": True, "created": True, "count": 1}
        assert second.json() == {"liked": True, "created": False, "count": 1}

    @pytest.mark.parametrize("origin", [None, "https://evil.example", "null"])
    def test_anonymous_like_from_elsewhere_is_refused(self, article, origin):
        client = Client(enforce_csrf_checks=True)

        response = client.post(article.get_like_url(), headers={"Origin": origin} if origin else {})

        assert response.status_code == 403
        assert like_count(article) == 0

    def test_anonymous_like_from_our_page_needs_no_token(self, article):
        client = Client(enforce_csrf_checks=True)

        response = client.post(article.get_like_url(), headers={"Origin": "http://testserver"})

        assert response.status_code == 302
        assert like_count(article) == 1

    def test_signed_in_reader_needs_the_token_from_the_page(self, article):
        client = Client(enforce_csrf_checks=True)
        client.force_login(make_user("reader"))
        ours = {"Origin": "http://testserver"}

        refused = client.post(article.get_like_url(), headers=ours)
        client.get(article.get_absolute_url())
        token = client.cookies["csrftoken"].value
        accepted = client.post(article.get_like_url(), {"csrfmiddlewaretoken": token}, headers=ours)

        assert (refused.status_code, accepted.status_code) == (403, 302)
        assert like_count(article) == 1

    def test_get_is_not_allowed(self, client, article):
        assert client.get(article.get_like_url()).status_code == 405
        assert like_count(article) == 0

    def test_draft_and_scheduled_cannot_be_liked(self, client):
        draft = make_draft("Unfinished")
        scheduled = make_article("Later", published_at=timezone.now() + timedelta(days=1))

        assert client.post(draft.get_like_url()).status_code == 404
        assert client.post(scheduled.get_like_url()).status_code == 404
        assert not Like.objects.exists()

    def test_editor_cannot_like_a_draft_they_preview(self, client):
        draft = make_draft("Unfinished")
        client.force_login(make_user("chief", groups=["Editors"], is_staff=True))

        assert client.post(draft.get_like_url()).status_code == 404
        assert not Like.objects.exists()


@pytest.fixture
def on_disk(tmp_path):
    """If the test database is SQLite in memory, run the test on a copy of it in a file.

    The in-memory test database reaches other threads through SQLite's shared cache, where a
    writer that meets another's lock fails at once ("database table is locked") instead of
    waiting out the busy timeout. On a file (WAL, BEGIN IMMEDIATE, a timeout: see settings)
    writers queue, as they do in production. On a file test database (settings' TEST NAME)
    or on PostgreSQL this fixture does nothing.
    """
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        yield
        return
    connection.ensure_connection()
    memory, name = connection.connection, connection.settings_dict["NAME"]
    path = tmp_path / "concurrent.sqlite3"
    with sqlite3.connect(path) as disk:
        memory.backup(disk)
    disk.close()
    connection.connection = None
    connection.settings_dict["NAME"] = str(path)  # threads open their connections from this
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = name
        connection.connection = memory


def run_at_once(count, work):
    """Run `work(n)` in `count` threads released together; each closes its own connection."""
    barrier = threading.Barrier(count)
    results, errors = [], []

    def worker(number):
        try:
            barrier.wait(timeout=10)
            results.append(work(number))
        except Exception as exc:  # noqa: BLE001 - reported by the test below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("on_disk")
class TestConcurrentLikes:
    def test_twenty_visitors_at_once_are_twenty_likes(self, article):
        results = run_at_once(20, lambda n: like_article(article=article, visitor=f"visitor-{n}"))

        assert results == [True] * 20
        assert like_count(article) == 20
        assert Like.objects.count() == 20

    def test_one_visitor_clicking_ten_times_at_once_is_one_like(self, article):
        results = run_at_once(10, lambda n: like_article(article=article, visitor="same-visitor"))

        assert sorted(results) == [False] * 9 + [True]
        assert like_count(article) == 1

    def test_one_user_clicking_ten_times_at_once_is_one_like(self, article):
        reader = make_user("reader")

        results = run_at_once(10, lambda n: like_article(article=article, user=reader))

        assert sorted(results) == [False] * 9 + [True]
        assert like_count(article) == 1

    def test_twenty_presses_at_once_before_any_cookie_are_one_like(self, article):
        url = article.get_like_url()

        answers = run_at_once(20, lambda n: Client(REMOTE_ADDR="192.0.2.9").post(url).status_code)

        assert answers == [302] * 20
        assert like_count(article) == 1


@pytest.mark.django_db
def test_a_like_shows_on_the_cached_page_within_the_coalescing_window(article, settings):
    settings.PAGE_CACHE_LIKES_SECONDS = 0.3
    ModerationSettings.load()  # as on any site that has served a page
    url = article.get_absolute_url()
    Client().get(url)

    Client(REMOTE_ADDR="192.0.2.10").post(article.get_like_url())
    soon = Client().get(url)
    time.sleep(0.35)
    later = Client().get(url)

    assert soon["X-Page-Cache"] == "hit"  # no redraw for every press
    assert "Be the first to like this." in soon.content.decode()
    assert later["X-Page-Cache"] == "miss"
    assert "Be the first to like this." not in later.content.decode()


@given(
    user_agent=st.text(max_size=40),
    accept=st.text(max_size=40),
    cookie=st.text(
        st.characters(min_codepoint=33, max_codepoint=126, exclude_characters=';,\\"'), max_size=40
    ),
)
@pytest.mark.django_db
def test_any_like_request_is_never_a_server_error(article, user_agent, accept, cookie):
    client = Client(REMOTE_ADDR="192.0.2.11")
    client.cookies["broadsheet_visitor"] = cookie
    response = client.post(
        article.get_like_url(),
        HTTP_USER_AGENT=user_agent.encode("utf-8", "surrogatepass").decode("latin-1"),
        HTTP_ACCEPT=accept.encode("utf-8", "surrogatepass").decode("latin-1"),
    )

    assert response.status_code in (200, 302, 429)
