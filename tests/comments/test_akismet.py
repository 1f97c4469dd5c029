"""Akismet, for real over loopback: what is sent, what each verdict and each failure does,
the check that runs once the reader has the answer, the retries, `manage.py recheck_comments`,
and the site without a key."""

import io
from datetime import UTC, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from comments import services, spam
from comments.models import UNCHECKED_GRACE, Comment, Event
from comments.services import check_comment
from tests.comments.conftest import BROWSER, comment_as_a_server_does, form_data, posted
from tests.factories import make_editor, make_moderator, make_user

pytestmark = pytest.mark.django_db

KEY_ALERT = "[Broadsheet] The Akismet API key is invalid"


def gmt(moment):
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def history(comment):
    return list(Event.objects.filter(comment=comment).values_list("message", flat=True))


def failing(akismet, fault, settings):
    """Turn a fault on; a slow server answers after the client has given up."""
    if fault == "slow":
        settings.AKISMET_TIMEOUT = 0.3
        akismet.slow_seconds = 1
    akismet.set_fault(fault)


# What is sent ------------------------------------------------------------------------------


def test_comment_check_gets_everything_akismet_uses(akismet, post, article, settings):
    comment = posted(post(article, ip="192.0.2.10", url="https://ada.example/", content="Hi."))

    (sent,) = akismet.received("comment-check")
    article.refresh_from_db()
    assert sent == {
        "api_key": "test-key",
        "blog": settings.AKISMET_SITE_URL,
        "user_ip": "192.0.2.10",
        "user_agent": BROWSER,
        "referrer": f"http://testserver{article.get_absolute_url()}",
        "permalink": f"{settings.SITE_URL}{article.get_absolute_url()}",
        "comment_type": "comment",
        "comment_author": "Ada Lovelace",
        "comment_author_email": "ada@example.com",
        "comment_author_url": "https://ada.example/",
        "comment_content": "Hi.",
        "comment_date_gmt": gmt(comment.submitted_at),
        "comment_post_modified_gmt": gmt(article.updated_at),
        "blog_lang": "en",
        "blog_charset": "UTF-8",
        "honeypot_field_name": "hp_website",
        "comment_context": ["Food", "breakfast"],
    }


def test_stored_payload_is_what_was_sent(akismet, post, article):
    comment = posted(post(article))

    (sent,) = akismet.received("comment-check")
    assert {key: sent[key] for key in comment.akismet_payload} == comment.akismet_payload


def test_a_reply_is_sent_as_a_reply(akismet, post, article):
    parent = Comment.objects.create(
        article=article, status=Comment.Status.APPROVED, author_name="Grace", content="Hm."
    )

    post(article, parent=parent.pk)

    assert akismet.received("comment-check")[0]["comment_type"] == "reply"


def test_staff_comment_is_sent_as_administrator(akismet, post, client, article):
    client.force_login(make_editor())

    post(article, content="From the desk.")

    assert akismet.received("comment-check")[0]["user_role"] == "administrator"


def test_reader_account_is_not_sent_as_administrator(akismet, post, client, article):
    client.force_login(make_user("reader"))

    post(article)

    assert "user_role" not in akismet.received("comment-check")[0]


# After the response ------------------------------------------------------------------------

HELD_NOTICE = "Your comment is awaiting moderation."


@pytest.mark.django_db(transaction=True)
def test_the_reader_has_the_answer_before_akismet_is_asked(
    akismet, article, ada_returns, client, read, stranger
):
    response = comment_as_a_server_does(article, content="Lovely, as ever.")

    comment = posted(response)
    assert (comment.status, comment.verdict) == (Comment.Status.HELD, Comment.Verdict.UNCHECKED)
    assert akismet.received("comment-check") == []
    # The reader follows the redirect at once: their comment is there, awaiting moderation,
    # and no one else sees it.
    client.cookies.update(response.cookies)
    assert HELD_NOTICE in read(article.get_absolute_url()).comment(comment).text
    assert read(article.get_absolute_url(), browser=stranger).comment(comment) is None

    response.close()  # the server sent the last byte: the check runs now

    comment.refresh_from_db()
    assert (comment.status, comment.verdict) == (Comment.Status.APPROVED, Comment.Verdict.HAM)
    (sent,) = akismet.received("comment-check")
    assert sent["comment_content"] == "Lovely, as ever."
    mine = read(article.get_absolute_url()).comment(comment)
    assert "Lovely, as ever." in mine.text
    assert HELD_NOTICE not in mine.text
    assert read(article.get_absolute_url(), browser=stranger).comment(comment) is not None


