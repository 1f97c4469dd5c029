"""Posting a comment through the article's form: what the poster sees, what others see, and
every way a comment is refused (with its status and message, and nothing stored)."""

import time
from datetime import timedelta

import pytest
from django.core import signing
from django.db import OperationalError, connection
from django.utils import timezone

from comments.forms import SIGNER_SALT, sign_form
from comments.models import Comment
from tests.comments.conftest import Page, make_comment, posted
from tests.factories import make_article, make_draft, make_page, make_user

pytestmark = pytest.mark.django_db

HELD_NOTICE = "Your comment is awaiting moderation."


def signed_ago(article, age):
    """A form signature made `age` ago, as a page loaded then would carry it."""

    class Signer(signing.TimestampSigner):
        def timestamp(self):
            return signing.b62_encode(int(time.time() - age.total_seconds()))

    return Signer(salt=SIGNER_SALT).sign(str(article.pk))


def assert_refused(response, status, message):
    assert response.status_code == status
    assert message in Page(response).text
    assert not Comment.objects.filter(content="What a lovely piece.").exists()


# Who sees a new comment --------------------------------------------------------------------


def test_returning_commenter_is_published_at_the_comment_anchor(
    post, read, client, stranger, article, ada_returns
):
    comment = posted(post(article, content="Lovely, as ever."))

    landing = client.get(comment.get_absolute_url())
    assert landing["Location"] == f"{article.get_absolute_url()}#comment-{comment.pk}"
    for browser in (client, stranger):
        shown = read(article.get_absolute_url(), browser=browser).comment(comment)
        assert "Lovely, as ever." in shown.text
        assert HELD_NOTICE not in shown.text


def test_first_time_commenter_is_held_and_only_the_poster_sees_it_without_links(
    post, read, stranger, article
):
    comment = posted(
        post(article, content="More at https://ada.example/notes", url="https://ada.example")
    )

    assert comment.status == Comment.Status.HELD
    mine = read(article.get_absolute_url()).comment(comment)
    assert HELD_NOTICE in mine.text
    assert "More at https://ada.example/notes" in mine.text
    assert mine.find_all("a", href="https://ada.example/notes") == []
    assert mine.find_all("a", href="https://ada.example") == []
    theirs = read(article.get_absolute_url(), browser=stranger)
    assert theirs.comment(comment) is None
    assert "ada.example" not in theirs.text


def test_spam_verdict_looks_held_to_the_poster_and_is_hidden_from_others(
    akismet, post, read, stranger, article, ada_returns
):
    comment = posted(post(article, name="akismet-guaranteed-spam", content="Cheap pills"))

    assert comment.status == Comment.Status.SPAM
    assert HELD_NOTICE in read(article.get_absolute_url()).comment(comment).text
    assert read(article.get_absolute_url(), browser=stranger).comment(comment) is None


def test_discard_verdict_is_shown_to_nobody(akismet, post, read, stranger, article):
    comment = posted(post(article, name="akismet-guaranteed-discard", content="Cheap pills"))

    assert comment.verdict == Comment.Verdict.DISCARD
    for browser in (None, stranger):
        page = read(article.get_absolute_url(), browser=browser)
        assert page.comment(comment) is None
        assert "Cheap pills" not in page.text


# Bad input: 400, the form as typed, nothing stored -----------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("content", "", "This field is required."),
        ("content", "  \n\n  ", "Please type your comment."),
        ("email", "ada-at-example.com", "Enter a valid email address."),
        ("url", "ftp://x", "Enter a valid URL."),
        ("url", "javascript:alert(1)", "Enter a valid URL."),
        ("name", "n" * 246, "Ensure this value has at most 245 characters (it has 246)."),
        ("content", "c" * 65_526, "Ensure this value has at most 65525 characters"),
    ],
    ids=["empty", "blank", "email", "ftp-url", "javascript-url", "long-name", "long-comment"],
)
def test_invalid_reply_comes_back_as_typed(post, article, field, value, error):
    parent = make_comment(article, author_name="Grace")
    typed = {
        "name": "Ada Lovelace",
        "email": "ada@example.com",
        "url": "https://ada.example/",
        "content": "Line one\n\nLine two",
        field: value,
    }

    response = post(article, parent=parent.pk, **typed)

    assert response.status_code == 400
    page = Page(response)
    assert error in page.text
    values = page.form_values()
    assert {name: values[name] for name in typed} == typed
    assert values["parent"] == str(parent.pk)
    assert "Leave a Reply to Grace" in page.by_id("reply-title").text
    assert list(Comment.objects.all()) == [parent]


