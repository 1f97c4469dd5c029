"""Any text a person can type, in any field of the comment form: stored and shown correctly, or
refused with a clear 400; never a 500, never half-stored, never a broken page or feed."""

import itertools
import re

import feedparser
import pytest
from django.core.cache import cache
from django.test import Client
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from blog.text import clean_line, clean_text, fold
from comments.hosts import website_host
from comments.models import Comment
from comments.moderation import find_word
from tests.browser.test_html import check_with_vnu
from tests.browser.tools import require_vnu
from tests.comments.conftest import BROWSER, POST_URL, Page, form_data, make_comment
from tests.factories import make_moderator

pytestmark = pytest.mark.django_db
_readers = itertools.count(1)

# Text as people type it, and as scripts send it: any code point a form can carry, with the
# ones that broke something before drawn more often than chance would.
TRICKY = ["\x00", "\x0b", "\x1b", "\r\n", "\r", "\t", "\x85", "\u2028", "\u200b", "\u202e",
          "\u2066", "\ufeff", "\ufffe", "\ufdd0", "\U0001f600", "\U0010ffff", "Иван", "李",
          "\u0627\u0644", "e\u0301", "ｃａｓｉｎｏ", "<b>", "&amp;", '"', "'"]  # fmt: skip
typed = st.lists(
    st.one_of(st.characters(exclude_categories=["Cs"]), st.sampled_from(TRICKY)), max_size=40
).map("".join)


def post_as_new_reader(article, *, browser=None, **fields):
    """Post the form as someone new: an address and an email of their own (no flood window)."""
    n = next(_readers)
    fields.setdefault("email", f"reader{n}@example.com")
    return (browser or Client()).post(
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


@given(
    fields=st.fixed_dictionaries(
        {},
        optional={"name": typed, "email": typed, "url": typed, "content": typed,
                  "hp_website": typed, "parent": typed, "remember": typed},
    )
)  # fmt: skip
def test_any_text_in_every_field_at_once_is_never_a_server_error(article, fields):
    before = Comment.objects.count()

    response = post_as_new_reader(article, **fields)

    assert response.status_code < 500, response.status_code
    assert response.status_code in (302, 400, 409), response.status_code
    if response.status_code != 302:
        assert Comment.objects.count() == before


@pytest.mark.parametrize("value", ["9" * 30, "-1", "abc", "", "²", "٣"])
def test_any_text_as_the_article_id_is_never_a_server_error(article, value):
    data = form_data(article)
    data["article"] = value
    client = Client(raise_request_exception=False)

    response = client.post(POST_URL, data, REMOTE_ADDR="10.8.1.1", HTTP_USER_AGENT=BROWSER)

    assert response.status_code in (400, 404)


@pytest.mark.parametrize("secure", [True, False])
def test_remembered_details_travel_only_as_the_page_did(article, client, secure):
    """Over HTTPS the remembered name, email and website are Secure cookies, as the session is:
    never sent again over plain HTTP."""
    response = client.post(POST_URL, form_data(article, remember="on"), REMOTE_ADDR="10.8.0.2",
                           secure=secure)  # fmt: skip

    assert response.status_code == 302
    for name in ("comment_author", "comment_author_email", "comment_author_url"):
        assert bool(response.cookies[name]["secure"]) == secure


def test_a_non_latin_name_can_be_remembered(article, client):
    response = client.post(
        POST_URL, form_data(article, name="Иван Петров", remember="on"), REMOTE_ADDR="10.8.0.1"
    )

    assert response.status_code == 302
    assert Comment.objects.get().author_name == "Иван Петров"
    cookie = response.cookies["comment_author"].value
    assert cookie.isascii()  # a header holds Latin-1 only
    form = Page(client.get(article.get_absolute_url())).form_values()
    assert form["name"] == "Иван Петров"
    assert form["remember"] is True


@pytest.mark.parametrize(
    ("cookie", "shown"),
    [
        ("Ada Lovelace", "Ada Lovelace"),  # set before names were encoded
        ("100% sure", "100% sure"),  # not an escape at all
        ("%D0%98%D0%B2%D0%B0%D0%BD", "Иван"),
        ("%FF%FE%00", "\ufffd\ufffd"),  # not UTF-8, and a NUL
        ("a%0D%0Ab", "a b"),  # a line break, in a one-line field
    ],
)
def test_a_remembered_name_is_read_back_whatever_the_cookie_holds(article, cookie, shown):
    browser = Client()
    browser.cookies["comment_author"] = cookie

    response = browser.get(article.get_absolute_url())

    assert response.status_code == 200
    assert Page(response).form_values()["name"] == shown


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("https://аpple.com/", 302),  # stored; moderators see it in punycode
        ("https://例え.jp/?q=<b>", 302),
        ("https://[2001:db8::1]/", 302),
        ("https://´µ.org/", 400),  # a space once a browser maps the host
        ("https://a\u202eb.org/", 400),
        ("https://app\u200dle.com/", 400),
        # A browser reads a backslash as "/" and goes to good.example; the host read from the
        # address is evil.example: what moderators are shown is not where it leads.
        ("https://good.example\\@evil.example/", 400),
    ],
)
def test_a_website_host_is_stored_only_when_a_browser_can_follow_it(article, url, status):
    response = post_as_new_reader(article, url=url)

    assert response.status_code == status
    assert Comment.objects.filter(author_url=url).exists() == (status == 302)


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
    comment = make_comment(article, author_url="https://аpple.com/", status=Comment.Status.HELD,
                           content="Cheap \u202egnirpsarf phones")  # fmt: skip
    client.force_login(make_moderator())

    queue = Page(client.get("/admin/comments/comment/?status__exact=held"))
    form = Page(client.get(f"/admin/comments/comment/{comment.pk}/change/"))

    author = queue.find("td", cls="field-author")
    assert "аpple.com (xn--pple-43d.com)" in author.text
    assert author.find("bdi").text == comment.author_name
    assert queue.find(cls="field-excerpt").find("span").attrs["dir"] == "auto"
    assert "аpple.com (xn--pple-43d.com)" in form.find(cls="field-website").text


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://аpple.com/", ("аpple.com", "xn--pple-43d.com")),
        ("https://xn--pple-43d.com/x", ("аpple.com", "xn--pple-43d.com")),
        ("https://APPLE.com:8080/", ("apple.com", "apple.com")),
        ("https://ａpple.com/", ("ａpple.com", "apple.com")),  # browsers go to apple.com
        ("https://straße.de/", ("straße.de", "xn--strae-oqa.de")),  # not strasse.de
        ("https://app\u200dle.com/", ("app[U+200D]le.com", "xn--apple-zt3b.com")),
        ("https://\u202emoc.elppa/", ("[U+202E]moc.elppa", "xn--moc-4q0a.elppa")),
        ("https://xn--9999999999a.com/", ("xn--9999999999a.com", "xn--9999999999a.com")),
        ("https://[::1/", ("https://[::1/", "https://[::1/")),
    ],
)
def test_a_website_host_is_shown_as_the_link_reaches_it(url, shown):
    assert website_host(url) == shown