@pytest.mark.django_db(transaction=True)
def test_a_process_that_dies_before_the_check_leaves_the_comment_held_for_recheck_comments(
    akismet, article, ada_returns, stranger, read
):
    response = comment_as_a_server_does(article, content="Lovely, as ever.")
    # The process dies: the server never calls response.close(), the check never runs.
    comment = posted(response)
    assert (comment.status, comment.verdict) == (Comment.Status.HELD, Comment.Verdict.UNCHECKED)
    assert read(article.get_absolute_url(), browser=stranger).comment(comment) is None

    # A check may still be on its way for a few minutes: cron leaves it alone meanwhile.
    out = io.StringIO()
    call_command("recheck_comments", stdout=out)
    assert out.getvalue().strip() == "Checked 0 comment(s) with Akismet."
    assert akismet.received("comment-check") == []

    Comment.objects.filter(pk=comment.pk).update(
        submitted_at=timezone.now() - UNCHECKED_GRACE - timedelta(seconds=1)
    )
    call_command("recheck_comments", stdout=out)

    comment.refresh_from_db()
    assert (comment.status, comment.verdict) == (Comment.Status.APPROVED, Comment.Verdict.HAM)
    assert [sent["comment_content"] for sent in akismet.received("comment-check")] == [
        "Lovely, as ever."
    ]
    assert read(article.get_absolute_url(), browser=stranger).comment(comment) is not None


@pytest.mark.django_db(transaction=True)
def test_akismet_unreachable_after_the_response_holds_the_comment_and_plans_a_retry(
    akismet, article
):
    response = comment_as_a_server_does(article)
    akismet.set_fault("refused")

    response.close()

    comment = posted(response)
    assert (comment.status, comment.verdict) == (Comment.Status.HELD, Comment.Verdict.ERROR)
    assert comment.reason.startswith("Akismet unreachable: connection refused")
    assert Comment.objects.due_for_recheck(comment.next_check_at).get() == comment


# When Akismet fails ------------------------------------------------------------------------

FAULTS = [
    ("slow", "timed out"),
    ("refused", "connection refused"),
    ("500", "server error 500"),
    ("garbage", "unexpected answer"),
    ("invalid_key", "invalid API key"),
]


@pytest.mark.parametrize(("fault", "error"), FAULTS, ids=[f for f, _ in FAULTS])
def test_failed_check_holds_the_comment_and_plans_a_retry(
    akismet, post, article, ada_returns, settings, fault, error
):
    failing(akismet, fault, settings)

    before = timezone.now()
    comment = posted(post(article))

    assert (comment.status, comment.verdict) == (Comment.Status.HELD, Comment.Verdict.ERROR)
    assert before + timedelta(minutes=1) <= comment.next_check_at
    assert comment.next_check_at <= timezone.now() + timedelta(minutes=1)
    retry_at = timezone.localtime(comment.next_check_at).strftime("%H:%M")
    assert comment.reason.startswith(f"Akismet unreachable: {error}")
    assert comment.reason.endswith(retry_at)
    assert f"Akismet unreachable: {error}; will retry at {retry_at}." in history(comment)


def test_failed_check_shows_nothing_to_other_readers(akismet, post, read, stranger, article):
    akismet.set_fault("500")

    comment = posted(post(article, content="Unchecked words"))

    assert read(article.get_absolute_url(), browser=stranger).comment(comment) is None


def test_retries_back_off_1_5_20_then_every_20_minutes(akismet, post, article):
    akismet.set_fault("500")
    comment = posted(post(article))
    delays = [comment.next_check_at - timezone.now()]

    for _ in range(3):
        services.check_with_akismet(comment_id=comment.pk)
        comment.refresh_from_db()
        delays.append(comment.next_check_at - timezone.now())

    assert [round(d.total_seconds() / 60) for d in delays] == [1, 5, 20, 20]
    assert comment.check_attempts == 4
    assert len(akismet.received("comment-check")) == 4


