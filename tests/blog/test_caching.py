"""Cached page parts change as soon as what they show changes, and save queries until then."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from blog import versions
from blog.models import Article, Disclaimer
from comments.models import Comment
from core import caching
from tests.factories import make_article, make_category

pytestmark = pytest.mark.django_db


def queries(client, path):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_a_second_reader_costs_fewer_queries(client):
    article = make_article("Cached story", categories=[make_category("World")], tags=["x"])
    first, _ = queries(client, article.get_absolute_url())
    second, html = queries(client, article.get_absolute_url())
    assert second < first
    assert "Cached story" in html


def test_editing_an_article_shows_at_once(client):
    article = make_article("Old headline")
    client.get("/")
    client.get(article.get_absolute_url())

    article.title = "New headline"
    article.save()

    assert "New headline" in client.get("/").content.decode()
    assert "New headline" in client.get(article.get_absolute_url()).content.decode()


def test_renaming_a_category_shows_in_the_navigation_and_on_articles(client):
    category = make_category("Politics")
    article = make_article("Filed story", categories=[category])
    client.get(article.get_absolute_url())

    category.name = "Power"
    category.save()

    html = client.get(article.get_absolute_url()).content.decode()
    assert ">Power<" in html
    assert ">Politics<" not in html


def test_changing_the_default_disclaimer_shows_on_articles(client):
    article = make_article("Opinion")
    disclaimer = Disclaimer.objects.create(name="Site", text="First words.", is_default=True)
    client.get(article.get_absolute_url())

    disclaimer.text = "Second words."
    disclaimer.save()

    assert "Second words." in client.get(article.get_absolute_url()).content.decode()


def test_a_scheduled_article_appears_by_itself_when_its_time_comes(client):
    make_article("Already out")
    scheduled = make_article("Coming soon", published_at=timezone.now() + timedelta(hours=1))
    assert "Coming soon" not in client.get("/").content.decode()

    # The clock passes its time: no save happens, so no signal. (The moment was asked an
    # hour ago; it has come now.)
    asked = timezone.now() - timedelta(hours=1)
    Article.objects.filter(pk=scheduled.pk).update(published_at=timezone.now())
    moment = (timezone.now().timestamp(), asked.timestamp())
    cache.set("version:content:next-change", moment, timeout=None)

    assert "Coming soon" in client.get("/").content.decode()


def test_an_article_scheduled_while_no_one_reads_appears_when_its_time_comes(client):
    """Its save asks for the next moment again; the first read after the moment, with no read
    in between, must still bump what the clock published."""
    make_article("Already out")
    assert "Already out" in client.get("/").content.decode()  # the list is stored
    scheduled = make_article("Coming soon", published_at=timezone.now() + timedelta(seconds=30))

    # No reader comes before its time passes (the clock: no save, no signal).
    Article.objects.filter(pk=scheduled.pk).update(published_at=timezone.now())

    assert "Coming soon" in client.get("/").content.decode()


def test_approving_a_comment_shows_it_without_touching_other_articles(client, admin_user):
    article = make_article("Talked about")
    other = make_article("Quiet one")
    comment = Comment.objects.create(
        article=article, author_name="Ada", author_email="ada@example.com", content="Held words"
    )
    client.get(article.get_absolute_url())
    client.get(other.get_absolute_url())
    other_before, _ = queries(client, other.get_absolute_url())

    from comments import services

    services.approve(comment=comment, by=admin_user)

    assert "Held words" in client.get(article.get_absolute_url()).content.decode()
    other_after, _ = queries(client, other.get_absolute_url())
    assert other_after == other_before  # its cached parts were not flushed


def test_admin_bulk_publish_shows_on_the_home_page(admin_client):
    draft = make_article("Bulk draft", status=Article.Status.DRAFT)
    admin_client.get("/")

    admin_client.post(
        "/admin/blog/article/",
        {"action": "publish", "_selected_action": [draft.pk]},
    )

    assert "Bulk draft" in admin_client.get("/").content.decode()


def test_what_was_built_before_a_change_committed_is_stale_after_it(
    django_capture_on_commit_callbacks,
):
    """A reader on another server between a save and its commit still reads the old rows:
    whatever they store under the version of that moment must not outlive the commit."""
    article = make_article("Before")
    with django_capture_on_commit_callbacks() as commit:
        article.title = "After"
        article.save()
        while_uncommitted = caching.versions(versions.article(article.pk))

    for callback in commit:
        callback()

    assert caching.versions(versions.article(article.pk)) != while_uncommitted
