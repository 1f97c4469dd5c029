"""`manage.py generate_content`: fill a database with articles and comments for load tests.

Articles go in with bulk_create, comments and links with multi-row INSERTs, one transaction per
batch of articles, so 10,000 articles with 200,000 comments take seconds, not minutes. Every run
adds new articles (slugs `generated-<run>-<n>`) and reuses the authors, categories and tags of
earlier runs.
"""

import datetime
import random
import secrets
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connections, router, transaction
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag

from blog.models import Article, Category, TaggedArticle
from comments.models import Comment
from comments.text import comment_html
from core.bulk import insert_rows

WORDS = [
    "the", "of", "and", "to", "in", "a", "is", "that", "for", "on", "with", "as", "by", "at",
    "from", "it", "this", "be", "are", "was", "not", "or", "but", "have", "an", "they", "which",
    "you", "were", "their", "has", "more", "will", "would", "about", "there", "been", "one", "all",
    "can", "also", "than", "its", "into", "after", "other", "some", "what", "when", "people",
    "government", "city", "policy", "market", "energy", "water", "housing", "school", "council",
    "minister", "election", "budget", "trade", "climate", "transport", "health", "report",
    "research", "data", "public", "private", "local", "national", "world", "country", "region",
    "street", "river", "coast", "harbour", "bridge", "station", "price", "wage", "worker", "tenant",
    "landlord", "farmer", "doctor", "teacher", "reader", "writer", "editor", "court", "law", "rule",
    "plan", "scheme", "project", "programme", "question", "answer", "reason", "evidence", "history",
    "future", "decade", "year", "month", "week", "morning", "evening", "night", "summer", "winter",
    "change", "growth", "cost", "risk", "crisis", "debate", "vote", "quiet", "careful", "slow",
    "rapid", "modest", "bold", "open", "common", "early", "late", "long", "short", "large", "small",
    "new", "old"
]  # fmt: skip
TAG_ADJECTIVES = [
    "urban", "rural", "global", "local", "public", "digital", "green", "social", "foreign", "small"
]  # fmt: skip
TAG_NOUNS = [
    "policy", "energy", "housing", "transport", "health", "trade", "media", "labour", "finance",
    "science"
]  # fmt: skip
AUTHORS = [
    ("loadtest-author-1", "Ada", "Lindqvist"),
    ("loadtest-author-2", "Kwame", "Mensah"),
    ("loadtest-author-3", "Lucía", "Romero"),
    ("loadtest-author-4", "Hiroshi", "Tanaka"),
    ("loadtest-author-5", "Fatima", "Haddad"),
]
# (parent slug or None, slug, name); parents first.
CATEGORIES = [
    (None, "load-test", "Load test"),
    ("load-test", "world", "World"),
    ("load-test", "business", "Business"),
    ("load-test", "science", "Science"),
    ("load-test", "arts", "Arts"),
]
COMMENTERS = [
    "Alex", "Sam", "Jo", "Robin", "Kim", "Noor", "Ravi", "Lena", "Tomás", "Ines", "Yusuf", "Mei",
    "Ola", "Pat", "Zoe"
]  # fmt: skip
MAX_DEPTH = 3  # A comment, a reply, and a reply to the reply.
REPLY_SHARE = 0.3
YEARS_BACK = 5
BAR_WIDTH = 30


def count_option(value, option, minimum=None):
    """`value` as an int of at least `minimum`, else a CommandError naming the option."""
    try:
        number = int(str(value).strip())
    except ValueError:
        raise CommandError(f"{option} must be a whole number, not {value!r}.") from None
    if minimum is not None and number < minimum:
        raise CommandError(f"{option} must be {minimum} or more, not {number}.")
    return number


