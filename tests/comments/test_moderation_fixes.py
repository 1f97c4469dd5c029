"""Moderators' decisions that must change only what they say: replies only to comments that
may be answered, nothing approved by a refused reply, no second approval, removed comments
left removed, and the queue's messages counting what really happened."""

import pytest
from django.test import Client

from blog.models import Article
from comments.models import Comment, Event
from tests.comments.conftest import Page, make_comment
from tests.factories import make_moderator

pytestmark = pytest.mark.django_db

QUEUE = "/admin/comments/comment/"
ALL = QUEUE + "?status__exact=all"
TRASH = QUEUE + "?status__exact=trash"
NEW_COMMENT = "[Broadsheet] New comment on “Tea and Toast”"


@pytest.fixture
def moderator(db):
    return make_moderator()


@pytest.fixture
def desk(moderator):
    """The moderator's browser, signed in to the admin, CSRF checks on as a browser meets them."""
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(moderator)
    return browser


@pytest.fixture
def send(desk, django_capture_on_commit_callbacks):
    """POST from the admin as its pages do (with their CSRF token), running what the request
    scheduled for after the commit (checks, reports, emails)."""

    def send(url, data=None, *, page=QUEUE + "?status__exact=held", **headers):
        token = Page(desk.get(page)).find("input", name="csrfmiddlewaretoken").attrs["value"]
        with django_capture_on_commit_callbacks(execute=True):
            return desk.post(url, {"csrfmiddlewaretoken": token, **(data or {})},
                             HTTP_REFERER=f"http://testserver{page}", **headers)  # fmt: skip

    return send


@pytest.fixture
def act(send, desk):
    """Run a bulk action of the queue on `comments`; return the page it leads to."""

    def act(action, *comments, queue=ALL):
        data = {"action": action, "index": 0, "_selected_action": [c.pk for c in comments]}
        response = send(queue, data, page=queue)
        assert response.status_code == 302, response.status_code
        for comment in comments:
            comment.refresh_from_db()
        return Page(desk.get(response["Location"]))

    return act


def row(page, comment):
    return page.by_id("result_list").find("input", value=str(comment.pk)).parent.parent


def buttons(page, comment):
    """What the comment's row offers: its one-click buttons and its reply link."""
    cells = row(page, comment).find(cls="field-decide")
    return [node.text for node in cells.find_all() if node.tag in ("button", "a")]


def notes(page):
    """The admin's messages, as (level, text)."""
    shown = page.find("ul", cls="messagelist")
    return [(li.classes[0], li.text) for li in shown.find_all("li")] if shown else []


def history(comment):
    return list(Event.objects.filter(comment=comment).values_list("message", flat=True))


def author_emails(mailoutbox):
    return [m for m in mailoutbox if m.to == ["writer@example.com"]]


def public_page(article):
    return Page(Client().get(article.get_absolute_url()))


# 1. Replies only to held and approved comments ---------------------------------------------


@pytest.mark.parametrize("status", [Comment.Status.SPAM, Comment.Status.TRASH])
def test_reply_to_spam_or_trash_is_refused_and_it_stays_where_it_was(
    status, desk, send, akismet, article, mailoutbox
):
    unwanted = make_comment(article, status=status, author_name="Spammer",
                            content="Cheap pills here.", verdict="spam")  # fmt: skip
    url = f"{QUEUE}{unwanted.pk}/reply/"
    form = Page(desk.get(url))
    assert "Only a comment held for review or approved can be answered" in form.text
    assert form.find("textarea") is None and form.find("input", type="submit") is None

    response = send(url, {"content": "Please stop."})

    assert response.status_code == 200
    assert "Only a comment held for review or approved can be answered" in Page(response).text
    unwanted.refresh_from_db()
    assert unwanted.status == status and unwanted.decided_by is None
    assert not Comment.objects.filter(parent=unwanted).exists()
    assert akismet.received("submit-ham") == akismet.received("comment-check") == []
    assert author_emails(mailoutbox) == []
    assert "Cheap pills here." not in public_page(article).text


def test_the_queue_offers_reply_only_for_held_and_approved_comments(desk, article):
    held = make_comment(article, status=Comment.Status.HELD)
    approved = make_comment(article)
    spam = make_comment(article, status=Comment.Status.SPAM)
    trashed = make_comment(article, status=Comment.Status.TRASH)

    page = Page(desk.get(ALL))

    assert buttons(page, held)[-1] == "Approve and reply"
    assert buttons(page, approved)[-1] == "Reply"
    assert buttons(page, spam) == ["Not spam", "Trash"]
    assert buttons(page, trashed) == ["Approve"]


# 2. A refused reply approves nothing -------------------------------------------------------


def test_a_reply_refused_because_comments_are_closed_leaves_the_comment_held(
    desk, send, article, mailoutbox
):
    held = make_comment(article, status=Comment.Status.HELD, content="Is it too late?")
    Article.objects.filter(pk=article.pk).update(comments_open=False)
    before = history(held)

    response = send(f"{QUEUE}{held.pk}/reply/", {"content": "Yes."})

    assert response.status_code == 200
    page = Page(response)
    assert "Comments are closed on this article." in page.text
    assert page.find("input", type="submit").attrs["value"] == "Approve and reply"
    held.refresh_from_db()
    assert (held.status, held.decided_by) == (Comment.Status.HELD, None)
    assert history(held) == before
    assert not Comment.objects.filter(parent=held).exists()
    assert author_emails(mailoutbox) == []
    assert "Is it too late?" not in public_page(article).text


