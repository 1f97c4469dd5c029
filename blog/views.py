import datetime
import hashlib

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, ListView
from taggit.models import Tag

from core import caching
from core.client import client_ip
from core.page_cache import depends_on, token_for_signed_in

from . import editing, versions
from .models import Article, Category, Disclaimer, Page, Promotion, authors_in_byline_order
from .search import clean_query, search_articles
from .services import has_liked, like_article, too_many_likes, visitor_for

VISITOR_COOKIE = "broadsheet_visitor"
PER_PAGE = 10


class ArticleListMixin:
    """A page of public articles, with what the list shows fetched up front."""

    paginate_by = PER_PAGE
    template_name = "blog/article_list.html"
    context_object_name = "articles"
    allow_empty = True

    def get_articles(self):
        return Article.objects.published()

    def get_queryset(self):
        return self.get_articles().for_listing()

    def get_paginator(self, queryset, *args, **kwargs):
        paginator = super().get_paginator(queryset, *args, **kwargs)
        # Counting a long list costs more than reading one page of it, and the count only
        # changes with the content: every page of the list shares one cached count.
        match = self.request.resolver_match
        which = sorted((k, v) for k, v in match.kwargs.items() if k != "page")
        which = f"{match.view_name} {which} {self.request.GET.get('s', '')}"
        digest = hashlib.sha256(which.encode()).hexdigest()
        paginator.count = caching.cached(
            ("count", digest), queryset.count, depends_on=(caching.CONTENT, self.shows())
        )
        return paginator

    def shows(self) -> str:
        """The version of the list this page shows (blog/versions.py)."""
        return versions.ARTICLES

    def get_context_data(self, **kwargs):
        depends_on(self.request, self.shows())  # before the list is read
        # The list itself is cached in the template under these versions (_article_list.html).
        return super().get_context_data(
            list_version=":".join(map(str, caching.versions(caching.CONTENT, self.shows()))),
            **kwargs,
        )


class HomeView(ArticleListMixin, ListView):
    def get_articles(self):
        return super().get_articles().order_by("-is_sticky", "-published_at", "-id")


class SearchView(ArticleListMixin, ListView):
    template_name = "blog/search.html"

    def get_articles(self):
        return search_articles(super().get_articles(), self.request.GET.get("s", ""))

    def get_context_data(self, **kwargs):
        # The query as it was looked up: what a reader typed may hold what no page can.
        query = clean_query(self.request.GET.get("s", ""))
        return super().get_context_data(query=query, **kwargs)


def home(request, page=None):
    """`/` is the home page, and `/?s=words` the search, as on WordPress."""
    view = SearchView if "s" in request.GET else HomeView
    return view.as_view()(request, page=page)


class CategoryView(ArticleListMixin, ListView):
    template_name = "blog/category.html"

    def get_articles(self):
        self.category = get_object_or_404(Category, path=self.kwargs["path"])
        return super().get_articles().in_category(self.category)

    def shows(self):
        return versions.category_list(self.category.path)

    def get_context_data(self, **kwargs):
        return super().get_context_data(category=self.category, **kwargs)


class TagView(ArticleListMixin, ListView):
    template_name = "blog/tag.html"

    def get_articles(self):
        self.tag = get_object_or_404(Tag, slug=self.kwargs["slug"])
        return super().get_articles().filter(tags=self.tag)

    def shows(self):
        return versions.tag_list(self.tag.pk)

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, **kwargs)


def public_authors():
    """Active users with at least one public article: only they have an author page and feed,
    so the site never confirms the username of anyone else (staff sign in with theirs)."""
    public = Article.objects.published().filter(authors=OuterRef("pk"))
    return get_user_model().objects.filter(Exists(public), is_active=True)


class AuthorView(ArticleListMixin, ListView):
    template_name = "blog/author.html"

    def get_articles(self):
        self.author = get_object_or_404(public_authors(), username=self.kwargs["username"])
        return super().get_articles().filter(authors=self.author)

    def shows(self):
        return versions.author_list(self.author.pk)

    def get_context_data(self, **kwargs):
        return super().get_context_data(author=self.author, **kwargs)


