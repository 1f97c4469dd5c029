from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from blog.models import EXCERPT_WORDS, Article, Category
from tests.factories import (
    make_article,
    make_category,
    make_disclaimer,
    make_draft,
    make_promotion,
)

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)
DRAFT, PUBLISHED = Article.Status.DRAFT, Article.Status.PUBLISHED


@pytest.mark.parametrize(
    ("status", "offset", "public"),
    [
        (DRAFT, -HOUR, False),
        (DRAFT, +HOUR, False),
        (PUBLISHED, -HOUR, True),
        (PUBLISHED, +HOUR, False),
    ],
    ids=["draft-past", "draft-future", "published-past", "published-future"],
)
def test_published_truth_table(status, offset, public):
    article = make_article(status=status, published_at=timezone.now() + offset)

    assert (article in Article.objects.published()) is public
    assert article.is_published is public


def test_draft_without_a_date_is_not_public():
    article = make_draft(published_at=None)

    assert not Article.objects.published().exists()
    assert article.is_published is False


def test_publishing_without_a_date_publishes_now():
    article = make_article(published_at=None)

    assert article.published_at is not None
    assert article.is_published


def test_scheduled_article_becomes_public_when_its_time_comes(client, monkeypatch):
    now = timezone.now()
    article = make_article("Scheduled column", published_at=now + timedelta(minutes=5))
    url = article.get_absolute_url()

    assert article.is_scheduled
    assert client.get(url).status_code == 404

    monkeypatch.setattr(timezone, "now", lambda: now + timedelta(minutes=6))

    assert article.is_published
    assert client.get(url).status_code == 200
    assert "Scheduled column" in client.get("/").content.decode()


def test_article_slug_is_unique_in_the_database():
    make_article("First", slug="same-slug")

    with pytest.raises(IntegrityError), transaction.atomic():
        make_article("Second", slug="same-slug")


def test_only_one_default_disclaimer_in_the_database():
    make_disclaimer(is_default=True)
    make_disclaimer(is_default=False)

    with pytest.raises(IntegrityError), transaction.atomic():
        make_disclaimer(is_default=True)


def test_published_article_needs_a_date_in_the_database():
    article = make_draft()

    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.filter(pk=article.pk).update(status=PUBLISHED, published_at=None)


def test_promotion_must_end_after_it_starts_in_the_database():
    now = timezone.now()

    with pytest.raises(IntegrityError), transaction.atomic():
        make_promotion(active_from=now, active_until=now - HOUR)


class TestDisclaimerOnTheArticlePage:
    def test_article_uses_its_own_disclaimer(self, client):
        make_disclaimer("The site default disclaimer.", is_default=True)
        own = make_disclaimer("The author is a shareholder.")
        article = make_article(disclaimer=own)

        html = client.get(article.get_absolute_url()).content.decode()

        assert "The author is a shareholder." in html
        assert "The site default disclaimer." not in html

    def test_article_without_one_uses_the_default(self, client):
        make_disclaimer("The site default disclaimer.", is_default=True)
        make_disclaimer("Another disclaimer.")
        article = make_article()

        html = client.get(article.get_absolute_url()).content.decode()

        assert "The site default disclaimer." in html
        assert "Another disclaimer." not in html

    def test_no_disclaimer_without_a_default(self, client):
        make_disclaimer("An unused disclaimer.")
        article = make_article()

        response = client.get(article.get_absolute_url())

        assert response.status_code == 200
        assert "An unused disclaimer." not in response.content.decode()


def test_nested_category_paths_follow_a_parent_slug_change(client):
    opinion = make_category("Opinion")
    politics = make_category("Politics", parent=opinion)
    local = make_category("Local", parent=politics)
    make_article("Council votes", categories=[local])

    opinion.slug = "views"
    opinion.save()

    politics.refresh_from_db()
    local.refresh_from_db()
    assert politics.path == "views/politics"
    assert local.path == "views/politics/local"
    assert "Council votes" in client.get("/category/views/politics/local/").content.decode()
    assert client.get("/category/opinion/politics/local/").status_code == 404


def test_category_slug_is_unique_among_siblings_in_the_database():
    parent = make_category("Opinion")
    make_category("Politics", parent=parent)

    with pytest.raises(IntegrityError), transaction.atomic():
        Category.objects.create(name="Politics again", slug="politics", parent=parent)


def test_top_level_category_slug_is_unique_in_the_database():
    make_category("Opinion")

    with pytest.raises(IntegrityError), transaction.atomic():
        Category.objects.create(name="Opinion again", slug="opinion")


def test_same_slug_allowed_under_different_parents():
    first, second = make_category("News"), make_category("Opinion")

    make_category("Politics", parent=first)
    make_category("Politics", parent=second)

    assert Category.objects.filter(slug="politics").count() == 2


class TestSummary:
    def test_manual_excerpt_wins(self):
        article = make_article(excerpt="Hand-written.", body="<p>Body words.</p>")

        assert article.summary == "Hand-written."

    def test_falls_back_to_the_first_55_words_of_the_body_without_html(self):
        words = [f"word{n}" for n in range(1, 61)]
        article = make_article(
            body=f"<p><strong>{' '.join(words[:10])}</strong> {' '.join(words[10:])}</p>"
        )

        summary = article.summary

        assert EXCERPT_WORDS == 55
        assert summary.startswith("word1 word2 word3")
        assert "word55" in summary
        assert "word56" not in summary
        assert "<" not in summary

    def test_short_body_is_the_whole_summary(self):
        article = make_article(body="<p>Just a few words.</p>")

        assert article.summary == "Just a few words."
