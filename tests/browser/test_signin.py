"""A reader signs in to comment with an account they already have, in Chromium, against a real
OpenID Connect provider on 127.0.0.1 (tests/oidc_provider: django-oauth-toolkit), through the
whole authorisation-code flow with PKCE. A denied consent, a wrong state, an expired code and a
provider that is down each end on a clear page, with the reader's comment text kept."""

import re
import socket
import subprocess
import sys
import time
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from comments.models import Comment
from tests.browser.content import build_site
from tests.browser.tools import ROOT
from tests.oidc_provider.__main__ import CLIENT_ID, CLIENT_SECRET, PASSWORD, USERNAME

pytestmark = pytest.mark.django_db(transaction=True)

AUTHORIZE = re.compile(r"http://127\.0\.0\.1:\d+/o/authorize/.*")
DRAFT = "The night buses are the real test of a transport plan."


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Provider:
    def __init__(self, live_site, folder, code_seconds=60):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/o"
        redirect = f"{live_site}/accounts/oidc/testid/login/callback/"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.oidc_provider", "--port", str(self.port),
             "--redirect-uri", redirect, "--db", str(folder / "provider.sqlite3"),
             "--code-seconds", str(code_seconds)],
            cwd=ROOT, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert self.process.stdout.readline().strip() == "ready"
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("the test provider did not start")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture
def provider(live_site, settings, tmp_path, request):
    """A running provider, configured as the site's only sign-in provider, "Test ID"."""
    code_seconds = getattr(request, "param", 60)
    running = Provider(live_site, tmp_path, code_seconds=code_seconds)
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "OAUTH_PKCE_ENABLED": True,
            "APPS": [
                {
                    "provider_id": "testid",
                    "name": "Test ID",
                    "client_id": CLIENT_ID,
                    "secret": CLIENT_SECRET,
                    "settings": {"server_url": running.url, "oauth_pkce_enabled": True},
                }
            ],
        }
    }
    yield running
    running.stop()


def start_comment_and_sign_in(page, article):
    """Type a comment as a guest, then follow "Test ID" to the provider's consent page."""
    page.goto(article.get_absolute_url())
    page.get_by_role("textbox", name="Comment", exact=True).fill(DRAFT)
    page.locator(".comment-login").get_by_role("link", name="Test ID").click()
    page.get_by_role("button", name="Continue").click()  # allauth's page that POSTs
    page.get_by_label("Username").fill(USERNAME)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in to Test ID").click()
    expect(page.get_by_role("button", name="Authorize")).to_be_visible()


def assert_draft_kept(page, article):
    page.goto(article.get_absolute_url())
    expect(page.get_by_role("textbox", name="Comment", exact=True)).to_have_value(DRAFT)


def test_reader_signs_in_comments_as_themselves_and_signs_out(new_context, provider, screenshot):
    site = build_site()
    page = new_context().new_page()
    start_comment_and_sign_in(page, site.article)

    page.get_by_role("button", name="Authorize").click()

    page.wait_for_url(re.compile(re.escape(site.article.get_absolute_url())))
    expect(page.locator(".logged-in-as")).to_contain_text(
        "You are commenting as Pat Provider (Test ID)."
    )
    expect(page.get_by_role("textbox", name="Name")).to_have_count(0)
    text = page.get_by_role("textbox", name="Comment", exact=True)
    expect(text).to_have_value(DRAFT)  # what was typed before signing in
    page.get_by_role("button", name="Post Comment").click()
    page.wait_for_url(re.compile(r"#comment-\d+$"))
    comment = Comment.objects.get(content=DRAFT)
    # The provider's picture, kept here: the page never sends the browser to the provider.
    avatar = page.locator(f"#comment-{comment.pk} .comment__avatar")
    expect(avatar).to_have_attribute("src", re.compile(r"^/media/avatars/readers/\w+\.png$"))
    avatar.scroll_into_view_if_needed()  # it loads lazily
    page.wait_for_function(
        "selector => { const img = document.querySelector(selector);"
        " return img.complete && img.naturalWidth === 96; }",
        arg=f"#comment-{comment.pk} .comment__avatar",
    )
    reader = get_user_model().objects.get(email="pat@example.net")
    assert comment.user == reader
    assert comment.author_name == "Pat Provider"
    assert not (reader.is_staff or reader.is_superuser)
    assert not reader.has_usable_password()
    print(screenshot(page, "signed-in-comment"))

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile(re.escape(site.article.get_absolute_url())))
    expect(page.locator(".comment-login")).to_contain_text("Test ID")
    expect(page.locator(".logged-in-as")).to_have_count(0)