class DateArchiveView(ArticleListMixin, ListView):
    """`/<yyyy>/`, `/<yyyy>/<mm>/` and `/<yyyy>/<mm>/<dd>/`, in the site's time zone."""

    template_name = "blog/archive.html"

    def get_articles(self):
        year, month, day = (self.kwargs.get(k) for k in ("year", "month", "day"))
        try:
            start = datetime.date(year, 1 if month is None else month, 1 if day is None else day)
        except ValueError as exc:
            raise Http404(_("No such date.")) from exc
        self.period = "day" if day is not None else "month" if month is not None else "year"
        self.start = start
        tz = timezone.get_current_timezone()
        articles = (
            super()
            .get_articles()
            .filter(published_at__gte=datetime.datetime.combine(start, datetime.time(), tzinfo=tz))
        )
        end = _period_end(start, self.period)
        if end is not None:  # the last day of year 9999 has no next day
            articles = articles.filter(
                published_at__lt=datetime.datetime.combine(end, datetime.time(), tzinfo=tz)
            )
        return articles

    def get_context_data(self, **kwargs):
        return super().get_context_data(period=self.period, start=self.start, **kwargs)


def render_article(request, article, *, status: int, context: dict) -> HttpResponse:
    """The page of a public `article` drawn again for this reader, with `context` added.

    For another app's form on the page: the comments app shows the reader's refused comment
    with what went wrong (`comment_form`, `comment_error`, read by its template tag).
    """
    view = ArticleView(extra_context=context)
    view.setup(request, **article._url_kwargs())
    view.object = article
    response = view.render_to_response(view.get_context_data(object=article))
    response.status_code = status
    return response


def _period_end(start: datetime.date, period: str) -> datetime.date | None:
    """The first day after the day, month or year that starts on `start`, if there is one."""
    try:
        if period == "day":
            return start + datetime.timedelta(days=1)
        if period == "month":
            return (start + datetime.timedelta(days=32)).replace(day=1)
        return start.replace(year=start.year + 1)
    except (OverflowError, ValueError):
        return None


def _visitor(request):
    return request.get_signed_cookie(VISITOR_COOKIE, default="", salt="likes")


def get_article(request, year, month, day, slug):
    """The article at this address for this reader: public, or previewed by its editors."""
    try:
        datetime.date(year, month, day)
    except ValueError as exc:
        raise Http404(_("No such date.")) from exc
    # The body is read only when the cached fragments are rendered again.
    articles = Article.objects.defer("body")
    if request.user.has_perm("blog.change_article"):
        # A preview for those who see the article in the admin: a writer, their own only.
        articles = articles.published() | editing.visible_articles(request.user, articles)
    else:
        articles = articles.published()
    return get_object_or_404(articles, slug=slug)


