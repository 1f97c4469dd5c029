"""Keep cached comment threads and the cached moderation settings current."""

from django.core.cache import cache

from blog import caching

SETTINGS_KEY = "comments:moderation-settings"


def comment_changed(sender, instance, **kwargs):
    caching.bump(caching.comments_version_name(instance.article_id), caching.COMMENTS)


def settings_changed(sender, instance, **kwargs):
    cache.delete(SETTINGS_KEY)
    # Thread depth, page size and closing rules shape every thread.
    caching.bump(caching.CONTENT)
