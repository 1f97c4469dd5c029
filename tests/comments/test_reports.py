"""A moderator's spam or not-spam decision reaches Akismet exactly once, however long it is down.

The moderator decides in the admin; a failed report is tried again with the checks' backoff, by
`recheck_comments` from cron or by a deferred task, until Akismet accepts it. Every try is in
the comment's history, and a decision changed before the retry is not reported.
"""

import io
import threading
import time
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.utils import formats, timezone

from comments import services
from comments.models import Comment, Event
from tests.comments.conftest import make_comment, posted
from tests.factories import make_article, make_moderator

QUEUE = "/admin/comments/comment/"
CONTENT = "Checked by Akismet."


def history(comment):
    return list(Event.objects.filter(comment=comment).values_list("message", flat=True))


def reports(akismet, endpoint):
    """What Akismet received at `endpoint` (submit-spam, submit-ham): the comments' texts."""
    return [form["comment_content"] for form in akismet.received(endpoint)]


@pytest.fixture
def checked(akismet, post, article):
    """A first-time reader's comment, checked by Akismet and held."""
    comment = posted(post(article, content=CONTENT))
    assert comment.status == Comment.Status.HELD
    akismet.reset()
    return comment


@pytest.fixture
def moderator(db):
    return make_moderator()


@pytest.fixture
def act(client, moderator, django_capture_on_commit_callbacks):
    """The moderator runs an admin action on a comment from the queue."""
    client.force_login(moderator)

    def act(action, comment):
        data = {"action": action, "index": 0, "_selected_action": [comment.pk]}
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(QUEUE, data, follow=True)
        assert response.status_code == 200
        comment.refresh_from_db()

    return act


@pytest.fixture
def cron(django_capture_on_commit_callbacks):
    """`recheck_comments` from cron, run once the retries scheduled so far are due."""

    def cron():
        Comment.objects.exclude(next_report_at=None).update(
            next_report_at=timezone.now() - timedelta(seconds=1)
        )
        with django_capture_on_commit_callbacks(execute=True):
            call_command("recheck_comments", verbosity=0)

    return cron


def retry_line(kind, comment):
    at = formats.time_format(timezone.localtime(comment.next_report_at), "H:i")
    return f"Reporting to Akismet as {kind} failed: connection refused; will retry at {at}."


DECISIONS = [
    ("mark_spam", "submit-spam", "spam", Comment.Status.SPAM),
    ("mark_ham", "submit-ham", "not spam", Comment.Status.APPROVED),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("action", "endpoint", "kind", "status"), DECISIONS)
def test_a_report_that_fails_is_sent_once_akismet_is_back(
    checked, akismet, act, cron, action, endpoint, kind, status
):
    akismet.set_fault("refused")
    act(action, checked)

    assert checked.status == status  # the decision holds; only its report waits
    assert checked.report_pending
    # Tried again after 1 minute, then 5, as a failed check is.
    delay = checked.next_report_at - timezone.now()
    assert timedelta(seconds=50) < delay <= timedelta(minutes=1)
    first_failure = retry_line(kind, checked)
    assert history(checked)[-1] == first_failure

    cron()  # Akismet still down: tried again, and again later
    checked.refresh_from_db()
    assert checked.report_attempts == 2
    delay = checked.next_report_at - timezone.now()
    assert timedelta(minutes=4) < delay <= timedelta(minutes=5)
    second_failure = retry_line(kind, checked)

    akismet.reset()  # Akismet is back
    cron()
    cron()  # nothing left to send

    checked.refresh_from_db()
    assert (checked.report_pending, checked.next_report_at) == ("", None)
    assert reports(akismet, endpoint) == [CONTENT]
    assert akismet.received("submit-spam") + akismet.received("submit-ham") == [
        akismet.received(endpoint)[0]
    ]
    decided = next(i for i, line in enumerate(history(checked)) if line.startswith("Moderator"))
    assert history(checked)[decided + 1 :] == [
        first_failure,
        second_failure,
        f"Reported to Akismet as {kind}.",
    ]


@pytest.mark.django_db
def test_a_report_changed_before_its_retry_is_dropped(checked, akismet, act, cron):
    akismet.set_fault("500")
    act("mark_spam", checked)
    act("approve", checked)  # the moderator changes their mind while Akismet is down
    akismet.reset()

    cron()

    checked.refresh_from_db()
    assert akismet.received("submit-spam") == akismet.received("submit-ham") == []
    assert (checked.report_pending, checked.next_report_at) == ("", None)
    assert history(checked)[-1] == (
        "Report to Akismet as spam dropped: the decision was changed since."
    )


@pytest.mark.django_db
def test_spam_then_not_spam_reports_only_the_last_decision(checked, akismet, act, cron):
    akismet.set_fault("refused")
    act("mark_spam", checked)
    act("mark_ham", checked)
    akismet.reset()

    cron()
    cron()

    assert akismet.received("submit-spam") == []
    assert reports(akismet, "submit-ham") == [CONTENT]
    lines = history(checked)
    dropped = lines.index("Report to Akismet as spam dropped: the decision was changed since.")
    assert lines[-1] == "Reported to Akismet as not spam."
    assert dropped < len(lines) - 1


@pytest.mark.django_db
def test_the_same_decision_twice_is_reported_once(checked, akismet, act, cron):
    akismet.set_fault("refused")
    act("mark_spam", checked)
    act("mark_spam", checked)
    akismet.reset()

    cron()

    assert reports(akismet, "submit-spam") == [CONTENT]


