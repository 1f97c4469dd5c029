"""The pages the benchmark can load, and how each one finds its address in the seeded database.

A resolver runs inside Django, in `bench.prepare`, after the database is seeded: it may query
or create what its page needs, and returns a `Page`. To add a page, write a resolver and add it
to `RESOLVERS`. This module is also imported before Django is set up, so resolvers import models
inside their body.
"""

import random
from dataclasses import dataclass, field
from functools import partial
from urllib.parse import urlencode

from django.urls import reverse

MINIMAL = "minimal"
# In a POST body, replaced by a new value in every request (see wrk.lua and load.py).
UNIQUE = "BENCHUNIQUE"


@dataclass
class Page:
    """One request to repeat: a GET of `path`, or a POST of a form-encoded `body`.

    A POST with `form_from` is a reader sending the form on that page: before the load starts,
    `server.fill_form` GETs it and adds the form's hidden inputs and the CSRF cookie.
    `setup` names the server it needs (see `server.SETUPS`); "" is the site as configured.
    """

    name: str
    path: str
    method: str = "GET"
    body: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    expect_status: int = 200
    form_from: str = ""
    setup: str = ""
    note: str = ""  # what the table should say about the page, e.g. how many articles it lists

    def request_headers(self):
        if self.body:
            return {"Content-Type": "application/x-www-form-urlencoded", **self.headers}
        return self.headers

    def request_body(self, unique: str):
        return self.body.replace(UNIQUE, unique)


def minimal():
    return Page(MINIMAL, reverse("bench_minimal"))


def orm(count):
    queries = "1 ORM query" if count == 1 else f"{count} ORM queries"
    return Page(f"orm-{count}", reverse("bench_orm", kwargs={"count": count}),
                note=f"the minimal view and {queries}, no template")  # fmt: skip


def home():
    return Page("home", reverse("blog:home"))


def article():
    from blog.models import Article

    # The home page's top story: the page most readers land on.
    latest = Article.objects.published().order_by("-published_at", "-id").first()
    note = f"{latest.comments.approved().count()} comments"
    return Page("article", latest.get_absolute_url(), note=note)


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
    note = f"{busiest.public_articles} articles"
    return Page("category", busiest.get_absolute_url(), note=note)


def tag():
    from django.db.models import Count
    from taggit.models import Tag

    from blog.models import Article, TaggedArticle

    # As for the category: the tag on the most public articles.
    busiest = (
        TaggedArticle.objects.filter(content_object__in=Article.objects.published())
        .values("tag")
        .annotate(public_articles=Count("id"))
        .order_by("-public_articles", "tag")
        .first()
    )
    chosen = Tag.objects.get(pk=busiest["tag"])
    note = f"{busiest['public_articles']} articles"
    return Page("tag", reverse("blog:tag", kwargs={"slug": chosen.slug}), note=note)


# A word of generate_content's word list, in nearly every generated article (9,651 of 10,000):
# a search that finds, ranks and pages many articles.
SEARCH_WORD = "climate"


def search():
    from blog.models import Article
    from blog.search import search_articles

    found = search_articles(Article.objects.published(), SEARCH_WORD).count()
    path = f"{reverse('blog:home')}?{urlencode({'s': SEARCH_WORD})}"
    return Page("search", path, note=f"{found} articles found")


def feed():
    return Page("feed", reverse("blog:feed"))


def article_with_comments(count: int, *, rank: int, uncached=False):
    """The `rank`-th newest public article (0 is the top story), with `count` approved comments.

    The page caches its comment thread per comment version: that is what readers get. With
    `uncached`, `?replytocom=` asks for a reply form, which renders the thread afresh on every
    request (see comments.threads.comment_section) while the rest of the page stays cached.
    (`?cpage=` would not do: it is part of the thread's cache key, so it is cached too.)
    """
    from blog.models import Article

    chosen = Article.objects.published().order_by("-published_at", "-id")[rank]
    seed_comments(chosen, count)
    path = chosen.get_absolute_url()
    if uncached:
        first = chosen.comments.approved().filter(parent=None).order_by("submitted_at", "id")[0]
        path += f"?replytocom={first.pk}"
    name = f"article-{count}" + ("-uncached" if uncached else "")
    return Page(name, path, note=f"{count} comments")


# In every five comments: three comments, a reply to the third, and a reply to that reply.
THREAD_DEPTHS = [0, 0, 0, 1, 2]


def seed_comments(article, count: int):
    """Top `article` up to `count` approved comments, spread from its publication until now."""
    from django.utils import timezone

    from comments.models import Comment
    from comments.text import comment_html
    from demo.management.commands.generate_content import COMMENTERS, Writer

    missing = count - article.comments.approved().count()
    if missing <= 0:
        return
    rng = random.Random(article.pk)
    writer = Writer(rng, pool_size=200)
    step = (timezone.now() - article.published_at) / (missing + 1)
    comments = []
    for i in range(missing):
        name = rng.choice(COMMENTERS)
        comments.append(
            Comment(
                article=article,
                parent=comments[-1] if THREAD_DEPTHS[i % 5] else None,
                author_name=name,
                author_email=f"{name.lower()}@example.com",
                content=(text := writer.comment()),
                html=comment_html(text),
                submitted_at=article.published_at + step * (i + 1),
                status=Comment.Status.APPROVED,
                verdict=Comment.Verdict.SKIPPED,
                reason="benchmark",
            )
        )
    # Level by level, so that each reply's parent has its key when the reply goes in.
    for depth in sorted(set(THREAD_DEPTHS)):
        level = [c for i, c in enumerate(comments) if THREAD_DEPTHS[i % 5] == depth]
        Comment.objects.bulk_create(level)


