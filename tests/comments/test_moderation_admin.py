"""The moderation queue, as a member of the Moderators group uses it in the Django admin, and
the emails that bring moderators and authors to it."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from comments.models import Comment, Event
from tests.comments.conftest import Page, make_comment, posted
from tests.factories import default_author, make_editor, make_moderator

pytestmark = pytest.mark.django_db

QUEUE = "/admin/comments/comment/"
DIGEST = "[Broadsheet] Comments awaiting review"


@pytest.fixture
def moderator(db):
    return make_moderator()


@pytest.fixture
def desk(client, moderator):
    """The moderator's browser, signed in to the admin."""
    client.force_login(moderator)
    return client


@pytest.fixture
def act(desk, django_capture_on_commit_callbacks):
    """Run an admin action on some comments from a queue page; return the page it leads to."""

    def act(action, *comments, queue=QUEUE, **extra):
        data = {"action": action, "index": 0, "_selected_action": [c.pk for c in comments]}
        with django_capture_on_commit_callbacks(execute=True):
            response = desk.post(queue, {**data, **extra}, follow=True)
        assert response.status_code == 200
        for comment in comments:
            comment.refresh_from_db()
        return Page(response)

    return act


def rows(page):
    """The queue's rows as {column: text}, by comment excerpt."""
    table = page.by_id("result_list")
    result = {}
    for row in table.find("tbody").find_all("tr"):
        cells = {
            cls.removeprefix("field-"): cell.text
            for cell in row.find_all()
            if cell.parent is row
            for cls in cell.classes
            if cls.startswith("field-")
        }
        result[cells["excerpt"]] = cells
    return result


def messages(page):
    return [li.text for li in page.find_all("li", cls="success")]


def history(comment):
    return list(Event.objects.filter(comment=comment).values_list("message", flat=True))


@pytest.fixture
def queue(article):
    """Two held comments, two approved ones (both Ada's) and one spam."""
    return {
        "held": make_comment(
            article,
            status=Comment.Status.HELD,
            content="Held one",
            author_ip="192.0.2.44",
            author_email="bea@example.com",
            verdict=Comment.Verdict.ERROR,
            reason="Akismet unreachable: timed out, 1st try at 10:01",
        ),
        "held_ada": make_comment(
            article,
            status=Comment.Status.HELD,
            content="Held two",
            author_email="ada@example.com",
            reason="first-time commenter",
        ),
        "approved": make_comment(article, content="Approved one", author_email="ada@example.com"),
        "approved_2": make_comment(article, content="Approved two", author_email="ada@example.com"),
        "spam": make_comment(
            article, status=Comment.Status.SPAM, content="Spam one", verdict="spam"
        ),
    }


# The queue ---------------------------------------------------------------------------------


def test_queue_opens_on_comments_that_need_review_with_counts(desk, queue):
    response = desk.get(QUEUE, follow=True)

    assert response.redirect_chain == [(f"{QUEUE}?status__exact=held", 302)]
    page = Page(response)
    assert set(rows(page)) == {"Held one", "Held two"}
    filters = [a.text for a in page.by_id("changelist-filter").find_all("a")]
    for label in ["Needs review (2)", "Approved (2)", "Spam (1)", "Trash (0)", "All"]:
        assert label in filters


def test_queue_shows_verdict_reason_and_approved_count(desk, queue):
    page = Page(desk.get(QUEUE + "?status__exact=held"))

    shown = rows(page)
    assert shown["Held one"]["verdict"] == "Akismet unreachable"
    assert shown["Held one"]["reason"] == "Akismet unreachable: timed out, 1st try at 10:01"
    assert shown["Held one"]["record"].startswith("0 approved, 1 held, 0 spam, 0 trashed")
    assert shown["Held two"]["verdict"] == "Not checked yet"
    assert shown["Held two"]["record"].startswith("2 approved, 1 held, 0 spam")


def test_all_shows_every_status(desk, queue):
    page = Page(desk.get(QUEUE + "?status__exact=all"))

    assert len(rows(page)) == 5


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("bea@example.com", {"Held one"}),
        ("192.0.2.44", {"Held one"}),
        ("approved", {"Approved one", "Approved two"}),
    ],
    ids=["email", "ip", "text"],
)
def test_search_by_email_ip_and_text(desk, queue, query, found):
    page = Page(desk.get(QUEUE, {"q": query}))

    assert set(rows(page)) == found


def test_pending_badge_counts_held_comments(desk, queue):
    badge = Page(desk.get("/admin/")).find(cls="pending-comments")

    assert badge.text == "2 comments awaiting review"
    assert badge.find("a").attrs["href"] == f"{QUEUE}?status__exact=held"


def test_editors_cannot_open_the_queue(client, queue):
    client.force_login(make_editor())

    assert client.get(QUEUE, follow=True).status_code == 403
    assert client.get(f"{QUEUE}{queue['held'].pk}/change/").status_code == 403
    assert Page(client.get("/admin/")).find(cls="pending-comments") is None


