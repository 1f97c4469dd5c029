"""PostgreSQL full-text search: weighted, ranked, indexed, and current without a save()."""

import pytest
from django.db import connection
from django.utils import timezone

from blog.models import Article
from blog.search import search_articles

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL full-text search"),
]


def test_bulk_inserted_articles_are_found_ranked_title_over_excerpt_over_body():
    now = timezone.now()
    common = {"status": "published", "published_at": now}
    Article.objects.bulk_create([
        Article(title="Harbours", slug="in-body", body="<p>The lighthouse keeper.</p>", **common),
        Article(title="Lighthouse", slug="in-title", body="<p>Stone.</p>", **common),
        Article(title="Coasts", slug="in-excerpt", excerpt="A lighthouse.", body="x", **common),
        Article(title="Elsewhere", slug="nowhere", body="<p>Nothing here.</p>", **common),
    ])  # fmt: skip

    found = search_articles(Article.objects.published(), "lighthouses")

    assert [a.slug for a in found] == ["in-title", "in-excerpt", "in-body"]


def test_an_edited_article_is_found_by_its_new_words():
    article = Article.objects.create(
        title="Draft title", slug="edited", body="<p>old</p>", status="published",
        published_at=timezone.now(),
    )  # fmt: skip
    article.body = "<p>A cormorant appeared.</p>"
    article.save()

    assert list(search_articles(Article.objects.published(), "cormorant")) == [article]


def test_search_uses_the_gin_index():
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # tiny tables: make the plan honest
        cursor.execute(
            "EXPLAIN SELECT id FROM blog_article "
            "WHERE search_vector @@ websearch_to_tsquery('english', 'lighthouse')"
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "blog_article_search_vector_gin" in plan