class ArticleView(DetailView):
    template_name = "blog/article_detail.html"
    context_object_name = "article"

    def get(self, request, *args, **kwargs):
        self.object = get_article(request, **kwargs)
        date = self.object.url_date
        if (date.year, date.month, date.day) != (kwargs["year"], kwargs["month"], kwargs["day"]):
            return redirect(self.object, permanent=True)
        pk = self.object.pk
        depends_on(request, versions.article(pk), versions.around(pk), versions.likes(pk))
        response = self.render_to_response(self.get_context_data(object=self.object))
        if not self.object.is_published:
            # A preview: never cached, never indexed.
            add_never_cache_headers(response)
            response["X-Robots-Tag"] = "noindex"
        return response

    def get_context_data(self, **kwargs):
        article = self.object
        context = super().get_context_data(**kwargs)
        context.update(
            is_preview=not article.is_published,
            fragments=self.get_fragments(article),
            # Anonymous readers share one cached page: their browser remembers their likes.
            liked=has_liked(article=article, user=self.request.user),
        )
        return context

    def get_fragments(self, article):
        """The parts of the page that are the same for every reader, cached per version of
        what they show: the article, and the articles they link to (neighbours, related).

        A preview is rendered afresh each time: it is for editors, and never cached.
        """
        if not article.is_published:
            return self.render_fragments(article)[0]
        fragments, shown = caching.cached_showing(
            ("article", article.pk),
            lambda: self.render_fragments(article),
            depends_on=(caching.CONTENT, versions.article(article.pk), versions.around(article.pk)),
            timeout=caching.PROMOTION_SECONDS,
        )
        depends_on(self.request, *shown)
        return fragments

    def render_fragments(self, article):
        """The fragments, and the versions of the other articles and lists they show."""
        article = (
            Article.objects.select_related("featured_image", "disclaimer", "promotion__image")
            .prefetch_related(authors_in_byline_order(), "categories", "tags")
            .get(pk=article.pk)
        )
        related = self.get_related(article)
        neighbours = self.get_neighbours(article)
        context = {
            "article": article,
            "disclaimer": self.get_disclaimer(article),
            "promotion": self.get_promotion(article),
            "related": related,
            "SITE_URL": settings.SITE_URL,
            "SITE_NAME": settings.SITE_NAME,
            **neighbours,
        }
        linked = [a for a in [*related, *neighbours.values()] if a is not None]
        shown = [
            *(versions.article(a.pk) for a in linked),
            *(versions.related(tag.pk) for tag in article.tags.all()),
        ]
        return {
            "description": article.seo_description or article.summary,
            "head": render_to_string("blog/_article_head.html", context),
            "article": render_to_string("blog/_article.html", context),
            "after": render_to_string("blog/_article_after.html", context),
        }, shown

    @staticmethod
    def get_disclaimer(article):
        if article.disclaimer:
            return article.disclaimer
        return Disclaimer.objects.filter(is_default=True).first()

    @staticmethod
    def get_promotion(article):
        if article.promotion and article.promotion.is_active():
            return article.promotion
        # Rotate the active promotions across articles, stably, so pages stay cacheable.
        active = list(Promotion.objects.active().select_related("image").order_by("pk"))
        return active[article.pk % len(active)] if active else None

    @staticmethod
    def get_neighbours(article):
        if not article.is_published:
            return {"previous": None, "next": None}
        public = Article.objects.published().only("title", "slug", "published_at")
        return {
            "previous": public.filter(published_at__lt=article.published_at)
            .order_by("-published_at")
            .first(),
            "next": public.filter(published_at__gt=article.published_at)
            .order_by("published_at")
            .first(),
        }

    @staticmethod
    def get_related(article, count=3):
        """Earlier articles on the same tags, most shared first: a new article enters no
        older article's list, so publishing leaves their pages cached."""
        tag_ids = [tag.pk for tag in article.tags.all()]
        if not tag_ids:
            return []
        related = Article.objects.published().filter(tags__in=tag_ids)
        if article.published_at:  # a draft being previewed has no date yet: all are earlier
            related = related.filter(published_at__lt=article.published_at)
        return list(
            related.exclude(pk=article.pk)
            .annotate(shared=Count("tags"))
            .order_by("-shared", "-published_at")
            .only("title", "slug", "published_at")[:count]
        )


@require_POST
@token_for_signed_in
def like(request, year, month, day, slug):
    article = get_article(request, year, month, day, slug)
    if not article.is_published:
        raise Http404
    wants_json = request.headers.get("Accept", "").startswith("application/json")
    address = client_ip(request) or ""
    if too_many_likes(address):
        message = _("You are liking articles too quickly. Please wait a minute.")
        if wants_json:
            return JsonResponse({"error": message}, status=429)
        return HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")
    visitor = _visitor(request)
    if not request.user.is_authenticated and not visitor:
        user_agent = request.headers.get("User-Agent", "")
        visitor = visitor_for(article=article, address=address, user_agent=user_agent)
    liked_now = like_article(article=article, user=request.user, visitor=visitor)
    if wants_json:
        article.refresh_from_db(fields=["like_count"])
        response = JsonResponse({"liked": True, "created": liked_now, "count": article.like_count})
    else:
        response = redirect(f"{article.get_absolute_url()}#likes")
    if not request.user.is_authenticated:
        response.set_signed_cookie(
            VISITOR_COOKIE,
            visitor,
            salt="likes",
            max_age=365 * 24 * 3600,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )
    return response


class PageView(DetailView):
    template_name = "blog/page_detail.html"
    context_object_name = "page"

    def get_queryset(self):
        return Page.objects.filter(is_published=True)


def robots_txt(request):
    sitemap = request.build_absolute_uri(reverse("sitemap"))
    lines = ["User-agent: *", "Disallow: /admin/", "", f"Sitemap: {sitemap}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain")
