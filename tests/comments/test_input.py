"""Any text a person can type, in any field of the comment form: stored and shown correctly, or
refused with a clear 400; never a 500, never half-stored, never a broken page or feed."""

import itertools
import re

import feedparser
import pytest
from django.core.cache import cache
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from blog.text import clean_line, clean_text, fold
from comments.models import Comment
from comments.moderation import find_word
from tests.browser.test_html import check_with_vnu
from tests.browser.tools import require_vnu
from tests.comments.conftest import BROWSER, POST_URL, Page, form_data, make_comment
from tests.factories import make_moderator

pytestmark = pytest.mark.django_db
_readers = itertools.count(1)

# Text as people type it, and as scripts send it: any code point a form can carry.
typed = st.text(st.characters(exclude_categories=["Cs"]), max_size=80)


def post_as_new_reader(article, **fields):
    """Post the form as someone new: an address and an email of their own (no flood window)."""
    n = next(_readers)
    fields.setdefault("email", f"reader{n}@example.com")
    return Client().post(
        POST_URL,
        form_data(article, **fields),
        REMOTE_ADDR=f"10.9.{n // 250}.{n % 250 + 1}",
        HTTP_USER_AGENT=BROWSER,
    )


@given(field=st.sampled_from(["name", "email", "url", "content"]), text=typed)
def test_any_text_in_any_field_is_stored_or_refused_never_a_server_error(article, field, text):
    before = Comment.objects.count()

    response = post_as_new_reader(article, **{field: text})

    assert response.status_code in (302, 400), response.status_code
    if response.status_code == 400:
        assert Comment.objects.count() == before  # nothing half-stored
        kept = Page(response).form_values()[field]
        clean = clean_text if field == "content" else clean_line
        assert kept.strip() == clean(text).strip(), (kept, text)  # kept, as one clean line
    else:
        comment = Comment.objects.latest("pk")
        one_line = {comment.author_name, comment.author_email, comment.author_url}
        assert not any(re.search(r"[\x00-\x1f\x7f-\x9f]", value) for value in one_line)
        assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", comment.content)


def test_a_non_latin_name_can_be_remembered(article, client):
    response = client.post(
        POST_URL, form_data(article, name="Иван Петров", remember="on"), REMOTE_ADDR="10.8.0.1"
    )

    assert response.status_code == 302
    cookie = response.cookies["comment_author"].value
    assert cookie.isascii()  # a header holds Latin-1 only
    form = Page(client.get(article.get_absolute_url())).form_values()
    assert form["name"] == "Иван Петров"


def test_a_name_with_line_breaks_is_one_line(article):
    response = post_as_new_reader(article, name="Eve\r\nBcc: everyone@example.com")

    assert response.status_code == 302
    assert Comment.objects.get().author_name == "Eve Bcc: everyone@example.com"


def test_a_vertical_tab_in_an_old_comment_does_not_break_the_feeds(article):
    make_comment(article, content="Before\x0bafter and \ufffe.", author_name="Old\x1bName")

    for feed in ("/comments/feed/", article.get_absolute_url() + "feed/"):
        response = Client().get(feed)
        assert response.status_code == 200, feed
        parsed = feedparser.parse(response.content)
        assert parsed.bozo == 0, (feed, parsed.bozo_exception)
        assert "Beforeafter" in parsed.entries[0].summary


def test_a_right_to_left_override_in_a_name_stays_inside_its_name(article):
    make_comment(article, author_name="\u202emoc.elpmaxe")

    html = Client().get(article.get_absolute_url()).content.decode()

    assert "<bdi>\u202emoc.elpmaxe</bdi>" in html
    assert 'class="comment__content" dir="auto"' in html


def test_moderators_see_a_look_alike_host_in_punycode(article, client):
    make_comment(article, author_url="https://аpple.com/", status=Comment.Status.HELD)
    client.force_login(make_moderator())

    html = client.get("/admin/comments/comment/?status__exact=held").content.decode()

    assert "аpple.com (xn--pple-43d.com)" in html


@pytest.mark.parametrize("disguised", ["ca\u200bsino", "ｃａｓｉｎｏ", "CASINO", "ca\u00adsino"])
def test_disallowed_words_are_found_in_disguise(article, rules, disguised):
    rules.disallowed_words = "casino"
    rules.save()

    post_as_new_reader(article, content=f"Best {disguised} online")

    comment = Comment.objects.get()
    assert comment.status == Comment.Status.SPAM
    assert "casino" in comment.reason


@given(
    word=st.text(st.characters(categories=["Ll"], max_codepoint=0x24F), min_size=2, max_size=8),
    invisible=st.sampled_from(["\u200b", "\u200c", "\u200d", "\u2060", "\u00ad", "\ufe0f"]),
    at=st.integers(min_value=1, max_value=7),
)
def test_a_word_is_found_whatever_is_hidden_inside_it(word, invisible, at):
    hidden = word[:at] + invisible + word[at:]
    wide = "".join(chr(ord(c) + 0xFEE0) if "a" <= c <= "z" else c for c in hidden)

    assert find_word([word], f"say {hidden} now") == word
    assert find_word([word], wide.upper()) == word or fold(word) != fold(word.upper())


stored_text = st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=60)


@given(name=stored_text, content=stored_text)
def test_a_stored_comment_leaves_its_feeds_readable(article, name, content):
    response = post_as_new_reader(article, name=name, content=content)
    if response.status_code != 302:
        return
    Comment.objects.update(status=Comment.Status.APPROVED)
    cache.clear()

    for feed in ("/comments/feed/", article.get_absolute_url() + "feed/"):
        parsed = feedparser.parse(Client().get(feed).content)
        assert parsed.bozo == 0, (feed, parsed.bozo_exception)


def test_pages_with_any_text_in_comments_are_valid_html(article, tmp_path):
    require_vnu()
    samples = ["\u202eevil\u202c", "Иван", "李小龍", "<script>x</script>", "a\x0bb",
               "\U0001f600", "\u0627\u0644\u0633\u0644\u0627\u0645", "tab\there", "x\ufdd0y",
               "e\u0301"]  # fmt: skip
    for n, text in enumerate(samples):
        post_as_new_reader(article, name=text, content=f"{text}\n\n{text} https://example.com/{n}")
    Comment.objects.update(status=Comment.Status.APPROVED)
    cache.clear()
    pages = {"article": {"html": Client().get(article.get_absolute_url()).content.decode()}}

    check_with_vnu(pages, tmp_path)

    assert pages["article"]["errors"] == []
    assert Comment.objects.count() == len(samples)
