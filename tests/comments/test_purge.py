"""`manage.py purge_comments`, as an operator's daily cron runs it."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from comments.models import Comment, Event
from tests.comments.conftest import make_comment

pytestmark = pytest.mark.django_db

PAYLOAD = {"user_ip": "192.0.2.1", "comment_content": "Hi"}


def aged(article, status, days, **fields):
    return make_comment(
        article, status=status, submitted_at=timezone.now() - timedelta(days=days), **fields
    )


def purge():
    out = io.StringIO()
    call_command("purge_comments", stdout=out)
    return out.getvalue().strip()


def still_there(*comments):
    return [Comment.objects.filter(pk=c.pk).exists() for c in comments]


def test_deletes_old_spam_and_trash_only(article):
    spam_old, spam_new = aged(article, "spam", 16), aged(article, "spam", 14)
    trash_old, trash_new = aged(article, "trash", 31), aged(article, "trash", 29)
    approved_old, held_old = aged(article, "approved", 400), aged(article, "held", 400)

    output = purge()

    assert still_there(spam_old, spam_new, trash_old, trash_new, approved_old, held_old) == [
        False, True, False, True, True, True]  # fmt: skip
    assert output.startswith("Deleted 1 spam and 1 trashed comment(s);")


def test_keeps_old_spam_and_trash_that_still_have_replies(article):
    spam_parent, trash_parent = aged(article, "spam", 40), aged(article, "trash", 40)
    replies = [make_comment(article, parent=parent) for parent in (spam_parent, trash_parent)]

    purge()

    assert still_there(spam_parent, trash_parent, *replies) == [True] * 4


def test_forgets_akismet_payloads_older_than_15_days(article):
    old = aged(article, "approved", 16, akismet_payload=PAYLOAD)
    new = aged(article, "held", 14, akismet_payload=PAYLOAD)

    output = purge()

    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.akismet_payload, new.akismet_payload) == (None, PAYLOAD)
    assert output.endswith("forgot 1 Akismet payload(s).")


def test_deleting_takes_the_history_along(article):
    spam = aged(article, "spam", 16)
    Event.objects.create(comment=spam, message="Akismet flagged this as spam.")

    purge()

    assert not Event.objects.exists()


def test_periods_follow_the_settings(article, settings):
    settings.COMMENTS_SPAM_DAYS = 3
    settings.COMMENTS_TRASH_DAYS = 5
    spam, trash = aged(article, "spam", 4), aged(article, "trash", 4)

    purge()

    assert still_there(spam, trash) == [False, True]


def test_second_run_has_nothing_to_do(article):
    aged(article, "spam", 16, akismet_payload=PAYLOAD)
    purge()

    assert purge() == "Deleted 0 spam and 0 trashed comment(s); forgot 0 Akismet payload(s)."
