"""Emails about comments: a digest of held comments for moderators, news for authors."""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.mail import send_mail, send_mass_mail
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from .models import Comment


def moderator_emails() -> list[str]:
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    return list(users.filter(groups__name="Moderators").values_list("email", flat=True).distinct())


def send_moderator_digest() -> int:
    """Email moderators the held comments they have not heard of; at most one email per window.

    Returns how many comments the email listed (0 when none was sent).
    """
    from .models import ModerationSettings

    if not ModerationSettings.load().notify_moderators:
        return 0
    recipients = moderator_emails()
    if not recipients:  # nobody to tell: the held comments wait in the queue, unclaimed
        return 0
    window = datetime.timedelta(minutes=settings.COMMENTS_NOTIFY_MINUTES)
    now = timezone.now()
    with transaction.atomic():
        # One digest at a time: a second one running beside this waits here, then sees what
        # this one claimed and when, so it neither sends the same comments nor breaks the window.
        ModerationSettings.objects.select_for_update().filter(pk=1).first()
        last = Comment.objects.aggregate(last=Max("moderators_notified_at"))["last"]
        if last and now - last < window:
            _schedule_digest(at=last + window)
            return 0
        pending = list(
            Comment.objects.select_for_update(of=("self",))
            .held()
            .filter(moderators_notified_at=None)
            .select_related("article")[:50]
        )
        if not pending:
            return 0
        # Claimed, so a digest running beside this one does not send them too; released below
        # if the email cannot be sent, so the next digest sends them.
        claimed = Comment.objects.filter(pk__in=[c.pk for c in pending])
        claimed.update(moderators_notified_at=now)
    try:
        _send_digest(pending, recipients)
    except Exception:
        claimed.filter(moderators_notified_at=now).update(moderators_notified_at=None)
        raise
    return len(pending)


@task()
def notify_moderators() -> None:
    send_moderator_digest()


def _send_digest(pending, recipients) -> None:
    queue = settings.SITE_URL + reverse("admin:comments_comment_changelist") + "?status__exact=held"
    lines = [f"- {c.author_name} on “{c.article.title}”: {c.reason}" for c in pending]
    body = _("%(n)d comment(s) are waiting for review:\n\n%(lines)s\n\nOpen the queue: %(url)s") % {
        "n": len(pending), "lines": "\n".join(lines), "url": queue}  # fmt: skip
    send_mail(
        _("[%(site)s] Comments awaiting review") % {"site": settings.SITE_NAME},
        body,
        None,
        recipients,
    )


def _schedule_digest(*, at) -> None:
    """One digest for the window's end, however many held comments set off a digest inside
    the window (each would schedule its own, and each of those, finding the window begun
    again, another). Should it be lost, `recheck_comments` (cron) sends what waits."""
    if not notify_moderators.get_backend().supports_defer:
        return
    until_then = max((at - timezone.now()).total_seconds(), 0)
    if cache.add(f"comments:digest-at:{at.timestamp()}", True, timeout=until_then + 60):
        notify_moderators.using(run_after=at).enqueue()


def tell_authors(*, comment_id: int) -> None:
    from .models import ModerationSettings

    if not ModerationSettings.load().notify_authors:
        return
    comment = Comment.objects.select_related("article").filter(pk=comment_id).first()
    if comment is None or comment.status != Comment.Status.APPROVED:
        return
    article = comment.article
    link = settings.SITE_URL + comment.get_absolute_url()
    messages = [
        (
            _("[%(site)s] New comment on “%(title)s”")
            % {"site": settings.SITE_NAME, "title": article.title},  # fmt: skip
            f"{comment.author_name}:\n\n{comment.content}\n\n{link}",
            None,
            [author.email],
        )
        for author in article.authors.all()
        if author.email and author.email != comment.author_email
    ]
    send_mass_mail(messages)


@task()
def notify_authors(comment_id: int) -> None:
    tell_authors(comment_id=comment_id)


@task()
def alert_invalid_key() -> None:
    send_mail(
        _("[%(site)s] The Akismet API key is invalid") % {"site": settings.SITE_NAME},
        _(
            "Akismet refused the site's API key, so new comments are held unchecked. "
            "Check AKISMET_API_KEY; held comments are checked again automatically."
        ),  # fmt: skip
        None,
        moderator_emails(),
    )