# Actions -----------------------------------------------------------------------------------


@pytest.fixture
def checked(akismet, post, stranger, article):
    """A first-time reader's comment, checked by Akismet and held."""
    comment = posted(post(article, browser=stranger, content="Checked by Akismet."))
    assert comment.status == Comment.Status.HELD
    akismet.reset()
    return comment


def test_approve(act, queue, moderator, read, stranger, article):
    url = article.get_absolute_url()
    assert read(url, browser=stranger).comment(queue["held"]) is None

    page = act("approve", queue["held"])

    assert queue["held"].status == Comment.Status.APPROVED
    assert queue["held"].decided_by == moderator
    assert "1 comment(s) approved." in messages(page)
    assert "Moderator moderator approved this comment." in history(queue["held"])
    assert "Held one" in read(url, browser=stranger).comment(queue["held"]).text


def test_approve_from_the_needs_review_list_reports_how_many(act, queue):
    page = act("approve", queue["held"], queue["held_ada"], queue=QUEUE + "?status__exact=held")

    assert "2 comment(s) approved." in messages(page)


def test_spam_reports_once_with_what_was_checked(act, akismet, checked):
    page = act("mark_spam", checked)

    assert checked.status == Comment.Status.SPAM
    (report,) = akismet.received("submit-spam")
    assert {key: report[key] for key in checked.akismet_payload} == checked.akismet_payload
    assert akismet.received("submit-ham") == akismet.received("comment-check") == []
    assert "1 comment(s) marked as spam." in messages(page)
    assert history(checked)[-2:] == [
        "Moderator moderator marked this as spam and reported it to Akismet.",
        "Reported to Akismet as spam.",
    ]


def test_not_spam_reports_ham_once_and_approves(act, akismet, checked, mailoutbox):
    act("mark_ham", checked)

    assert checked.status == Comment.Status.APPROVED
    (report,) = akismet.received("submit-ham")
    assert {key: report[key] for key in checked.akismet_payload} == checked.akismet_payload
    assert akismet.received("submit-spam") == []
    assert [m.subject for m in mailoutbox if m.to == ["writer@example.com"]] == [
        "[Broadsheet] New comment on “Tea and Toast”"
    ]


def test_trash_then_restore(act, queue, read, stranger, article):
    url = article.get_absolute_url()
    assert read(url, browser=stranger).comment(queue["approved"]) is not None

    act("trash", queue["approved"])
    assert queue["approved"].status == Comment.Status.TRASH
    assert read(url, browser=stranger).comment(queue["approved"]) is None

    act("restore", queue["approved"])

    assert queue["approved"].status == Comment.Status.HELD
    assert history(queue["approved"])[-1] == "Moderator moderator restored this comment for review."


def test_check_again_asks_akismet_with_recheck_reason(act, akismet, checked):
    act("recheck", checked)

    (sent,) = akismet.received("comment-check")
    assert sent["recheck_reason"] == "recheck_queue"
    assert sent["comment_content"] == "Checked by Akismet."
    assert "Moderator moderator asked Akismet to check again." in history(checked)


def test_automatic_checks_never_report_to_akismet(act, akismet, checked, recheck_all):
    akismet.verdict_for = lambda form: "spam"

    act("recheck", checked)
    recheck_all()

    assert checked.status == Comment.Status.SPAM
    assert akismet.received("submit-spam") == akismet.received("submit-ham") == []


@pytest.fixture
def recheck_all(django_capture_on_commit_callbacks):
    def recheck_all():
        with django_capture_on_commit_callbacks(execute=True):
            call_command("recheck_comments", "--all-held", verbosity=0)

    return recheck_all


# A comment's page --------------------------------------------------------------------------


def test_change_page_shows_history_and_payload(desk, act, checked):
    act("recheck", checked)

    page = Page(desk.get(f"{QUEUE}{checked.pk}/change/"))

    entries = {
        row.find(cls="field-message").text: row.find(cls="field-actor").text
        for row in page.find_all("tr")
        if row.find(cls="field-message")
    }
    assert entries["Comment submitted."] == "-"
    assert entries["Moderator moderator asked Akismet to check again."] == "moderator"
    payload = page.find(cls="field-payload").find("pre").text
    assert '"comment_content": "Checked by Akismet."' in payload
    assert '"user_ip": ' in payload


# Deleting ----------------------------------------------------------------------------------


