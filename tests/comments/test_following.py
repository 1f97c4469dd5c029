"""Following a discussion by email, through a real SMTP server: subscribe → confirm → a reply is
approved → email received → unsubscribe in one click → no more email."""

import re
import time
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.core import signing
from django.core.management import call_command
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from blog.models import Article
from comments import following, services
from comments.models import Comment, Subscription
from tests.comments.conftest import make_comment, new_ip, post_as_a_server_does, posted
from tests.factories import make_article, make_moderator
from tests.smtp_server import body

pytestmark = pytest.mark.django_db

LINK = re.compile(r"http://testserver(/comments/(?:follow|unsubscribe)/[^/\s]+/)")


def mail(smtp, to="ada@example.com", count=1, timeout=5.0):
    """The messages to `to`, once `count` have arrived (or the timeout passed)."""
    deadline = time.monotonic() + timeout
    while len(smtp.to(to)) < count and time.monotonic() < deadline:
        time.sleep(0.02)
    return smtp.to(to)


def links(message):
    return [match.group(1) for match in LINK.finditer(body(message))]


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = "http://testserver"


@pytest.fixture
def tasks_run(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def approve(django_capture_on_commit_callbacks):
    moderator = make_moderator()

    def approve(comment):
        with django_capture_on_commit_callbacks(execute=True):
            services.approve(comment=comment, by=moderator)

    return approve


@pytest.fixture
def follower(post, article, smtp, client):
    """Ada commented, ticked "Notify me of follow-up comments", and confirmed by email."""
    comment = posted(post(article, notify_replies="on"))
    [confirmation] = mail(smtp)
    [confirm, _unsubscribe] = links(confirmation)
    assert client.get(confirm).status_code == 200
    smtp.messages.clear()
    return comment


def test_subscribe_confirm_reply_email_unsubscribe_no_more_email(
    post, article, smtp, client, approve
):
    posted(post(article, notify_replies="on", content="Is the toast buttered?"))

    [confirmation] = mail(smtp)
    assert confirmation["To"] == "ada@example.com"
    assert "confirm" in confirmation["Subject"].lower()
    assert "Tea and Toast" in body(confirmation)
    confirm, unsubscribe = links(confirmation)
    page = client.get(confirm)
    assert page.status_code == 200
    assert "You are subscribed" in page.content.decode()
    assert Subscription.objects.get().confirmed_at is not None

    reply = make_comment(
        article,
        status=Comment.Status.HELD,
        author_name="Grace",
        author_email="grace@example.com",
        content="Always, with marmalade.",
    )
    approve(reply)

    [follow_up] = mail(smtp, count=2)[1:]
    assert follow_up["To"] == "ada@example.com"
    text = body(follow_up)
    assert "Grace" in text and "Always, with marmalade." in text
    assert "grace@example.com" not in text  # never another commenter's address
    assert f"/comments/{reply.pk}/" in text
    leave = links(follow_up)[-1]
    assert follow_up["List-Unsubscribe"].strip() == f"<http://testserver{leave}>"
    assert follow_up["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # The mail client's own unsubscribe button: a POST with no cookie and no form of ours.
    one_click = client.post(leave, {"List-Unsubscribe": "One-Click"})
    assert one_click.status_code == 200
    assert not Subscription.objects.exists()

    approve(make_comment(article, status=Comment.Status.HELD, content="More toast talk."))
    assert len(mail(smtp, count=3, timeout=0.5)) == 2  # nothing more
    # The link clicked again says so plainly.
    again = client.get(leave)
    assert again.status_code == 200
    assert "had already ended" in again.content.decode()


def test_no_email_for_the_followers_own_comment_and_one_email_per_window(
    follower, article, smtp, approve, settings
):
    settings.COMMENTS_FOLLOW_UP_MINUTES = 15
    own = make_comment(article, status=Comment.Status.HELD, author_email="ADA@example.com",
                       content="Replying to myself.")  # fmt: skip
    approve(own)
    # Told that her comment is published, and not sent it as news.
    [published] = mail(smtp, count=2, timeout=0.5)
    assert "is published" in published["Subject"]
    smtp.messages.clear()

    approve(make_comment(article, status=Comment.Status.HELD, content="First reply."))
    approve(make_comment(article, status=Comment.Status.HELD, content="Second reply."))
    [first] = mail(smtp)
    assert "First reply." in body(first)
    assert len(mail(smtp, count=2, timeout=0.5)) == 1  # the second waits for the window

    # The window passes: the cron tells of the second, and of it only.
    call_command("recheck_comments", verbosity=0)
    assert len(mail(smtp, count=2, timeout=0.5)) == 1  # not before the window's end
    Subscription.objects.update(last_sent_at=timezone.now() - timedelta(minutes=16))
    call_command("recheck_comments", verbosity=0)
    [_, second] = mail(smtp, count=2)
    assert "Second reply." in body(second)
    assert "First reply." not in body(second)


def test_nothing_but_the_confirmation_goes_to_someone_elses_address(post, article, smtp, approve):
    posted(post(article, email="victim@example.com", notify_replies="on", notify_posts="on"))
    approve(make_comment(article, status=Comment.Status.HELD, content="A reply."))

    messages = mail(smtp, "victim@example.com", count=3, timeout=0.5)
    assert len(messages) == 2
    assert all("confirm" in m["Subject"].lower() for m in messages)


def test_asking_again_and_again_sends_at_most_three_confirmations_a_day(
    client, article, smtp, django_capture_on_commit_callbacks, settings
):
    settings.FOLLOW_REQUESTS_PER_HOUR = 1000
    others = [make_article(f"Other {n}") for n in range(5)]
    for target in [article, article, *others]:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                "/comments/follow/",
                {"email": "victim@example.com", "article": target.pk, "notify_replies": "on"},
                REMOTE_ADDR=new_ip(),
            )
        assert response.status_code == 200
    assert len(mail(smtp, "victim@example.com", count=4, timeout=0.5)) == 3


def test_a_thousand_requests_from_one_address_are_refused_after_the_hourly_limit(
    client, article, smtp, settings, django_capture_on_commit_callbacks
):
    settings.FOLLOW_REQUESTS_PER_HOUR = 20
    answers = []
    for n in range(1000):
        with django_capture_on_commit_callbacks(execute=True):
            answers.append(
                client.post(
                    "/comments/follow/",
                    {"email": f"reader{n}@example.com", "article": article.pk,
                     "notify_replies": "on"},
                    REMOTE_ADDR="203.0.113.9",
                ).status_code
            )  # fmt: skip
    assert answers.count(200) == 20
    assert answers.count(429) == 980
    assert Subscription.objects.count() == 20
    assert len(smtp.wait_for(21, timeout=0.5)) == 20


def test_the_follow_form_says_what_is_missing(client, article):
    response = client.post("/comments/follow/", {"email": "not an address", "article": article.pk})

    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter a valid email address." in page
    assert "Tick what you would like to hear of" in page
    assert not Subscription.objects.exists()


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: token.replace(":", ";", 1),
        lambda token: "x" + token,
    ],
)
def test_forged_links_do_nothing_and_say_so(post, article, smtp, client, tamper):
    posted(post(article, notify_replies="on"))
    confirm, unsubscribe = links(mail(smtp)[0])

    for link in (confirm, unsubscribe):
        prefix, token = link.rstrip("/").rsplit("/", 1)
        response = client.get(f"{prefix}/{tamper(token)}/")
        assert response.status_code == 400
        assert "This link does not work" in response.content.decode()
    subscription = Subscription.objects.get()
    assert subscription.confirmed_at is None