def test_retries_stop_after_15_days(akismet, post, article):
    akismet.set_fault("500")
    comment = posted(post(article))
    Comment.objects.filter(pk=comment.pk).update(submitted_at=timezone.now() - timedelta(days=15))

    services.check_with_akismet(comment_id=comment.pk)

    comment.refresh_from_db()
    assert (comment.status, comment.next_check_at) == (Comment.Status.HELD, None)
    assert comment.reason == "Akismet unreachable for 15 days: server error 500"
    assert history(comment)[-1] == (
        "Akismet unreachable: server error 500; stopped retrying after 15 days."
    )
    assert not Comment.objects.due_for_recheck().exists()


# manage.py recheck_comments ----------------------------------------------------------------


@pytest.fixture
def recheck(django_capture_on_commit_callbacks):
    def recheck(*args):
        out = io.StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("recheck_comments", *args, stdout=out)
        return out.getvalue()

    return recheck


def test_recheck_asks_again_about_due_comments_only_and_applies_the_verdict(
    akismet, post, article, ada_returns, recheck, time_passes
):
    akismet.set_fault("500")
    due = posted(post(article, content="Due now."))
    time_passes()
    later = posted(post(article, content="Not yet."))
    Comment.objects.filter(pk=due.pk).update(next_check_at=timezone.now() - timedelta(seconds=1))
    akismet.reset()

    output = recheck()

    assert output.strip() == "Checked 1 comment(s) with Akismet."
    assert [sent["comment_content"] for sent in akismet.received("comment-check")] == ["Due now."]
    due.refresh_from_db()
    later.refresh_from_db()
    assert (due.status, due.verdict) == (Comment.Status.APPROVED, Comment.Verdict.HAM)
    assert "Akismet cleared this comment." in history(due)
    assert (later.status, later.verdict) == (Comment.Status.HELD, Comment.Verdict.ERROR)


def test_recheck_says_when_akismet_still_does_not_answer(akismet, post, article):
    akismet.set_fault("500")
    comment = posted(post(article, content="Still waiting."))
    Comment.objects.filter(pk=comment.pk).update(next_check_at=timezone.now())
    out, err = io.StringIO(), io.StringIO()

    call_command("recheck_comments", stdout=out, stderr=err)

    assert out.getvalue().strip() == "Checked 1 comment(s) with Akismet."
    assert err.getvalue().strip() == (
        "1 comment(s) could not be checked: Akismet did not answer (the queue shows why, "
        "and when each is tried again)."
    )
    comment.refresh_from_db()
    assert (comment.status, comment.verdict) == (Comment.Status.HELD, Comment.Verdict.ERROR)


def test_recheck_sends_the_stored_payload_again(akismet, post, article, recheck):
    akismet.set_fault("500")
    comment = posted(post(article))
    first = akismet.received("comment-check")[0]
    Comment.objects.filter(pk=comment.pk).update(next_check_at=timezone.now())
    akismet.reset()

    recheck()

    assert akismet.received("comment-check") == [first]


def test_recheck_never_overrides_a_moderator(akismet, post, article, recheck):
    akismet.set_fault("500")
    comment = posted(post(article))
    services.approve(comment=comment, by=make_moderator())
    Comment.objects.filter(pk=comment.pk).update(next_check_at=timezone.now())
    akismet.reset()

    recheck()
    services.check_with_akismet(comment_id=comment.pk)  # a retry still queued somewhere

    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    assert akismet.received("comment-check") == []


def test_moderator_deciding_while_akismet_answers_is_not_overridden(
    akismet, post, article, monkeypatch
):
    akismet.set_fault("500")
    comment = posted(post(article, name="akismet-guaranteed-spam"))
    akismet.reset()
    real_check = spam.check

    def check_while_moderator_approves(payload, **kwargs):
        result = real_check(payload, **kwargs)
        services.approve(comment=Comment.objects.get(pk=comment.pk), by=make_moderator())
        return result

    monkeypatch.setattr(spam, "check", check_while_moderator_approves)
    services.check_with_akismet(comment_id=comment.pk)

    comment.refresh_from_db()
    assert (comment.status, comment.verdict) == (Comment.Status.APPROVED, Comment.Verdict.ERROR)
    assert "Akismet flagged this as spam." not in history(comment)


