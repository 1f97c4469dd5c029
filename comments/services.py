"""Every write to a comment goes through here: views, admin actions, commands and tasks alike.

A comment is stored first, then checked; it is never lost and never shown unchecked. Its
history (`Event`) records every check and every decision.
"""

from __future__ import annotations

import datetime
import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task

from blog.text import clean_line, clean_text

from . import background, following, moderation, notifications, privacy, spam
from .models import Comment, Event, ModerationSettings

FLOOD_KEY = "comments:flood:{}"


class CommentRefused(Exception):
    """The comment was not stored; `status` and `message` are for the reader."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


def log(comment: Comment, message: str, actor=None) -> None:
    Event.objects.create(comment=comment, message=message, actor=actor)


def _fields(comment: Comment) -> dict:
    return {
        "name": comment.author_name,
        "email": comment.author_email,
        "url": comment.author_url,
        "content": comment.content,
        "ip": comment.author_ip or "",
        "user_agent": comment.user_agent,
    }


def _approved_before(comment: Comment) -> bool:
    """A returning commenter, or the site's own staff (as WordPress trusts its editors)."""
    if comment.user is not None and comment.user.is_staff:
        return True
    others = Comment.objects.approved()
    if comment.pk:  # a comment being submitted is not stored yet
        others = others.exclude(pk=comment.pk)
    if comment.user_id:
        return others.filter(user_id=comment.user_id).exists()
    return (
        bool(comment.author_email)
        and others.filter(
            author_email__iexact=comment.author_email, author_name=comment.author_name
        ).exists()
    )


def _flood_keys(comment: Comment) -> list[str]:
    identities = [f"ip:{comment.author_ip}"] if comment.author_ip else []
    if comment.author_email:
        identities.append(f"email:{comment.author_email.lower()}")
    if comment.user_id:
        identities.append(f"user:{comment.user_id}")
    return [FLOOD_KEY.format(identity) for identity in identities]


def submit_comment(
    *,
    comment: Comment,
    honeypot: str = "",
    signed_age: datetime.timedelta | None,
) -> Comment:
    """Refuse, or store and screen, a reader's comment (unsaved, with its request details set).

    Raises CommentRefused, storing nothing, when the comment may not be stored. Otherwise the
    comment is saved: spam if the site's disallowed words say so; with Akismet on, held and
    unchecked, Akismet and then the site's rules deciding in a task scheduled for after the
    commit (so the check never sees a comment that was rolled back); with Akismet off, as the
    site's rules decide at once.
    """
    rules = ModerationSettings.load()
    now = timezone.now()
    refused = moderation.refusal(
        article=comment.article,
        rules=rules,
        now=now,
        honeypot=honeypot,
        signed_age=signed_age,
        parent=comment.parent,
    )
    if refused:
        raise CommentRefused(refused.status, refused.message)
    # Two identical posts at once (a double click) would both pass the check below: the first
    # to claim the fingerprint in the shared cache wins, the other is a duplicate.
    fingerprint = hashlib.sha256(
        "\0".join(
            str(v) for v in (comment.article_id, comment.parent_id, comment.author_name,
                             comment.author_email, comment.content)
        ).encode()
    ).hexdigest()  # fmt: skip
    posting_key = f"comments:posting:{fingerprint}"
    claimed = cache.add(posting_key, 1, timeout=60)
    duplicate = (
        not claimed
        or Comment.objects.filter(
            article=comment.article,
            parent=comment.parent,
            author_name=comment.author_name,
            author_email=comment.author_email,
            content=comment.content,
        ).exists()
    )
    if duplicate:
        raise CommentRefused(
            409, _("Duplicate comment detected; it looks as though you’ve already said that!")
        )
    try:
        _claim_flood_window(comment)
    except CommentRefused:
        cache.delete(posting_key)  # nothing was stored: the same words may come back later
        raise

    comment.submitted_at = now
    try:
        _decide_and_store(comment, rules=rules, honeypot=honeypot)
    except DatabaseError:
        # Nothing was stored: the reader's retry must not be taken for a duplicate or a flood.
        cache.delete_many([posting_key, *_flood_keys(comment)])
        raise
    return comment


