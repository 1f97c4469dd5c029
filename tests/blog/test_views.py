"""The public pages, by their literal addresses, as a reader (or an editor previewing) sees them."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache.backends.base import CacheKeyWarning
from django.utils import timezone

from tests.factories import (
    make_article,
    make_category,
    make_disclaimer,
    make_draft,
    make_page,
    make_promotion,
    make_user,
    make_writer,
)

pytestmark = pytest.mark.django_db

PI_DAY = datetime(2025, 3, 14, 12, 0, tzinfo=UTC)


@pytest.fixture
def author(db):
    return make_user("name", first_name="Jane", last_name="Doe")


@pytest.fixture
def article(author):
    """The article behind the literal paths: /2025/03/14/some-slug/, in parent/child, tagged x."""
    parent = make_category("Parent")
    child = make_category("Child", parent=parent)
    make_page("About", body="<p>Who we are.</p>")
    return make_article(
        "Some headline",
        slug="some-slug",
        published_at=PI_DAY,
        authors=[author],
        categories=[child],
        tags=["x"],
        body="<p>The whole story.</p>",
    )


def text(response):
    return response.content.decode()


def titles_in(response, titles):
    """The given titles that the page shows, in the order it shows them."""
    html = text(response)
    shown = [title for title in titles if title in html]
    return sorted(shown, key=html.index)


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/category/parent/",
        "/category/parent/child/",
        "/tag/x/",
        "/author/name/",
        "/2025/",
        "/2025/03/",
        "/2025/03/14/",
        "/?s=whole+story",
    ],
)
def test_list_page_links_to_the_article(client, article, path):
    response = client.get(path)

    assert response.status_code == 200
    assert "Some headline" in text(response)
    assert 'href="/2025/03/14/some-slug/"' in text(response)


def test_article_page(client, article):
    response = client.get("/2025/03/14/some-slug/")

    assert response.status_code == 200
    assert "Some headline" in text(response)


def test_second_home_page(client, article):
    for number in range(10):
        make_article(f"Later story {number}", published_at=PI_DAY + timedelta(days=number + 1))

    response = client.get("/page/2/")

    assert response.status_code == 200
    assert "Some headline" in text(response)
    assert "Later story 5" not in text(response)


def test_static_page(client, article):
    response = client.get("/about/")

    assert response.status_code == 200
    assert "Who we are." in text(response)


def test_a_pages_description_is_its_text_escaped_once(client):
    make_page("Terms", slug="terms", body="<p>Fish &amp; chips, 3 &lt; 4</p>")

    page = client.get("/terms/").content.decode()

    assert '<meta name="description" content="Fish &amp; chips, 3 &lt; 4">' in page


def test_unpublished_static_page_is_404(client):
    make_page("Secret plans", slug="secret", is_published=False)

    assert client.get("/secret/").status_code == 404


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/feed/", "application/rss+xml"),
        ("/feed/atom/", "application/atom+xml"),
        ("/tag/x/feed/", "application/rss+xml"),
        ("/author/name/feed/", "application/rss+xml"),
    ],
)
def test_feed(client, article, path, content_type):
    response = client.get(path)

    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    assert "Some headline" in text(response)


@pytest.mark.parametrize("path", ["/category/parent/feed/", "/category/parent/child/feed/"])
def test_category_feed(client, article, path):
    response = client.get(path)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    assert "Some headline" in text(response)


def test_second_category_page(client, article):
    child = article.categories.get()
    for number in range(10):
        make_article(f"Later {number}", categories=[child], published_at=PI_DAY + timedelta(days=1))

    response = client.get("/category/parent/page/2/")

    assert response.status_code == 200
    assert "Some headline" in text(response)


def test_sitemap_lists_public_articles_only(client, article):
    draft = make_draft("Unfinished", slug="unfinished")

    response = client.get("/sitemap.xml")

    assert response.status_code == 200
    assert "http://testserver/2025/03/14/some-slug/" in text(response)
    assert "http://testserver/category/parent/child/" in text(response)
    assert "http://testserver/tag/x/" in text(response)
    assert "http://testserver/about/" in text(response)
    assert draft.slug not in text(response)


def test_robots_txt(client):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert "Disallow: /admin/" in text(response)
    assert "Sitemap: http://testserver/sitemap.xml" in text(response)


class TestNotFound:
    @pytest.mark.parametrize(
        "path",
        [
            "/page/abc/",
            "/page/999/",
            "/2025/02/30/",
            "/2025/13/",
            "/2025/00/",
            "/2025/03/00/",
            "/0000/",
            "/2025/03/14/no-such-slug/",
            "/category/nope/",
            "/category/parent/nope/",
            "/tag/nope/",
            "/author/nobody/",
            "/no-such-page/",
            "/2025/03/14/%00/",
            "/tag/%00/",
            "/tag/x%00/feed/",
            "/author/%00/",
        ],
    )
    def test_unknown_address(self, client, article, path):
        assert client.get(path).status_code == 404

    def test_draft(self, client):
        draft = make_draft("Unfinished")

        assert client.get(draft.get_absolute_url()).status_code == 404

    def test_scheduled(self, client):
        scheduled = make_article("Tomorrow", published_at=timezone.now() + timedelta(days=1))

        assert client.get(scheduled.get_absolute_url()).status_code == 404
        assert "Tomorrow" not in text(client.get("/"))

    def test_inactive_author(self, client, article, author):
        author.is_active = False
        author.save()

        assert client.get("/author/name/").status_code == 404

    def test_draft_in_lists_feeds_and_search(self, client, article):
        make_draft("Unfinished draft", categories=article.categories.all(), tags=["x"])

        for path in ["/", "/category/parent/child/", "/tag/x/", "/feed/", "/?s=Unfinished"]:
            assert "Unfinished draft" not in text(client.get(path)), path


def test_wrong_date_in_article_address_redirects_permanently(client, article):
    response = client.get("/2024/01/02/some-slug/")

    assert response.status_code == 301
    assert response["Location"] == "/2025/03/14/some-slug/"


def test_dates_are_the_sites_local_dates(client, settings):
    settings.TIME_ZONE = "America/New_York"
    # 02:00 on the 15th in UTC is still the evening of the 14th in New York.
    make_article("Late edition", published_at=datetime(2025, 3, 15, 2, 0, tzinfo=UTC))

    assert client.get("/2025/03/14/late-edition/").status_code == 200
    assert "Late edition" in text(client.get("/2025/03/14/"))
    assert "Late edition" not in text(client.get("/2025/03/15/"))


class TestSearch:
    @pytest.mark.parametrize(
        "query",
        [
            '"whole story"',
            '"unbalanced',
            "100%",
            "%%%",
            "snake_case",
            "_",
            "back\\slash",
            "\\",
            "' OR 1=1 --",
            "<script>alert(1)</script>",
            "-",
            "or",
            "word " * 1000,
            "x" * 5000,
            "emoji 😀",
            "nul\x00byte",
        ],
    )
    def test_hostile_or_odd_queries_are_answered(self, client, article, query, recwarn):
        response = client.get("/", {"s": query})

        assert response.status_code == 200
        assert "<script>alert(1)</script>" not in text(response)
        # Its list is cached under a key of bounded length, whatever the query's (memcached
        # refuses keys over 250 bytes; Django warns of them on every backend).
        assert not [w for w in recwarn if issubclass(w.category, CacheKeyWarning)]

    def test_percent_and_underscore_are_not_wildcards(self, client, article):
        make_article("Growth of 100% in a year", slug="growth")

        assert titles_in(client.get("/", {"s": "100%"}), ["Growth", "Some headline"]) == ["Growth"]
        assert "Some headline" not in text(client.get("/", {"s": "%"}))
        assert "Some headline" not in text(client.get("/", {"s": "_"}))

    def test_ranks_title_over_excerpt_over_body(self, client):
        base = timezone.now() - timedelta(days=10)
        # The newest first would be the wrong order, so ranking must be what decides.
        make_article("A zebra crossing", published_at=base)
        make_article("Second story", excerpt="About a zebra.", published_at=base + timedelta(1))
        make_article(
            "Third story", body="<p>Once a zebra came.</p>", published_at=base + timedelta(2)
        )
        make_article("Unrelated story", published_at=base + timedelta(3))

        response = client.get("/?s=zebra")

        titles = ["A zebra crossing", "Second story", "Third story", "Unrelated story"]
        assert titles_in(response, titles) == titles[:3]

    def test_empty_query_finds_nothing(self, client, article):
        response = client.get("/?s=")

        assert response.status_code == 200
        assert "Some headline" not in text(response)


class TestHome:
    def test_sticky_article_comes_first(self, client):
        make_article("Old but sticky", is_sticky=True, published_at=PI_DAY)
        make_article("Newest", published_at=timezone.now() - timedelta(minutes=1))

        titles = titles_in(client.get("/"), ["Old but sticky", "Newest"])

        assert titles == ["Old but sticky", "Newest"]

    def test_ten_articles_per_page_newest_first(self, client):
        titles = [f"Story {number:02d}" for number in range(12)]
        for number, title in enumerate(titles):
            make_article(title, published_at=PI_DAY + timedelta(days=number))

        first, second = client.get("/"), client.get("/page/2/")

        assert titles_in(first, titles) == titles[::-1][:10]
        assert titles_in(second, titles) == titles[::-1][10:]
        assert client.get("/page/3/").status_code == 404

    def test_empty_site(self, client):
        assert client.get("/").status_code == 200


class TestArticlePage:
    def test_shows_headline_body_and_linked_byline(self, client, article):
        html = text(client.get("/2025/03/14/some-slug/"))

        assert re.search(r"<h1[^>]*>\s*Some headline\s*</h1>", html)
        assert "The whole story." in html
        assert re.search(r'By\s*<a[^>]*href="/author/name/"[^>]*>Jane Doe</a>', html)

    def test_shows_category_and_tag_links(self, client, article):
        html = text(client.get("/2025/03/14/some-slug/"))

        assert "Categories:" in html
        assert 'href="/category/parent/child/"' in html
        assert "Tags:" in html
        assert 'href="/tag/x/"' in html

    def test_no_tags_line_without_tags(self, client, article):
        article.tags.clear()

        html = text(client.get("/2025/03/14/some-slug/"))

        assert "Tags:" not in html
        assert "Categories:" in html

    def test_byline_override_replaces_the_author_names(self, client, article):
        article.byline = "A Guest Columnist"
        article.save()

        html = text(client.get("/2025/03/14/some-slug/"))

        assert "A Guest Columnist" in html
        assert "Jane Doe" not in html

    def test_shows_the_disclaimer(self, client, article):
        article.disclaimer = make_disclaimer("The author holds shares in the company.")
        article.save()

        assert "The author holds shares in the company." in text(
            client.get("/2025/03/14/some-slug/")
        )

    def test_shows_the_chosen_promotion(self, client, article):
        make_promotion("Another promotion")
        article.promotion = make_promotion(
            "Join the newsletter", link_url="https://example.com/join"
        )
        article.save()

        html = text(client.get("/2025/03/14/some-slug/"))

        assert "Join the newsletter" in html
        assert 'href="https://example.com/join"' in html
        assert "Another promotion" not in html

    def test_rotates_an_active_promotion_when_none_chosen(self, client, article):
        make_promotion("Expired offer", active_until=timezone.now() - timedelta(days=1))
        make_promotion("Current offer")

        html = text(client.get("/2025/03/14/some-slug/"))

        assert "Current offer" in html
        assert "Expired offer" not in html

    def test_public_article_is_indexable(self, client, article):
        response = client.get("/2025/03/14/some-slug/")

        assert "noindex" not in response.get("X-Robots-Tag", "")
        assert "no-store" not in response.get("Cache-Control", "")


class TestPreview:
    @pytest.fixture
    def draft(self, db):
        return make_draft("Work in progress", body="<p>Half a story.</p>")

    def test_draft_is_404_for_readers(self, client, draft):
        assert client.get(draft.get_absolute_url()).status_code == 404

    def test_draft_is_404_for_staff_without_change_permission(self, client, draft):
        client.force_login(make_user("intern", is_staff=True))

        assert client.get(draft.get_absolute_url()).status_code == 404

    def test_editor_previews_a_draft_uncached_and_unindexed(self, client, draft):
        client.force_login(make_user("chief", groups=["Editors"], is_staff=True))

        response = client.get(draft.get_absolute_url())

        assert response.status_code == 200
        assert "Half a story." in text(response)
        assert "noindex" in response["X-Robots-Tag"]
        cache_control = response["Cache-Control"]
        assert "no-store" in cache_control
        assert "no-cache" in cache_control

    def test_a_writer_previews_their_own_draft_and_no_one_elses(self, client):
        writer = make_writer()
        own = make_draft("My column", authors=[writer])
        others = make_draft("Someone's scoop", body="<p>Not yet.</p>")
        scheduled = make_article("Embargoed", published_at=timezone.now() + timedelta(days=1))
        client.force_login(writer)

        assert client.get(own.get_absolute_url()).status_code == 200
        assert client.get(others.get_absolute_url()).status_code == 404
        assert client.get(scheduled.get_absolute_url()).status_code == 404
        assert client.get(make_article("Out").get_absolute_url()).status_code == 200

    def test_editor_previews_a_tagged_draft_with_its_related_articles(self, client):
        make_article("Older on trams", tags=["transport"])
        draft = make_draft("Bus lanes", tags=["transport"], published_at=None)
        client.force_login(make_user("chief", groups=["Editors"], is_staff=True))

        response = client.get(draft.get_absolute_url())

        assert response.status_code == 200
        assert "Older on trams" in text(response)

    def test_editor_previews_a_scheduled_article(self, client):
        scheduled = make_article("Embargoed", published_at=timezone.now() + timedelta(days=1))
        client.force_login(make_user("chief", groups=["Editors"], is_staff=True))

        response = client.get(scheduled.get_absolute_url())

        assert response.status_code == 200
        assert "noindex" in response["X-Robots-Tag"]
