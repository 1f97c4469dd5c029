"""Exported strings as our values: dates, slugs and plain text."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import unquote

from django.utils.text import slugify

TAG = re.compile(r"<!--.*?-->|<[^>]*>", re.S)
# The dates an import keeps: every time zone can show them (Python's dates end at years 1 and
# 9999, and a day's offset from UTC past either end raises OverflowError in a page), and their
# years have the four digits of an article's address. Others are invalid dates.
EARLIEST = datetime(1000, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)  # the first moment past the range
DATE_RANGE = "dates from the year 1000 to 8999 are kept"


def parse_date(value: str) -> tuple[datetime | None, str]:
    """(the UTC time, what is wrong with the text or ""); WordPress's "0000-00-00 …" is no date.

    A time without an offset is taken as UTC. A date outside EARLIEST…LATEST is no date.
    """
    value = (value or "").strip()
    if not value or value.startswith("0000-00-00"):
        return None, ""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None, f"invalid date {value!r}"
    try:
        parsed = parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    except OverflowError:  # past the year 9999 in UTC
        parsed = None
    if parsed is None or not EARLIEST <= parsed < LATEST:
        return None, f"date {value!r} out of range ({DATE_RANGE})"
    return parsed, ""


def parse_rss_date(value: str) -> tuple[datetime | None, str]:
    """An item's <pubDate> in UTC, and what is wrong with it or "". Drafts carry 1970 or year -1
    there, and other feeds worse: an unreadable one is simply no date."""
    try:
        parsed = parsedate_to_datetime(value)
        if not parsed.tzinfo or parsed.year <= 1970:
            return None, ""
        parsed = parsed.astimezone(UTC)
    except (TypeError, ValueError, IndexError):
        return None, ""
    except OverflowError:  # past the year 9999 in UTC
        parsed = None
    if parsed is None or not EARLIEST <= parsed < LATEST:
        return None, f"date {value.strip()!r} out of range ({DATE_RANGE})"
    return parsed, ""


def slug_for(value: str, *, unicode: bool, max_length: int) -> str:
    """WordPress's (percent-encoded) slug, or any text, as one of our slugs."""
    return slugify(unquote(value or ""), allow_unicode=unicode)[:max_length].strip("-_")


def plain_text(value: str) -> str:
    """A title, name or excerpt without markup or entities: "Title <em>With</em> &amp; More"
    → "Title With & More"."""
    if "<" in value:
        value = TAG.sub("", value)
    if "&" in value:
        value = html.unescape(value)
    return " ".join(value.split())