def test_denied_consent_ends_on_a_clear_page_and_keeps_the_comment(new_context, provider):
    site = build_site()
    page = new_context().new_page()
    start_comment_and_sign_in(page, site.article)

    page.get_by_role("button", name="Cancel").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Sign-in cancelled")
    expect(page.locator("main")).to_contain_text("Nothing was lost")
    assert not get_user_model().objects.filter(email="pat@example.net").exists()
    assert_draft_kept(page, site.article)


def answer_differently(context, change):
    """Pass the provider's answer to the consent form (a redirect back to the site, with the
    code and state) through `change(location) -> location` on its way to the browser.

    The redirect itself is intercepted: a browser follows it without asking the test again."""

    def intercept(route):
        if route.request.method != "POST":
            route.continue_()
            return
        response = route.fetch(max_redirects=0)
        headers = {**response.headers, "location": change(response.headers["location"])}
        route.fulfill(response=response, headers=headers)

    context.route(AUTHORIZE, intercept)


def forge_state(location):
    parts = urlsplit(location)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    query["state"] = "forged" + query["state"][6:]
    return f"{parts.scheme}://{parts.netloc}{parts.path}?{urlencode(query)}"


def test_a_wrong_state_is_refused_on_a_clear_page(new_context, provider):
    site = build_site()
    context = new_context()
    page = context.new_page()
    answer_differently(context, forge_state)
    start_comment_and_sign_in(page, site.article)

    page.get_by_role("button", name="Authorize").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Sign-in did not work")
    assert not get_user_model().objects.filter(email="pat@example.net").exists()
    assert_draft_kept(page, site.article)


@pytest.mark.parametrize("provider", [1], indirect=True)  # codes live one second
def test_an_expired_code_is_refused_on_a_clear_page(new_context, provider):
    site = build_site()
    context = new_context()
    page = context.new_page()

    def arrive_late(location):
        time.sleep(2.5)  # the code dies on the way back
        return location

    answer_differently(context, arrive_late)
    start_comment_and_sign_in(page, site.article)

    page.get_by_role("button", name="Authorize").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Sign-in did not work")
    assert not get_user_model().objects.filter(email="pat@example.net").exists()
    assert_draft_kept(page, site.article)


def test_a_provider_that_is_down_ends_on_a_clear_page(new_context, provider):
    site = build_site()
    page = new_context().new_page()
    page.goto(site.article.get_absolute_url())
    page.get_by_role("textbox", name="Comment", exact=True).fill(DRAFT)
    provider.stop()

    page.locator(".comment-login").get_by_role("link", name="Test ID").click()
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Sign-in did not work")
    assert_draft_kept(page, site.article)


def test_a_staff_address_never_becomes_a_reader_account(new_context, provider):
    site = build_site()
    staff = get_user_model().objects.create_user(
        "editor-pat", "PAT@example.net", "a staff passphrase", is_staff=True
    )
    page = new_context().new_page()
    start_comment_and_sign_in(page, site.article)

    page.get_by_role("button", name="Authorize").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "This address belongs to a staff account"
    )
    assert list(get_user_model().objects.filter(email__iexact="pat@example.net")) == [staff]
    assert not staff.socialaccount_set.exists()
