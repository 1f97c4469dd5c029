"""Writes with side effects for the blog."""

from django.db import IntegrityError, transaction
from django.db.models import F

from . import caching
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
    caching.bump(caching.likes_version_name(article.pk))
    return True


def has_liked(*, article: Article, user) -> bool:
    """Whether this signed-in user likes `article` (an anonymous reader's browser remembers)."""
    return user.is_authenticated and Like.objects.filter(article=article, user=user).exists()
