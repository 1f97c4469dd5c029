"""Exported strings as our values: dates, slugs and plain text."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import unquote

from django.utils.text import slugify

TAG = re.compile(r"<!--.*?-->|<[^>]*>", re.S)


def parse_date(value: str) -> tuple[datetime | None, bool]:
    """(the UTC time, whether the text was a bad date); WordPress's "0000-00-00 …" is no date."""
    value = (value or "").strip()
    if not value or value.startswith("0000-00-00"):
        return None, False
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None, True
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC), False
    return parsed.astimezone(UTC), False


def parse_rss_date(value: str) -> datetime | None:
    """An item's <pubDate>; drafts carry 1970 or year -1 there, which is no date."""
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo and parsed.year > 1970 else None


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
