"""With the database task backend, the request does not wait for Akismet: a worker checks."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from blog.models import Article
from comments.forms import sign_form
from comments.models import Comment
from tests.comments.conftest import comment_as_a_server_does, posted
from tests.comments.test_akismet import HELD_NOTICE

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def article():
    return Article.objects.create(
        title="Worker article",
        slug="worker-article",
        body="<p>Body</p>",
        status=Article.Status.PUBLISHED,
        published_at=timezone.now(),
    )


def post(client, article, **fields):
    data = {
        "name": "Reader",
        "email": "reader@example.com",
        "content": "A thoughtful comment.",
        "article": article.pk,
        "signature": sign_form(article.pk),
        **fields,
    }
    return client.post("/comments/post/", data)


def run_worker():
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


def test_request_returns_before_akismet_and_the_worker_checks(
    client, akismet, database_tasks, article
):
    response = post(client, article)

    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.verdict == Comment.Verdict.UNCHECKED
    assert akismet.received("comment-check") == []
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Your comment is awaiting moderation." in page

    run_worker()

    comment.refresh_from_db()
    assert comment.verdict == Comment.Verdict.HAM
    assert len(akismet.received("comment-check")) == 1


def test_failed_check_is_retried_by_the_worker_when_due(client, akismet, database_tasks, article):
    akismet.set_fault("500")
    post(client, article)
    run_worker()
    comment = Comment.objects.get()
    assert comment.verdict == Comment.Verdict.ERROR
    assert comment.next_check_at > timezone.now()

    akismet.reset()
    run_worker()  # the retry is scheduled for later: nothing runs yet
    comment.refresh_from_db()
    assert comment.verdict == Comment.Verdict.ERROR

    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.update(run_after=timezone.now())
    run_worker()
    comment.refresh_from_db()
    assert comment.verdict == Comment.Verdict.HAM


def test_a_returning_commenter_is_published_once_the_worker_has_checked(
    client, akismet, database_tasks, article
):
    Comment.objects.create(article=article, status=Comment.Status.APPROVED,
                           author_name="Reader", author_email="reader@example.com",
                           content="First!")  # fmt: skip
    comment = posted(post(client, article, content="Back again."))

    mine = client.get(article.get_absolute_url()).content.decode()
    assert "Back again." in mine
    assert HELD_NOTICE in mine

    run_worker()

    comment.refresh_from_db()
    assert (comment.status, comment.verdict) == (Comment.Status.APPROVED, Comment.Verdict.HAM)
    mine = client.get(article.get_absolute_url()).content.decode()
    assert "Back again." in mine
    assert HELD_NOTICE not in mine


def test_the_check_is_queued_before_the_reader_has_the_answer(akismet, database_tasks, article):
    """Nothing waits for the response to end: a web process that dies after answering loses
    no check, the worker has it already."""
    response = comment_as_a_server_does(article)  # and the process dies: close() never comes

    comment = posted(response)
    run_worker()

    comment.refresh_from_db()
    assert comment.verdict == Comment.Verdict.HAM
    assert len(akismet.received("comment-check")) == 1


def test_a_check_queued_under_the_tasks_old_address_still_runs(
    client, akismet, database_tasks, article
):
    """Tasks moved from comments/tasks.py to beside their work; a worker upgraded while rows
    named the old addresses still runs them."""
    from django_tasks_db.models import DBTaskResult

    comment = posted(post(client, article))
    (queued,) = DBTaskResult.objects.all()
    assert queued.task_path == "comments.services.check_comment"
    queued.task_path = "comments.tasks.check_comment"  # as queued before the move
    queued.save(update_fields=["task_path"])

    run_worker()

    comment.refresh_from_db()
    assert comment.verdict == Comment.Verdict.HAM
    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL"
