"""What the security review found in readers' accounts, each through the door it was found at:
allauth's own sign-in (a code or a password reset by email) into staff accounts, addresses
claimed without their owner's say, and the email-link form telling staff addresses apart."""

import re

import pytest
from allauth.account.models import EmailAddress
from allauth.account.utils import perform_login
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.cache import SessionStore
from django.test import Client, RequestFactory

from tests.comments.conftest import post_as_a_server_does
from tests.factories import make_editor, make_moderator, make_user
from tests.smtp_server import body, free_port

pytestmark = pytest.mark.django_db

LINK = re.compile(r"http://testserver(/accounts/email-link/[^/\s]+/)")


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = "http://testserver"


def make_reader(username, email):
    """An account with no password, as a link or a provider makes them."""
    return get_user_model().objects.create_user(username, email)


def signed_in_user(client):
    return client.session.get("_auth_user_id")


def sign_in_by_link(client, smtp, email, name=""):
    """Ask for a link to `email`, follow it, press the button; the account signed in to."""
    sent = len(smtp.messages)
    client.post("/accounts/email-link/", {"email": email, "name": name, "next": "/"})
    message = smtp.wait_for(sent + 1)[sent]
    assert email.lower() in message["To"]
    client.post(LINK.search(body(message)).group(1))
    return get_user_model().objects.get(pk=signed_in_user(client))


# 1. allauth's own sign-in is not served ------------------------------------------------------


def test_a_code_by_email_signs_nobody_in(client, smtp):
    make_editor("editor", password="the editor's passphrase")

    asked = client.post("/accounts/login/", {"login": "editor@example.com"})
    confirm = client.post("/accounts/login/code/confirm/", {"code": "ABCDEF"})

    assert asked.status_code in (403, 404, 405)
    assert confirm.status_code == 404
    assert smtp.wait_for(1, timeout=0.5) == []
    assert signed_in_user(client) is None
    assert client.get("/admin/").status_code == 302  # to the admin's own sign-in


def test_a_password_by_allauth_signs_nobody_in(client):
    make_editor("editor", password="the editor's passphrase")

    response = client.post(
        "/accounts/login/", {"login": "editor@example.com", "password": "the editor's passphrase"}
    )

    assert response.status_code in (403, 404, 405)
    assert signed_in_user(client) is None


def test_no_password_reset_for_anyone(client, smtp):
    moderator = make_moderator(password="the moderator's passphrase")

    response = client.post("/accounts/password/reset/", {"email": "moderator@example.com"})

    assert response.status_code == 404
    assert smtp.wait_for(1, timeout=0.5) == []
    moderator.refresh_from_db()
    assert moderator.check_password("the moderator's passphrase")


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/signup/",
        "/accounts/login/code/confirm/",
        "/accounts/password/reset/",
        "/accounts/password/reset/done/",
        "/accounts/password/reset/key/1-set-password/",
        "/accounts/password/change/",
        "/accounts/password/set/",
        "/accounts/email/",
        "/accounts/confirm-email/",
        "/accounts/reauthenticate/",
    ],
)
def test_allauths_local_account_pages_are_not_served(client, path):
    assert client.get(path).status_code == 404
    assert client.post(path, {"email": "moderator@example.com"}).status_code == 404


def test_the_sign_in_page_still_offers_the_ways_in(client):
    page = client.get("/accounts/login/")

    assert page.status_code == 200
    assert 'href="/accounts/email-link/' in page.content.decode()
    assert 'type="password"' not in page.content.decode()


def test_a_signed_in_reader_who_follows_change_sees_the_ways_in(client):
    """The "Change" link beside "You are commenting as…" leads here, not straight back."""
    client.force_login(make_user("reader"))

    page = client.get("/accounts/login/?next=/")

    assert page.status_code == 200
    assert 'href="/accounts/email-link/' in page.content.decode()


