"""Whole pages for anonymous readers come from the cache, and never outlive what they show."""

import pytest
from django.core.cache import cache
from django.test import Client
from taggit.models import Tag

from blog.models import Article
from blog.views import PER_PAGE
from comments import services
from comments.forms import sign_form
from comments.models import Comment, ModerationSettings
from core import caching
from core.page_cache import _key
from tests.factories import make_article, make_category, make_moderator, make_user

pytestmark = pytest.mark.django_db

OURS = {"Origin": "http://testserver"}


@pytest.fixture(autouse=True)
def rules(db):
    """The site's moderation rules exist, as on any site that has served a page."""
    return ModerationSettings.load()


def read(path, client=None, **headers):
    response = (client or Client()).get(path, headers=headers)
    return response, response.content.decode()


def served_from_cache(path, client=None):
    return read(path, client)[0].get("X-Page-Cache") == "hit"


def comment_on(article, content="Held words", **kwargs):
    return Comment.objects.create(
        article=article, author_name="Ada", author_email="ada@example.com", content=content,
        **kwargs,
    )  # fmt: skip


class TestAnonymousReaders:
    def test_the_second_reader_gets_the_page_without_a_query(self, django_assert_num_queries):
        article = make_article("Cached whole", categories=[make_category("World")], tags=["x"])
        first, html = read(article.get_absolute_url())

        with django_assert_num_queries(0):
            second, again = read(article.get_absolute_url())

        assert (first["X-Page-Cache"], second["X-Page-Cache"]) == ("miss", "hit")
        assert again == html

    def test_a_page_kept_in_the_process_is_still_checked_for_changes(self, client):
        article = make_article("Kept close")
        read(article.get_absolute_url(), client)
        cache.delete(_key(read(article.get_absolute_url(), client)[0].wsgi_request))

        assert served_from_cache(article.get_absolute_url(), client)  # from this process

        article.title = "Changed since"
        article.save()
        response, html = read(article.get_absolute_url(), client)
        assert response["X-Page-Cache"] == "miss" and "Changed since" in html

    def test_a_change_made_on_another_server_shows_within_the_recheck_time(self, client, settings):
        settings.PAGE_CACHE_RECHECK_SECONDS = 60
        url = make_article("Elsewhere").get_absolute_url()
        read(url, client), read(url, client)  # drawn, then checked and kept by this server

        cache.incr(f"version:{caching.CONTENT}")  # another server changed the content

        assert served_from_cache(url, client)  # checked less than a minute ago
        settings.PAGE_CACHE_RECHECK_SECONDS = 0
        assert not served_from_cache(url, client)

    @pytest.mark.parametrize(
        "path", ["/", "/category/world/", "/tag/x/", "/feed/", "/sitemap.xml", "/comments/feed/"]
    )
    def test_every_reader_page_is_cached(self, path):
        make_article("Listed", categories=[make_category("World")], tags=["x"])
        read(path)

        assert served_from_cache(path)

    def test_headers_let_a_shared_cache_keep_it_briefly(self):
        article = make_article("Shareable")

        response, _ = read(article.get_absolute_url())

        cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
        assert cache_control == {
            "public", "max-age=0", "s-maxage=60", "stale-while-revalidate=300"}  # fmt: skip
        assert not response.has_header("Vary")  # nginx bypasses its cache on personal cookies
        assert "Set-Cookie" not in response
        assert response["ETag"] and response["Last-Modified"]

    def test_a_page_from_the_cache_keeps_its_security_headers(self):
        article = make_article("Guarded")
        drawn, _ = read(article.get_absolute_url())
        cached, _ = read(article.get_absolute_url())

        assert cached["X-Page-Cache"] == "hit"
        for header in (
            "Content-Security-Policy",
            "X-Content-Type-Options",
            "Referrer-Policy",
            "Cross-Origin-Opener-Policy",
            "X-Frame-Options",
            "Content-Type",
            "ETag",
        ):
            assert cached[header] == drawn[header], header  # fmt: skip

    def test_feeds_do_not_vary_on_cookies(self):
        make_article("Syndicated")

        response, _ = read("/feed/")

        assert "public" in response["Cache-Control"]
        assert not response.has_header("Vary")

    def test_an_unchanged_page_answers_not_modified(self):
        article = make_article("Unchanged")
        response, _ = read(article.get_absolute_url())

        etag = {"If-None-Match": response["ETag"]}
        again = Client().get(article.get_absolute_url(), headers=etag)

        assert again.status_code == 304
        assert again.content == b""

    def test_campaign_parameters_share_the_page_and_comment_pages_do_not(self):
        article = make_article("Shared link")
        url = article.get_absolute_url()
        read(url)

        assert served_from_cache(f"{url}?utm_source=newsletter&fbclid=abc")
        assert not served_from_cache(f"{url}?cpage=2")

    def test_a_list_first_drawn_with_campaign_parameters_links_without_them(self):
        """Else whoever drew the page first would plant their parameters in every reader's
        links (the page is kept under the address without them)."""
        for n in range(2 * PER_PAGE + 1):
            make_article(f"Piece {n}")
        read("/page/2/?utm_source=POISONED&ref=evil.example")

        response, html = read("/page/2/")

        assert response["X-Page-Cache"] == "hit"
        assert "POISONED" not in html and "evil.example" not in html
        assert 'href="/page/3/"' in html

    def test_lists_at_unknown_parameters_share_one_stored_list(self, django_assert_num_queries):
        """A stranger must not fill the cache: /?zz=<anything> is drawn afresh, but its list is
        the one stored for / (it was one entry a day per address)."""
        make_article("Piece")
        Client().get("/?zz=first")
        with django_assert_num_queries(0):  # the list, its count and the page: all stored
            Client().get("/?zz=second")

    def test_the_page_has_no_per_visitor_token(self):
        article = make_article("Tokenless")

        _, html = read(article.get_absolute_url())

        assert "csrfmiddlewaretoken" not in html

    def test_switched_off_no_page_is_kept_but_shared_caches_still_may(self, settings):
        settings.PAGE_CACHE_SECONDS = 0
        article = make_article("Uncached")
        read(article.get_absolute_url())

        response, _ = read(article.get_absolute_url())

        assert not response.has_header("X-Page-Cache")
        assert "public" in response["Cache-Control"]