class Writer:
    """Plausible-looking text from a small word list, built from a pool of sentences so that
    millions of words cost next to nothing."""

    def __init__(self, rng, pool_size=20_000):
        self.rng = rng
        self.pool = [self.sentence() for _ in range(pool_size)]

    def sentence(self):
        words = self.rng.choices(WORDS, k=self.rng.randint(8, 22))
        return " ".join(words).capitalize() + "."

    def sentences(self, fewest, most):
        return " ".join(self.rng.choices(self.pool, k=self.rng.randint(fewest, most)))

    def title(self):
        return " ".join(self.rng.choices(WORDS, k=self.rng.randint(4, 9))).capitalize()

    def body(self):
        """Safe HTML by construction (only <p> and <h2> around word-list text): bulk_create
        skips Article.save(), which would otherwise sanitise it."""
        parts = []
        for i in range(self.rng.randint(5, 10)):
            if i and i % 3 == 0:
                parts.append(f"<h2>{self.title()}</h2>")
            parts.append(f"<p>{self.sentences(3, 6)}</p>")
        return "\n".join(parts)

    def comment(self):
        return self.sentences(1, 4)


class Command(BaseCommand):
    help = "Fill the database with published articles and approved comments, for load tests."

    def add_arguments(self, parser):
        parser.add_argument("--articles", required=True, metavar="N", help="Articles to create.")
        parser.add_argument(
            "--comments-per-article",
            required=True,
            metavar="M",
            help="Approved comments per article, some of them replies.",
        )
        parser.add_argument(
            "--batch-size", default=1000, metavar="B", help="Articles per batch (default: 1000)."
        )
        parser.add_argument("--seed", metavar="S", help="Seed for repeatable text and dates.")

    def handle(self, *args, **options):
        articles = count_option(options["articles"], "--articles", minimum=1)
        per_article = count_option(
            options["comments_per_article"], "--comments-per-article", minimum=0
        )
        batch_size = count_option(options["batch_size"], "--batch-size", minimum=1)
        seed = options["seed"]
        if seed is not None:
            seed = count_option(seed, "--seed")
        self.rng = random.Random(seed)
        self.show_progress = options["verbosity"] >= 1
        # The run id keeps slugs unique across runs, even with the same seed.
        self.run = secrets.token_hex(4)
        self.now = timezone.now()

        started = time.monotonic()
        self.writer = Writer(self.rng)
        with transaction.atomic():
            self.authors = self.load_authors()
            self.categories = self.load_categories()
            self.tags = self.load_tags()
        totals = {"articles": 0, "comments": 0, "replies": 0, "links": 0}
        for start in range(0, articles, batch_size):
            size = min(batch_size, articles - start)
            with transaction.atomic():
                batch = self.create_articles(start, size)
                totals["links"] += self.link_articles(batch)
                comments, replies = self.create_comments(batch, per_article)
            totals["articles"] += size
            totals["comments"] += comments
            totals["replies"] += replies
            self.progress(totals["articles"], articles, totals["comments"], started)
        if self.show_progress:
            self.stderr.write("")  # End the progress bar's line.
        connection = connections[router.db_for_write(Article)]
        if connection.vendor == "postgresql":
            # Fresh statistics: until autovacuum comes by, the planner takes the new tables for
            # empty and sorts every article for a feed instead of walking an index.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")

        elapsed = time.monotonic() - started
        rows = totals["articles"] + totals["comments"] + totals["links"]
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {totals['articles']:,} articles and {totals['comments']:,} comments "
                f"({totals['replies']:,} of them replies), with {totals['links']:,} author, "
                f"category and tag links, in {elapsed:.1f} s "
                f"({rows / max(elapsed, 0.001):,.0f} rows/s). "
                f"Slugs: generated-{self.run}-<n>."
            )
        )

    def load_authors(self):
        User = get_user_model()
        authors = []
        for username, first_name, last_name in AUTHORS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first_name,
                    "last_name": last_name,
                    "email": f"{username}@example.com",
                },
            )
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
            authors.append(user.pk)
        return authors

    def load_categories(self):
        """The nested categories' keys, children only: articles are filed below the top."""
        by_slug = {}
        for parent, slug, name in CATEGORIES:
            by_slug[slug], _ = Category.objects.get_or_create(
                parent=by_slug.get(parent), slug=slug, defaults={"name": name}
            )
        return [category.pk for category in by_slug.values() if category.parent_id]

    def load_tags(self):
        names = [f"{adjective} {noun}" for adjective in TAG_ADJECTIVES for noun in TAG_NOUNS]
        Tag.objects.bulk_create(
            [Tag(name=name, slug=slugify(name)) for name in names], ignore_conflicts=True
        )
        return list(Tag.objects.filter(name__in=names).values_list("pk", flat=True))

    def create_articles(self, start, size):
        oldest = self.now - datetime.timedelta(days=365 * YEARS_BACK)
        span = (self.now - oldest).total_seconds()
        articles = [
            Article(
                title=self.writer.title(),
                slug=f"generated-{self.run}-{start + i + 1}",
                body=self.writer.body(),
                status=Article.Status.PUBLISHED,
                published_at=oldest + datetime.timedelta(seconds=self.rng.uniform(0, span)),
            )
            for i in range(size)
        ]
        # Primary keys come back on PostgreSQL and on SQLite 3.35+ alike.
        return Article.objects.bulk_create(articles)

    def link_articles(self, articles):
        rng = self.rng
        authors, categories, tags = [], [], []
        for article in articles:
            for author in rng.sample(self.authors, rng.choice([1, 1, 1, 2])):
                authors.append((article.pk, author))
            for category in rng.sample(self.categories, rng.choice([1, 1, 2])):
                categories.append((article.pk, category))
            for tag in rng.sample(self.tags, rng.randint(1, 5)):
                tags.append((article.pk, tag))
        insert_rows(Article.authors.through, ["article_id", "user_id"], authors)
        insert_rows(Article.categories.through, ["article_id", "category_id"], categories)
        insert_rows(TaggedArticle, ["content_object_id", "tag_id"], tags)
        return len(authors) + len(categories) + len(tags)

    def create_comments(self, articles, per_article):
        """`per_article` approved comments on each article; a share of them reply to an earlier
        comment on the same article, at most MAX_DEPTH levels deep.

        Comments go in level by level, so each reply's parent already has its key.
        Returns the number of comments and of replies.
        """
        rng = self.rng
        levels = [[] for _ in range(MAX_DEPTH)]  # Per depth: (number, parent's number, row)
        number = 0
        for article in articles:
            age = (self.now - article.published_at).total_seconds()
            span = min(max(age, 60), 60 * 60 * 24 * 30)
            moments = sorted(rng.uniform(0, span) for _ in range(per_article))
            depths = []
            for i, seconds in enumerate(moments):
                parent = rng.randrange(i) if i and rng.random() < REPLY_SHARE else None
                if parent is not None and depths[parent] == MAX_DEPTH - 1:
                    parent = None
                depth = 0 if parent is None else depths[parent] + 1
                depths.append(depth)
                name = rng.choice(COMMENTERS)
                text = self.writer.comment()
                row = (
                    article.pk,
                    name,
                    f"{name.lower()}@example.com",
                    text,
                    comment_html(text),
                    article.published_at + datetime.timedelta(seconds=seconds),
                )
                levels[depth].append((number + i, None if parent is None else number + parent, row))
            number += per_article

        keys = [None] * number
        columns = [
            "parent_id",
            "article_id",
            "author_name",
            "author_email",
            "content",
            "html",
            "submitted_at",
        ]
        fixed = {
            "status": Comment.Status.APPROVED,
            "verdict": Comment.Verdict.SKIPPED,
            "reason": "generated",
        }
        for level in levels:
            if not level:
                continue
            rows = [(None if p is None else keys[p], *row) for _, p, row in level]
            new_keys = insert_rows(Comment, columns, rows, fixed=fixed, returning=True)
            for (n, _, _), key in zip(level, new_keys, strict=True):
                keys[n] = key
        return number, number - len(levels[0])

    def progress(self, done, total, comments, started):
        if not self.show_progress:
            return
        filled = BAR_WIDTH * done // total
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        elapsed = time.monotonic() - started
        self.stderr.write(
            f"\r[{bar}] {done:,}/{total:,} articles, {comments:,} comments, {elapsed:.1f} s",
            style_func=str,
            ending="",
        )
        self.stderr.flush()
