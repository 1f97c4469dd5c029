"""Signing in to comment with a one-time link by email, through the real SMTP server; and what
a signed-in reader's comment form says."""

import re

import pytest
from django.contrib.auth import get_user_model
from hypothesis import given
from hypothesis import strategies as st

from tests.factories import make_editor
from tests.smtp_server import body

pytestmark = pytest.mark.django_db

LINK = re.compile(r"http://testserver(/accounts/email-link/[^/\s]+/)")


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = "http://testserver"


def ask_link(client, email, next_url="/", name=""):
    return client.post("/accounts/email-link/", {"email": email, "name": name, "next": next_url})


def test_a_link_by_email_signs_a_reader_in_once(client, smtp, article):
    response = ask_link(client, "sam@example.com", f"{article.get_absolute_url()}#respond", "Sam")
    assert "Check your email" in response.content.decode()
    [message] = smtp.wait_for(1)
    link = LINK.search(body(message)).group(1)

    # A mail scanner that opens the link signs nobody in: the page asks for a click.
    page = client.get(link)
    assert "Sign in as sam@example.com?" in page.content.decode()
    assert "_auth_user_id" not in client.session

    signed_in = client.post(link)
    assert signed_in["Location"] == f"{article.get_absolute_url()}#respond"
    reader = get_user_model().objects.get(email="sam@example.com")
    assert reader.first_name == "Sam"
    assert not (reader.is_staff or reader.is_superuser or reader.has_usable_password())
    form = client.get(article.get_absolute_url()).content.decode()
    assert "You are commenting as Sam (email)." in form

    client.logout()
    again = client.post(link)
    assert again.status_code == 400
    assert "already used" in again.content.decode()


def test_a_staff_address_gets_no_link(client, smtp):
    make_editor("chief")  # chief@example.com

    response = ask_link(client, "CHIEF@example.com")

    assert "Check your email" in response.content.decode()  # says nothing either way
    assert smtp.wait_for(1, timeout=0.5) == []


def test_an_address_elsewhere_is_not_where_the_link_leads(client, smtp):
    ask_link(client, "sam@example.com", "https://evil.example/steal")
    link = LINK.search(body(smtp.wait_for(1)[0])).group(1)

    assert client.post(link)["Location"] == "/"


def test_a_forged_link_signs_nobody_in(client, smtp):
    ask_link(client, "sam@example.com")
    link = LINK.search(body(smtp.wait_for(1)[0])).group(1)
    forged = link[:-5] + ("x" if link[-5] != "x" else "y") + link[-4:]

    response = client.post(forged)

    assert response.status_code == 400
    assert "This link does not work" in response.content.decode()
    assert not get_user_model().objects.filter(email="sam@example.com").exists()


def test_the_form_says_what_is_wrong(client, smtp):
    response = ask_link(client, "sam at example")

    assert response.status_code == 400
    assert "Enter a valid email address." in response.content.decode()
    assert 'value="sam at example"' in response.content.decode()


@given(email=st.text(max_size=120), name=st.text(max_size=300))
def test_any_input_gets_an_answer(client, email, name):
    response = client.post("/accounts/email-link/", {"email": email, "name": name, "next": name})
    assert response.status_code in (200, 400, 429)