@pytest.mark.parametrize(
    ("field", "attribute", "value"),
    [
        ("name", "author_name", "n" * 245),
        ("email", "author_email", "a" * 64 + "@" + "b" * 31 + ".com"),
        ("url", "author_url", "https://example.com/" + "p" * 180),
        ("content", "content", "c" * 65_525),
    ],
    ids=["name-245", "email-100", "url-200", "comment-65525"],
)
def test_longest_allowed_values_are_stored_whole(post, article, field, attribute, value):
    comment = posted(post(article, **{field: value}))

    assert getattr(comment, attribute) == value


# Refusals ----------------------------------------------------------------------------------


def test_closed_article_refuses_comments(post, article):
    article.comments_open = False
    article.save()

    response = post(article)

    assert_refused(response, 403, "Comments are closed on this article.")


def test_comments_close_after_the_configured_number_of_days(post, rules):
    rules.close_after_days = 14
    rules.save()
    old = make_article(published_at=timezone.now() - timedelta(days=15))
    recent = make_article(published_at=timezone.now() - timedelta(days=13))

    assert_refused(post(old), 403, "Comments are closed on this article.")
    assert posted(post(recent, email="someone@example.com"))


@pytest.mark.parametrize(
    "make_hidden",
    [
        lambda: make_draft(),
        lambda: make_article(published_at=timezone.now() + timedelta(days=1)),
    ],
    ids=["draft", "scheduled"],
)
def test_unpublished_article_is_not_found(post, db, make_hidden):
    response = post(make_hidden())

    assert response.status_code == 404
    assert not Comment.objects.exists()


def test_filled_honeypot_is_refused(post, article):
    response = post(article, hp_website="https://cheap.example")

    assert_refused(response, 400, "Your comment could not be accepted.")


def test_form_older_than_two_hours_asks_to_try_again_and_keeps_the_comment(post, article):
    response = post(article, signature=signed_ago(article, timedelta(hours=2, minutes=1)))

    assert_refused(response, 400, "This form has expired. Please try again")
    values = Page(response).form_values()
    assert values["content"] == "What a lovely piece."
    # The page came back with a fresh signature: sending it again works.
    assert posted(post(article, signature=values["signature"]))


def test_form_signed_under_two_hours_ago_is_accepted(post, article):
    assert posted(post(article, signature=signed_ago(article, timedelta(hours=1, minutes=55))))


@pytest.mark.parametrize("signature", ["", "1:forged:signature", "other-article"])
def test_missing_or_forged_signature_is_refused(post, article, signature):
    if signature == "other-article":
        signature = signed_ago(make_article(), timedelta(0))

    response = post(article, signature=signature)

    assert_refused(response, 400, "This form has expired. Please try again")


def test_same_ip_within_the_flood_window_is_slowed_down(post, article):
    assert posted(post(article, ip="192.0.2.7", email="one@example.com", content="First."))

    response = post(article, ip="192.0.2.7", email="two@example.com")

    assert_refused(response, 429, "You are posting comments too quickly. Slow down.")


def test_same_email_from_another_ip_within_the_flood_window_is_slowed_down(post, article):
    assert posted(post(article, ip="192.0.2.7", content="First."))

    response = post(article, ip="192.0.2.8")

    assert_refused(response, 429, "You are posting comments too quickly. Slow down.")


def test_same_person_may_post_again_once_the_flood_window_has_passed(post, article, settings):
    settings.COMMENTS_FLOOD_SECONDS = 1
    assert posted(post(article, ip="192.0.2.7", content="First."))
    time.sleep(1.1)

    assert posted(post(article, ip="192.0.2.7", content="Second."))


def test_exact_duplicate_is_refused(post, article):
    assert posted(post(article))

    response = post(article)

    assert response.status_code == 409
    assert (
        "Duplicate comment detected; it looks as though you’ve already said that!"
        in Page(response).text
    )
    assert Comment.objects.count() == 1


def fail_first_insert_into(table):
    """A database hiccup: the first INSERT into `table` fails, as a locked database does."""
    failed = []

    def wrapper(execute, sql, params, many, context):
        if not failed and sql.startswith(f'INSERT INTO "{table}"'):
            failed.append(sql)
            raise OperationalError("database is locked")
        return execute(sql, params, many, context)

    return wrapper


