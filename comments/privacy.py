"""A reader's own data: everything the site holds under an email address, to take away or to
erase, as WordPress's Tools → Export / Erase Personal Data do.

The reader asks with the address; the site emails a link to it, so only the mailbox's owner can
go on. An export is then theirs to download (JSON and readable HTML). An erasure waits for a
moderator's confirmation in the admin; comments are then anonymised (their text stays in the
discussion), subscriptions and reader accounts deleted, and the request keeps a log of it.
"""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from core import caching
from core.limits import over_limit

from . import background, versions
from .models import Comment, PrivacyRequest, Subscription, normalise_email

SALT = "comments.privacy"
LINK_DAYS = 7
REQUESTS_PER_ADDRESS_PER_DAY = 3
ANONYMOUS = "Anonymous"
# What an erased comment keeps of its author: nothing that names or reaches them.
ERASED = {"author_name": ANONYMOUS, "author_email": "", "author_url": "", "author_ip": None,
          "user_agent": "", "referrer": "", "akismet_payload": None, "user": None}  # fmt: skip


class BadLink(Exception):
    """A privacy link that is forged, altered, expired or for nothing."""


def too_many_requests(address: str) -> bool:
    """Whether `address` (the reader's IP) asked more than FOLLOW_REQUESTS_PER_HOUR times."""
    return over_limit("privacy", address, limit=settings.FOLLOW_REQUESTS_PER_HOUR, seconds=3600)


def ask(*, email: str, kind: str) -> PrivacyRequest:
    """Record the request and email its confirmation link (a few a day per address at most)."""
    email = normalise_email(email)
    request = PrivacyRequest.objects.create(email=email, kind=kind)
    day_ago = timezone.now() - datetime.timedelta(days=1)
    recent = PrivacyRequest.objects.filter(email=email, requested_at__gt=day_ago).count()
    if recent <= REQUESTS_PER_ADDRESS_PER_DAY:
        background.enqueue_later(send_confirmation, request.pk)
    return request


def token(request: PrivacyRequest) -> str:
    return signing.dumps([request.pk, request.email], salt=SALT, compress=True)


def link(request: PrivacyRequest) -> str:
    return settings.SITE_URL + reverse("comments:privacy_confirm", kwargs={"token": token(request)})


def request_from(value: str) -> PrivacyRequest:
    try:
        pk, email = signing.loads(value, salt=SALT, max_age=datetime.timedelta(days=LINK_DAYS))
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise BadLink(str(exc)) from exc
    request = PrivacyRequest.objects.filter(pk=pk, email=email).first()
    if request is None or request.status == PrivacyRequest.Status.DECLINED:
        raise BadLink("no such request")
    return request


def confirm(value: str) -> PrivacyRequest:
    """The reader followed the link: the request is theirs. Following it again is harmless."""
    request = request_from(value)
    if request.status == PrivacyRequest.Status.UNCONFIRMED:
        request.status = PrivacyRequest.Status.CONFIRMED
        request.confirmed_at = timezone.now()
        request.save(update_fields=["status", "confirmed_at"])
    return request


@task()
def send_confirmation(request_id: int) -> None:
    request = PrivacyRequest.objects.filter(pk=request_id).first()
    if request is None or request.status != PrivacyRequest.Status.UNCONFIRMED:
        return
    body = render_to_string(
        "comments/email/privacy_confirm.txt",
        {"request": request, "link": link(request), "site_name": settings.SITE_NAME},
    )
    subject = {
        PrivacyRequest.Kind.EXPORT: _("[%(site)s] Confirm: export your data"),
        PrivacyRequest.Kind.ERASE: _("[%(site)s] Confirm: erase your data"),
    }[request.kind] % {"site": settings.SITE_NAME}
    send_mail(subject, body, None, [request.email])


# What the site holds -------------------------------------------------------------------------


def personal_data(email: str) -> dict:
    """Everything the site holds under `email`, ready for JSON."""
    email = normalise_email(email)
    comments = Comment.objects.filter(author_email__iexact=email).select_related("article")
    accounts = get_user_model().objects.filter(email__iexact=email)
    return {
        "email": email,
        "exported_at": timezone.now().isoformat(),
        "site": settings.SITE_URL,
        "comments": [
            {
                "id": c.pk,
                "article": c.article.title,
                "article_url": settings.SITE_URL + c.article.get_absolute_url(),
                "submitted_at": c.submitted_at.isoformat(),
                "status": c.status,
                "name": c.author_name,
                "email": c.author_email,
                "website": c.author_url,
                "ip_address": c.author_ip,
                "user_agent": c.user_agent,
                "referrer": c.referrer,
                "text": c.content,
            }
            for c in comments.order_by("submitted_at")
        ],
        "subscriptions": [
            {
                "kind": s.kind,
                "article": s.article.title if s.article else None,
                "asked_at": s.created_at.isoformat(),
                "confirmed_at": s.confirmed_at.isoformat() if s.confirmed_at else None,
            }
            for s in Subscription.objects.for_email(email).select_related("article")
        ],
        "accounts": [
            {
                "username": user.get_username(),
                "name": user.get_full_name(),
                "joined": user.date_joined.isoformat(),
                "last_login": user.last_login.isoformat() if user.last_login else None,
                "likes": [like.article.title for like in user.like_set.select_related("article")],
            }
            for user in accounts
        ],
        "requests": [
            {"kind": r.kind, "status": r.status, "requested_at": r.requested_at.isoformat()}
            for r in PrivacyRequest.objects.filter(email=email)
        ],
    }


@transaction.atomic
def erase(*, request: PrivacyRequest, by) -> str:
    """Erase what the site holds under the request's address; return (and log) what was done.

    One UPDATE anonymises every comment at once, so a comment is never half-erased; a comment
    sent after this transaction is new, and kept.
    """
    email = request.email
    comments = Comment.objects.filter(author_email__iexact=email)
    articles = set(comments.values_list("article_id", flat=True))
    anonymised = comments.update(**ERASED)
    # update() sends no signals: the threads that showed the name are drawn again.
    threads = [versions.thread(article_id) for article_id in articles]
    transaction.on_commit(lambda: caching.bump(*threads, versions.COMMENTS))
    subscriptions, _by_model = Subscription.objects.for_email(email).delete()
    accounts = get_user_model().objects.filter(email__iexact=email)
    kept = [user.get_username() for user in accounts if user.is_staff or user.is_superuser]
    removed = [user.get_username() for user in accounts if user.get_username() not in kept]
    accounts.exclude(username__in=kept).delete()
    lines = [
        _("Anonymised %(n)d comment(s).") % {"n": anonymised},
        _("Deleted %(n)d subscription(s).") % {"n": subscriptions},
        _("Deleted %(n)d reader account(s).") % {"n": len(removed)},
    ]
    if kept:
        lines.append(
            _("Kept staff account(s) %(names)s: an administrator must close them.")
            % {"names": ", ".join(kept)}
        )
    request.status = PrivacyRequest.Status.DONE
    request.done_at = timezone.now()
    request.done_by = by
    request.log = "\n".join(lines)
    request.save(update_fields=["status", "done_at", "done_by", "log"])
    transaction.on_commit(lambda: _tell_erased(request))
    return request.log


def _tell_erased(request: PrivacyRequest) -> None:
    send_mail(
        _("[%(site)s] Your data has been erased") % {"site": settings.SITE_NAME},
        _(
            "As you asked, we have erased what we held under this address:\n\n%(log)s\n\n"
            "Your comments stay in their discussions as “Anonymous”."
        )
        % {"log": request.log},
        None,
        [request.email],
        fail_silently=True,
    )