def test_a_second_reply_too_soon_leaves_its_comment_held(desk, send, article, mailoutbox):
    first = make_comment(article, status=Comment.Status.HELD, content="First question.")
    second = make_comment(article, status=Comment.Status.HELD, content="Second question.")
    assert send(f"{QUEUE}{first.pk}/reply/", {"content": "First answer."}).status_code == 302

    response = send(f"{QUEUE}{second.pk}/reply/", {"content": "Second answer."})

    assert "You are posting comments too quickly. Slow down." in Page(response).text
    second.refresh_from_db()
    assert second.status == Comment.Status.HELD
    assert not Comment.objects.filter(parent=second).exists()
    assert not any("Second question." in m.body for m in author_emails(mailoutbox))
    shown = public_page(article).text
    assert "First answer." in shown and "Second question." not in shown


# 3. Editing a long comment keeps the old text whole ----------------------------------------


def admin_form(page):
    """What the admin's change form sends as it stands."""
    form = page.by_id("comment_form")
    values = {
        node.attrs["name"]: node.attrs.get("value") or ""
        for node in form.find_all("input")
        if node.attrs.get("name") and node.attrs.get("type") not in ("submit", "checkbox")
    }
    for node in form.find_all("textarea"):
        text = node.raw_text
        values[node.attrs["name"]] = text[1:] if text.startswith("\n") else text
    return values


def test_editing_a_long_comment_keeps_the_old_text_whole(desk, send, article):
    long_text = " ".join(f"Sentence {n} of a long argument." for n in range(60))
    assert len(long_text) > 1500
    comment = make_comment(article, status=Comment.Status.HELD, content=long_text)
    url = f"{QUEUE}{comment.pk}/change/"
    form = admin_form(Page(desk.get(url)))

    response = send(url, {**form, "content": "Too long; shortened."}, page=url)

    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.content == "Too long; shortened."
    (entry,) = [line for line in history(comment) if line.startswith("Moderator moderator edited")]
    assert long_text in entry


# 4. Deciding what a comment already is changes nothing -------------------------------------


def test_bulk_approve_skips_what_is_already_approved(act, article, mailoutbox):
    approved = make_comment(article, content="Approved by the site rules.")
    held = make_comment(article, status=Comment.Status.HELD, content="Waiting.")
    before = history(approved)

    page = act("approve", approved, held)

    assert ("success", "1 comment(s) approved.") in notes(page)
    assert ("info", "1 comment(s) were already approved; nothing changed.") in notes(page)
    assert held.status == Comment.Status.APPROVED
    assert (approved.decided_by, history(approved)) == (None, before)
    (email,) = author_emails(mailoutbox)
    assert "Waiting." in email.body and "Approved by the site rules." not in email.body


def test_a_double_posted_approve_approves_once(desk, send, article, mailoutbox):
    held = make_comment(article, status=Comment.Status.HELD, author_name="Bea")
    approve = row(Page(desk.get(ALL)), held).find("button", cls="decide-approve")

    send(approve.attrs["formaction"], page=ALL)
    second = send(approve.attrs["formaction"], page=ALL)

    held.refresh_from_db()
    assert held.status == Comment.Status.APPROVED
    assert history(held).count("Moderator moderator approved this comment.") == 1
    assert len(author_emails(mailoutbox)) == 1
    assert ("info", "Comment by Bea was already approved; nothing changed.") in notes(
        Page(desk.get(second["Location"]))
    )


def test_not_spam_on_an_approved_comment_reports_nothing(act, akismet, article, mailoutbox):
    approved = make_comment(article, content="Fine words.")
    moderator_before = make_moderator("other")
    Comment.objects.filter(pk=approved.pk).update(decided_by=moderator_before)

    page = act("mark_ham", approved)

    assert ("info", "1 comment(s) were already approved; nothing changed.") in notes(page)
    assert approved.decided_by == moderator_before
    assert akismet.received("submit-ham") == []
    assert author_emails(mailoutbox) == [] and history(approved) == []


# 5. A removed comment stays removed --------------------------------------------------------


@pytest.fixture
def placeholder(send, article):
    """Spam with a reply, after Empty spam: kept, emptied, in the trash, for its reply."""
    spam = make_comment(article, status=Comment.Status.SPAM, author_name="Spammer",
                        content="Cheap pills here.")  # fmt: skip
    make_comment(article, parent=spam, content="Nobody wants these.")
    send(f"{QUEUE}empty/spam/")
    spam.refresh_from_db()
    assert (spam.status, spam.is_removed) == (Comment.Status.TRASH, True)
    return spam