@given(url=st.one_of(typed, typed.map(lambda text: "https://" + text)))
def test_showing_any_stored_website_never_fails(url):
    unicode_host, ascii_host = website_host(url)

    assert ascii_host.isascii()
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", unicode_host)
    assert "xn--" in ascii_host or unicode_host == ascii_host or not unicode_host.isascii()


def test_the_moderation_queue_shows_any_stored_website(article, client):
    for url in [
        "https://[::1/",
        "https://xn--9999999999a.com/",
        "https://a..b/",
        "http://\x01/",  # (PostgreSQL stores no NUL)
        "https://" + "é" * 80 + ".com/",
        "https://xn--ls8h.la/",
        "javascript:alert(1)",
    ]:
        make_comment(article, author_url=url, status=Comment.Status.HELD)  # fmt: skip
    client.force_login(make_moderator())

    response = client.get("/admin/comments/comment/?status__exact=held")

    assert response.status_code == 200
    assert "💩.la (xn--ls8h.la)" in Page(response).text


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
    """Every page a reader gets after typing anything: the form drawn again after a refusal,
    their own held comment, and the approved comment as everyone sees it. The pages are
    collected first and checked in one run of the Nu checker (the JVM is slow to start)."""
    require_vnu()
    pages = {}

    def keep(name, response):
        pages[f"{name}-{len(pages)}"] = {"html": response.content.decode(), "text": text}

    samples = ["\u202eevil\u202c", "Иван", "李小龍", "<script>x</script>", "a\x0bb",
               "\U0001f600", "\u0627\u0644\u0633\u0644\u0627\u0645", "tab\there", "x\ufdd0y",
               "e\u0301"]  # fmt: skip
    for n, text in enumerate(samples):
        post_as_new_reader(article, name=text, content=f"{text}\n\n{text} https://example.com/{n}")
    assert Comment.objects.count() == len(samples)
    Comment.objects.update(status=Comment.Status.APPROVED)
    cache.clear()
    keep("samples", Client().get(article.get_absolute_url()))

    # Mostly text the form accepts (something visible in each required field), some it refuses.
    words = typed.map("{} x".format)
    sites = st.sampled_from(["", "https://аpple.com/\u202e", "https://例え.jp/?q=<b>"])

    @hypothesis_settings(max_examples=20)
    @given(name=words, content=words, url=st.one_of(sites, typed.map("https://{}.org/".format)))
    def collect(name, content, url):
        nonlocal text
        text = (name, content, url)
        Comment.objects.all().delete()
        browser = Client()
        response = post_as_new_reader(article, browser=browser, name=name, content=content, url=url)
        if response.status_code != 302:
            keep("refused", response)
            return
        Comment.objects.update(status=Comment.Status.HELD)
        keep("held", browser.get(article.get_absolute_url()))
        Comment.objects.update(status=Comment.Status.APPROVED)
        cache.clear()
        keep("approved", Client().get(article.get_absolute_url()))

    text = None
    collect()
    check_with_vnu(pages, tmp_path)

    invalid = {
        name: (page["text"], page["errors"]) for name, page in pages.items() if page["errors"]
    }
    assert not invalid
    assert {name.split("-")[0] for name in pages} == {"samples", "refused", "held", "approved"}


def test_an_old_name_with_control_characters_is_shown_clean(article):
    make_comment(article, author_name="Old\x1bName\r\nTwo")

    html = Client().get(article.get_absolute_url()).content.decode()

    assert "<bdi>OldName Two</bdi>" in html and "\x1b" not in html