def _decide_and_store(comment: Comment, *, rules, honeypot: str) -> None:
    # Decided before the row is written, so it is stored in one INSERT (and the thread's cached
    # versions are bumped once): each save is a write and four round trips to the cache.
    screened = moderation.screen(_fields(comment), rules)
    checking = not screened and spam.is_configured()
    if screened:
        _set_decision(comment, screened, verdict=Comment.Verdict.SKIPPED)
    elif checking:
        # Held and unchecked until Akismet answers, which the reader does not wait for: the
        # check is a task enqueued on commit (check_comment), run by the worker or, with
        # the immediate backend, once the reader has the response (views.post_comment).
        # Should it never run, `recheck_comments` finds the comment unchecked.
        waiting = moderation.Decision(Comment.Status.HELD, _("waiting for checks"))
        _set_decision(comment, waiting, verdict=Comment.Verdict.UNCHECKED)
        comment.akismet_payload = spam.build_payload(comment, honeypot_value=honeypot)
    else:
        skipped = Comment.Verdict.SKIPPED
        _set_decision(comment, _rules_decision(comment, verdict=skipped, rules=rules),
                      verdict=skipped)  # fmt: skip
    with transaction.atomic():
        comment.save()
        log(comment, _("Comment submitted."), actor=comment.user)
        if screened:
            log(comment, _("Marked as spam by the site rules: %(reason)s.")
                % {"reason": screened.reason})  # fmt: skip
        elif checking:
            _enqueue_check(comment)
        else:
            _log_rules_decision(comment)
            _announce(comment)


def _claim_flood_window(comment: Comment) -> None:
    seconds = settings.COMMENTS_FLOOD_SECONDS
    if not seconds:
        return
    # cache.add is atomic, in Redis too, so two app servers cannot both let a flood through.
    keys = _flood_keys(comment)
    claimed = [key for key in keys if cache.add(key, 1, timeout=seconds)]
    if len(claimed) < len(keys):
        cache.delete_many(claimed)
        raise CommentRefused(429, _("You are posting comments too quickly. Slow down."))


def _enqueue_check(comment: Comment, *, recheck_reason: str = "", run_after=None) -> None:
    background.enqueue_later(
        check_comment, comment.pk, run_after=run_after, recheck_reason=recheck_reason
    )


def _set_decision(comment: Comment, decision: moderation.Decision, *, verdict: str) -> None:
    """Give the comment the status and reason of `decision`, unsaved."""
    approved = decision.status == Comment.Status.APPROVED
    comment.status, comment.reason, comment.verdict = decision.status, decision.reason, verdict
    comment.next_check_at = None
    comment.approved_at = timezone.now() if approved else comment.approved_at


def _announce(comment: Comment) -> None:
    """Tell who should hear of the status the site just gave a comment, after the commit."""
    if comment.status == Comment.Status.HELD:
        _notify_moderators()
    elif comment.status == Comment.Status.APPROVED:
        _notify_authors(comment)
        _tell_followers(comment, was_held=False)  # decided at once: the reader saw it


def _rules_decision(comment: Comment, *, verdict: str, rules=None) -> moderation.Decision:
    return moderation.decide(
        _fields(comment),
        rules or ModerationSettings.load(),
        verdict=verdict,
        approved_before=_approved_before(comment),
    )


def _log_rules_decision(comment: Comment) -> None:
    log(comment, _("The site rules decided: %(status)s (%(reason)s).")
        % {"status": comment.get_status_display(), "reason": comment.reason})  # fmt: skip


def apply_site_rules(comment: Comment, *, verdict: str, rules=None) -> None:
    """Decide a stored comment's status by the site's rules, given Akismet's `verdict`."""
    _set_decision(comment, _rules_decision(comment, verdict=verdict, rules=rules), verdict=verdict)
    # The check's attempt is saved with its outcome: one UPDATE (the row is locked meanwhile).
    comment.save(update_fields=["status", "reason", "verdict", "next_check_at", "approved_at",
                                "check_attempts"])  # fmt: skip
    _log_rules_decision(comment)
    _announce(comment)