def post_comment(*, queued: bool, rank: int = 0):
    """A reader posting a comment on the `rank`-th newest article (0: the top story), each time
    with a text and an email address of its own: every POST is a new commenter.

    Akismet answers in 50 ms (`server.AKISMET_DELAY`): after the response with the immediate
    task backend, in a `db_worker` beside the server with the database one (see
    `server.SETUPS`). The text starts with the page's name, so `bench.tally` can find what was
    stored. The site has a moderator, as any site that holds comments does: the digest of held
    comments has someone to go to (without one, every held comment makes the digest read the
    queue for nobody).
    """
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from blog.models import Article

    moderator, _created = get_user_model().objects.get_or_create(
        username="bench-comment-moderator",
        defaults={"email": "moderator@example.com", "is_staff": True},
    )
    moderator.groups.add(Group.objects.get(name="Moderators"))
    name = "comment-post-queued" if queued else "comment-post"
    typed = {
        "content": f"{name} {UNIQUE}: a comment sent by the benchmark.",
        "name": "Bench Reader",
        "email": f"bench.reader.{UNIQUE}@example.com",
        "url": "",
        "hp_website": "",
    }
    on = Article.objects.published().order_by("-published_at", "-id")[rank]
    return Page(
        name,
        reverse("comments:post"),
        method="POST",
        body=urlencode(typed),
        expect_status=302,
        form_from=on.get_absolute_url(),
        setup="akismet-worker" if queued else "akismet",
    )


def admin_login():
    """The admin's own sign-in page: what a Django admin page costs with nothing of ours."""
    return Page("admin-login", reverse("admin:login"))


def moderation_queue(status="held"):
    """The moderators' queue, first page, as a signed-in moderator (a session cookie).

    The seeded comments are all approved: sixty are held here, and sixty marked spam, so
    those queues have a page to show.
    """
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.backends.db import SessionStore

    from comments.models import Comment

    newest = Comment.objects.order_by("-pk").values_list("pk", flat=True)
    for chosen, marked in (
        (newest[:60], Comment.Status.HELD),
        (newest[60:120], Comment.Status.SPAM),
    ):
        Comment.objects.filter(pk__in=list(chosen)).update(status=marked)
    user, _created = get_user_model().objects.get_or_create(
        username="bench-moderator", defaults={"is_staff": True, "is_superuser": True}
    )
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.create()
    path = f"{reverse('admin:comments_comment_changelist')}?{urlencode({'status__exact': status})}"
    total = Comment.objects.count()
    return Page(f"queue-{status}", path, headers={"Cookie": f"sessionid={session.session_key}"},
                note=f"{total:,} comments, as a signed-in moderator")  # fmt: skip


def cold(resolver):
    """The same page on a server whose caches are empty on every request."""

    def resolve():
        page = resolver()
        page.name, page.setup = f"{page.name}-cold", "cold"
        return page

    return resolve


RESOLVERS = {
    "admin-login": admin_login,
    "queue-held": moderation_queue,
    "queue-spam": partial(moderation_queue, "spam"),
    "queue-all": partial(moderation_queue, "all"),
    MINIMAL: minimal,
    "orm-1": partial(orm, 1),
    "orm-11": partial(orm, 11),
    "home": home,
    "article": article,
    "category": category,
    "tag": tag,
    "search": search,
    "feed": feed,
    "article-50": partial(article_with_comments, 50, rank=1),
    "article-50-uncached": partial(article_with_comments, 50, rank=1, uncached=True),
    "article-500": partial(article_with_comments, 500, rank=2),
    "article-500-uncached": partial(article_with_comments, 500, rank=2, uncached=True),
    "comment-post": partial(post_comment, queued=False),
    "comment-post-queued": partial(post_comment, queued=True),
    # On an article no other page of the scale suite loads: each comment changes the page it
    # is on (held ones too), and the cached article rows should measure a page that holds.
    "comment-post-aside": partial(post_comment, queued=False, rank=3),
    **{
        f"{name}-cold": cold(resolver)
        for name, resolver in [
            ("home", home),
            ("article", article),
            ("category", category),
            ("tag", tag),
            ("search", search),
            ("feed", feed),
            ("article-50", partial(article_with_comments, 50, rank=1)),
        ]
    },  # fmt: skip
}
SUITES = {
    # The moderators' queue against the admin's own sign-in page, on a big site:
    # `python -m bench --suite moderation --articles 10000 --comments-per-article 20`.
    "moderation": [MINIMAL, "admin-login", "queue-held", "queue-spam", "queue-all"],
    "default": [MINIMAL, "home", "article", "category", "feed"],
    # Issue #15: each page warm (as readers mostly get it) and cold (every cache empty), side
    # by side with the minimal view.
    "cold": [
        MINIMAL,
        "orm-1",  # what queries alone cost: the article page drawn cold makes 11 to 14
        "orm-11",
        "home",
        "article",
        "article-50",
        "category",
        "tag",
        "search",
        "feed",
        "home-cold",
        "article-cold",
        "article-50-cold",
        "category-cold",
        "tag-cold",
        "search-cold",
        "feed-cold",
    ],  # fmt: skip
    "comments": [
        MINIMAL,
        "article",
        "article-50",
        "article-50-uncached",
        "article-500",
        "article-500-uncached",
        "comment-post",
        "comment-post-queued",
    ],
    # Its own readers and editor, over every article: see bench/longtail.py.
    "longtail": [MINIMAL],
    # Its own schedule, with its own servers: see bench/scale.py.
    "scale": [
        MINIMAL,
        "home",
        "article",
        "article-50",
        "category",
        "tag",
        "search",
        "feed",
        "comment-post",
    ],  # fmt: skip
}