def test_a_confirm_link_cannot_unsubscribe_nor_the_reverse(post, article, smtp, client):
    posted(post(article, notify_replies="on"))
    confirm, unsubscribe = links(mail(smtp)[0])
    confirm_token = confirm.rstrip("/").rsplit("/", 1)[1]
    unsubscribe_token = unsubscribe.rstrip("/").rsplit("/", 1)[1]

    assert client.get(f"/comments/unsubscribe/{confirm_token}/").status_code == 400
    assert client.get(f"/comments/follow/{unsubscribe_token}/").status_code == 400
    assert Subscription.objects.get().confirmed_at is None
    # Replayed, the confirmation is harmless.
    assert client.get(confirm).status_code == 200
    assert client.get(confirm).status_code == 200
    assert Subscription.objects.get().confirmed_at is not None


def test_an_expired_confirmation_link_is_refused(post, article, smtp, client, monkeypatch):
    posted(post(article, notify_replies="on"))
    confirm, _ = links(mail(smtp)[0])
    later = timezone.now().timestamp() + 8 * 24 * 3600
    monkeypatch.setattr(signing.time, "time", lambda: later)

    assert client.get(confirm).status_code == 400
    assert Subscription.objects.get().confirmed_at is None


def test_a_held_comment_approved_is_announced_to_its_following_author(
    follower, article, smtp, approve, post, time_passes
):
    time_passes()
    held = posted(post(article, content="Second thoughts on toast.", notify_replies="on"))
    held.refresh_from_db()
    if held.status != Comment.Status.HELD:  # the site may approve a returning commenter
        held.status = Comment.Status.HELD
        held.save(update_fields=["status"])
    smtp.messages.clear()

    approve(held)

    [published] = mail(smtp)
    assert published["To"] == "ada@example.com"
    assert "is published" in published["Subject"]
    assert f"/comments/{held.pk}/" in body(published)
    assert published["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_new_posts_are_announced_to_confirmed_followers(
    post, article, smtp, client, django_capture_on_commit_callbacks, settings
):
    posted(post(article, notify_posts="on"))
    confirm, _ = links(mail(smtp)[0])
    client.get(confirm)

    with django_capture_on_commit_callbacks(execute=True):
        make_article("Marmalade, a history", published_at=timezone.now())

    [_, announcement] = mail(smtp, count=2)
    assert "Marmalade, a history" in body(announcement)
    assert announcement["List-Unsubscribe"]


