"""Following a discussion by email, as WordPress.com readers do.

A reader asks, under the comment form or with the follow form, to hear of follow-up comments on
an article or of new posts. Nothing is sent to the address but one confirmation until its owner
follows the link (double opt-in). Follow-ups are approved comments only, never the reader's own,
at most one email per thread every COMMENTS_FOLLOW_UP_MINUTES, and they never show another
commenter's address. Every email carries a one-click unsubscribe link and the List-Unsubscribe
and List-Unsubscribe-Post headers (RFC 8058). All sending runs in tasks.
"""

import datetime
import logging

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from core.limits import over_limit

from . import background
from .models import Comment, Subscription, normalise_email

logger = logging.getLogger(__name__)

SALT = "comments.following"
CONFIRM_DAYS = 7
# Confirmation emails to one address in a day, whoever asks: a stranger cannot flood a mailbox.
CONFIRMATIONS_PER_ADDRESS_PER_DAY = 3


class BadLink(Exception):
    """A confirmation or unsubscribe link that is forged, altered, expired or for nothing."""


# Links -------------------------------------------------------------------------------------


def link_token(subscription: Subscription, action: str) -> str:
    return signing.dumps([subscription.pk, subscription.email, action], salt=SALT, compress=True)


def _subscription_from(token: str, action: str, *, max_age=None) -> Subscription | None:
    try:
        pk, email, signed_action = signing.loads(token, salt=SALT, max_age=max_age)
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise BadLink(str(exc)) from exc
    if signed_action != action:
        raise BadLink("wrong action")
    return Subscription.objects.filter(pk=pk, email=email).first()


def confirm_url(subscription: Subscription) -> str:
    token = link_token(subscription, "confirm")
    return settings.SITE_URL + reverse("comments:follow_confirm", kwargs={"token": token})


def unsubscribe_url(subscription: Subscription) -> str:
    token = link_token(subscription, "unsubscribe")
    return settings.SITE_URL + reverse("comments:unsubscribe", kwargs={"token": token})


# Asking, confirming, leaving ---------------------------------------------------------------


def too_many_requests(address: str) -> bool:
    """Whether `address` (the reader's IP) asked to follow more than FOLLOW_REQUESTS_PER_HOUR
    times this hour."""
    return over_limit("follow", address, limit=settings.FOLLOW_REQUESTS_PER_HOUR, seconds=3600)


def subscribe(*, email: str, kind: str, article=None) -> Subscription:
    """Ask to follow. The confirmation email goes (after the commit, through the task queue)
    unless the subscription is already confirmed or was asked for in the last day."""
    email = normalise_email(email)
    article = article if kind == Subscription.Kind.REPLIES else None
    try:
        with transaction.atomic():
            subscription, _created = Subscription.objects.get_or_create(
                email=email, kind=kind, article=article
            )
    except IntegrityError:  # asked twice at once: the other request made it
        subscription = Subscription.objects.get(email=email, kind=kind, article=article)
    if subscription.confirmed_at is None:
        background.enqueue_later(send_confirmation, subscription.pk)
    return subscription


def confirm(token: str) -> Subscription:
    """Confirm the subscription a link names; confirming twice is harmless."""
    subscription = _subscription_from(
        token, "confirm", max_age=datetime.timedelta(days=CONFIRM_DAYS)
    )
    if subscription is None:
        raise BadLink("no such subscription")
    if subscription.confirmed_at is None:
        now = timezone.now()
        Subscription.objects.filter(pk=subscription.pk, confirmed_at=None).update(
            confirmed_at=now, told_up_to=now
        )
        subscription.refresh_from_db()
    return subscription


def unsubscribe(token: str) -> Subscription | None:
    """End the subscription a link names; None if it had ended already (a second click)."""
    subscription = _subscription_from(token, "unsubscribe")
    if subscription is not None:
        subscription.delete()
    return subscription


def unsubscribe_page_subscription(token: str) -> Subscription | None:
    """The subscription an unsubscribe link names, without ending it (for the page's button)."""
    return _subscription_from(token, "unsubscribe")


# Sending -----------------------------------------------------------------------------------