def check_with_akismet(*, comment_id: int, recheck_reason: str = "") -> None:
    """Ask Akismet about a held comment and act on the verdict.

    Safe to run twice and safe beside a moderator: the verdict is applied only while the
    comment is still held, undecided and waiting for this check.
    """
    # Not the article: a comment is stored with its payload (an older one without is rare).
    comment = Comment.objects.filter(pk=comment_id).first()
    if comment is None or not _awaiting_check(comment, recheck_reason):
        return
    payload = comment.akismet_payload or spam.build_payload(comment)
    result = spam.check(payload, recheck_reason=recheck_reason)  # no transaction held meanwhile

    with transaction.atomic():
        comment = Comment.objects.select_for_update().get(pk=comment_id)
        if not _awaiting_check(comment, recheck_reason):
            return
        if result.verdict == Comment.Verdict.ERROR:
            _check_failed(comment, result)
            return
        comment.check_attempts += 1
        messages = {
            "ham": _("Akismet cleared this comment."),
            "spam": _("Akismet flagged this as spam."),
            "discard": _("Akismet flagged this as blatant spam (discard)."),
        }
        log(comment, messages[result.verdict])
        # The key works again: a later failure of it deserves a new alert.
        ModerationSettings.objects.exclude(invalid_key_alerted_at=None).update(
            invalid_key_alerted_at=None
        )
        apply_site_rules(comment, verdict=result.verdict)


@task()
def check_comment(comment_id: int, recheck_reason: str = "") -> None:
    check_with_akismet(comment_id=comment_id, recheck_reason=recheck_reason)


def _awaiting_check(comment: Comment, recheck_reason: str) -> bool:
    if comment.decided_by_id or comment.status != Comment.Status.HELD:
        return False
    if recheck_reason:  # a moderator asked: check again whatever the verdict was
        return True
    return comment.verdict in (Comment.Verdict.UNCHECKED, Comment.Verdict.ERROR)


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _check_failed(comment: Comment, result: spam.CheckResult) -> None:
    now = timezone.now()
    comment.check_attempts += 1
    comment.verdict = Comment.Verdict.ERROR
    retry_at = moderation.next_retry(
        attempts=comment.check_attempts, submitted_at=comment.submitted_at, now=now
    )
    comment.next_check_at = retry_at
    attempt = _ordinal(comment.check_attempts)
    if retry_at:
        at = formats.time_format(timezone.localtime(retry_at), "H:i")
        comment.reason = _("Akismet unreachable: %(error)s, %(attempt)s try at %(at)s") % {
            "error": result.error, "attempt": attempt, "at": at}  # fmt: skip
        log(comment, _("Akismet unreachable: %(error)s; will retry at %(at)s.")
            % {"error": result.error, "at": at})  # fmt: skip
    else:
        comment.reason = _("Akismet unreachable for 15 days: %(error)s") % {"error": result.error}
        log(comment, _("Akismet unreachable: %(error)s; stopped retrying after 15 days.")
            % {"error": result.error})  # fmt: skip
    comment.save(update_fields=["check_attempts", "verdict", "next_check_at", "reason"])
    if comment.check_attempts == 1:
        _notify_moderators()
    if result.invalid_key:
        _alert_invalid_key()
    if retry_at:
        _enqueue_check(comment, run_after=retry_at)


def _alert_invalid_key() -> None:
    updated = ModerationSettings.objects.filter(pk=1, invalid_key_alerted_at=None).update(
        invalid_key_alerted_at=timezone.now()
    )
    if updated:  # only the first failure after the key went bad sends the alert
        background.enqueue_later(notifications.alert_invalid_key)


def _notify_moderators() -> None:
    background.enqueue_later(notifications.notify_moderators)


