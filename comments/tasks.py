"""Background work for comments, through Django's Tasks API (the django-tasks backport).

With the default immediate backend these run in the process that enqueues them, after the
commit; in a view wrapped in `held_back` (posting a comment), only once its response is sent.
With the database backend, `manage.py db_worker` runs them. Each is safe to deliver twice.
"""

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction
from django_tasks import task
from django_tasks.backends.immediate import ImmediateBackend

from . import following, notifications, privacy, services

# Tasks kept for later while `held_back` is on: those the backend would run here and now.
_held: ContextVar[list[Callable[[], object]] | None] = ContextVar("held_tasks", default=None)


def enqueue(task, *args, **kwargs) -> None:
    """`task.enqueue(*args, **kwargs)`; but inside `held_back`, a task the backend would run
    at once (the immediate backend) is kept for the block's owner to run later."""
    held = _held.get()
    if held is not None and isinstance(task.get_backend(), ImmediateBackend):
        held.append(functools.partial(task.enqueue, *args, **kwargs))
    else:
        task.enqueue(*args, **kwargs)


def enqueue_later(task, *args, run_after=None, on_commit=True, **kwargs) -> None:
    """`enqueue` once the transaction commits (with on_commit, the default), to run then or at
    `run_after`. A backend that cannot defer gets nothing for later: the cron commands
    (`recheck_comments`, `send_follow_ups`) pick up what is due."""
    if run_after is not None:
        if not task.get_backend().supports_defer:
            return
        task = task.using(run_after=run_after)
    if on_commit:
        transaction.on_commit(lambda: enqueue(task, *args, **kwargs))
    else:
        enqueue(task, *args, **kwargs)


@contextmanager
def held_back() -> Iterator[list[Callable[[], object]]]:
    """Within the block, `enqueue` keeps the tasks that would run at once in the list yielded,
    for the caller to run when it is ready (a view: once the reader has the response).

    Whatever is kept and never run is not lost: a comment stays held and unchecked, and
    `manage.py recheck_comments` checks it (Comment.objects.due_for_recheck).
    """
    held: list[Callable[[], object]] = []
    token = _held.set(held)
    try:
        yield held
    finally:
        _held.reset(token)


@task()
def check_comment(comment_id: int, recheck_reason: str = "") -> None:
    services.check_with_akismet(comment_id=comment_id, recheck_reason=recheck_reason)


@task()
def report_to_akismet(comment_id: int, as_spam: bool) -> None:
    services.send_report(comment_id=comment_id, as_spam=as_spam)


@task()
def notify_moderators() -> None:
    notifications.send_moderator_digest()


@task()
def notify_authors(comment_id: int) -> None:
    notifications.tell_authors(comment_id=comment_id)


@task()
def alert_invalid_key() -> None:
    notifications.alert_invalid_key()


@task()
def send_confirmation(subscription_id: int) -> None:
    following.send_confirmation(subscription_id)


@task()
def send_follow_ups(article_id: int) -> None:
    following.send_follow_ups(article_id)


@task()
def tell_commenter_approved(comment_id: int) -> None:
    following.tell_commenter_approved(comment_id)


@task()
def send_new_posts() -> None:
    following.send_new_posts()


@task()
def send_privacy_confirmation(request_id: int) -> None:
    privacy.send_confirmation(request_id)
