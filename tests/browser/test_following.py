"""A reader follows a discussion in a real browser, through a real SMTP server: subscribe →
confirm → a reply is approved → the email arrives → unsubscribe in one click → no more email."""

import re
import time

import pytest
from playwright.sync_api import expect

from comments import services
from comments.models import Comment, Subscription
from tests.browser.content import build_site
from tests.factories import make_moderator
from tests.smtp_server import body

pytestmark = pytest.mark.django_db(transaction=True)

READER = "kim@example.com"


def mail_to(smtp, address, count, timeout=10.0):
    deadline = time.monotonic() + timeout
    while len(smtp.to(address)) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return smtp.to(address)


def link(message, kind):
    return re.search(rf"(http://\S+/comments/{kind}/\S+/)", body(message)).group(1)


def test_reader_follows_a_discussion_hears_of_a_reply_and_unsubscribes(
    new_context, smtp, settings, live_site, screenshot
):
    settings.SITE_URL = live_site
    site = build_site()
    moderator = make_moderator()
    reader = new_context().new_page()
    reader.goto(site.article.get_absolute_url())

    form = reader.locator("#commentform")
    form.get_by_role("textbox", name="Comment", exact=True).fill("Who pays for the trams?")
    form.get_by_role("textbox", name="Name", exact=True).fill("Kim")
    form.get_by_role("textbox", name="Email", exact=True).fill(READER)
    form.get_by_label("Notify me of follow-up comments by email.").check()
    form.get_by_role("button", name="Post Comment").click()
    reader.wait_for_url(re.compile(r"#comment-\d+$"))

    [confirmation] = mail_to(smtp, READER, 1)
    reader.goto(link(confirmation, "follow"))
    expect(reader.get_by_role("heading", level=1)).to_have_text("You are subscribed")
    assert Subscription.objects.get(email=READER).confirmed_at is not None

    answer = Comment.objects.create(
        article=site.article, author_name="Lee", author_email="lee@example.com",
        content="The fares, mostly.", status=Comment.Status.HELD,
    )  # fmt: skip
    services.approve(comment=answer, by=moderator)

    [_, follow_up] = mail_to(smtp, READER, 2)
    assert "The fares, mostly." in body(follow_up)
    assert "lee@example.com" not in body(follow_up)
    reader.goto(link(follow_up, "unsubscribe"))
    expect(reader.get_by_role("heading", level=1)).to_have_text("You are unsubscribed")
    print(screenshot(reader, "unsubscribed"))

    later = Comment.objects.create(
        article=site.article, author_name="Lee", author_email="lee@example.com",
        content="And the council.", status=Comment.Status.HELD,
    )  # fmt: skip
    services.approve(comment=later, by=moderator)
    time.sleep(0.5)
    assert len(smtp.to(READER)) == 2
