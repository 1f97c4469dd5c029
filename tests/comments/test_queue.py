"""The moderation queue: one click decides a comment, from the row, through the services."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from comments.models import Comment
from tests.comments.conftest import Page, make_comment
from tests.factories import make_editor, make_moderator

pytestmark = pytest.mark.django_db

QUEUE = "/admin/comments/comment/?status__exact=held"


@pytest.fixture
def desk():
    """The moderator's browser, CSRF checks on, as a real browser meets them."""
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(make_moderator())
    return browser


def click(browser, comment, label, queue=QUEUE):
    """Press the row's button `label`, sending the queue's own form as the browser does."""
    page = Page(browser.get(queue))
    row = page.by_id("result_list").find("input", value=str(comment.pk)).parent.parent
    button = next(b for b in row.find_all("button") if b.text == label)
    token = page.find("input", name="csrfmiddlewaretoken").attrs["value"]
    return browser.post(
        button.attrs["formaction"],
        {"csrfmiddlewaretoken": token, "_selected_action": [], "action": ""},
        HTTP_REFERER=f"http://testserver{queue}",
    )


def test_one_click_approves_and_comes_back_to_the_queue(desk, article):
    held = make_comment(article, status=Comment.Status.HELD, author_name="Bea")

    response = click(desk, held, "Approve")

    held.refresh_from_db()
    assert held.status == Comment.Status.APPROVED
    assert response.status_code == 302 and response["Location"].endswith(QUEUE)
    assert "Moderator moderator approved this comment." in held.events.values_list(
        "message", flat=True
    )
    assert "Comment by Bea approved." in Page(desk.get(QUEUE)).text


def test_one_click_spam_reports_to_akismet_once(
    desk, article, akismet, django_capture_on_commit_callbacks
):
    held = make_comment(article, status=Comment.Status.HELD)

    with django_capture_on_commit_callbacks(execute=True):
        click(desk, held, "Spam")

    held.refresh_from_db()
    assert held.status == Comment.Status.SPAM
    assert len(akismet.received("submit-spam")) == 1


def test_each_row_offers_what_makes_sense_now(desk, article):
    held = make_comment(article, status=Comment.Status.HELD, content="Held")
    spam = make_comment(article, status=Comment.Status.SPAM, content="Spammy")
    page = Page(desk.get("/admin/comments/comment/?status__exact=all"))

    def offered(comment):
        row = page.by_id("result_list").find("input", value=str(comment.pk)).parent.parent
        return [b.text for b in row.find_all("button")]

    assert offered(held) == ["Approve", "Spam", "Trash"]
    assert offered(spam) == ["Not spam", "Trash"]


def test_only_moderators_decide_and_only_by_post(article, client):
    held = make_comment(article, status=Comment.Status.HELD)
    url = f"/admin/comments/comment/{held.pk}/decide/approve/"
    client.force_login(make_editor())

    assert client.post(url).status_code == 403
    client.force_login(make_moderator())
    assert client.get(url).status_code == 405
    assert client.post(f"/admin/comments/comment/{held.pk}/decide/publish/").status_code == 404
    held.refresh_from_db()
    assert held.status == Comment.Status.HELD


def test_a_redirect_elsewhere_is_not_followed(article, client):
    held = make_comment(article, status=Comment.Status.HELD)
    client.force_login(make_moderator())

    response = client.post(
        f"/admin/comments/comment/{held.pk}/decide/trash/", HTTP_REFERER="https://evil.example/"
    )

    assert response["Location"] == QUEUE


def test_the_queue_costs_the_same_queries_however_long(desk, article):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert desk.get(QUEUE).status_code == 200
        return len(captured)

    for n in range(3):
        make_comment(article, status=Comment.Status.HELD, author_email=f"r{n}@example.com")
    three = queries()
    for n in range(3, 40):
        make_comment(article, status=Comment.Status.HELD, author_email=f"r{n}@example.com")

    assert queries() == three


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