class TestChangesShowAtOnce:
    def test_editing_unpublishing_and_publishing(self):
        article = make_article("Old headline")
        read("/"), read(article.get_absolute_url())

        article.title = "New headline"
        article.save()
        assert "New headline" in read("/")[1]
        assert "New headline" in read(article.get_absolute_url())[1]

        article.status = Article.Status.DRAFT
        article.save()
        assert read(article.get_absolute_url())[0].status_code == 404
        assert "New headline" not in read("/")[1]

        make_article("Fresh story")
        assert "Fresh story" in read("/")[1]

    def test_a_new_article_lengthens_the_list(self):
        for n in range(10):
            make_article(f"Story {n}")
        assert read("/page/2/")[0].status_code == 404
        assert 'rel="next"' not in read("/")[1]

        make_article("The eleventh")

        assert 'rel="next"' in read("/")[1]
        assert read("/page/2/")[0].status_code == 200

    def test_renaming_a_category_or_a_tag(self):
        category = make_category("Politics")
        article = make_article("Filed story", categories=[category], tags=["budget"])
        read(article.get_absolute_url()), read("/tag/budget/")

        category.name = "Power"
        category.save()
        tag = Tag.objects.get(slug="budget")
        tag.name = "Spending"
        tag.save()

        html = read(article.get_absolute_url())[1]
        assert ">Power<" in html and ">Politics<" not in html
        assert "Spending" in read("/tag/budget/")[1]

    def test_a_comment_approved_or_removed_changes_only_its_article(self):
        article = make_article("Talked about")
        other = make_article("Quiet one")
        comment = comment_on(article)
        read(article.get_absolute_url()), read(other.get_absolute_url())
        moderator = make_moderator()

        services.approve(comment=comment, by=moderator)
        assert "Held words" in read(article.get_absolute_url())[1]
        assert served_from_cache(other.get_absolute_url())

        services.trash(comment=comment, by=moderator)
        assert "Held words" not in read(article.get_absolute_url())[1]

    def test_a_comment_shows_in_the_feeds(self):
        article = make_article("Discussed")
        comment = comment_on(article, content="Feed-worthy words")
        read("/comments/feed/"), read(f"{article.get_absolute_url()}feed/")

        services.approve(comment=comment, by=make_moderator())

        assert "Feed-worthy words" in read("/comments/feed/")[1]
        assert "Feed-worthy words" in read(f"{article.get_absolute_url()}feed/")[1]

    def test_a_like_updates_the_count(self):
        article = make_article("Liked")
        read(article.get_absolute_url())

        Client().post(article.get_like_url(), headers=OURS)

        assert "1 reader likes this" in read(article.get_absolute_url())[1]