def test_delete_a_comment_without_replies(desk, queue):
    response = desk.post(f"{QUEUE}{queue['spam'].pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not Comment.objects.filter(pk=queue["spam"].pk).exists()


def test_delete_a_comment_with_a_reply_keeps_the_reply_under_a_placeholder(
    desk, read, stranger, article, queue
):
    parent = queue["approved"]
    reply = make_comment(article, parent=parent, content="I agree.")
    assert "Approved one" in read(article.get_absolute_url(), browser=stranger).text

    desk.post(f"{QUEUE}{parent.pk}/delete/", {"post": "yes"})

    page = read(article.get_absolute_url(), browser=stranger)
    assert "This comment was removed." in page.comment(parent).text
    assert "Approved one" not in page.text
    assert page.comment(reply).is_inside(page.comment(parent))


def test_delete_selected_keeps_replies_under_a_placeholder(act, read, article, queue):
    parent = queue["approved"]
    reply = make_comment(article, parent=parent, content="I agree.")

    act("delete_selected", parent)  # the confirmation page
    act("delete_selected", parent, post="yes")

    page = read(article.get_absolute_url())
    assert "This comment was removed." in page.comment(parent).text
    assert page.comment(reply).is_inside(page.comment(parent))


def test_poster_of_a_deleted_comment_sees_the_placeholder_too(
    desk, post, read, stranger, article, ada_returns
):
    mine = posted(post(article, browser=stranger, content="My two cents."))
    reply = make_comment(article, parent=mine, content="I agree.")

    desk.post(f"{QUEUE}{mine.pk}/delete/", {"post": "yes"})

    shown = read(article.get_absolute_url(), browser=stranger).comment(mine)
    assert "This comment was removed." in shown.text
    assert "awaiting moderation" not in shown.text
    assert shown.find(id=f"comment-{reply.pk}") is not None


# Emails ------------------------------------------------------------------------------------


def digests(mailoutbox):
    return [m for m in mailoutbox if m.subject == DIGEST]


def test_held_comment_emails_moderators_a_digest(moderator, post, article, mailoutbox, settings):
    post(article, content="Hello there.")

    (digest,) = digests(mailoutbox)
    assert digest.to == ["moderator@example.com"]
    assert "- Ada Lovelace on “Tea and Toast”: first-time commenter" in digest.body
    assert f"{settings.SITE_URL}{QUEUE}?status__exact=held" in digest.body


def test_at_most_one_digest_per_ten_minutes(moderator, post, article, mailoutbox):
    post(article, name="Ann", email="ann@example.com")
    post(article, name="Bob", email="bob@example.com")
    (first,) = digests(mailoutbox)
    assert "1 comment(s) are waiting for review" in first.body

    # Ten minutes later, the next held comment brings the next digest, with what was missed.
    notified = Comment.objects.exclude(moderators_notified_at=None)
    notified.update(moderators_notified_at=timezone.now() - timedelta(minutes=11))
    post(article, name="Cy", email="cy@example.com")

    first, second = digests(mailoutbox)
    assert "2 comment(s) are waiting for review" in second.body
    assert "- Bob on" in second.body
    assert "- Cy on" in second.body
    assert "Ann" not in second.body


def test_unticked_email_moderators_sends_no_digest(moderator, rules, post, article, mailoutbox):
    rules.notify_moderators = False
    rules.save()

    post(article)

    assert digests(mailoutbox) == []


@pytest.mark.parametrize("akismet_on", [True, False], ids=["akismet", "without-akismet"])
def test_comments_held_in_the_quiet_window_are_emailed_by_the_cron_job(
    request, akismet_on, moderator, post, article, mailoutbox,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    if akismet_on:
        request.getfixturevalue("akismet")
    post(article, name="Ann", email="ann@example.com")
    post(article, name="Bob", email="bob@example.com")
    notified = Comment.objects.exclude(moderators_notified_at=None)
    notified.update(moderators_notified_at=timezone.now() - timedelta(minutes=11))

    with django_capture_on_commit_callbacks(execute=True):
        call_command("recheck_comments", verbosity=0)  # every few minutes, from cron

    first, second = digests(mailoutbox)
    assert "- Bob on" in second.body


def test_author_is_told_of_an_approved_comment(post, article, ada_returns, mailoutbox, settings):
    comment = posted(post(article, content="Bravo."))

    (email,) = mailoutbox
    assert email.to == ["writer@example.com"]
    assert email.subject == "[Broadsheet] New comment on “Tea and Toast”"
    assert "Bravo." in email.body
    assert f"{settings.SITE_URL}/comments/{comment.pk}/" in email.body


def test_author_is_told_when_a_moderator_approves(act, queue, mailoutbox):
    act("approve", queue["held"])

    assert [m.to for m in mailoutbox] == [["writer@example.com"]]
    assert "Held one" in mailoutbox[0].body


def test_author_is_not_told_of_held_comments_or_their_own(post, client, article, mailoutbox):
    post(article, content="Held.")
    assert [m for m in mailoutbox if m.to == ["writer@example.com"]] == []

    writer = default_author()
    client.force_login(writer)
    make_comment(article, user=writer, author_name="Wendy Writer", author_email=writer.email)
    comment = posted(post(article, content="Thanks all."))

    assert comment.status == Comment.Status.APPROVED
    assert [m for m in mailoutbox if m.to == ["writer@example.com"]] == []