def test_a_scheduled_article_is_announced_once_it_is_out(
    post, article, smtp, client, django_capture_on_commit_callbacks
):
    posted(post(article, notify_posts="on"))
    client.get(links(mail(smtp)[0])[0])
    with django_capture_on_commit_callbacks(execute=True):
        scheduled = make_article(
            "Quince, at last", published_at=timezone.now() + timedelta(hours=1)
        )

    call_command("recheck_comments", verbosity=0)
    assert len(mail(smtp, count=2, timeout=0.5)) == 1  # not while it is still to come

    # Two hours pass: confirmed then, the article came out an hour later.
    now = timezone.now()
    Subscription.objects.update(
        confirmed_at=now - timedelta(hours=2), told_up_to=now - timedelta(hours=2)
    )
    Article.objects.filter(pk=scheduled.pk).update(published_at=now - timedelta(hours=1))
    call_command("recheck_comments", verbosity=0)
    [_, announcement] = mail(smtp, count=2)
    assert "Quince, at last" in body(announcement)


def test_a_relay_that_is_down_loses_no_follow_up(follower, article, smtp, approve):
    smtp.refuse = True
    approve(make_comment(article, status=Comment.Status.HELD, content="Lost in the post?"))
    assert mail(smtp, timeout=0.5) == []
    subscription = Subscription.objects.get()
    assert subscription.last_sent_at is None  # not counted as told

    smtp.refuse = False
    call_command("recheck_comments", verbosity=0)  # cron, a few minutes later

    [follow_up] = mail(smtp)
    assert "Lost in the post?" in body(follow_up)


@given(token=st.text(max_size=300))
def test_any_text_as_a_link_token_is_a_clear_refusal(client, token):
    token = quote(token, safe="")
    if not token:
        return
    for path in ("/comments/follow/", "/comments/unsubscribe/"):
        response = client.get(f"{path}{token}/")
        assert response.status_code in (400, 404)


def test_articles_published_from_the_admin_list_are_announced_too(
    post, article, smtp, client, tasks_run, settings
):
    from tests.factories import make_draft, make_editor

    posted(post(article, notify_posts="on"))
    client.get(links(mail(smtp)[0])[0])
    draft = make_draft("Jam, reconsidered")
    client.force_login(make_editor())

    with tasks_run():
        client.post("/admin/blog/article/", {"action": "publish", "_selected_action": [draft.pk]})

    [_, announcement] = mail(smtp, count=2)
    assert "Jam, reconsidered" in body(announcement)


@pytest.mark.django_db(transaction=True)
def test_the_reader_is_answered_before_the_confirmation_email_is_sent(smtp, article):
    response = post_as_a_server_does(
        "/comments/follow/",
        {"email": "ada@example.com", "article": article.pk, "notify_replies": "on"},
        REMOTE_ADDR=new_ip(),
    )

    assert response.status_code == 200
    assert "Check your email" in response.content.decode()
    assert smtp.wait_for(1, timeout=0.3) == []  # an SMTP server may take seconds

    response.close()  # the server sent the last byte: the email goes now

    (message,) = mail(smtp)
    assert links(message)


def test_the_cron_finds_nothing_due_in_two_queries_however_many_follow(
    article, django_assert_num_queries
):
    now = timezone.now()
    for n in range(30):
        kind = Subscription.Kind.REPLIES if n % 2 else Subscription.Kind.POSTS
        Subscription.objects.create(email=f"reader{n}@example.com", kind=kind,
                                    article=article if n % 2 else None,
                                    confirmed_at=now, told_up_to=now)  # fmt: skip
    with django_assert_num_queries(2):
        assert following.send_due() == 0
