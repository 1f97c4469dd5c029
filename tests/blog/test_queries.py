"""Pages cost a fixed number of queries, however many articles, categories and tags they show.

Each test counts the queries of a page over a small site, grows the site (1 → 15 articles,
1 → 10 categories and tags and 1 → 3 authors per article), and asserts the same count.
"""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_article, make_category, make_image, make_user

pytestmark = pytest.mark.django_db

START = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def site():
    """A growable site: a parent category, and articles filed under its children."""
    return Site()


class Site:
    def __init__(self):
        self.parent = make_category("Parent")
        self.children = [make_category("Child 0", parent=self.parent)]
        self.tags = ["tag-0"]
        self.authors = [make_user("author0", first_name="Author", last_name="Zero")]
        self.image = make_image()
        self.articles = []

    def add_articles(self, count):
        for _ in range(count):
            number = len(self.articles)
            self.articles.append(
                make_article(
                    f"Story {number:02d}",
                    published_at=START + timedelta(days=number),
                    authors=self.authors,
                    categories=self.children,
                    tags=self.tags,
                    featured_image=self.image,
                    excerpt=f"Summary {number}",
                    is_sticky=number == 1,
                )
            )

    def grow(self, articles=15, per_article=10, authors=3):
        """Reach `articles` articles, each in `per_article` categories and tags."""
        for number in range(len(self.children), per_article):
            self.children.append(make_category(f"Child {number}", parent=self.parent))
            self.tags.append(f"tag-{number}")
        for number in range(len(self.authors), authors):
            self.authors.append(make_user(f"author{number}", first_name="Author"))
        for article in self.articles:
            article.categories.set(self.children)
            article.tags.set(self.tags)
            article.authors.set(self.authors)
        self.add_articles(articles - len(self.articles))


def count_queries(client, path):
    """The queries of a page rendered afresh: with the page-fragment cache empty."""
    client.get(path)  # warm caches that are filled once per process (content types, …)
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


LIST_PAGES = [
    "/",
    "/category/parent/",
    "/category/parent/child-0/",
    "/tag/tag-0/",
    "/author/author0/",
]


def test_list_page_query_counts_are_fixed(client, site, django_assert_num_queries):
    site.add_articles(1)
    small = {path: count_queries(client, path) for path in LIST_PAGES}

    site.grow()

    for path in LIST_PAGES:
        cache.clear()
        with django_assert_num_queries(small[path], info=path):
            response = client.get(path)
        assert response.content.decode().count('class="card__title"') == 10, path


def test_article_page_query_count_is_fixed(client, site, django_assert_num_queries):
    site.add_articles(1)
    article = site.articles[0]
    small = count_queries(client, article.get_absolute_url())

    site.grow()
    cache.clear()

    with django_assert_num_queries(small):
        response = client.get(article.get_absolute_url())
    html = response.content.decode()
    assert all(f'href="/tag/tag-{number}/"' in html for number in range(10))
    assert all(f'href="/category/parent/child-{number}/"' in html for number in range(10))


def test_feed_query_count_is_fixed(client, site, django_assert_num_queries):
    site.add_articles(1)
    small = count_queries(client, "/feed/")

    site.grow()
    cache.clear()

    with django_assert_num_queries(small):
        client.get("/feed/")