def _notify_authors(comment: Comment) -> None:
    background.enqueue_later(notifications.notify_authors, comment.pk)


def _tell_followers(comment: Comment, *, was_held: bool) -> None:
    """A comment is approved: its thread's followers hear of it (batched), and its author, if
    they follow the thread and waited for a moderator, hears that it is published."""
    background.enqueue_later(following.send_follow_ups, comment.article_id)
    if was_held and comment.author_email:
        background.enqueue_later(following.tell_commenter_approved, comment.pk)


# Moderators' decisions. Each is recorded, and overrides any check still to come. Each returns
# whether it changed the comment (False: it already had that status, and nothing was done),
# and raises DecisionRefused when the comment cannot take it.


class DecisionRefused(Exception):
    """The decision cannot apply to this comment; nothing was changed. `message` says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def reply_refusal(comment: Comment) -> str:
    """Why a moderator may not answer `comment` from the queue; empty when they may.

    Answering a held comment approves it, so spam and trash are never published by a reply.
    """
    if comment.is_removed:
        return _("This comment was removed; only its replies remain.")
    if comment.status not in (Comment.Status.HELD, Comment.Status.APPROVED):
        return _("Only a comment held for review or approved can be answered; this one is in "
                 "%(status)s.") % {"status": comment.get_status_display().lower()}  # fmt: skip
    return ""


def _lock(comment: Comment) -> None:
    """Lock the comment's row and read its status again, into `comment`: of two clicks at once
    (a double post), the second sees what the first decided."""
    comment.status, comment.is_removed = (
        Comment.objects.select_for_update().values_list("status", "is_removed").get(pk=comment.pk)
    )


def _decide(comment: Comment, status: str, by, message: str, reason: str) -> bool:
    """Give the comment `status` as a moderator's decision; False, changing nothing, when it
    has that status already (no second history entry, report or email).

    A removed comment, a placeholder for its replies, stays in the trash: its author's name
    must not come back without its words (DecisionRefused).
    """
    _lock(comment)
    if comment.status == status:
        return False
    if comment.is_removed and status != Comment.Status.TRASH:
        raise DecisionRefused(
            _("a removed comment stays in the trash, as a placeholder for its replies.")
        )
    _record_decision(comment, status, by, message, reason)
    return True


def _record_decision(comment: Comment, status: str, by, message: str, reason: str) -> None:
    was_held = comment.status != Comment.Status.APPROVED
    comment.status, comment.decided_by, comment.reason = status, by, reason
    comment.next_check_at = None
    fields = ["status", "decided_by", "reason", "next_check_at"]
    if status == Comment.Status.APPROVED and was_held:
        comment.approved_at = timezone.now()
        fields.append("approved_at")
        _tell_followers(comment, was_held=True)
    comment.save(update_fields=fields)
    log(comment, message % {"user": by.get_username()}, actor=by)


@transaction.atomic
def approve(*, comment: Comment, by) -> bool:
    """Approve the comment, and tell the article's authors."""
    approved = _decide(comment, Comment.Status.APPROVED, by,
                       _("Moderator %(user)s approved this comment."),
                       _("approved by a moderator"))  # fmt: skip
    if approved:
        _notify_authors(comment)
    return approved


@transaction.atomic
def mark_spam(*, comment: Comment, by) -> bool:
    """Mark the comment as spam, and report it to Akismet."""
    marked = _decide(comment, Comment.Status.SPAM, by,
                     _("Moderator %(user)s marked this as spam and reported it to Akismet."),
                     _("marked as spam by a moderator"))  # fmt: skip
    if marked:
        _report(comment, as_spam=True)
    return marked


@transaction.atomic
def mark_ham(*, comment: Comment, by) -> bool:
    """Approve the comment, report it to Akismet as not spam, and tell the authors."""
    marked = _decide(comment, Comment.Status.APPROVED, by,
                     _("Moderator %(user)s marked this as not spam and reported it to Akismet."),
                     _("marked as not spam by a moderator"))  # fmt: skip
    if marked:
        _report(comment, as_spam=False)
        _notify_authors(comment)
    return marked


