from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BlogConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "blog"
    verbose_name = _("Blog")

    def ready(self):
        from django.conf import settings

        from core import caching, page_cache

        from . import editing, signals
        from .models import Article

        signals.connect()
        editing.register_revisions()
        # A scheduled article becomes public by the clock: checked on every page (all read
        # `content`), it makes stale then what its publication changes.
        caching.schedule(
            caching.CONTENT, Article.objects.next_publication, signals.published_by_clock
        )
        # A like changes only a count: its page is drawn again at most this often.
        page_cache.coalesce("likes:", lambda: settings.PAGE_CACHE_LIKES_SECONDS)