def test_database_hiccup_keeps_the_comment_and_asks_to_try_again(post, article):
    with connection.execute_wrapper(fail_first_insert_into("comments_comment")):
        response = post(article)

    assert_refused(response, 503, "We could not save your comment just now.")
    assert Page(response).form_values()["content"] == "What a lovely piece."


def test_trying_again_after_a_database_hiccup_works(post, article):
    with connection.execute_wrapper(fail_first_insert_into("comments_comment")):
        response = post(article, ip="192.0.2.7")
    assert response.status_code == 503

    again = post(article, ip="192.0.2.7", signature=Page(response).form_values()["signature"])

    assert again.status_code == 302
    assert Comment.objects.count() == 1


@pytest.mark.parametrize(
    "parent_of",
    [
        lambda article: make_comment(article, status=Comment.Status.HELD),
        lambda article: make_comment(make_article()),
        lambda article: Comment(pk=999_999),
    ],
    ids=["held-parent", "other-article", "missing-parent"],
)
def test_reply_to_a_comment_readers_cannot_see_is_refused(post, article, parent_of):
    parent = parent_of(article)

    response = post(article, parent=parent.pk)

    assert_refused(response, 400, "The comment you are replying to is not available.")


# The form ----------------------------------------------------------------------------------


def test_ticked_remember_me_fills_in_the_next_form(post, read, article):
    post(article, name="Zoë Ångström", email="zoe@example.com", url="https://zoe.example/",
         remember="on")  # fmt: skip

    values = read(article.get_absolute_url()).form_values()

    assert (values["name"], values["email"], values["url"]) == (
        "Zoë Ångström",
        "zoe@example.com",
        "https://zoe.example/",
    )
    assert values["remember"] is True


def test_unticked_remember_me_leaves_no_trace(post, read, article):
    response = post(article, url="https://ada.example/")

    assert all(not response.cookies[c].value for c in response.cookies if c.startswith("comment_"))
    values = read(article.get_absolute_url()).form_values()
    assert (values["name"], values["email"], values["url"], values["remember"]) == (
        "",
        "",
        "",
        False,
    )


def test_unticking_remember_me_forgets_what_was_remembered(post, read, article, time_passes):
    post(article, remember="on", content="One.")
    time_passes()
    post(article, content="Two.")

    assert read(article.get_absolute_url()).form_values()["name"] == ""


def test_signed_in_reader_comments_as_themselves(post, read, client, article):
    user = make_user("grace", first_name="Grace", last_name="Hopper")
    client.force_login(user)

    page = read(article.get_absolute_url())
    assert "You are commenting as Grace Hopper (email)." in page.by_id("commentform").text
    assert page.find("label", for_="id_name") is None
    assert page.find("label", for_="id_email") is None

    comment = posted(post(article, name="", email="", content="Signed in."))
    assert (comment.author_name, comment.author_email, comment.user) == (
        "Grace Hopper",
        "grace@example.com",
        user,
    )


def test_akismet_notice_links_to_the_privacy_page_when_akismet_is_on(akismet, read, article):
    make_page("Privacy", slug="privacy", body="<p>What we keep.</p>")

    notice = read(article.get_absolute_url()).find(cls="akismet-notice")

    assert "This site uses Akismet to reduce spam." in notice.text
    link = notice.find("a")
    assert link.text == "Learn how your comment data is processed."
    assert read(link.attrs["href"]).find("h1").text == "Privacy"


def test_no_akismet_notice_when_akismet_is_off(read, article, settings):
    settings.AKISMET_API_KEY = ""

    page = read(article.get_absolute_url())

    assert page.find(cls="akismet-notice") is None
    assert "Akismet" not in page.text


def test_akismet_notice_has_no_dead_link_without_a_privacy_page(akismet, read, client, article):
    link = read(article.get_absolute_url()).find(cls="akismet-notice").find("a")

    href = link.attrs["href"] if link else ""
    assert href.startswith("https://") or not href or client.get(href).status_code == 200


def test_with_the_database_down_the_reader_gets_a_503_and_their_words_back(client, article):
    data = {
        "name": "Nell",
        "email": "nell@example.com",
        "content": "Words worth keeping.",
        "article": article.pk,
        "signature": sign_form(article.pk),
    }

    def database_down(execute, sql, params, many, context):
        raise OperationalError("could not connect to server")

    with connection.execute_wrapper(database_down):
        response = client.post("/comments/post/", data)

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    html = response.content.decode()
    assert "Words worth keeping." in html
    assert 'value="Nell"' in html
    assert "could not be saved just now" in html