def test_recheck_all_held_asks_about_the_whole_queue(akismet, post, article, recheck):
    held = [
        posted(post(article, content=f"Number {n}.", email=f"reader{n}@example.com"))
        for n in range(3)
    ]
    akismet.reset()

    output = recheck("--all-held", "--batch-size", "2")

    assert output.strip() == "Checked 3 comment(s) with Akismet."
    sent = akismet.received("comment-check")
    assert sorted(s["comment_content"] for s in sent) == sorted(c.content for c in held)
    assert {s["recheck_reason"] for s in sent} == {"recheck_queue"}


def test_recheck_without_a_key_asks_nothing_and_says_so(akismet, post, article, recheck, settings):
    settings.AKISMET_API_KEY = ""
    post(article)

    assert "Akismet is off (AKISMET_API_KEY is not set)" in recheck()
    assert akismet.requests == []


def test_recheck_refuses_a_batch_size_below_one(recheck):
    with pytest.raises(CommandError, match="--batch-size"):
        recheck("--batch-size", "0")


# The key -----------------------------------------------------------------------------------


def test_invalid_key_alerts_moderators_once(akismet, post, article, mailoutbox):
    make_moderator()
    akismet.set_fault("invalid_key")

    for n in range(3):
        post(article, content=f"Number {n}.", email=f"reader{n}@example.com")

    alerts = [m for m in mailoutbox if m.subject == KEY_ALERT]
    assert len(alerts) == 1
    assert alerts[0].to == ["moderator@example.com"]
    assert "AKISMET_API_KEY" in alerts[0].body
    assert Comment.objects.held().filter(verdict=Comment.Verdict.ERROR).count() == 3


def test_key_that_works_again_alerts_again_when_it_next_fails(
    akismet, post, article, mailoutbox, time_passes
):
    make_moderator()
    akismet.set_fault("invalid_key")
    post(article, content="One.")
    akismet.reset()
    time_passes()
    post(article, content="Two.")
    akismet.set_fault("invalid_key")
    time_passes()
    post(article, content="Three.")

    assert [m.subject for m in mailoutbox].count(KEY_ALERT) == 2


def test_without_a_key_the_site_rules_decide_and_nothing_is_sent(
    akismet, post, article, ada_returns, settings
):
    settings.AKISMET_API_KEY = ""

    returning = posted(post(article, content="Hello again."))
    newcomer = posted(post(article, name="Bea", email="bea@example.com"))

    assert akismet.requests == []
    assert (returning.status, returning.verdict) == (
        Comment.Status.APPROVED,
        Comment.Verdict.SKIPPED,
    )
    assert (newcomer.status, newcomer.reason) == (Comment.Status.HELD, "first-time commenter")
    assert returning.akismet_payload is None


def test_check_task_delivered_twice_acts_once(
    akismet, client, article, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as scheduled:
        response = client.post("/comments/post/", form_data(article), REMOTE_ADDR="192.0.2.1")
    comment = posted(response)

    for _delivery in range(2):
        for callback in scheduled:
            callback()

    assert len(akismet.received("comment-check")) == 1
    assert history(comment).count("Akismet cleared this comment.") == 1


def test_check_task_for_a_deleted_comment_does_nothing(akismet):
    check_comment.enqueue(123_456)

    assert akismet.requests == []


@pytest.mark.parametrize(("key", "mentioned"), [("", True), ("test-key", False)])
def test_manage_py_check_mentions_a_missing_key(settings, key, mentioned):
    settings.AKISMET_API_KEY = key
    out, err = io.StringIO(), io.StringIO()

    call_command("check", stdout=out, stderr=err)

    assert ("AKISMET_API_KEY" in out.getvalue() + err.getvalue()) is mentioned


def test_a_check_that_crashed_is_tried_again_by_recheck_comments(
    akismet, post, article, recheck, monkeypatch
):
    def crash(**kwargs):
        raise RuntimeError("deadlock detected")

    monkeypatch.setattr(services, "check_with_akismet", crash)
    comment = posted(post(article))
    monkeypatch.undo()
    Comment.objects.filter(pk=comment.pk).update(
        submitted_at=timezone.now() - timedelta(minutes=10)
    )

    recheck()

    comment.refresh_from_db()
    assert comment.verdict == Comment.Verdict.HAM
