"""A reader's own data, through the real SMTP server: ask → confirm from the mailbox → download
it; or ask → confirm → a moderator erases it, and a log says what was done."""

import json
import re

import pytest
from django.contrib.auth import get_user_model
from hypothesis import given
from hypothesis import strategies as st

from blog.services import like_article
from comments import following
from comments.models import Comment, PrivacyRequest, Subscription
from tests.comments.conftest import make_comment, post_as_a_server_does
from tests.factories import make_moderator
from tests.smtp_server import body

pytestmark = pytest.mark.django_db

ADA = "ada@example.com"
LINK = re.compile(r"http://testserver(/your-data/[^/\s]+/)")


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = "http://testserver"


@pytest.fixture
def tasks(django_capture_on_commit_callbacks):
    """Run what a request scheduled after its commit, as the immediate task backend does."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def ada_on_file(article):
    """What the site holds under Ada's address: two comments, a subscription, an account."""
    comments = [
        make_comment(article, author_name="Ada", author_email=ADA, content="Toast first.",
                     author_ip="198.51.100.7", user_agent="Firefox",
                     akismet_payload={"comment_author_email": ADA}),
        make_comment(article, author_name="Ada L.", author_email="Ada@Example.com",
                     content="Then tea.", status=Comment.Status.HELD),
    ]  # fmt: skip
    Subscription.objects.create(email=ADA, kind=Subscription.Kind.REPLIES, article=article)
    account = get_user_model().objects.create_user("ada", email=ADA, first_name="Ada")
    like_article(article=article, user=account)
    return comments


def ask(client, smtp, kind, email=ADA):
    response = client.post("/your-data/", {"email": email, "kind": kind})
    assert response.status_code == 200
    assert "Check your email" in response.content.decode()
    return response


def confirmation_link(smtp, to=ADA, count=1):
    messages = [m for m in smtp.wait_for(count) if to in m["To"]]
    return LINK.search(body(messages[-1])).group(1)


def test_export_journey_gives_everything_held_and_only_from_the_mailbox(
    client, smtp, ada_on_file, tasks
):
    with tasks():
        response = ask(client, smtp, "export")
    assert ADA not in response.content.decode()  # nothing shown to whoever asked

    link = confirmation_link(smtp)
    page = client.get(link)
    assert page.status_code == 200
    html = client.get(f"{link}export.html").content.decode()
    data = json.loads(client.get(f"{link}export.json").content)

    assert [c["text"] for c in data["comments"]] == ["Toast first.", "Then tea."]
    assert data["comments"][0]["ip_address"] == "198.51.100.7"
    assert data["comments"][0]["user_agent"] == "Firefox"
    assert [s["article"] for s in data["subscriptions"]] == ["Tea and Toast"]
    assert data["accounts"][0]["username"] == "ada"
    assert data["accounts"][0]["likes"] == ["Tea and Toast"]
    assert "Toast first." in html and "198.51.100.7" in html and "Then tea." in html


def test_a_forged_or_altered_link_gives_nothing(client, smtp, ada_on_file, tasks):
    with tasks():
        ask(client, smtp, "export")
    link = confirmation_link(smtp)
    token = link.strip("/").rsplit("/", 1)[1]
    forged = token[:-3] + ("abc" if not token.endswith("abc") else "xyz")

    for path in (f"/your-data/{forged}/", f"/your-data/{forged}/export.json"):
        response = client.get(path)
        assert response.status_code == 400
        assert "This link does not work" in response.content.decode()
        assert "Toast first." not in response.content.decode()


def test_an_export_cannot_be_downloaded_before_it_is_confirmed(client, smtp, ada_on_file, tasks):
    with tasks():
        ask(client, smtp, "export")
    link = confirmation_link(smtp)

    assert client.get(f"{link}export.json").status_code == 400  # not yet confirmed
    client.get(link)
    assert client.get(f"{link}export.json").status_code == 200


def test_erase_journey_anonymises_deletes_logs_and_keeps_the_discussion(
    client, smtp, ada_on_file, article, tasks
):
    client.get(article.get_absolute_url())  # the page and its thread, cached with Ada's name
    get_user_model().objects.create_user("ada-staff", email=ADA, is_staff=True)
    with tasks():
        ask(client, smtp, "erase")
    page = client.get(confirmation_link(smtp))
    assert "A moderator will carry out the erasure" in page.content.decode()
    asked = PrivacyRequest.objects.get()
    assert asked.status == PrivacyRequest.Status.CONFIRMED
    assert Comment.objects.filter(author_email__iexact=ADA).count() == 2  # nothing done yet

    moderator = make_moderator()
    client.force_login(moderator)
    with tasks():
        response = client.post(
            "/admin/comments/privacyrequest/",
            {"action": "erase_now", "_selected_action": [asked.pk]},
            follow=True,
        )
    assert "Anonymised 2 comment(s)." in response.content.decode()

    for comment in Comment.objects.filter(pk__in=[c.pk for c in ada_on_file]):
        assert comment.author_name == "Anonymous"
        assert (comment.author_email, comment.author_ip, comment.user_agent) == ("", None, "")
        assert comment.akismet_payload is None
    assert sorted(Comment.objects.values_list("content", flat=True)) == [
        "Then tea.",
        "Toast first.",
    ]
    assert not Subscription.objects.exists()
    users = get_user_model().objects
    assert not users.filter(username="ada").exists()
    assert users.filter(username="ada-staff").exists()  # staff accounts are an administrator's
    asked.refresh_from_db()
    assert asked.status == PrivacyRequest.Status.DONE
    assert asked.done_by == moderator
    assert "Kept staff account(s) ada-staff" in asked.log
    erased = [m for m in smtp.wait_for(2) if "erased" in m["Subject"]]
    assert len(erased) == 1 and erased[0]["To"] == ADA