def test_allauth_never_signs_in_a_staff_account():
    """Should some allauth door ever open again, its sign-in still refuses staff."""
    request = RequestFactory().post("/accounts/login/")
    request.session = SessionStore()
    for staff in (make_editor(), make_user("root", is_superuser=True)):
        response = perform_login(request, staff)

        assert response.status_code == 403
        assert "_auth_user_id" not in request.session


# 2. Only an address its owner proved signs in to an account -------------------------------


def test_an_address_claimed_by_someone_else_does_not_lead_to_their_account(client, smtp):
    # Mallory put Vic's address on her account (as the old /accounts/email/ page let her).
    mallory = make_reader("mallory", "victim@example.org")
    EmailAddress.objects.create(user=mallory, email="victim@example.org", primary=True)

    vic = sign_in_by_link(client, smtp, "victim@example.org")

    assert vic != mallory
    assert EmailAddress.objects.get(user=vic).verified


def test_a_reader_signs_in_to_the_same_account_by_link_again(smtp):
    first = sign_in_by_link(Client(), smtp, "sam@example.com")
    again = sign_in_by_link(Client(), smtp, "SAM@example.com", "Sam")  # another link

    assert again == first


def test_an_account_made_by_link_before_still_signs_in(client, smtp):
    # Made by a link before addresses were recorded: no EmailAddress, the one it was made with.
    reader = make_reader("reader-0a1b2c3d4e", "sam@example.com")

    assert sign_in_by_link(client, smtp, "sam@example.com") == reader
    assert EmailAddress.objects.get(user=reader).verified


def test_a_verified_address_signs_in_to_its_account(client, smtp):
    reader = make_reader("pat", "pat@elsewhere.example")
    EmailAddress.objects.create(user=reader, email="pat@example.net", verified=True)

    assert sign_in_by_link(client, smtp, "pat@example.net") == reader


def test_a_staff_address_on_a_reader_account_signs_nobody_in(client, smtp):
    make_editor("chief")
    reader = make_reader("mallory", "chief@example.com")
    EmailAddress.objects.create(user=reader, email="chief@example.com", verified=True)

    response = client.post("/accounts/email-link/", {"email": "chief@example.com", "next": "/"})

    assert "Check your email" in response.content.decode()
    assert smtp.wait_for(1, timeout=0.5) == []
    assert signed_in_user(client) is None


# 3. The email-link form answers alike for every address --------------------------------------


def ask_as_a_server_does(email):
    """The email-link form, sent as gunicorn passes it on: the response before its close()."""
    browser = Client()
    browser.get("/accounts/email-link/")
    token = browser.cookies["csrftoken"].value
    return post_as_a_server_does(
        "/accounts/email-link/",
        {"email": email, "name": "", "next": "/"},
        HTTP_COOKIE=f"csrftoken={token}",
        HTTP_X_CSRFTOKEN=token,
        REMOTE_ADDR="10.9.8.7",
    )


@pytest.mark.django_db(transaction=True)  # the server's close() ends the request's connection
def test_the_answer_comes_before_the_email_whatever_the_address(smtp):
    make_editor("chief")

    reader = ask_as_a_server_does("sam@example.com")
    staff = ask_as_a_server_does("chief@example.com")

    assert reader.status_code == staff.status_code == 200
    assert b"".join(reader) == b"".join(staff)
    assert smtp.messages == []  # nothing is sent while the reader waits for the page
    reader.close()
    staff.close()
    [message] = smtp.wait_for(1)
    assert message["To"] == "sam@example.com"
    assert smtp.wait_for(2, timeout=0.5) == [message]


@pytest.mark.parametrize("email", ["sam@example.com", "chief@example.com"])
def test_a_relay_that_is_down_is_no_error_page(client, settings, email):
    make_editor("chief")
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nobody listens
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 1

    response = client.post("/accounts/email-link/", {"email": email, "name": "", "next": "/"})

    assert response.status_code == 200
    assert "Check your email" in response.content.decode()