def reply(*, parent: Comment, by, content: str, author_ip: str | None = None) -> Comment:
    """A moderator's answer from the queue, posted as them ("Approve and reply").

    Only a held or approved comment may be answered. A held one is approved in the same
    transaction as the reply, so a reply refused (comments closed, flood, duplicate…) leaves
    it held. The reply goes through `submit_comment` like any reader's, so Akismet hears
    `user_role=administrator` and the site's rules trust staff. Raises CommentRefused as
    `submit_comment` does, and when the comment may not be answered.
    """
    comment = Comment(
        article=parent.article, user=by, author_ip=author_ip,
        author_name=by.get_full_name() or by.get_username(), author_email=by.email,
        content=clean_text(content),
    )  # fmt: skip
    with transaction.atomic():
        # Locked and read again, into a copy: should the reply be refused, the caller's
        # instance still shows the comment as it is.
        parent = (
            Comment.objects.select_for_update(of=("self",))
            .select_related("article")
            .get(pk=parent.pk)
        )
        refused = reply_refusal(parent)
        if refused:
            raise CommentRefused(409, refused)
        comment.parent = parent
        if parent.status == Comment.Status.HELD:
            approve(comment=parent, by=by)
        submit_comment(comment=comment, signed_age=datetime.timedelta(0))
    comment.refresh_from_db(fields=["status", "reason"])  # checked by now, unless queued
    return comment


EDITABLE = ("author_name", "author_email", "author_url", "content")


@transaction.atomic
def edit(*, comment: Comment, by, **values: str) -> None:
    """A moderator's correction of a comment's text or its author's details.

    The text is cleaned as a reader's is at the door; the values it replaces are kept in the
    history entry, so nothing a reader wrote is lost.
    """
    stored = Comment.objects.select_for_update(of=("self",)).get(pk=comment.pk)
    cleaned = {
        name: clean_text(value) if name == "content" else clean_line(value).strip()
        for name, value in values.items()
        if name in EDITABLE
    }
    changed = {name: value for name, value in cleaned.items() if getattr(stored, name) != value}
    if not changed:
        return
    before = "; ".join(f"{name}: {getattr(stored, name)!r}" for name in changed)
    for name, value in changed.items():
        setattr(comment, name, value)
    comment.save(update_fields=list(changed))
    log(comment, _("Moderator %(user)s edited this comment. Before: %(before)s")
        % {"user": by.get_username(), "before": before}, actor=by)  # fmt: skip


@transaction.atomic
def trash(*, comment: Comment, by) -> bool:
    return _decide(comment, Comment.Status.TRASH, by,
                   _("Moderator %(user)s moved this to the trash."),
                   _("trashed by a moderator"))  # fmt: skip


@transaction.atomic
def restore(*, comment: Comment, by) -> bool:
    return _decide(comment, Comment.Status.HELD, by,
                   _("Moderator %(user)s restored this comment for review."),
                   _("restored from the trash"))  # fmt: skip


@transaction.atomic
def undo(*, comment: Comment, by, to: str) -> bool:
    """Put a comment back in the status a moderator's decision just took it from.

    A spam or not-spam report still waiting is dropped when it comes due, as for any changed
    decision; one already sent stays sent.
    """
    if to not in Comment.Status.values:
        raise ValueError(f"Unknown status {to!r}.")
    label = Comment.Status(to).label
    return _decide(comment, to, by,
                   _("Moderator %(user)s undid the last decision: back to") + f" {label.lower()}.",
                   _("decision undone by a moderator"))  # fmt: skip


@transaction.atomic
def recheck(*, comment: Comment, by) -> bool:
    """Ask Akismet again about a held comment (a moderator's "Check again"); False, changing
    nothing, for any other: a decided comment is not handed back to the checks."""
    _lock(comment)
    if comment.status != Comment.Status.HELD:
        return False
    comment.decided_by = None  # else the check would not override the moderator
    comment.save(update_fields=["decided_by"])
    log(comment, _("Moderator %(user)s asked Akismet to check again.")
        % {"user": by.get_username()}, actor=by)  # fmt: skip
    if spam.is_configured():
        _enqueue_check(comment, recheck_reason="recheck_queue")
    return True