def test_a_moderator_corrects_a_comment_and_the_old_words_are_kept(article, client):
    held = make_comment(article, status=Comment.Status.HELD, author_name="Bea",
                        content="Teh trees are grate.")  # fmt: skip
    client.force_login(make_moderator())
    url = f"/admin/comments/comment/{held.pk}/change/"
    form = admin_form(Page(client.get(url)))

    response = client.post(url, {**form, "content": "The trees are great.\x0b",
                                 "author_name": "Bea\r\nSmith"})  # fmt: skip

    assert response.status_code == 302, Page(response).text[:500]
    held.refresh_from_db()
    assert (held.content, held.author_name) == ("The trees are great.", "Bea Smith")
    assert held.status == Comment.Status.HELD  # a correction decides nothing
    (entry,) = held.events.filter(message__startswith="Moderator moderator edited")
    assert "Teh trees are grate." in entry.message and "'Bea'" in entry.message


def test_a_website_the_reader_form_would_refuse_is_refused_here_too(article, client):
    held = make_comment(article, status=Comment.Status.HELD)
    client.force_login(make_moderator())
    url = f"/admin/comments/comment/{held.pk}/change/"
    form = admin_form(Page(client.get(url)))

    response = client.post(url, {**form, "author_url": "javascript:alert(1)"})

    assert response.status_code == 200 and "Enter a valid URL." in Page(response).text
    held.refresh_from_db()
    assert held.author_url == ""


def test_approve_and_reply_from_the_queue(
    article, client, akismet, django_capture_on_commit_callbacks
):
    held = make_comment(article, status=Comment.Status.HELD, author_name="Bea",
                        content="When are the trees planted?")  # fmt: skip
    client.force_login(make_moderator(first_name="Mo", last_name="Derator"))
    url = f"/admin/comments/comment/{held.pk}/reply/"
    form = Page(client.get(url))
    assert form.find("input", type="submit").attrs["value"] == "Approve and reply"

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"content": "In March, Bea."}, REMOTE_ADDR="192.0.2.80")

    assert response.status_code == 302
    held.refresh_from_db()
    assert held.status == Comment.Status.APPROVED
    reply = Comment.objects.get(parent=held)
    assert (reply.author_name, reply.status) == ("Mo Derator", Comment.Status.APPROVED)
    (checked,) = akismet.received("comment-check")
    assert (checked["user_role"], checked["user_ip"]) == ("administrator", "192.0.2.80")
    page = Client().get(article.get_absolute_url()).content.decode()
    assert "In March, Bea." in page and "When are the trees planted?" in page


def test_an_empty_reply_is_refused_with_words(article, client):
    held = make_comment(article, status=Comment.Status.HELD)
    client.force_login(make_moderator())

    response = client.post(f"/admin/comments/comment/{held.pk}/reply/", {"content": "  "})

    assert response.status_code == 200 and "Please type your reply." in Page(response).text
    held.refresh_from_db()
    assert held.status == Comment.Status.HELD and not Comment.objects.filter(parent=held)


def test_editors_cannot_reply_from_the_queue(article, client):
    held = make_comment(article, status=Comment.Status.HELD)
    client.force_login(make_editor())

    assert (
        client.post(f"/admin/comments/comment/{held.pk}/reply/", {"content": "x"}).status_code
        == 403
    )


def test_a_decision_can_be_undone_from_its_message(desk, article):
    held = make_comment(article, status=Comment.Status.HELD, author_name="Bea")
    click(desk, held, "Trash")
    page = Page(desk.get(QUEUE))
    undo = page.find("button", cls="queue-undo")
    token = page.find("input", name="csrfmiddlewaretoken").attrs["value"]

    response = desk.post(undo.attrs["formaction"], {"csrfmiddlewaretoken": token},
                         HTTP_REFERER=f"http://testserver{QUEUE}")  # fmt: skip

    assert response.status_code == 302
    held.refresh_from_db()
    assert held.status == Comment.Status.HELD
    assert held.events.last().message == (
        "Moderator moderator undid the last decision: back to held for review."
    )