@task()
def send_confirmation(subscription_id: int) -> bool:
    """Email the confirmation link; at most one a day per subscription and a few a day per
    address. Returns whether an email was sent."""
    now = timezone.now()
    day_ago = now - datetime.timedelta(days=1)
    with transaction.atomic():
        subscription = Subscription.objects.select_for_update().filter(pk=subscription_id).first()
        if subscription is None or subscription.confirmed_at is not None:
            return False
        if subscription.confirmation_sent_at and subscription.confirmation_sent_at > day_ago:
            return False
        sent_today = Subscription.objects.filter(
            email=subscription.email, confirmation_sent_at__gt=day_ago
        ).count()
        if sent_today >= CONFIRMATIONS_PER_ADDRESS_PER_DAY:
            return False
        subscription.confirmation_sent_at = now
        subscription.save(update_fields=["confirmation_sent_at"])
    context = {
        "subscription": subscription,
        "confirm_url": confirm_url(subscription),
        "site_name": settings.SITE_NAME,
    }
    subject = _("[%(site)s] Please confirm your subscription") % {"site": settings.SITE_NAME}
    try:
        _send(subscription, "comments/email/confirm_subscription.txt", context, subject=subject)
    except Exception:
        Subscription.objects.filter(pk=subscription.pk, confirmation_sent_at=now).update(
            confirmation_sent_at=None
        )
        raise
    return True


@task()
def send_follow_ups(article_id: int) -> int:
    """Tell each confirmed follower of the article of the comments approved since they were
    last told, unless they were told less than COMMENTS_FOLLOW_UP_MINUTES ago (then a task for
    later does). Returns how many emails went."""
    followers = Subscription.objects.confirmed().filter(
        article_id=article_id, kind=Subscription.Kind.REPLIES
    )
    sent, later = _tell_due(
        followers,
        news=lambda subscription: list(_news_for(subscription)),
        up_to=lambda comments: max(c.approved_at for c in comments),
        send=_send_follow_up,
    )
    if later:
        background.enqueue_later(send_follow_ups, article_id, run_after=later, on_commit=False)
    return sent


@task()
def send_new_posts() -> int:
    """Tell confirmed followers of new posts of the articles published since they were last
    told, at most one email per COMMENTS_FOLLOW_UP_MINUTES. Returns how many emails went."""
    followers = Subscription.objects.confirmed().filter(kind=Subscription.Kind.POSTS)
    sent, later = _tell_due(
        followers,
        news=_posts_for,
        up_to=lambda posts: posts[-1].published_at,
        send=_send_new_posts,
    )
    if later:
        background.enqueue_later(send_new_posts, run_after=later, on_commit=False)
    return sent


def send_due() -> int:
    """Send what waits for the cron (`recheck_comments`): follow-ups held back by the window,
    new posts that were scheduled, and emails the relay refused, which a backend that cannot
    defer (the immediate one) has no task for. Returns how many emails went."""
    from blog.models import Article

    out_of_window = Q(last_sent_at=None) | Q(
        last_sent_at__lte=timezone.now()
        - datetime.timedelta(minutes=settings.COMMENTS_FOLLOW_UP_MINUTES)
    )
    followers = Subscription.objects.confirmed().filter(out_of_window)
    since = Coalesce(OuterRef("told_up_to"), OuterRef("confirmed_at"))
    replies = Comment.objects.filter(
        article_id=OuterRef("article_id"), status=Comment.Status.APPROVED, approved_at__gt=since
    )
    threads = (
        followers.filter(Exists(replies), kind=Subscription.Kind.REPLIES)
        .values_list("article_id", flat=True)
        .distinct()
    )
    sent = sum(send_follow_ups.call(article_id) for article_id in threads)
    posts = Article.objects.published().filter(published_at__gt=since)
    if followers.filter(Exists(posts), kind=Subscription.Kind.POSTS).exists():
        sent += send_new_posts.call()
    return sent


def _tell_due(followers, *, news, up_to, send) -> tuple[int, datetime.datetime | None]:
    """Email each of `followers` who has `news(subscription)` and was last told longer ago than
    the window. The news is claimed under the row's lock (told_up_to, last_sent_at) before it
    is sent, so two runs at once send it once; a failed send gives the claim back. Returns how
    many emails went, and when to run again (None: nothing waits)."""
    window = datetime.timedelta(minutes=settings.COMMENTS_FOLLOW_UP_MINUTES)
    now = timezone.now()
    sent, later = 0, None
    for subscription_id in followers.values_list("pk", flat=True):
        with transaction.atomic():
            subscription = (
                Subscription.objects.select_for_update().filter(pk=subscription_id).first()
            )
            if subscription is None:
                continue
            if subscription.last_sent_at and now - subscription.last_sent_at < window:
                due = subscription.last_sent_at + window
                later = min(later, due) if later else due
                continue
            items = news(subscription)
            if not items:
                continue
            previous = (subscription.told_up_to, subscription.last_sent_at)
            subscription.told_up_to = up_to(items)
            subscription.last_sent_at = now
            subscription.save(update_fields=["told_up_to", "last_sent_at"])
        try:
            send(subscription, items)
            sent += 1
        except Exception:
            logger.exception("Email to subscription %s failed", subscription.pk)
            Subscription.objects.filter(pk=subscription.pk, last_sent_at=now).update(
                told_up_to=previous[0], last_sent_at=previous[1]
            )
            later = now + datetime.timedelta(minutes=1)
    return sent, later


