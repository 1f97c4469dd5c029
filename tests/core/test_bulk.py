"""The one bulk-insert path stores every kind of value the models use exactly as the ORM does."""

import datetime

import pytest
from django.utils import timezone

from comments.models import Comment, Event
from core import bulk
from tests.factories import make_article, make_user

pytestmark = pytest.mark.django_db

MOMENT = datetime.datetime(2024, 2, 29, 23, 59, 58, 123456, tzinfo=datetime.UTC)


def test_a_comment_round_trips_every_field_type():
    article, user = make_article("Bulk"), make_user()
    values = {
        "article_id": article.pk,  # foreign key
        "user_id": user.pk,
        "author_name": "Иван \u202e李",  # text, any script
        "author_email": "ivan@example.com",
        "author_url": "https://example.com/ü",
        "author_ip": "2001:db8::1",  # an IP address
        "content": "Line one\n\nLine two \U0001f600",
        "submitted_at": MOMENT,  # a datetime with microseconds
        "status": Comment.Status.HELD,
        "verdict": Comment.Verdict.ERROR,
        "akismet_payload": {"user_ip": "2001:db8::1", "nested": [1, "two", None]},  # JSON
        "check_attempts": 3,  # a small integer
        "is_removed": True,  # a boolean
    }

    (pk,) = bulk.insert(Comment, [values])

    stored = Comment.objects.get(pk=pk)
    for name, value in values.items():
        assert getattr(stored, name) == value, name
    assert stored.next_check_at is None and stored.report_pending == ""  # the defaults


def test_many_rows_in_order_with_defaults():
    article = make_article("Many")
    rows = [
        {
            "article_id": article.pk,
            "author_name": f"R{n}",
            "content": f"{n}",
            "submitted_at": MOMENT,
        }
        for n in range(1_200)  # more than one statement holds
    ]

    ids = bulk.insert(Comment, rows)
    bulk.insert(Event, [{"comment_id": pk, "message": "Imported."} for pk in ids], returning=False)

    assert list(
        Comment.objects.filter(pk__in=ids).order_by("pk").values_list("content", flat=True)
    ) == [str(n) for n in range(1_200)]
    assert Event.objects.count() == 1_200
    assert all(abs(at - timezone.now()) < datetime.timedelta(minutes=1)
               for at in Event.objects.values_list("at", flat=True)[:5])  # fmt: skip
