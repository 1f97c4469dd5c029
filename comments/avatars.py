"""Faces for commenters without tracking: an identicon drawn here from a keyed hash of the
email address, as SVG, by default. Gravatar is an opt-in (AVATARS=gravatar): WordPress's
default sends every commenter's email hash to a third party on every page view.

The identicon's address carries an HMAC of the email under the site's secret, so it says
nothing about the address to anyone without the key.
"""

import functools
import hashlib
import hmac

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.urls import get_script_prefix, reverse
from django.utils.html import escape

from .models import normalise_email

SIZE = 5  # cells across; the left half is mirrored to the right
CELL = 8


@functools.lru_cache(maxsize=4)
def _key_for(secret_key: str) -> bytes:
    return hashlib.sha256(f"avatars:{secret_key}".encode()).digest()


def avatar_key(email: str) -> str:
    secret = _key_for(settings.SECRET_KEY)
    digest = hmac.new(secret, normalise_email(email).encode(), hashlib.sha256).hexdigest()
    return digest[:32]


def comment_avatar_url(comment) -> str:
    """A signed-in reader's own picture (kept here), else avatar_url() of the address. Uses the
    picture the thread's query fetched with the comment; no query of its own."""
    if comment.user_id and "user" in comment._state.fields_cache:
        try:
            return comment.user.reader_picture.file.url
        except ObjectDoesNotExist:
            pass
    return avatar_url(comment.author_email)


def avatar_url(email: str) -> str:
    if getattr(settings, "AVATARS", "identicon") == "gravatar" and email:
        digest = hashlib.sha256(normalise_email(email).encode()).hexdigest()
        return f"https://gravatar.com/avatar/{digest}?s=80&d=identicon"
    return _identicon_address(get_script_prefix()).replace(_ANY_KEY, avatar_key(email or ""))


_ANY_KEY = "0" * 32


@functools.lru_cache(maxsize=8)
def _identicon_address(script_prefix: str) -> str:
    """The identicon address with `_ANY_KEY` for its key: reversed once, not per comment."""
    return reverse("comments:avatar", kwargs={"key": _ANY_KEY})


def identicon_svg(key: str) -> str:
    """A 5 × 5 symmetric pattern in one colour, from the 32 hex digits of `key`."""
    bits = int(key, 16)
    hue = bits % 360
    colour = f"hsl({hue} 55% 42%)"
    cells = []
    for row in range(SIZE):
        for column in range((SIZE + 1) // 2):
            bits >>= 1
            if bits & 1:
                for x in {column, SIZE - 1 - column}:
                    cells.append(
                        f'<rect x="{x * CELL}" y="{row * CELL}" width="{CELL}" height="{CELL}"/>'
                    )
    side = SIZE * CELL
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="-4 -4 {side + 8} {side + 8}" '
        f'width="{side + 8}" height="{side + 8}" role="img">'
        f'<rect x="-4" y="-4" width="{side + 8}" height="{side + 8}" fill="#f0eee9"/>'
        f'<g fill="{escape(colour)}">{"".join(cells)}</g></svg>'
    )
