"""Commenters' website hosts as a moderator should read them: look-alikes give themselves away."""

import unicodedata
from urllib.parse import urlsplit

from django.utils.html import format_html

from blog.text import clean_line


def visible_text(text: str) -> str:
    """`text` as one clean line with each format character (bidi override, zero-width
    joiner…) written out as [U+XXXX]: nothing a moderator reads hides or reorders the rest."""
    return "".join(
        f"[U+{ord(c):04X}]" if unicodedata.category(c) == "Cf" else c for c in clean_line(text)
    )


def _to_ascii(label: str) -> str:
    """One host label as a browser sends it: mapped as UTS 46 does (NFKC, lower case), then
    punycode unless it is plain ASCII.

    Not the `idna` codec: its IDNA 2003 mapping turns `ß` into `ss` and drops zero-width
    joiners, so it would show a moderator a host other than the one the link opens.
    """
    mapped = unicodedata.normalize("NFKC", label).lower()
    if mapped.isascii():
        return mapped
    return "xn--" + mapped.encode("punycode").decode("ascii")


def _to_unicode(label: str) -> str:
    if not label.startswith("xn--"):
        return label
    try:
        return label[4:].encode("ascii").decode("punycode")
    except (UnicodeError, ValueError):
        return label  # not valid punycode: shown as it is, in ASCII


def website_host(url: str) -> tuple[str, str]:
    """The host of a commenter's website as a moderator should read it: (Unicode, ASCII).

    The two differ only for an internationalised host, `аpple.com` and `xn--pple-43d.com`,
    so a look-alike of a well-known name gives itself away. Never raises, whatever is stored.
    """
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        host = url
    labels = clean_line(host).split(".")
    try:
        ascii_host = ".".join(_to_ascii(label) for label in labels)
    except UnicodeError:
        ascii_host = host.encode("ascii", "backslashreplace").decode("ascii")
    return visible_text(".".join(_to_unicode(label) for label in labels)), ascii_host


def website_html(url: str):
    """The host for the moderators' screens: its Unicode form isolated, then its punycode."""
    unicode_host, ascii_host = website_host(url)
    if unicode_host == ascii_host:
        return format_html('<bdi dir="ltr">{}</bdi>', ascii_host)
    return format_html(
        '<bdi dir="ltr">{}</bdi> <bdi dir="ltr">({})</bdi>', unicode_host, ascii_host
    )