def _posts_for(subscription: Subscription) -> list:
    """Articles published since the follower of new posts was last told."""
    from blog.models import Article

    since = subscription.told_up_to or subscription.confirmed_at
    published = Article.objects.published().filter(published_at__gt=since)
    return list(published.order_by("published_at")[:20])


def _send_new_posts(subscription: Subscription, posts: list) -> None:
    context = {
        "posts": [(post, settings.SITE_URL + post.get_absolute_url()) for post in posts],
        "site_name": settings.SITE_NAME,
    }
    subject = _("[%(site)s] New posts") % {"site": settings.SITE_NAME}
    _send(subscription, "comments/email/new_posts.txt", context, subject=subject)


def article_saved(sender, instance, **kwargs) -> None:
    """A published (or scheduled) article: its followers hear of it when it is public."""
    if instance.status != "published" or instance.published_at is None:
        return
    if not Subscription.objects.filter(kind=Subscription.Kind.POSTS).exists():
        return
    when = instance.published_at if instance.published_at > timezone.now() else None
    background.enqueue_later(send_new_posts, run_after=when)


def articles_published(sender, articles, **kwargs) -> None:
    """Articles published from the admin's list, without a save of each: tell followers too."""
    for article in articles:
        article_saved(sender, article)


def _news_for(subscription: Subscription):
    """Approved comments on the thread since the follower was last told, not their own."""
    return (
        Comment.objects.filter(
            article_id=subscription.article_id,
            status=Comment.Status.APPROVED,
            approved_at__gt=subscription.told_up_to or subscription.confirmed_at,
        )
        .exclude(Q(author_email__iexact=subscription.email))
        .select_related("article")
        .order_by("approved_at")[:50]
    )


def _send_follow_up(subscription: Subscription, comments: list[Comment]) -> None:
    article = comments[0].article
    context = {
        "article": article,
        "article_url": settings.SITE_URL + article.get_absolute_url(),
        "comments": [(c, settings.SITE_URL + c.get_absolute_url()) for c in comments],
        "site_name": settings.SITE_NAME,
    }
    subject = _("[%(site)s] New comments on “%(title)s”") % {
        "site": settings.SITE_NAME, "title": article.title}  # fmt: skip
    _send(subscription, "comments/email/follow_up.txt", context, subject=subject)


@task()
def tell_commenter_approved(comment_id: int) -> bool:
    """Tell a commenter whose held comment a moderator approved, if they follow the thread."""
    comment = Comment.objects.select_related("article").filter(pk=comment_id).first()
    if comment is None or comment.status != Comment.Status.APPROVED or not comment.author_email:
        return False
    subscription = (
        Subscription.objects.confirmed()
        .for_email(comment.author_email)
        .filter(kind=Subscription.Kind.REPLIES, article_id=comment.article_id)
        .first()
    )
    if subscription is None:
        return False
    context = {
        "comment": comment,
        "comment_url": settings.SITE_URL + comment.get_absolute_url(),
        "site_name": settings.SITE_NAME,
    }
    subject = _("[%(site)s] Your comment on “%(title)s” is published") % {
        "site": settings.SITE_NAME, "title": comment.article.title}  # fmt: skip
    _send(subscription, "comments/email/comment_approved.txt", context, subject=subject)
    return True


def _send(subscription: Subscription, template: str, context: dict, *, subject: str) -> None:
    leave = unsubscribe_url(subscription)
    body = render_to_string(template, {**context, "unsubscribe_url": leave})
    message = EmailMessage(
        subject=subject,
        body=body,
        to=[subscription.email],
        headers={
            "List-Unsubscribe": f"<{leave}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.send()
