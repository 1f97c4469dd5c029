"""Keep cached comment threads and the cached moderation settings current."""

from django.core.cache import cache

from core import caching

from . import versions

SETTINGS_KEY = "comments:moderation-settings"


def comment_changed(sender, instance, **kwargs):
    caching.bump(versions.thread(instance.article_id), versions.COMMENTS)


def settings_changed(sender, instance, **kwargs):
    cache.delete(SETTINGS_KEY)
    # Thread depth, page size and closing rules shape every thread.
    caching.bump(caching.CONTENT)
