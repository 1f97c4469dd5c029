from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "comments"
    verbose_name = _("Comments")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from core import page_cache

        from . import checks  # noqa: F401 (registers the system checks)
        from .threads import REMEMBER_COOKIES

        # A reader whose name the form remembers sees it filled in: a page of their own.
        page_cache.personal_cookie(*REMEMBER_COOKIES.values())
        from .models import Comment, ModerationSettings
        from .signals import comment_changed, settings_changed

        post_save.connect(comment_changed, sender=Comment, dispatch_uid="comment-saved")
        post_delete.connect(comment_changed, sender=Comment, dispatch_uid="comment-deleted")
        post_save.connect(settings_changed, sender=ModerationSettings, dispatch_uid="rules-saved")

        from blog.models import Article
        from blog.signals import published

        from .following import article_saved, articles_published

        # Readers who follow new posts hear of an article when it is published.
        post_save.connect(article_saved, sender=Article, dispatch_uid="article-followers")
        published.connect(articles_published, sender=Article, dispatch_uid="published-followers")
