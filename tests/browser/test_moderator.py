"""A moderator works the comment queue in the admin, in a real browser."""

import re

import pytest
from django.test import Client
from playwright.sync_api import expect

from comments.forms import sign_form
from comments.models import Comment
from tests.browser.content import build_site
from tests.browser.tools import PASSWORD, sign_in
from tests.factories import make_moderator

pytestmark = pytest.mark.django_db(transaction=True)


def post_as_new_reader(article, name, content):
    """A first-time commenter posts the article's form over HTTP, as a browser would."""
    response = Client().post(
        "/comments/post/",
        {
            "name": name,
            "email": f"{name.split()[0].lower()}@example.com",
            "content": content,
            "article": article.pk,
            "signature": sign_form(article.pk),
        },
        HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
        REMOTE_ADDR=f"192.0.2.{Comment.objects.count() + 100}",  # each reader their own address
    )
    assert response.status_code == 302, response.status_code
    return Comment.objects.get(content=content)


def run_action(page, row_text, action):
    """Tick the row showing `row_text`, choose `action` and press Go, as a moderator does."""
    page.locator("#result_list tbody tr", has_text=row_text).locator("input.action-select").check()
    page.locator("select[name=action]").select_option(label=action)
    page.get_by_role("button", name="Go").click()


def test_moderator_approves_one_comment_and_marks_another_as_spam(new_context, akismet, screenshot):
    site = build_site()
    article = site.article
    kind = post_as_new_reader(article, "Kim Kind", "Trees make streets cooler in summer.")
    pushy = post_as_new_reader(article, "Pat Pushy", "Visit my shop for discount tyres.")
    post_as_new_reader(article, "Lee Later", "I will decide about this one tomorrow.")
    assert {c.status for c in (kind, pushy)} == {Comment.Status.HELD}
    make_moderator(password=PASSWORD)

    moderator = new_context().new_page()
    sign_in(moderator, "moderator")
    moderator.locator("#comments-comment").get_by_role("link", name="Comments").click()

    # The queue opens on the comments that need review, with Akismet's verdict and the reason.
    expect(moderator).to_have_url(re.compile(r"status__exact=held"))
    status_filter = moderator.locator("#changelist-filter [data-filter-title=status]")
    expect(status_filter.locator("li.selected")).to_have_text("Needs review (3)")
    headers = moderator.locator("#result_list thead th")
    expect(headers.filter(has_text=re.compile(r"^\s*Verdict\s*$"))).to_have_count(1)
    expect(headers.filter(has_text=re.compile(r"^\s*Reason\s*$"))).to_have_count(1)
    row = moderator.locator("#result_list tbody tr", has_text=kind.content)
    expect(row.locator("td.field-verdict")).to_have_text("Akismet: not spam")
    expect(row.locator("td.field-reason")).to_have_text("first-time commenter")
    expect(moderator.locator("#result_list tbody tr")).to_have_count(3)

    run_action(moderator, kind.content, "Approve")
    expect(moderator.locator(".messagelist")).to_contain_text("1 comment(s) approved.")
    run_action(moderator, pushy.content, "Spam (report to Akismet)")
    expect(moderator.locator(".messagelist")).to_contain_text("1 comment(s) marked as spam.")
    expect(moderator.locator("#result_list tbody tr")).to_have_count(1)

    assert Comment.objects.get(pk=kind.pk).status == Comment.Status.APPROVED
    assert Comment.objects.get(pk=pushy.pk).status == Comment.Status.SPAM
    reported = akismet.received("submit-spam")
    assert [form["comment_content"] for form in reported] == [pushy.content]

    reader = new_context().new_page()
    reader.goto(article.get_absolute_url())
    expect(reader.locator(f"#comment-{kind.pk}")).to_contain_text(kind.content)
    expect(reader.locator(f"#comment-{pushy.pk}")).to_have_count(0)
    expect(reader.get_by_text("I will decide about this one tomorrow.")).to_have_count(0)
    print(screenshot(moderator, "moderator"))


