"""Every reader address answers the same with a warm cache as with a cold one, and odd values
in any part of an address are a 404 (or a redirect), never a 200 by mistake and never a 500."""

import pytest
from django.core.cache import cache
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from comments.models import ModerationSettings
from tests.factories import make_article, make_category, make_image, make_page
from wordpress.middleware import WORDPRESS_KEYS
from wordpress.models import WordPressItem

pytestmark = pytest.mark.django_db

SITE = "https://old.example.com"


@pytest.fixture
def site(db):
    ModerationSettings.load()
    news = make_category("News")
    article = make_article("Warm or cold", categories=[news], tags=["politics"])
    page = make_page("About")
    image = make_image()
    author = article.authors.first()
    for kind, wp_id, target in [
        ("post", 4, {"article": article}),
        ("page", 306, {"page": page}),
        ("category", 7, {"category": news}),
        ("author", 2, {"user": author}),
        ("attachment", 9, {"image": image}),
    ]:
        WordPressItem.objects.create(site=SITE, kind=kind, wp_id=wp_id, **target)
    return article


def reader_paths(article):
    date = article.url_date
    day = f"/{date:%Y/%m/%d}/"
    return [
        "/", "/page/2/", "/?s=warm", "/?s=", "/feed/", "/feed/atom/", "/comments/feed/",
        "/sitemap.xml", "/robots.txt", "/about/", "/no-such-page/",
        article.get_absolute_url(), article.get_absolute_url() + "feed/",
        "/category/news/", "/category/news/page/2/", "/category/news/feed/", "/category/none/",
        "/tag/politics/", "/tag/politics/feed/", "/tag/none/",
        f"/author/{article.authors.first().username}/", "/author/nobody/",
        day, day[:9], day[:6], "/0000/", "/0001/", "/9999/", "/9999/12/", "/9999/12/31/",
        "/2024/02/30/", "/2024/13/", "/2024/00/",
        # WordPress's query-string addresses, known and unknown.
        "/?p=4", "/?p=5", "/?page_id=306", "/?page_id=4", "/?cat=7", "/?cat=8", "/?tag=politics",
        "/?tag=none", "/?author=2", "/?author=3", "/?m=2024", "/?m=202401", "/?m=20240115",
        "/?m=2024x", "/?feed=rss2", "/?feed=atom", "/?feed=comments-rss2", "/?feed=nope",
        "/?attachment_id=9", "/?attachment_id=10", "/?paged=2", "/?paged=1", "/?paged=0",
        "/?paged=2&s=warm",
        # Page numbers that are not pages.
        "/?page=0", "/?page=-1", f"/?page={10**20}", "/?page=two", "/page/0/", f"/page/{10**20}/",
        f"{article.get_absolute_url()}?cpage=-1", f"{article.get_absolute_url()}?cpage=999",
        "/?utm_source=newsletter",
    ]  # fmt: skip


def answer(path):
    response = Client().get(path)
    assert response.status_code < 500, path
    return response.status_code, response.get("Location")


def test_every_reader_address_answers_the_same_warm_as_cold(site):
    paths = reader_paths(site)
    cold = {}
    for path in paths:
        cache.clear()
        cold[path] = answer(path)
    for path in paths:  # every page drawn once: the cache is warm
        answer(path)
    warm = {path: answer(path) for path in paths}

    assert warm == cold
    assert answer("/")[0] == 200 and Client().get("/")["X-Page-Cache"] == "hit"


def test_wordpress_query_addresses_answer_as_wordpress_does(site):
    cache.clear()
    answer("/")  # the home page is cached
    assert answer("/?p=4") == (301, site.get_absolute_url())
    assert answer("/?page_id=306") == (301, "/about/")
    assert answer("/?cat=7") == (301, "/category/news/")
    assert answer("/?tag=politics") == (301, "/tag/politics/")
    assert answer("/?author=2")[1] == f"/author/{site.authors.first().username}/"
    assert answer("/?m=202401") == (301, "/2024/01/")
    assert answer("/?paged=2&s=warm") == (301, "/page/2/?s=warm")
    assert answer("/?attachment_id=9")[0] == 301
    for unknown in ("/?p=5", "/?page_id=4", "/?cat=8", "/?tag=none", "/?author=3", "/?paged=0"):
        assert answer(unknown) == (404, None), unknown


def test_the_feed_query_is_a_feed_not_a_page(site):
    response = Client().get("/?feed=rss2", follow=True)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")


def test_tracking_parameters_share_the_page(site):
    answer("/")

    assert Client().get("/?utm_source=x&utm_medium=y")["X-Page-Cache"] == "hit"
    assert Client().get("/?page=0").status_code == 404


def extreme_values():
    return st.sampled_from(
        ["0", "00", "0000", "1", "0001", "9999", "10000", "-1", str(10**20), "x", "%00",
         "%ff", "%C0%AF", "%E2%80%AE", "..", "%2F", " "]
    )  # fmt: skip


ROUTES = [
    "/{}/", "/{}/12/", "/2024/{}/", "/2024/01/{}/", "/9999/12/{}/", "/page/{}/", "/?page={}",
    "/?cpage={}", "/category/{}/", "/category/news/page/{}/", "/tag/{}/", "/author/{}/",
    "/2024/01/15/{}/", "/{}/feed/", "/?s={}", "/?m={}", "/?paged={}",
    *(f"/?{key}={{}}" for key in WORDPRESS_KEYS),
]  # fmt: skip


@given(route=st.sampled_from(ROUTES), value=extreme_values())
def test_extreme_values_in_any_route_are_never_a_server_error(site, route, value):
    path = route.format(value)
    cold = answer(path)
    warm = answer(path)

    assert warm == cold, path
    if value in ("0", "00", "-1", str(10**20), "x") and ("page" in route):
        assert cold[0] == 404, path


@given(path=st.text(min_size=1, max_size=40))
def test_any_text_as_an_address_is_never_a_server_error(site, path):
    answer("/" + path.replace("#", "").lstrip("/"))


def test_an_address_with_a_parameter_no_page_reads_is_not_stored(site):
    Client().get("/?x=1")

    again = Client().get("/?x=1")
    assert again.status_code == 200 and "X-Page-Cache" not in again  # drawn afresh, not kept
    assert Client().get("/?s=warm").status_code == 200
    assert Client().get("/?s=warm")["X-Page-Cache"] == "hit"  # a parameter the page reads
