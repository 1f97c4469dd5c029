"""Likes: one per reader, counted exactly, even when readers click at the same moment."""

import sqlite3
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from blog.models import Like
from blog.services import like_article
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
        Client().post(article.get_like_url())
        Client().post(article.get_like_url())

        assert like_count(article) == 2

    def test_visitor_cookie_is_signed_httponly_and_lasts(self, client, article):
        response = client.post(article.get_like_url())

        cookie = response.cookies["broadsheet_visitor"]
        assert cookie["httponly"]
        assert cookie["samesite"] == "Lax"
        assert int(cookie["max-age"]) >= 300 * 24 * 3600

    def test_forged_visitor_cookie_is_a_new_visitor(self, client, article):
        client.post(article.get_like_url())
        client.cookies["broadsheet_visitor"] = "forged-unsigned-value"

        client.post(article.get_like_url())

        assert like_count(article) == 2
        assert not Like.objects.filter(visitor="forged-unsigned-value").exists()

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
