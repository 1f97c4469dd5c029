"""The pages the benchmark can load, and how each one finds its address in the seeded database.

A resolver runs inside Django, in `bench.prepare`, after the database is seeded: it may query
or create what its page needs, and returns a `Page`. To add a page, write a resolver and add it
to `RESOLVERS`. This module is also imported before Django is set up, so resolvers import models
inside their body.
"""

from dataclasses import dataclass, field

from django.urls import reverse

MINIMAL = "minimal"


@dataclass
class Page:
    """One request to repeat: a GET of `path`, or a POST of a form-encoded `body`."""

    name: str
    path: str
    method: str = "GET"
    body: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    expect_status: int = 200

    def request_headers(self):
        if self.body:
            return {"Content-Type": "application/x-www-form-urlencoded", **self.headers}
        return self.headers


def minimal():
    return Page(MINIMAL, reverse("bench_minimal"))


def home():
    return Page("home", reverse("blog:home"))


def article():
    from blog.models import Article

    # The home page's top story: the page most readers land on.
    latest = Article.objects.published().order_by("-published_at", "-id").first()
    return Page("article", latest.get_absolute_url())


def category():
    from django.db.models import Count

    from blog.models import Article, Category

    # The fullest listing: the category with the most public articles.
    busiest = (
        Category.objects.filter(articles__in=Article.objects.published())
        .annotate(public_articles=Count("articles"))
        .order_by("-public_articles", "path")
        .first()
    )
    return Page("category", busiest.get_absolute_url())


def feed():
    return Page("feed", reverse("blog:feed"))


RESOLVERS = {
    MINIMAL: minimal,
    "home": home,
    "article": article,
    "category": category,
    "feed": feed,
}
DEFAULT_PAGES = [MINIMAL, "home", "article", "category", "feed"]
