"""Background work for comments, through Django's Tasks API (the django-tasks backport).

With the default immediate backend these run in the request, after the commit; with the
database backend, `manage.py db_worker` runs them. Each is safe to deliver twice.
"""

from django_tasks import task

from . import following, notifications, privacy, services


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