def test_moderator_works_the_queue_from_the_keyboard(new_context, akismet, screenshot):
    site = build_site()
    first = post_as_new_reader(site.article, "Kim Kind", "Shade trees on every school street.")
    second = post_as_new_reader(site.article, "Pat Pushy", "Discount tyres at my shop.")
    third = post_as_new_reader(site.article, "Rude Reader", "Nobody cares about trees.")
    make_moderator(password=PASSWORD)
    moderator = new_context().new_page()
    sign_in(moderator, "moderator")
    moderator.goto("/admin/comments/comment/?status__exact=held&o=-7")  # oldest first below
    rows = moderator.locator("#result_list tbody tr")
    expect(rows).to_have_count(3)

    moderator.keyboard.press("?")
    expect(moderator.get_by_role("region", name="Keyboard shortcuts")).to_be_visible()
    moderator.keyboard.press("j")
    expect(moderator.get_by_role("status").first).to_contain_text("Comment 1 of 3")
    current = moderator.locator("tr.queue-current .field-excerpt").inner_text()
    moderator.keyboard.press("a")  # approve the comment in hand
    expect(moderator.locator(".queue-notice")).to_contain_text("approved.")  # in place
    approved = next(c for c in (first, second, third) if c.content == current)
    assert Comment.objects.get(pk=approved.pk).status == Comment.Status.APPROVED

    expect(rows).to_have_count(2)
    moderator.keyboard.press("j")
    current = moderator.locator("tr.queue-current .field-excerpt").inner_text()
    moderator.keyboard.press("s")  # spam, reported to Akismet
    expect(moderator.locator(".queue-notice")).to_contain_text("marked as spam.")
    spammed = next(c for c in (first, second, third) if c.content == current)
    assert Comment.objects.get(pk=spammed.pk).status == Comment.Status.SPAM
    assert [f["comment_content"] for f in akismet.received("submit-spam")] == [spammed.content]

    expect(rows).to_have_count(1)
    moderator.keyboard.press("j")
    moderator.keyboard.press("d")  # trash
    expect(moderator.locator(".queue-notice")).to_contain_text("moved to the trash.")
    expect(rows).to_have_count(0)
    assert Comment.objects.filter(status=Comment.Status.HELD).count() == 0
    moderator.keyboard.press("z")  # undo: back in the queue
    expect(rows).to_have_count(1)
    assert Comment.objects.filter(status=Comment.Status.HELD).count() == 1

    moderator.keyboard.press("j")
    expect(moderator.locator("tr.queue-current")).to_have_count(1)
    moderator.keyboard.press("r")  # approve and reply, as staff
    moderator.get_by_label("Your reply").fill("Thanks for reading.")
    moderator.keyboard.press("Tab")
    moderator.keyboard.press("Enter")
    expect(moderator.locator(".messagelist")).to_contain_text(
        re.compile(r"Approved the comment by .+ and replied; your reply is approved")
    )
    answered = Comment.objects.get(content__startswith="Thanks for reading.").parent
    assert answered.status == Comment.Status.APPROVED
    reader = new_context().new_page()
    reader.goto(site.article.get_absolute_url())
    expect(reader.get_by_text("Thanks for reading.")).to_be_visible()

    # Edit: a typo fixed, the old words kept in the history, the public page corrected.
    moderator.goto("/admin/comments/comment/?status__exact=approved&q=Pushy")
    expect(moderator.locator("#result_list tbody tr")).to_have_count(1)
    moderator.keyboard.press("j")
    moderator.keyboard.press("e")
    content = moderator.locator("textarea#id_content")
    content.fill("Discount tyres at my shop (link removed by a moderator).")
    content.press("Tab")
    moderator.get_by_role("button", name="Save", exact=True).press("Enter")
    expect(moderator.locator(".messagelist")).to_contain_text("was changed successfully")
    edited = Comment.objects.get(author_name="Pat Pushy")
    assert edited.content == "Discount tyres at my shop (link removed by a moderator)."
    assert edited.events.filter(message__contains="Discount tyres at my shop.").exists()
    reader.reload()
    expect(reader.get_by_text("link removed by a moderator")).to_be_visible()
    print(screenshot(moderator, "moderator-keyboard"))


def test_the_queue_has_no_wcag_violations(new_context):
    from tests.browser.test_accessibility import axe_violations

    site = build_site()
    post_as_new_reader(site.article, "Kim Kind", "Shade trees on every school street.")
    make_moderator(password=PASSWORD)
    moderator = new_context(bypass_csp=True).new_page()
    sign_in(moderator, "moderator")
    moderator.goto("/admin/comments/comment/?status__exact=held")
    moderator.keyboard.press("?")
    moderator.keyboard.press("j")

    assert axe_violations(moderator) == []
