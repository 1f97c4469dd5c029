from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.urls import reverse
from taggit.models import Tag

from core.page_cache import depends_on

from . import versions
from .models import Article, Category, Page


class ArticleSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8
    limit = 5000

    def items(self):
        return Article.objects.published().only("slug", "published_at", "updated_at")

    def lastmod(self, item):
        return item.updated_at


class CategorySitemap(Sitemap):
    changefreq = "daily"
    priority = 0.5

    def items(self):
        return Category.objects.filter(articles__in=Article.objects.published()).distinct()


class TagSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.3

    def items(self):
        return (
            Tag.objects.filter(
                blog_taggedarticle_items__content_object__in=Article.objects.published()
            )
            .distinct()
            .order_by("name")
        )

    def location(self, item):
        return reverse("blog:tag", kwargs={"slug": item.slug})


class PageSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.4

    def items(self):
        return Page.objects.filter(is_published=True)

    def lastmod(self, item):
        return item.updated_at


sitemaps = {
    "articles": ArticleSitemap,
    "categories": CategorySitemap,
    "tags": TagSitemap,
    "pages": PageSitemap,
}


def sitemap(request, sitemaps):
    """sitemap.xml, which lists every public article: it changes with the site-wide list."""
    depends_on(request, versions.ARTICLES)
    return sitemap_views.sitemap(request, sitemaps=sitemaps)
