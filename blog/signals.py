"""Invalidate cached page fragments when content they show changes."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import Signal
from taggit.models import Tag

from core import caching

from .models import Article, Category, Disclaimer, Image, Page, Promotion, TaggedArticle

# Sent when articles become published without a save of each (the admin's list action), with
# `articles`: a queryset of them. Whoever tells readers of new posts listens.
published = Signal()

CONTENT_MODELS = [Article, Category, Disclaimer, Image, Page, Promotion, Tag, TaggedArticle]


def content_changed(sender, **kwargs):
    caching.bump(caching.CONTENT)


def connect():
    for model in CONTENT_MODELS:
        post_save.connect(content_changed, sender=model, dispatch_uid=f"content-save-{model}")
        post_delete.connect(content_changed, sender=model, dispatch_uid=f"content-del-{model}")
    for through in (Article.categories.through, Article.authors.through):
        m2m_changed.connect(content_changed, sender=through, dispatch_uid=f"content-m2m-{through}")