def test_an_unconfirmed_erasure_cannot_be_carried_out(client, smtp, ada_on_file, tasks):
    with tasks():
        ask(client, smtp, "erase")
    client.force_login(make_moderator())

    response = client.post(
        "/admin/comments/privacyrequest/",
        {"action": "erase_now", "_selected_action": [PrivacyRequest.objects.get().pk]},
        follow=True,
    )

    assert "only erasure requests the reader has confirmed" in response.content.decode()
    assert Comment.objects.filter(author_email__iexact=ADA).count() == 2


def test_a_comment_after_the_erasure_is_kept_whole(client, smtp, ada_on_file, article, tasks):
    from comments import privacy

    asked = PrivacyRequest.objects.create(
        email=ADA, kind=PrivacyRequest.Kind.ERASE, status=PrivacyRequest.Status.CONFIRMED
    )
    privacy.erase(request=asked, by=make_moderator())
    after = make_comment(article, author_name="Ada", author_email=ADA, content="I'm back.")

    after.refresh_from_db()
    assert (after.author_name, after.author_email) == ("Ada", ADA)
    assert Comment.objects.filter(author_name="Anonymous").count() == 2


def test_asking_again_and_again_is_limited(client, smtp, settings, tasks):
    settings.FOLLOW_REQUESTS_PER_HOUR = 1000
    for _ in range(6):
        with tasks():
            client.post("/your-data/", {"email": "victim@example.com", "kind": "export"})
    assert len(smtp.wait_for(4, timeout=0.5)) == 3  # a few a day to one mailbox

    settings.FOLLOW_REQUESTS_PER_HOUR = 2
    statuses = [
        client.post("/your-data/", {"email": "x@example.com", "kind": "export"},
                    REMOTE_ADDR="203.0.113.50").status_code
        for _ in range(4)
    ]  # fmt: skip
    assert statuses == [200, 200, 429, 429]


def test_the_form_says_what_is_wrong_and_keeps_what_was_typed(client):
    response = client.post("/your-data/", {"email": "ada at example", "kind": "nonsense"})

    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter a valid email address." in page
    assert "Select a valid choice." in page
    assert 'value="ada at example"' in page
    assert not PrivacyRequest.objects.exists()


def test_a_follow_link_is_no_privacy_link(client, article):
    subscription = Subscription.objects.create(
        email=ADA, kind=Subscription.Kind.REPLIES, article=article
    )
    token = following.link_token(subscription, "confirm")

    assert client.get(f"/your-data/{token}/").status_code == 400


@given(email=st.text(max_size=120), kind=st.text(max_size=20))
def test_any_input_gets_an_answer_not_an_error(client, email, kind):
    response = client.post("/your-data/", {"email": email, "kind": kind})

    assert response.status_code in (200, 400, 429)


def test_an_erased_name_leaves_the_cached_page_at_once(client, article, tasks):
    from comments import privacy

    make_comment(article, author_name="Zoe Zed", author_email="zoe@example.com", content="Hi.")
    assert "Zoe Zed" in client.get(article.get_absolute_url()).content.decode()  # now cached
    asked = PrivacyRequest.objects.create(
        email="zoe@example.com", kind=PrivacyRequest.Kind.ERASE,
        status=PrivacyRequest.Status.CONFIRMED,
    )  # fmt: skip

    with tasks():
        privacy.erase(request=asked, by=make_moderator())

    page = client.get(article.get_absolute_url()).content.decode()
    assert "Zoe Zed" not in page
    assert "Anonymous" in page


@pytest.mark.django_db(transaction=True)
def test_the_reader_is_answered_before_the_confirmation_email_is_sent(smtp, client):
    form = client.get("/your-data/")  # the form, with its CSRF cookie and token
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.content.decode())[1]
    response = post_as_a_server_does(
        "/your-data/",
        {"email": ADA, "kind": "export", "csrfmiddlewaretoken": token},
        HTTP_COOKIE=f"csrftoken={client.cookies['csrftoken'].value}",
    )

    assert response.status_code == 200
    assert "Check your email" in response.content.decode()
    assert smtp.wait_for(1, timeout=0.3) == []  # an SMTP server may take seconds

    response.close()  # the server sent the last byte: the email goes now

    assert LINK.search(body(smtp.wait_for(1)[0]))
