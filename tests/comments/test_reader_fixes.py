"""What a reader or commenter hit on the comment section, the follow form and their private
pages, each through the door they used: a refused comment given back, the follow form, a
refused follow request, a follow request over the limit, personal pages kept out of caches,
website links, a tampered reply field, a reply from a later page and a feed at a wrong date."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from comments import following, privacy
from comments.models import Comment, PrivacyRequest, Subscription
from tests.comments.conftest import Page, make_comment, new_ip, posted
from tests.factories import make_article, make_user

pytestmark = pytest.mark.django_db

TYPED = "I have thought about this for an hour.\n\nHere is why the toast matters."


def follow_form(page):
    """The follow form of an article page: the one that posts to /comments/follow/."""
    return page.find("form", action="/comments/follow/")


def follow_values(form):
    values = {}
    for node in form.find_all("input"):
        if node.attrs.get("type") == "checkbox":
            values[node.attrs["name"]] = "checked" in node.attrs
        elif node.attrs.get("name"):
            values[node.attrs["name"]] = node.attrs.get("value") or ""
    return values


def labelled(page, node):
    """Whether a <label for=…> names the field `node`."""
    return page.find("label", for_=node.attrs["id"]) is not None


# 1. A comment sent to an article whose comments have closed ------------------------------


def given_back(response):
    """The read-only copy of the refused comment's text on the page, or None."""
    node = Page(response).by_id("id_content")
    if node is None or "readonly" not in node.attrs:
        return None
    text = node.raw_text
    return text[1:] if text.startswith("\n") else text


def test_a_comment_sent_after_an_editor_closed_comments_is_given_back(post, article):
    article.comments_open = False
    article.save()

    response = post(article, content=TYPED)

    assert response.status_code == 403
    page = Page(response)
    assert "Comments are closed on this article." in page.find(role="alert").text
    assert given_back(response) == TYPED
    assert page.by_id("commentform") is None  # nothing offered that would be refused again
    assert not Comment.objects.exists()


def test_a_comment_typed_while_the_comments_closed_by_age_is_given_back(post, rules):
    rules.close_after_days = 14
    rules.save()
    old = make_article(published_at=timezone.now() - timedelta(days=15))

    response = post(old, content=TYPED)

    assert response.status_code == 403
    assert "Comments are closed on this article." in Page(response).text
    assert given_back(response) == TYPED


def test_a_refused_reply_on_a_closed_article_is_given_back_too(post, article):
    parent = make_comment(article)
    article.comments_open = False
    article.save()

    response = post(article, parent=parent.pk, email="not-an-address", content=TYPED)

    assert response.status_code == 400
    assert "Comments are closed." in Page(response).text
    assert given_back(response) == TYPED


def test_a_closed_article_shows_no_copy_to_readers_who_sent_nothing(read, article):
    article.comments_open = False
    article.save()

    page = read(article.get_absolute_url())

    assert "Comments are closed." in page.text
    assert page.by_id("id_content") is None


# 2. The follow form, for readers who do not comment ---------------------------------------


def test_the_article_page_has_a_labelled_follow_form_anyone_can_send(read, article, client):
    page = read(article.get_absolute_url())

    form = follow_form(page)
    assert form is not None
    assert form.attrs["method"] == "post"
    assert form.is_inside(page.by_id("comments"))
    values = follow_values(form)
    assert values == {"email": "", "article": str(article.pk), "notify_replies": False,
                      "notify_posts": False}  # fmt: skip
    for field in form.find_all("input"):
        if field.attrs.get("type") != "hidden":
            assert labelled(page, field), field
    assert form.find("button", type="submit") is not None
    # The shared page holds no one's token: anonymous posts are checked by their Origin.
    assert form.find("input", name="csrfmiddlewaretoken") is None

    values.update(email="kim@example.com", notify_replies="on")
    del values["notify_posts"]
    response = client.post("/comments/follow/", values, REMOTE_ADDR=new_ip(),
                           HTTP_ORIGIN="http://testserver")  # fmt: skip

    assert response.status_code == 200
    assert "Check your email" in response.content.decode()
    assert Subscription.objects.get().email == "kim@example.com"


