"""What a reader hit on the blog's own pages: the search page echoing control characters, and
author pages confirming the usernames of people who never published a word."""

import re
import unicodedata
from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from tests.factories import make_article, make_draft, make_moderator, make_user

pytestmark = pytest.mark.django_db


def forbidden_in(text: str) -> list[str]:
    """The code points in `text` that HTML and XML 1.0 do not allow in a document: controls
    other than tab, line feed and carriage return, surrogates and noncharacters."""
    return [
        f"U+{ord(ch):04X}"
        for ch in text
        if (unicodedata.category(ch) == "Cc" and ch not in "\t\n\r")
        or unicodedata.category(ch) == "Cs"
        or 0xFDD0 <= ord(ch) <= 0xFDEF
        or ord(ch) & 0xFFFE == 0xFFFE
    ]


def shown_query(html: str) -> dict:
    """Where the search page shows the query: its title, its heading and its search box."""
    return {
        "title": re.search(r"<title>(.*?)</title>", html, re.S).group(1),
        "h1": re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S).group(1),
        "input": re.search(r'id="search-query" name="s" value="([^"]*)"', html).group(1),
    }


# 6. The search page ----------------------------------------------------------------------


def test_control_characters_in_a_search_are_not_shown(client):
    make_article("Abc of gardening", body="<p>abc</p>")

    response = client.get("/?s=a%00b%01c")

    assert response.status_code == 200
    html = response.content.decode()
    assert forbidden_in(html) == []
    shown = shown_query(html)
    assert "Search results for “abc”" in shown["title"]
    assert shown["h1"] == "Search results for “abc”"
    assert shown["input"] == "abc"
    assert "Abc of gardening" in html  # and the lookup is the query shown


def test_a_search_of_only_control_characters_is_an_empty_search(client):
    response = client.get("/", {"s": "\x00\x01\x7f"})

    assert response.status_code == 200
    assert shown_query(response.content.decode())["h1"] == "Search"


def test_line_breaks_in_a_search_are_spaces(client):
    response = client.get("/", {"s": "tea\r\nand\ttoast"})

    assert shown_query(response.content.decode())["input"] == "tea and toast"


@given(query=st.text())
def test_any_text_searched_gives_a_page_with_no_forbidden_character(client, query):
    response = client.get("/", {"s": query})

    assert response.status_code == 200
    assert forbidden_in(response.content.decode()) == []


# 11. Author pages ------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["", "feed/"])
def test_staff_who_never_wrote_have_no_author_page(client, suffix):
    make_moderator()  # "Demo Moderator" in the demo
    make_article("Someone else's piece")

    assert client.get(f"/author/moderator/{suffix}").status_code == 404


@pytest.mark.parametrize(
    "unpublished",
    [
        lambda author: make_draft("A draft", authors=[author]),
        lambda author: make_article(
            "Tomorrow's", authors=[author], published_at=timezone.now() + timedelta(days=1)
        ),
    ],
    ids=["draft", "scheduled"],
)
def test_an_author_with_nothing_public_has_no_author_page(client, unpublished):
    author = make_user("hopeful", first_name="Hopeful")
    unpublished(author)

    assert client.get("/author/hopeful/").status_code == 404
    assert client.get("/author/hopeful/feed/").status_code == 404


def test_an_author_with_a_public_article_has_their_page_and_feed(client):
    author = make_user("jane", first_name="Jane", last_name="Doe")
    make_draft("Not yet", authors=[author])
    make_article("Out now", authors=[author])

    page = client.get("/author/jane/")
    feed = client.get("/author/jane/feed/")

    assert page.status_code == 200
    assert "Jane Doe" in page.content.decode() and "Out now" in page.content.decode()
    assert "Not yet" not in page.content.decode()
    assert feed.status_code == 200
    assert "Out now" in feed.content.decode()


def test_an_author_page_is_gone_once_their_only_article_is_unpublished(client):
    author = make_user("brief", first_name="Brief")
    article = make_article("Short-lived", authors=[author])
    assert client.get("/author/brief/").status_code == 200

    article.status = article.Status.DRAFT
    article.save()

    assert client.get("/author/brief/").status_code == 404