@pytest.mark.django_db
def test_a_report_delivered_twice_is_sent_once(checked, moderator, akismet):
    services.mark_spam(comment=checked, by=moderator)  # its task runs after the commit...
    services.send_report(comment_id=checked.pk, as_spam=True)
    services.send_report(comment_id=checked.pk, as_spam=True)  # ...and is delivered again

    assert reports(akismet, "submit-spam") == [CONTENT]


@pytest.mark.django_db
def test_a_report_whose_task_was_lost_is_sent_by_the_cron(checked, moderator, akismet):
    # Decided, committed, and the task that should have reported it never ran.
    services.mark_spam(comment=checked, by=moderator)

    out = io.StringIO()
    call_command("recheck_comments", stdout=out)

    assert reports(akismet, "submit-spam") == [CONTENT]
    assert history(checked)[-1] == "Reported to Akismet as spam."
    assert "Sent 1 moderator report(s) to Akismet." in out.getvalue()


@pytest.mark.django_db
def test_the_cron_counts_only_the_reports_akismet_accepted(checked, akismet, act, cron):
    akismet.set_fault("refused")
    act("mark_spam", checked)
    Comment.objects.filter(pk=checked.pk).update(next_report_at=timezone.now())

    out = io.StringIO()
    call_command("recheck_comments", stdout=out)

    assert "report(s)" not in out.getvalue()  # tried, failed, and due again later
    checked.refresh_from_db()
    assert checked.report_attempts == 2 and checked.report_pending == "spam"


@pytest.mark.django_db
def test_reports_stop_15_days_after_the_decision(checked, akismet, act, cron):
    akismet.set_fault("refused")
    act("mark_spam", checked)
    Event.objects.filter(comment=checked).update(at=timezone.now() - timedelta(days=15))

    cron()

    checked.refresh_from_db()
    assert (checked.report_pending, checked.next_report_at) == ("", None)
    assert history(checked)[-1] == (
        "Reporting to Akismet as spam failed: connection refused; stopped retrying after 15 days."
    )
    akismet.reset()
    cron()
    assert akismet.received("submit-spam") == []


# Several processes: a worker that defers the retry, two deliveries at the same moment ---------


@pytest.fixture
def held(db):
    # A transactional test's database may have been emptied of the groups migrations make.
    Group.objects.get_or_create(name="Moderators")
    article = make_article("Worker article")
    return make_comment(article, status=Comment.Status.HELD, content=CONTENT)


def run_worker():
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_the_worker_retries_a_failed_report_when_it_is_due(akismet, held, settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    akismet.set_fault("refused")
    services.mark_spam(comment=held, by=make_moderator())
    run_worker()  # the report fails; its retry is a task deferred to the next try's time

    held.refresh_from_db()
    assert history(held)[-1] == retry_line("spam", held)
    (retry,) = DBTaskResult.objects.filter(status="READY")
    assert retry.run_after == held.next_report_at

    akismet.reset()
    run_worker()  # not due yet: nothing runs
    assert akismet.received("submit-spam") == []

    a_minute_later = timezone.now() - timedelta(seconds=1)
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=a_minute_later)
    Comment.objects.filter(pk=held.pk).update(next_report_at=a_minute_later)
    run_worker()
    call_command("recheck_comments", verbosity=0)  # the cron beside the worker sends nothing more

    assert reports(akismet, "submit-spam") == [CONTENT]
    assert history(held)[-1] == "Reported to Akismet as spam."


@pytest.mark.django_db(transaction=True)
def test_a_report_delivered_twice_at_once_is_sent_once(akismet, held, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    services.mark_spam(comment=held, by=make_moderator())  # its task is queued...
    akismet.delay = 0.5  # ...and two workers run it at the same moment
    start = threading.Barrier(2)

    def deliver():
        start.wait()
        services.send_report(comment_id=held.pk, as_spam=True)
        connection.close()

    deliveries = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in deliveries:
        thread.start()
    for thread in deliveries:
        thread.join()

    assert reports(akismet, "submit-spam") == [CONTENT]
    assert history(held).count("Reported to Akismet as spam.") == 1


@pytest.mark.django_db(transaction=True)
def test_a_decision_changed_while_its_report_is_on_the_way_is_reported_after_it(
    akismet, held, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    moderator = make_moderator()
    services.mark_spam(comment=held, by=moderator)
    akismet.delay = 0.5  # the spam report is slow to reach Akismet...

    def deliver():
        services.send_report(comment_id=held.pk, as_spam=True)
        connection.close()

    sending = threading.Thread(target=deliver)
    sending.start()
    for _ in range(100):  # ...and on its way when the moderator marks it not spam
        if akismet.received("submit-spam"):
            break
        time.sleep(0.05)
    services.mark_ham(comment=Comment.objects.get(pk=held.pk), by=moderator)
    sending.join()
    akismet.delay = 0
    services.send_report(comment_id=held.pk, as_spam=False)  # the task mark_ham queued

    # The spam report could not be called back; the not-spam one, sent after it, corrects it.
    assert [r.endpoint for r in akismet.requests] == ["submit-spam", "submit-ham"]
    assert history(held)[-2:] == [
        "Reported to Akismet as spam.",
        "Reported to Akismet as not spam.",
    ]
    held.refresh_from_db()
    assert (held.report_pending, held.next_report_at) == ("", None)