def test_a_removed_comment_keeps_nothing_of_its_author_and_cannot_be_edited(
    desk, send, placeholder
):
    """Deleted "for good" but for its place in the thread."""
    assert (placeholder.author_name, placeholder.author_email, placeholder.author_url,
            placeholder.author_ip) == ("Anonymous", "", "", None)  # fmt: skip

    send(f"{QUEUE}{placeholder.pk}/change/", data={"content": "Back again", "author_name": "X",
                                                   "author_email": "x@example.com",
                                                   "author_url": ""})  # fmt: skip

    placeholder.refresh_from_db()
    assert (placeholder.content, placeholder.author_name) == ("", "Anonymous")


def test_a_removed_comment_offers_no_decision(desk, placeholder):
    assert buttons(Page(desk.get(TRASH)), placeholder) == []


def test_a_removed_comment_approved_before_offers_only_trash(desk, send, article, placeholder):
    Comment.objects.filter(pk=placeholder.pk).update(status=Comment.Status.APPROVED)
    assert buttons(Page(desk.get(ALL)), placeholder) == ["Trash"]

    send(f"{QUEUE}{placeholder.pk}/decide/trash/", page=ALL)

    placeholder.refresh_from_db()
    assert (placeholder.status, placeholder.is_removed) == (Comment.Status.TRASH, True)
    assert "Spammer" not in public_page(article).text


def test_a_removed_comment_cannot_be_approved_in_one_click(desk, send, article, placeholder):
    response = send(f"{QUEUE}{placeholder.pk}/decide/approve/", page=TRASH)

    placeholder.refresh_from_db()
    assert placeholder.status == Comment.Status.TRASH
    assert notes(Page(desk.get(response["Location"]))) == [(
        "error",
        "Comment by Anonymous not changed: a removed comment stays in the trash, as a "
        "placeholder for its replies.",
    )]  # fmt: skip
    as_json = send(f"{QUEUE}{placeholder.pk}/decide/ham/", page=TRASH,
                   HTTP_ACCEPT="application/json")  # fmt: skip
    assert as_json.status_code == 409
    shown = public_page(article)
    assert shown.comment(placeholder).text.startswith("This comment was removed.")
    assert "Spammer" not in shown.text


@pytest.mark.parametrize("action", ["approve", "mark_ham", "restore"])
def test_a_removed_comment_is_skipped_by_bulk_actions(act, akismet, article, placeholder, action):
    before = history(placeholder)

    page = act(action, placeholder, queue=TRASH)

    assert notes(page) == [(
        "warning",
        "1 comment(s) skipped: a removed comment stays in the trash, as a placeholder for its "
        "replies.",
    )]  # fmt: skip
    assert placeholder.status == Comment.Status.TRASH and history(placeholder) == before
    assert akismet.received("submit-ham") == []
    assert "Spammer" not in public_page(article).text


# 6. Check again: only held comments --------------------------------------------------------


def test_check_again_sends_only_held_comments(act, akismet, moderator, article):
    held = make_comment(article, status=Comment.Status.HELD, content="Check me.")
    approved = make_comment(article, decided_by=moderator)
    spam = make_comment(article, status=Comment.Status.SPAM, decided_by=moderator)

    page = act("recheck", held, approved, spam)

    assert notes(page) == [
        ("success", "1 comment(s) sent to Akismet again."),
        ("info", "2 comment(s) left alone: only comments held for review are checked again."),
    ]
    (sent,) = akismet.received("comment-check")
    assert sent["comment_content"] == "Check me."
    assert (approved.status, approved.decided_by) == (Comment.Status.APPROVED, moderator)
    assert (spam.status, spam.decided_by) == (Comment.Status.SPAM, moderator)
    assert history(approved) == history(spam) == []


# 7. Empty trash counts what it deleted -----------------------------------------------------


def test_empty_trash_counts_what_it_deleted_and_logs_a_placeholder_once(
    desk, send, article, placeholder
):
    trashed = make_comment(article, status=Comment.Status.TRASH)
    deleted_line = "Moderator moderator deleted this comment; its replies stay."
    assert history(placeholder).count(deleted_line) == 1

    confirm = Page(desk.get(f"{QUEUE}empty/trash/"))
    assert "This deletes 1 comment for good." in confirm.text
    response = send(f"{QUEUE}empty/trash/", page=TRASH)

    assert ("info", "1 comment(s) deleted.") in notes(Page(desk.get(response["Location"])))
    assert not Comment.objects.filter(pk=trashed.pk).exists()
    response = send(f"{QUEUE}empty/trash/", page=TRASH)

    assert ("info", "0 comment(s) deleted.") in notes(Page(desk.get(response["Location"])))
    assert history(placeholder).count(deleted_line) == 1
    placeholder.refresh_from_db()
    assert placeholder.is_removed and placeholder.status == Comment.Status.TRASH


def test_empty_trash_deletes_a_placeholder_and_its_trashed_reply_together(desk, send, article):
    parent = make_comment(article, status=Comment.Status.TRASH)
    make_comment(article, parent=parent, status=Comment.Status.TRASH)

    response = send(f"{QUEUE}empty/trash/", page=TRASH)

    assert ("info", "2 comment(s) deleted.") in notes(Page(desk.get(response["Location"])))
    assert not Comment.objects.filter(article=article).exists()
