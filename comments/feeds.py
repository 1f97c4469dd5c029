import datetime

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from blog import versions as blog_versions
from blog.models import Article
from blog.text import clean_line
from core.page_cache import depends_on

from . import versions
from .models import Comment
from .templatetags.comment_tags import comment_text

FEED_ITEMS = 20


class LatestCommentsFeed(Feed):
    """The latest approved comments on public articles."""

    def get_object(self, request, *args, **kwargs):
        # Each entry names its article: the site-wide list changes with any article's title.
        depends_on(request, versions.COMMENTS, blog_versions.ARTICLES)

    def title(self, obj=None):
        return _("Comments for %(site)s") % {"site": settings.SITE_NAME}

    def link(self, obj=None):
        return "/"

    def description(self, obj=None):
        return self.title(obj)

    def get_comments(self, obj):
        return Comment.objects.filter(article__in=Article.objects.published())

    def items(self, obj=None):
        return (
            self.get_comments(obj)
            .approved()
            .filter(kind=Comment.Kind.COMMENT)
            .select_related("article")
            .order_by("-submitted_at")[:FEED_ITEMS]
        )

    # Comments stored before input was cleaned at the door may hold characters XML 1.0 forbids:
    # one of them would make the whole feed unreadable.
    def item_title(self, item):
        return clean_line(_("Comment on %(title)s by %(name)s") % {
            "title": item.article.title, "name": item.author_name})  # fmt: skip

    def item_description(self, item):
        return comment_text(item)

    def item_link(self, item):
        return item.get_absolute_url()

    def item_pubdate(self, item):
        return item.submitted_at

    def item_author_name(self, item):
        return clean_line(item.author_name)


class _ElsewhereError(Exception):
    """The feed asked for lives at another address."""

    def __init__(self, url: str):
        super().__init__(url)
        self.url = url


class ArticleCommentsFeed(LatestCommentsFeed):
    """An article's comments, at the article's address followed by `feed/`. Under another date
    it answers as the article's page does: a permanent redirect to the right address."""

    def __call__(self, request, *args, **kwargs):
        try:
            return super().__call__(request, *args, **kwargs)
        except _ElsewhereError as moved:
            return redirect(moved.url, permanent=True)

    def get_object(self, request, year, month, day, slug):
        try:
            datetime.date(year, month, day)
        except ValueError as exc:
            raise Http404(_("No such date.")) from exc
        article = get_object_or_404(Article.objects.published(), slug=slug)
        date = article.url_date
        if (date.year, date.month, date.day) != (year, month, day):
            raise _ElsewhereError(reverse("comments:article_feed", kwargs=article._url_kwargs()))
        depends_on(request, versions.thread(article.pk), blog_versions.article(article.pk))
        return article

    def title(self, obj=None):
        return clean_line(_("Comments on: %(title)s") % {"title": obj.title})

    def link(self, obj=None):
        return obj.get_absolute_url()

    def get_comments(self, obj):
        return obj.comments.all()