class TestPersonalPages:
    """Pages drawn for one person never come from, nor go into, the shared cache."""

    def assert_private(self, response):
        assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
        assert not response.has_header("X-Page-Cache")

    def test_a_signed_in_reader(self, client):
        article = make_article("Members too")
        read(article.get_absolute_url())
        client.force_login(make_user("member", first_name="Mona"))

        response, html = read(article.get_absolute_url(), client)

        self.assert_private(response)
        assert "You are commenting as Mona" in html
        assert "csrfmiddlewaretoken" in html
        assert "You are commenting as" not in read(article.get_absolute_url())[1]

    def test_a_commenter_sees_their_held_comment_and_no_one_else_does(self, client):
        article = make_article("Moderated")
        read(article.get_absolute_url())

        posted = post_comment(article, OURS, client, content="Mine, awaiting moderation.")
        assert posted.status_code == 302
        assert "no-store" in posted["Cache-Control"]

        response, html = read(article.get_absolute_url(), client)
        self.assert_private(response)
        assert "Mine, awaiting moderation." in html
        assert "Mine, awaiting moderation." not in read(article.get_absolute_url())[1]

    def test_a_remembered_comment_author(self, client):
        article = make_article("Regulars")
        client.cookies["comment_author"] = "Remembered Rita"

        response, html = read(article.get_absolute_url(), client)

        self.assert_private(response)
        assert "Remembered Rita" in html
        assert "Remembered Rita" not in read(article.get_absolute_url())[1]

    def test_an_editor_previewing_a_draft(self, client):
        draft = make_article("Not yet", status=Article.Status.DRAFT)
        client.force_login(make_user("boss", is_superuser=True, is_staff=True))

        response, _ = read(draft.get_absolute_url(), client)

        assert response.status_code == 200
        self.assert_private(response)
        assert read(draft.get_absolute_url())[0].status_code == 404


class TestAnonymousPosts:
    """Comment and like forms on shared pages: checked by origin, not by a per-visitor token."""

    def test_from_our_own_page(self):
        article = make_article("Open")

        assert post_comment(article, OURS).status_code == 302
        assert Comment.objects.count() == 1

    @pytest.mark.parametrize(
        "headers",
        [{}, {"Origin": "https://evil.example"}, {"Referer": "https://evil.example/page/"}],
    )
    def test_from_another_site_or_nowhere_is_refused(self, headers):
        article = make_article("Open")

        assert post_comment(article, headers).status_code == 403
        assert Comment.objects.count() == 0

    def test_an_older_browser_sending_only_the_referer(self):
        article = make_article("Open")
        headers = {"Referer": f"http://testserver{article.get_absolute_url()}"}

        assert post_comment(article, headers).status_code == 302

    def test_a_signed_in_user_still_needs_the_token(self):
        article = make_article("Open")
        client = Client(enforce_csrf_checks=True)
        client.force_login(make_user("member"))

        assert post_comment(article, OURS, client).status_code == 403
        assert Comment.objects.count() == 0


def post_comment(article, headers, client=None, content="From somewhere."):
    """A reader sends the comment form of `article`, as their browser would."""
    client = client or Client(enforce_csrf_checks=True)
    form = {"article": article.pk, "name": "Ben", "email": "ben@example.com",
            "content": content, "signature": sign_form(article.pk)}  # fmt: skip
    return client.post("/comments/post/", form, headers=headers)
