"""Writes with side effects for the blog."""

import hashlib
import secrets

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F

from core import caching
from core.limits import over_limit

from . import versions
from .models import Article, Like


def like_article(*, article: Article, user=None, visitor: str = "") -> bool:
    """Record that a reader likes `article`; return False if they already did.

    The unique constraints on Like make this safe under concurrent clicks: only the insert
    that wins bumps the counter.
    """
    if user is not None and not user.is_authenticated:
        user = None
    if user is None and not visitor:
        raise ValueError("A like needs a signed-in user or a visitor id.")
    try:
        with transaction.atomic():
            Like.objects.create(article=article, user=user, visitor="" if user else visitor)
            Article.objects.filter(pk=article.pk).update(like_count=F("like_count") + 1)
    except IntegrityError:
        return False
    caching.bump(versions.likes(article.pk))
    return True


# A reader who has no visitor cookie yet is known, for this long, by address and browser.
VISITOR_CLAIM_SECONDS = 600


def visitor_for(*, article: Article, address: str, user_agent: str) -> str:
    """The visitor id of a reader who brings no cookie: the same for every request from one
    address and browser within VISITOR_CLAIM_SECONDS, so twenty presses at once (before the
    first answer sets the cookie) are one reader, and the unique constraint keeps one like."""
    reader = hashlib.sha256(f"{address}\0{user_agent}".encode()).hexdigest()[:32]
    key = f"likes:visitor:{article.pk}:{reader}"
    cache.add(key, secrets.token_urlsafe(24), timeout=VISITOR_CLAIM_SECONDS)  # atomic
    return cache.get(key) or secrets.token_urlsafe(24)


def too_many_likes(address: str) -> bool:
    """Whether `address` has pressed Like more than LIKES_PER_MINUTE times this minute."""
    return over_limit("likes", address, limit=settings.LIKES_PER_MINUTE, seconds=60)


def has_liked(*, article: Article, user) -> bool:
    """Whether this signed-in user likes `article` (an anonymous reader's browser remembers)."""
    return user.is_authenticated and Like.objects.filter(article=article, user=user).exists()