@transaction.atomic
def delete(*, comment: Comment, by) -> bool:
    """Delete a comment and return True; one with replies stays as a placeholder so the replies
    keep their place (False), and is recorded as deleted once, however often it is deleted."""
    if not comment.replies.exists():
        comment.delete()
        return True
    _lock(comment)
    if not comment.is_removed:
        # Deleted for good but for its place in the thread: nothing of its author stays.
        comment.is_removed, comment.content = True, ""
        for name, value in privacy.ERASED.items():
            setattr(comment, name, value)
        _record_decision(comment, Comment.Status.TRASH, by,
                         _("Moderator %(user)s deleted this comment; its replies stay."),
                         _("deleted; kept as a placeholder for its replies"))  # fmt: skip
        comment.save(update_fields=["is_removed", "content", *privacy.ERASED])
    return False


def _report(comment: Comment, *, as_spam: bool) -> None:
    """Report the moderator's decision to Akismet after the commit; kept until it is sent.

    The report is due at once: the task scheduled here sends it, and should that task be lost,
    `recheck_comments` (cron) does. The same decision again, while its report is pending,
    adds no second report.
    """
    if not spam.is_configured() or comment.kind != Comment.Kind.COMMENT:
        return
    kind, now = ("spam" if as_spam else "ham"), timezone.now()
    # Read and written in the row, not this instance: it may be older than a report sent since.
    row = Comment.objects.filter(pk=comment.pk)
    replaced = row.exclude(report_pending__in=["", kind]).values_list("report_pending", flat=True)
    for other in replaced:
        _log_dropped(comment, other)
    added = row.exclude(report_pending=kind).update(
        report_pending=kind, report_attempts=0, next_report_at=now
    )
    if added:
        comment.report_pending, comment.report_attempts, comment.next_report_at = kind, 0, now
        _enqueue_report(comment, as_spam=as_spam)


def _enqueue_report(comment: Comment, *, as_spam: bool, run_after=None) -> None:
    background.enqueue_later(report_to_akismet, comment.pk, run_after=run_after, as_spam=as_spam)


def send_report(*, comment_id: int, as_spam: bool) -> bool:
    """Report a moderator's decision to Akismet, exactly once, retrying until it is accepted.

    Run by the task `_report` schedules, by its deferred retries and by `recheck_comments`.
    Whichever claims the due report sends it, so a task delivered twice, or beside the cron,
    reports once. A decision the moderator has changed since is dropped, not reported. The
    slow call runs outside any transaction, as checks do. Returns whether this call sent it.
    """
    kind = "spam" if as_spam else "ham"
    now = timezone.now()
    # The claim outlasts the call; should this process die meanwhile, the report falls due
    # again when the claim ends, and the cron sends it.
    claimed_until = now + datetime.timedelta(seconds=max(60, 2 * settings.AKISMET_TIMEOUT))
    claimed = Comment.objects.filter(
        pk=comment_id, report_pending=kind, next_report_at__lte=now
    ).update(next_report_at=claimed_until)
    if not claimed:
        return False  # already sent, being sent, not due yet, or replaced by another decision
    comment = Comment.objects.select_related("article").filter(pk=comment_id).first()
    if comment is None or not _still_decided(comment, kind):
        return False
    payload = comment.akismet_payload or spam.build_payload(comment)
    error = spam.report(payload, as_spam=as_spam)  # no transaction held meanwhile

    with transaction.atomic():
        comment = Comment.objects.select_for_update(of=("self",)).filter(pk=comment_id).first()
        if comment is None:
            return not error
        # Still this call's report: no decision since has replaced it with one of its own.
        ours = comment.report_pending == kind and comment.next_report_at == claimed_until
        if not error:
            log(comment, _("Reported to Akismet as %(kind)s.") % {"kind": _REPORT_KINDS[kind]})
            if ours:
                _report_sent(comment)
        elif ours and _still_decided(comment, kind):
            _report_failed(comment, kind=kind, error=error)
    return not error


