"""How a published comment reads on the article page: plain text, never the commenter's HTML."""

import pytest
from django.utils.html import linebreaks, urlize
from hypothesis import given, settings
from hypothesis import strategies as st

from blog.text import clean_text
from comments.models import Comment
from comments.text import comment_html
from tests.comments.conftest import make_comment

pytestmark = pytest.mark.django_db


@pytest.fixture
def show(read, article):
    """The comment's text block and its author line, as a reader sees them."""

    def show(**fields):
        comment = make_comment(article, **fields)
        shown = read(article.get_absolute_url()).comment(comment)
        return shown.find(cls="comment__content"), shown.find(cls="comment__author")

    return show


def test_html_in_a_comment_shows_as_text(show):
    content, _author = show(content='<script>alert("owned")</script> <b>bold</b> Fish &amp; chips')

    assert content.text == '<script>alert("owned")</script> <b>bold</b> Fish &amp; chips'
    assert content.find_all("script") == content.find_all("b") == []


def test_blank_lines_make_paragraphs_and_single_newlines_breaks(show):
    content, _author = show(content="First line\nsame paragraph\n\nSecond paragraph")

    paragraphs = content.find_all("p")
    assert [p.text for p in paragraphs] == ["First line same paragraph", "Second paragraph"]
    assert len(paragraphs[0].find_all("br")) == 1


@pytest.mark.parametrize(
    ("typed", "href"),
    [
        ("https://example.org/a?x=1&y=2", "https://example.org/a?x=1&y=2"),
        ("www.example.org", "http://www.example.org"),
    ],
)
def test_web_addresses_become_nofollow_ugc_links(show, typed, href):
    content, _author = show(content=f"Read {typed} today.")

    (link,) = content.find_all("a")
    assert link.attrs["href"] == href
    assert link.attrs["rel"].split() == ["nofollow", "ugc"]
    assert content.text == f"Read {typed} today."


def test_long_addresses_are_shortened_on_screen_but_linked_whole(show):
    url = "https://example.org/" + "long-path/" * 10

    content, _author = show(content=url)

    link = content.find("a")
    assert link.attrs["href"] == url
    assert len(link.text) <= 60
    assert link.text.endswith("…")


def test_script_addresses_are_never_links(show):
    content, _author = show(content="javascript:alert(1) and data:text/html,<h1>x</h1>")

    assert content.find_all("a") == []


def test_author_name_links_to_their_website_with_nofollow_ugc(show):
    _content, author = show(author_name="Ada <i>L</i>", author_url="https://ada.example/")

    link = author.find("a")
    assert link.text == "Ada <i>L</i>"
    assert link.attrs["href"] == "https://ada.example/"
    assert {"nofollow", "ugc"} <= set(link.attrs["rel"].split())


def test_author_without_website_is_plain_text(show):
    _content, author = show(author_name="Ada", author_url="")

    assert author.text == "Ada"
    assert author.find_all("a") == []


# Comment text is rendered once, when saved; a shortcut skips urlize for text it cannot link.
# The stored HTML must be exactly what linking every word would give, whatever a reader types.
URLISH = st.sampled_from(
    ["http://", "https://", "www.", "@", ".com", ".ORG", ".net/", "example", " ", "\n", ".", ")",
     "&", "<", "İ", "ı", "K", "mailto:", "a.b", "x@y.int", ",", "!"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(URLISH, st.text(max_size=8)), max_size=20).map("".join))
def test_stored_html_is_what_linking_every_word_gives(typed):
    text = clean_text(typed)
    linked = urlize(text, trim_url_limit=60, nofollow=True, autoescape=True)
    expected = linebreaks(linked.replace('rel="nofollow"', 'rel="nofollow ugc"'))

    assert comment_html(typed) == expected


def test_a_comment_is_rendered_when_saved_and_again_when_edited(article):
    comment = make_comment(article, content="See example.com <b>now</b>")
    assert 'href="http://example.com"' in comment.html
    assert "&lt;b&gt;" in comment.html

    comment.content = "Plain words"
    comment.save(update_fields=["content"])
    comment.refresh_from_db()
    assert comment.html == "<p>Plain words</p>"


def test_the_page_shows_the_stored_html_without_rendering_it_again(read, article):
    comment = make_comment(article, content="Read example.org")
    Comment.objects.filter(pk=comment.pk).update(html="<p>As rendered when saved</p>")

    shown = read(article.get_absolute_url()).comment(comment).find(cls="comment__content")

    assert shown.text.strip() == "As rendered when saved"
