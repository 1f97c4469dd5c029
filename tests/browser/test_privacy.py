"""A reader takes a copy of their data, then has it erased, in Chromium and through the real
SMTP server; a moderator carries out the erasure in the admin."""

import re
import time

import pytest
from playwright.sync_api import expect

from comments.models import Comment, PrivacyRequest
from tests.browser.content import build_site
from tests.browser.tools import PASSWORD, sign_in
from tests.factories import make_moderator
from tests.smtp_server import body

pytestmark = pytest.mark.django_db(transaction=True)

KIM = "kim@example.com"


def newest_link(smtp, count):
    deadline = time.monotonic() + 10
    while len(smtp.to(KIM)) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return re.search(r"http://\S+(/your-data/\S+/)", body(smtp.to(KIM)[-1])).group(1)


def ask(page, article, kind):
    page.goto(article.get_absolute_url())
    page.get_by_role("link", name="See or erase your data.").click()
    page.get_by_label("Your email address").fill(KIM)
    page.get_by_label(kind).check()
    page.get_by_role("button", name="Send me the link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")


def test_reader_takes_a_copy_then_has_it_erased(new_context, smtp, settings, live_site, screenshot):
    settings.SITE_URL = live_site
    site = build_site()
    mine = Comment.objects.create(
        article=site.article, author_name="Kim", author_email=KIM, author_ip="198.51.100.23",
        content="Wider pavements would help my pram.", status=Comment.Status.APPROVED,
    )  # fmt: skip
    reader = new_context().new_page()

    ask(reader, site.article, "A copy of everything")
    reader.goto(newest_link(smtp, 1))
    reader.get_by_role("link", name="Read it as a web page").click()
    expect(reader.locator("main")).to_contain_text("Wider pavements would help my pram.")
    expect(reader.locator("main")).to_contain_text("198.51.100.23")
    with reader.expect_download() as download:
        reader.go_back()
        reader.get_by_role("link", name="Download it as JSON").click()
    assert "Wider pavements" in download.value.path().read_text()

    ask(reader, site.article, "Erase it")
    reader.goto(newest_link(smtp, 2))
    expect(reader.locator("main")).to_contain_text("A moderator will carry out the erasure")

    make_moderator(password=PASSWORD)
    moderator = new_context().new_page()
    sign_in(moderator, "moderator")
    moderator.goto("/admin/comments/privacyrequest/?kind__exact=erase")
    moderator.get_by_role("checkbox", name=re.compile("Select this object")).first.check()
    moderator.get_by_role("combobox", name="Action").select_option("erase_now")
    moderator.get_by_role("button", name="Go").click()
    expect(moderator.locator(".messagelist")).to_contain_text("Anonymised 1 comment(s).")

    mine.refresh_from_db()
    assert (mine.author_name, mine.author_email, mine.author_ip) == ("Anonymous", "", None)
    assert PrivacyRequest.objects.get(kind="erase").status == PrivacyRequest.Status.DONE
    reader.goto(site.article.get_absolute_url())
    comment = reader.locator(f"#comment-{mine.pk}")
    expect(comment).to_contain_text("Anonymous")
    expect(comment).to_contain_text("Wider pavements would help my pram.")
    deadline = time.monotonic() + 5
    while not any("erased" in m["Subject"] for m in smtp.to(KIM)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert any("erased" in m["Subject"] for m in smtp.to(KIM))
    print(screenshot(reader, "erased"))