def test_the_follow_form_leaves_the_article_page_cached_for_everyone(client, article, rules):
    url = article.get_absolute_url()
    first = client.get(url)
    second = Client().get(url)

    assert second["X-Page-Cache"] == "hit"
    assert "public" in second["Cache-Control"]
    assert follow_form(Page(second)) is not None
    assert first.content == second.content


def test_a_signed_in_reader_follows_with_their_token(article):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(make_user("kim"))
    form = follow_form(Page(browser.get(article.get_absolute_url())))
    values = follow_values(form)
    assert values["csrfmiddlewaretoken"]

    without = browser.post("/comments/follow/", {**values, "csrfmiddlewaretoken": "",
                                                 "email": "kim@example.com",
                                                 "notify_posts": "on"})  # fmt: skip
    assert without.status_code == 403
    response = browser.post("/comments/follow/", {**values, "email": "kim@example.com",
                                                  "notify_posts": "on"})  # fmt: skip

    assert response.status_code == 200
    assert Subscription.objects.get().kind == Subscription.Kind.POSTS


def test_a_closed_discussion_offers_new_posts_only(read, article):
    article.comments_open = False
    article.save()

    values = follow_values(follow_form(read(article.get_absolute_url())))

    assert "notify_posts" in values
    assert "notify_replies" not in values


# 3. A refused follow request -------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"email": "bad"}, ["Enter a valid email address.", "Tick what you would like"]),
        ({"email": "kim@example.com"}, ["Tick what you would like"]),
        ({"email": "bad", "notify_posts": "on"}, ["Enter a valid email address."]),
    ],
    ids=["bad-address-nothing-ticked", "nothing-ticked", "bad-address"],
)
def test_a_refused_follow_request_gives_the_form_back_as_typed(client, article, fields, errors):
    response = client.post("/comments/follow/", {"article": article.pk, **fields})

    assert response.status_code == 400
    page = Page(response)
    form = follow_form(page)
    assert form is not None
    for error in errors:
        assert error in form.text
    values = follow_values(form)
    assert values["email"] == fields["email"]
    assert values["article"] == str(article.pk)
    assert values["notify_posts"] == ("notify_posts" in fields)
    assert not Subscription.objects.exists()

    fixed = {**values, "email": "kim@example.com", "notify_replies": "on"}
    fixed = {name: value for name, value in fixed.items() if value is not False}
    again = client.post("/comments/follow/", fixed, REMOTE_ADDR=new_ip())
    assert again.status_code == 200
    assert Subscription.objects.filter(email="kim@example.com").exists()


# 4. "Notify me" ticked by a reader over the hourly limit ---------------------------------

REFUSED_FOLLOW = "we could not take your request to be notified"


def test_a_follow_request_over_the_limit_is_told_and_the_comment_kept(post, article, settings):
    settings.FOLLOW_REQUESTS_PER_HOUR = 1
    for n in range(2):  # the address asked to follow twice this hour already
        Client().post("/comments/follow/", {"article": article.pk, "notify_replies": "on",
                                            "email": f"r{n}@example.com"},
                      REMOTE_ADDR="192.0.2.40")  # fmt: skip
    client = Client()

    response = post(article, browser=client, ip="192.0.2.40", notify_replies="on")

    comment = posted(response)
    assert not Subscription.objects.filter(email="ada@example.com").exists()
    page = client.get(response["Location"].split("#")[0], follow=True)
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    assert page.content.decode().count(REFUSED_FOLLOW) == 1
    assert Page(page).comment(comment) is not None
    # Told once: the next page is as usual.
    assert REFUSED_FOLLOW not in client.get(article.get_absolute_url()).content.decode()


def test_a_follow_request_within_the_limit_says_nothing_more(post, article, client):
    response = post(article, notify_replies="on")

    posted(response)
    assert Subscription.objects.filter(email="ada@example.com").exists()
    page = client.get(response["Location"].split("#")[0], follow=True)
    assert REFUSED_FOLLOW not in page.content.decode()


# 5. Personal pages are never kept by a cache ---------------------------------------------


