"""A moderator's spam or not-spam decision reaches Akismet exactly once, however long it is down;
and the moderators' email is marked sent only once it was sent."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from comments import services
from comments.models import Comment
from comments.notifications import send_moderator_digest
from tests.cluster import free_ports
from tests.comments.conftest import make_comment, posted
from tests.factories import make_moderator

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator(db):
    return make_moderator()


@pytest.fixture
def checked(akismet, post, article):
    """A first-time reader's comment, checked by Akismet and held."""
    comment = posted(post(article, content="Checked by Akismet."))
    akismet.reset()
    return comment


@pytest.fixture
def later(django_capture_on_commit_callbacks):
    """Run the cron command once the retries are due."""

    def later():
        Comment.objects.exclude(next_report_at=None).update(
            next_report_at=timezone.now() - timedelta(seconds=1)
        )
        with django_capture_on_commit_callbacks(execute=True):
            call_command("recheck_comments", verbosity=0)

    return later


def decide(service, comment, moderator, capture):
    with capture(execute=True):
        service(comment=comment, by=moderator)
    comment.refresh_from_db()


def history(comment):
    return list(comment.events.values_list("message", flat=True))


@pytest.mark.parametrize(
    ("service", "endpoint", "kind"),
    [(services.mark_spam, "submit-spam", "spam"), (services.mark_ham, "submit-ham", "not spam")],
)
def test_a_report_that_fails_is_sent_once_akismet_is_back(
    checked, moderator, akismet, later, django_capture_on_commit_callbacks, service, endpoint, kind
):
    akismet.set_fault("refused")
    decide(service, checked, moderator, django_capture_on_commit_callbacks)

    assert checked.report_pending and checked.next_report_at is not None
    assert (
        f"Reporting to Akismet as {kind} failed: connection refused; will retry at"
        in (history(checked)[-1])
    )

    later()  # still down: tried again, rescheduled
    checked.refresh_from_db()
    assert checked.report_attempts == 2 and checked.report_pending

    akismet.reset()
    later()
    later()  # nothing left to send

    checked.refresh_from_db()
    assert (checked.report_pending, checked.next_report_at) == ("", None)
    assert [r["comment_content"] for r in akismet.received(endpoint)] == ["Checked by Akismet."]
    assert history(checked)[-1] == f"Reported to Akismet as {kind}."
    assert sum("failed" in line for line in history(checked)) == 2


def test_a_changed_decision_is_not_reported(
    checked, moderator, akismet, later, django_capture_on_commit_callbacks
):
    akismet.set_fault("500")
    decide(services.mark_spam, checked, moderator, django_capture_on_commit_callbacks)
    decide(services.approve, checked, moderator, django_capture_on_commit_callbacks)
    akismet.reset()

    later()

    checked.refresh_from_db()
    assert akismet.received("submit-spam") == []
    assert checked.report_pending == ""
    assert "Report to Akismet as spam dropped: the decision was changed since." in (
        history(checked)
    )


def test_spam_then_not_spam_reports_only_the_last_decision(
    checked, moderator, akismet, later, django_capture_on_commit_callbacks
):
    akismet.set_fault("refused")
    decide(services.mark_spam, checked, moderator, django_capture_on_commit_callbacks)
    decide(services.mark_ham, checked, moderator, django_capture_on_commit_callbacks)
    akismet.reset()

    later()

    assert akismet.received("submit-spam") == []
    assert len(akismet.received("submit-ham")) == 1


def test_a_report_delivered_twice_is_sent_once(checked, moderator, akismet):
    services.mark_spam(comment=checked, by=moderator)  # its task runs after the commit...
    services.send_report(comment_id=checked.pk, as_spam=True)
    services.send_report(comment_id=checked.pk, as_spam=True)  # ...and is delivered again

    assert len(akismet.received("submit-spam")) == 1


# The moderators' email -----------------------------------------------------------------------


def test_a_digest_that_cannot_be_sent_is_sent_by_the_next_run(article, settings):
    make_moderator()
    held = make_comment(article, status=Comment.Status.HELD, content="Waiting.")
    (closed_port,) = free_ports(1)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port

    with pytest.raises(ConnectionRefusedError):
        send_moderator_digest()

    held.refresh_from_db()
    assert held.moderators_notified_at is None  # not marked: nothing was sent

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send_moderator_digest() == 1
    assert send_moderator_digest() == 0  # once
    assert len(mail.outbox) == 1 and held.author_name in mail.outbox[0].body
    held.refresh_from_db()
    assert held.moderators_notified_at is not None
