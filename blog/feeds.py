from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from taggit.models import Tag

from core.page_cache import depends_on

from . import versions
from .models import Article, Category, authors_in_byline_order
from .text import clean_line
from .views import public_authors

FEED_ITEMS = 10


class LatestArticlesFeed(Feed):
    """RSS 2.0 with the full content of the ten latest public articles."""

    description_template = None

    def title(self, obj=None):
        return settings.SITE_NAME

    def link(self, obj=None):
        return "/"

    def description(self, obj=None):
        return _("The latest articles from %(site)s") % {"site": settings.SITE_NAME}

    def get_articles(self, obj):
        return Article.objects.published()

    def shows(self, obj) -> str:
        """The version of the list this feed shows (blog/versions.py)."""
        return versions.ARTICLES

    def get_feed(self, obj, request):
        depends_on(request, self.shows(obj))
        return super().get_feed(obj, request)

    def items(self, obj=None):
        return (
            self.get_articles(obj)
            .prefetch_related(authors_in_byline_order(), "categories")
            .order_by("-published_at")[:FEED_ITEMS]
        )

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.body

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        # Names come from user accounts, which Django's user admin does not clean: one
        # control character would stop the feed (XML 1.0 cannot carry it).
        return clean_line(item.byline_names())

    def item_categories(self, item):
        return [category.name for category in item.categories.all()]


class LatestArticlesAtomFeed(LatestArticlesFeed):
    feed_type = Atom1Feed
    subtitle = LatestArticlesFeed.description


class CategoryFeed(LatestArticlesFeed):
    def get_object(self, request, path):
        return get_object_or_404(Category, path=path)

    def title(self, obj=None):
        return f"{settings.SITE_NAME} » {obj.name}"

    def link(self, obj=None):
        return obj.get_absolute_url()

    def get_articles(self, obj):
        return Article.objects.published().in_category(obj)

    def shows(self, obj):
        return versions.category_list(obj.path)


class TagFeed(LatestArticlesFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Tag, slug=slug)

    def title(self, obj=None):
        return f"{settings.SITE_NAME} » {obj.name}"

    def link(self, obj=None):

        return reverse("blog:tag", kwargs={"slug": obj.slug})

    def get_articles(self, obj):
        return Article.objects.published().filter(tags=obj)

    def shows(self, obj):
        return versions.tag_list(obj.pk)


class AuthorFeed(LatestArticlesFeed):
    def get_object(self, request, username):
        return get_object_or_404(public_authors(), username=username)

    def title(self, obj=None):
        return clean_line(f"{settings.SITE_NAME} » {obj.get_full_name() or obj.get_username()}")

    def link(self, obj=None):

        return reverse("blog:author", kwargs={"username": obj.get_username()})

    def get_articles(self, obj):
        return Article.objects.published().filter(authors=obj)

    def shows(self, obj):
        return versions.author_list(obj.pk)