def personal_pages(article):
    asked = PrivacyRequest.objects.create(email="ada@example.com", kind="export")
    token = privacy.token(asked)
    privacy.confirm(token)
    subscription = Subscription.objects.create(email="ada@example.com", kind="replies",
                                               article=article)  # fmt: skip
    return [
        f"/your-data/{token}/",
        f"/your-data/{token}/export.json",
        f"/your-data/{token}/export.html",
        f"/your-data/{token[:-2]}xx/",  # a bad link, still drawn for one person
        f"/comments/follow/{following.link_token(subscription, 'confirm')}/",
        "/comments/follow/not-a-token/",
        f"/comments/unsubscribe/{following.link_token(subscription, 'unsubscribe')}/",
        "/comments/unsubscribe/not-a-token/",
    ]


def test_personal_pages_are_private_and_never_stored(client, article):
    for path in personal_pages(article):
        response = client.get(path)

        assert response.status_code in (200, 400), path
        directives = {d.strip() for d in response["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= directives, (path, response["Cache-Control"])


# 7. Website addresses --------------------------------------------------------------------


def test_a_website_with_characters_links_may_not_hold_is_linked_percent_encoded(
    post, article, read
):
    typed = 'https://nadia.example/?q=<x>"'
    comment = posted(post(article, url=typed))
    Comment.objects.filter(pk=comment.pk).update(status=Comment.Status.APPROVED)

    shown = read(article.get_absolute_url(), browser=Client()).comment(comment)
    link = shown.find("a", rel="external nofollow ugc")

    assert Comment.objects.get().author_url == typed  # stored as typed, for the moderators
    assert link.attrs["href"] == "https://nadia.example/?q=%3Cx%3E%22"


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://x", "mailto:a@example.com"])
def test_an_address_that_is_no_website_gets_one_message(post, article, url):
    response = post(article, url=url)

    assert response.status_code == 400
    assert Page(response).by_id("id_url_error").text == "Enter a valid URL."


# 8. A tampered reply field ---------------------------------------------------------------


@pytest.mark.parametrize("parent", ["abc", "1.5", "9" * 30])
def test_a_tampered_reply_field_is_named_and_the_comment_kept(post, article, parent):
    response = post(article, parent=parent, content=TYPED)

    assert response.status_code == 400
    page = Page(response)
    assert "The comment you are replying to is not available." in page.by_id("respond").text
    assert page.form_values()["content"] == TYPED
    assert not Comment.objects.exists()


# 9. A refused reply from a later comment page --------------------------------------------


def test_a_refused_reply_comes_back_on_the_page_of_the_comment_replied_to(
    post, read, article, rules
):
    rules.per_page = 2
    rules.save()
    tops = [make_comment(article, author_name=f"Reader {n}") for n in range(5)]
    replied = tops[3]  # on page 2 of 3
    url = f"{article.get_absolute_url()}?cpage=2&replytocom={replied.pk}"
    assert read(url).comment(replied) is not None

    response = post(article, parent=replied.pk, email="bad", content=TYPED)

    assert response.status_code == 400
    page = Page(response)
    assert page.comment(replied) is not None
    assert "Page 2 of 3" in page.find("nav", cls="comment-pages").text
    assert "Leave a Reply to Reader 3" in page.by_id("reply-title").text
    assert page.form_values()["parent"] == str(replied.pk)


def test_a_reply_to_a_nested_comment_comes_back_on_its_threads_page(post, article, rules):
    rules.per_page = 1
    rules.save()
    make_comment(article)
    top = make_comment(article)
    nested = make_comment(article, parent=top, author_name="Nested Reader")

    response = post(article, parent=nested.pk, email="bad")

    page = Page(response)
    assert page.comment(nested) is not None
    assert "Page 2 of 2" in page.find("nav", cls="comment-pages").text


# 10. An article's comment feed at a wrong date -------------------------------------------


def test_a_comment_feed_at_a_wrong_date_redirects_to_the_right_one(client, article):
    right = article.get_absolute_url() + "feed/"

    response = client.get(f"/1999/01/01/{article.slug}/feed/")

    assert response.status_code == 301
    assert response["Location"] == right
    assert client.get(right).status_code == 200


@pytest.mark.parametrize("date", ["2025/02/30", "2025/13/01", "2025/00/10"])
def test_a_comment_feed_at_an_impossible_date_is_not_found(client, article, date):
    assert client.get(f"/{date}/{article.slug}/feed/").status_code == 404