@task()
def report_to_akismet(comment_id: int, as_spam: bool) -> None:
    send_report(comment_id=comment_id, as_spam=as_spam)


_REPORT_KINDS = {"spam": gettext_lazy("spam"), "ham": gettext_lazy("not spam")}


def _still_decided(comment: Comment, kind: str) -> bool:
    """Whether the comment still has the status the pending report says; if not, drop it."""
    wanted = Comment.Status.SPAM if kind == "spam" else Comment.Status.APPROVED
    if comment.status == wanted:
        return True
    dropped = Comment.objects.filter(pk=comment.pk, report_pending=kind).update(
        report_pending="", report_attempts=0, next_report_at=None
    )
    if dropped:  # else a newer decision replaced it, and `_report` said so
        _log_dropped(comment, kind)
    return False


def _log_dropped(comment: Comment, kind: str) -> None:
    log(comment, _("Report to Akismet as %(kind)s dropped: the decision was changed since.")
        % {"kind": _REPORT_KINDS[kind]})  # fmt: skip


def _report_sent(comment: Comment) -> None:
    comment.report_pending, comment.report_attempts, comment.next_report_at = "", 0, None
    comment.save(update_fields=["report_pending", "report_attempts", "next_report_at"])


def _report_failed(comment: Comment, *, kind: str, error: str) -> None:
    now = timezone.now()
    comment.report_attempts += 1
    # Given up 15 days after the moderator's decision, as a check is 15 days after the comment.
    decided = comment.events.exclude(actor=None).order_by("-at", "-id").first()
    retry_at = moderation.next_retry(
        attempts=comment.report_attempts, submitted_at=decided.at if decided else now, now=now
    )
    comment.next_report_at = retry_at
    what = {"kind": _REPORT_KINDS[kind], "error": error}
    if retry_at:
        what["at"] = formats.time_format(timezone.localtime(retry_at), "H:i")
        log(comment, _("Reporting to Akismet as %(kind)s failed: %(error)s; will retry at %(at)s.")
            % what)  # fmt: skip
    else:
        comment.report_pending = ""
        log(comment, _("Reporting to Akismet as %(kind)s failed: %(error)s; stopped retrying "
                       "after 15 days.") % what)  # fmt: skip
    comment.save(update_fields=["report_pending", "report_attempts", "next_report_at"])
    if retry_at:
        _enqueue_report(comment, as_spam=kind == "spam", run_after=retry_at)


def send_due_reports(now=None) -> int:
    """Send the reports whose next try has come (cron); return how many Akismet accepted."""
    due = list(Comment.objects.reports_due(now).values_list("pk", "report_pending"))
    return sum(send_report(comment_id=pk, as_spam=kind == "spam") for pk, kind in due)


def purge_old(now=None) -> dict:
    """Delete old spam and trash, and forget old Akismet payloads (personal data)."""
    now = now or timezone.now()
    days = datetime.timedelta(days=1)
    old = Comment.objects.filter(replies__isnull=True)
    spam_deleted = (
        old.filter(
            status=Comment.Status.SPAM, submitted_at__lt=now - settings.COMMENTS_SPAM_DAYS * days
        )
        .delete()[1]
        .get("comments.Comment", 0)
    )
    trash_deleted = (
        old.filter(
            status=Comment.Status.TRASH, submitted_at__lt=now - settings.COMMENTS_TRASH_DAYS * days
        )
        .delete()[1]
        .get("comments.Comment", 0)
    )
    forgotten = Comment.objects.filter(
        akismet_payload__isnull=False,
        submitted_at__lt=now - settings.COMMENTS_PAYLOAD_DAYS * days,
    ).update(akismet_payload=None)
    return {"spam": spam_deleted, "trash": trash_deleted, "payloads": forgotten}
