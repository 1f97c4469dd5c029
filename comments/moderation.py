"""The site's own moderation rules, as small pure functions.

In the allow / moderate split of django-contrib-comments: `refusal` says whether a comment
may be stored at all; `screen` and `decide` pick its status from the site's rules and
Akismet's verdict. Nothing here touches the database or the network.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from blog.text import fold

URL_PATTERN = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)


@dataclass(frozen=True)
class Refusal:
    status: int  # the HTTP status the reader gets
    message: str


@dataclass(frozen=True)
class Decision:
    status: str  # a Comment.Status value
    reason: str


def comments_closed(article, rules, now: datetime.datetime) -> bool:
    if not article.comments_open:
        return True
    if rules.close_after_days and article.published_at:
        return now - article.published_at > datetime.timedelta(days=rules.close_after_days)
    return False


def refusal(*, article, rules, now, honeypot: str, signed_age, parent) -> Refusal | None:
    """Why a comment must be refused before anything is stored, or None.

    `signed_age` is how old the form's signature is (None: missing or forged); `parent` the
    comment replied to, or None.
    """
    if not article.is_published:
        return Refusal(404, _("This article is not available."))
    if comments_closed(article, rules, now):
        return Refusal(403, _("Comments are closed on this article."))
    if honeypot:
        return Refusal(400, _("Your comment could not be accepted."))
    if signed_age is None or signed_age > datetime.timedelta(hours=2):
        return Refusal(
            400, _("This form has expired. Please try again: your comment is kept below.")
        )
    if parent is not None and (parent.article_id != article.pk or parent.status != "approved"):
        return Refusal(400, _("The comment you are replying to is not available."))
    return None


def count_links(text: str) -> int:
    return len(URL_PATTERN.findall(text)) + text.lower().count("<a ")


def find_word(words: list[str], *fields: str) -> str | None:
    """The first of `words` that appears in any of `fields`, or None.

    Compared as a reader reads them (`fold`): case, full-width letters and invisible
    characters such as a zero-width space make no difference.
    """
    haystack = fold("\n".join(fields))
    return next((word for word in words if fold(word) and fold(word) in haystack), None)


def screen(fields: dict, rules) -> Decision | None:
    """Before Akismet: a disallowed word makes the comment spam, and Akismet is skipped."""
    values = [fields.get(k) or "" for k in ("name", "email", "url", "content", "ip", "user_agent")]
    word = find_word(rules.disallowed, *values)
    if word:
        return Decision("spam", _("disallowed word '%(word)s'") % {"word": word})
    return None


def decide(fields: dict, rules, *, verdict: str, approved_before: bool) -> Decision:
    """The status of a comment once Akismet's verdict (or its absence) is known.

    `verdict` is ham, spam, discard or skipped (Akismet off). Spam from Akismet is final;
    otherwise the site's rules may still hold the comment for a moderator.
    """
    if verdict == "spam":
        return Decision("spam", _("Akismet: spam"))
    if verdict == "discard":
        return Decision("spam", _("Akismet: blatant spam (discard)"))
    word = find_word(rules.moderated, fields.get("name", ""), fields.get("email", ""),
                     fields.get("url", ""), fields.get("content", ""))  # fmt: skip
    if word:
        return Decision("held", _("moderation word '%(word)s'") % {"word": word})
    links = count_links(fields.get("content", ""))
    if rules.link_limit and links >= rules.link_limit:
        return Decision(
            "held", _("%(n)d links (limit %(limit)d)") % {"n": links, "limit": rules.link_limit}
        )
    if rules.hold_all:
        return Decision("held", _("every comment is held for review"))
    if rules.hold_first_time and not approved_before:
        return Decision("held", _("first-time commenter"))
    source = _("Akismet: not spam") if verdict == "ham" else _("site rules")
    if rules.hold_first_time:
        return Decision("approved", _("%(source)s; returning commenter") % {"source": source})
    return Decision("approved", source)


# After a failed check, try again after 1, 5 and 20 minutes, then every 20 minutes.
RETRY_DELAYS = [datetime.timedelta(minutes=m) for m in (1, 5, 20)]
GIVE_UP_AFTER = datetime.timedelta(days=15)


def next_retry(*, attempts: int, submitted_at, now) -> datetime.datetime | None:
    """When to ask Akismet again after `attempts` failed checks; None once 15 days have gone."""
    delay = RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1]
    at = now + delay
    return at if at - submitted_at <= GIVE_UP_AFTER else None