def test_empty_spam_asks_first_and_keeps_what_has_replies(article, client):
    spam = [make_comment(article, status=Comment.Status.SPAM, content=f"Buy {n}") for n in range(3)]
    answered = spam[0]
    make_comment(article, parent=answered, content="A reply to it.")
    held = make_comment(article, status=Comment.Status.HELD)
    client.force_login(make_moderator())
    queue = Page(client.get("/admin/comments/comment/?status__exact=spam"))
    link = queue.find("a", cls="deletelink")
    assert link.text == "Empty spam"

    confirm = Page(client.get(link.attrs["href"]))
    assert "This deletes 3 comments for good." in confirm.text
    assert Comment.objects.filter(status=Comment.Status.SPAM).count() == 3  # nothing yet
    response = client.post(link.attrs["href"])

    assert response.status_code == 302
    assert list(Comment.objects.filter(status=Comment.Status.SPAM)) == []
    answered.refresh_from_db()  # kept as a placeholder for its reply
    assert answered.is_removed and answered.content == ""
    held.refresh_from_db()
    assert held.status == Comment.Status.HELD


def test_empty_trash_is_offered_only_while_it_has_something_to_delete(article, client):
    client.force_login(make_moderator())
    placeholder = make_comment(article, status=Comment.Status.TRASH, is_removed=True, content="")
    make_comment(article, parent=placeholder, content="A reply that keeps it.")
    trash = f"{QUEUE.split('?')[0]}?status__exact=trash"

    assert Page(client.get(trash)).find("a", cls="deletelink") is None  # only a placeholder
    make_comment(article, status=Comment.Status.TRASH, content="Rubbish.")
    assert Page(client.get(trash)).find("a", cls="deletelink") is not None


def test_only_spam_and_trash_can_be_emptied(article, client):
    client.force_login(make_moderator())

    assert client.get("/admin/comments/comment/empty/held/").status_code == 404
    assert Page(client.get(QUEUE)).find("a", cls="deletelink") is None


def test_each_row_shows_the_whole_comment_its_link_hosts_and_what_it_answers(desk, article):
    parent = make_comment(article, author_name="Ada", content="Trees cool streets.")
    reply = make_comment(
        article, parent=parent, status=Comment.Status.HELD,
        content="<b>Agreed</b>, see https://xn--pple-43d.com/trees and http://example.org/x",
    )  # fmt: skip
    page = Page(desk.get(QUEUE))

    row = page.by_id("result_list").find("input", value=str(reply.pk)).parent.parent
    cell = row.find(cls="field-in_full")
    assert "<b>Agreed</b>" in cell.text  # shown as text, never as markup
    assert "Links to: example.org, xn--pple-43d.com" in cell.text
    assert "In reply to Ada: Trees cool streets." in cell.text


def test_the_hosts_shown_are_those_of_every_link_readers_get(desk, article):
    """Readers get links from bare names and addresses too (urlize): so does the row."""
    held = make_comment(article, status=Comment.Status.HELD,
                        content="More at www.cheap-pills.example and cheap-pills.com "
                                "or mail deals@cheap-pills.net")  # fmt: skip
    page = Page(desk.get(QUEUE))

    row = page.by_id("result_list").find("input", value=str(held.pk)).parent.parent
    cell = row.find(cls="field-in_full")
    assert "Links to: cheap-pills.com, cheap-pills.net, www.cheap-pills.example" in cell.text


def test_the_record_counts_by_email_in_any_case_and_by_address(desk, article):
    make_comment(article, author_email="Bea@Example.com", author_ip="192.0.2.5")
    make_comment(article, author_email="bea@example.com", author_ip="192.0.2.5",
                 status=Comment.Status.SPAM)  # fmt: skip
    held = make_comment(article, author_email="BEA@example.com", author_ip="192.0.2.5",
                        status=Comment.Status.HELD)  # fmt: skip
    page = Page(desk.get(QUEUE))

    row = page.by_id("result_list").find("input", value=str(held.pk)).parent.parent
    record = row.find(cls="field-record").text
    assert record.startswith("1 approved, 1 held, 1 spam, 0 trashed; first seen")
    assert "3 from this address" in record


def test_a_bulk_action_can_take_every_matching_comment_not_just_the_page(article, client):
    for n in range(60):  # more than the 50 a page shows
        make_comment(article, status=Comment.Status.HELD, content=f"Same old {n}")
    client.force_login(make_moderator())

    response = client.post(QUEUE, {"action": "trash", "select_across": "1", "index": "0",
                                   "_selected_action": [Comment.objects.first().pk]})  # fmt: skip

    assert response.status_code == 302
    assert Comment.objects.filter(status=Comment.Status.TRASH).count() == 60
