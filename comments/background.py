"""How comments' background work is queued, through Django's Tasks API (the django-tasks
backport). The tasks live beside their work: services (the Akismet check and reports),
notifications (moderators and authors), following (followers) and privacy.

With the default immediate backend a task runs in the process that enqueues it, after the
commit; in a view wrapped in `held_back` (posting a comment), only once its response is sent.
With the database backend, `manage.py db_worker` runs them. Each is safe to deliver twice.
"""

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction
from django_tasks.backends.immediate import ImmediateBackend

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
    `run_after`. A backend that cannot defer gets nothing for later: the cron
    (`recheck_comments`) picks up what is due."""
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


def answer_first(view):
    """A view's decorator: the reader has the answer before the tasks their form set off run.

    Tasks the immediate backend would run in the request (the Akismet check, emails) run once
    the response is sent: a WSGI server calls the response's close() after its last byte
    (PEP 3333), and Django's close() then ends the request. The server's worker does them
    while the reader's browser follows the redirect. Should the process die first, no comment
    is lost: it stays held, unchecked, and `recheck_comments` checks it (a confirmation email
    is lost as one the SMTP server refused is: the reader asks again). With the database
    backend nothing is held back: `db_worker` runs the tasks.
    """
    # Not a thread of our own: the check stays in the process and the order that served the
    # post, with no queue to lose or drain. The cost is that the worker waits for Akismet
    # before it takes the next request; sites with many posters at once run more workers, or
    # the database backend.

    @functools.wraps(view)
    def answered(request, *args, **kwargs):
        with held_back() as held:
            response = view(request, *args, **kwargs)
        if held:
            close = response.close

            def run_then_close():
                try:
                    for run in held:
                        run()  # the immediate backend records a task's failure, never raises
                finally:
                    close()

            response.close = run_then_close
        return response

    return answered
