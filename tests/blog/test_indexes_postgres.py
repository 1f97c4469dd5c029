"""Every list the site shows reads its big table through the index meant for it (PostgreSQL).

Each test asks for a page as its reader does (HTTP; the admin for the moderation queue, the
command line for the Akismet recheck), picks out the query that fetched the list, and runs
`EXPLAIN` on exactly that SQL: a change to a view's query, or a dropped index, fails here.

Why seeded data and ANALYZE, not `SET enable_seqscan = off`: switching sequential scans off
shows only that an index *can* serve a query; on tiny tables the planner would then pick any
index at all. Here the planner chooses freely, from real statistics, over tables shaped like a
news site's: thousands of articles (a few drafts and scheduled ones), several comments each,
mostly approved, a small held queue and a handful of comments waiting for Akismet. At this
size a list that lost its index is read with a sequential scan and a sort, as it would be in
production. The tables stay under ANALYZE's 30,000-row sample, so the statistics, and the
plans, are the same on every run.
"""

import datetime
import re
import unittest

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from taggit.models import Tag

from blog.models import Article, Category, TaggedArticle
from comments.models import Comment
from tests.factories import make_moderator

ARTICLES = 3000
COMMENTS_PER_ARTICLE = 5
TAGS = 20
Status, Verdict = Comment.Status, Comment.Verdict


def explain(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def list_query(queries, pattern: str) -> str:
    """The one captured SELECT that matches `pattern` (a regular expression)."""
    found = [sql for sql in queries if sql.startswith("SELECT") and re.search(pattern, sql)]
    assert len(found) == 1, f"{len(found)} queries match {pattern!r}:\n" + "\n".join(queries)
    return found[0]


def assert_reads_through(plan: str, table: str, index: str) -> None:
    """`table` is read through `index`, and never by a sequential scan."""
    scan = rf"(Index (Only )?Scan (Backward )?using|Bitmap Index Scan on) {index}\b"
    assert re.search(scan, plan), f"{table} is not read through {index}:\n{plan}"
    assert not re.search(rf"Seq Scan on {table}\b", plan), f"{table} is scanned:\n{plan}"


@unittest.skipUnless(connection.vendor == "postgresql", "EXPLAIN plans of PostgreSQL")
class ListIndexTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        now = timezone.now()
        User = get_user_model()
        cls.authors = [
            User.objects.create_user(f"author{n}", email=f"author{n}@example.com") for n in range(3)
        ]
        news = Category.objects.create(name="News", slug="news")
        cls.sections = [
            Category.objects.create(name=name.title(), slug=name, parent=news)
            for name in ("world", "business", "science", "arts")
        ]
        cls.tags = Tag.objects.bulk_create(
            [Tag(name=f"Topic {n}", slug=f"topic-{n}") for n in range(TAGS)]
        )

        articles = []
        for n in range(ARTICLES):
            status, published_at = Article.Status.PUBLISHED, now - datetime.timedelta(hours=n)
            if n % 20 == 1:
                status, published_at = Article.Status.DRAFT, None
            elif n % 100 == 2:
                published_at = now + datetime.timedelta(days=1 + n % 7)  # scheduled
            articles.append(
                Article(
                    title=f"Story {n}",
                    slug=f"story-{n}",
                    body=f"<p>The body of story {n}.</p>",
                    status=status,
                    published_at=published_at,
                    is_sticky=n in (500, 1500),
                )
            )
        articles = Article.objects.bulk_create(articles)
        Article.authors.through.objects.bulk_create(
            Article.authors.through(article=a, user=cls.authors[n % 3])
            for n, a in enumerate(articles)
        )
        Article.categories.through.objects.bulk_create(
            Article.categories.through(article=a, category=section)
            for n, a in enumerate(articles)
            for section in {cls.sections[n % 4], cls.sections[n // 7 % 4]}
        )
        TaggedArticle.objects.bulk_create(
            TaggedArticle(content_object=a, tag=tag)
            for n, a in enumerate(articles)
            for tag in {cls.tags[n % TAGS], cls.tags[n * 7 % TAGS]}
        )

        public = [a for a in articles if a.is_published]
        cls.article = public[0]
        comments = []
        for n, article in enumerate(public):
            for m in range(COMMENTS_PER_ARTICLE):
                number = n * COMMENTS_PER_ARTICLE + m
                status, verdict = Status.APPROVED, Verdict.HAM
                if number % 12 == 5:
                    status, verdict = Status.SPAM, Verdict.SPAM
                elif number % 40 == 7:
                    status = Status.TRASH
                elif number % 30 == 11:
                    status = Status.HELD  # waiting for a moderator
                comments.append(
                    Comment(
                        article=article,
                        author_name=f"Reader {number % 500}",
                        author_email=f"reader{number % 500}@example.com",
                        content=f"Comment {number}.",
                        submitted_at=article.published_at + datetime.timedelta(minutes=m),
                        status=status,
                        verdict=verdict,
                    )
                )
        comments = Comment.objects.bulk_create(comments)
        # A few replies, so the thread's placeholder check has parents to look at.
        Comment.objects.bulk_create(
            Comment(
                article_id=parent.article_id,
                parent=parent,
                author_name="Replier",
                content="Indeed.",
                submitted_at=parent.submitted_at + datetime.timedelta(seconds=30),
                status=Status.APPROVED,
                verdict=Verdict.HAM,
            )
            for parent in comments[::25]
        )
        # Held comments for the Akismet recheck: failed checks due now or later, and checks
        # that never ran (the last few too recent to count as lost).
        for n, comment in enumerate(comments[3::500]):
            comment.status, comment.verdict = Status.HELD, Verdict.ERROR
            comment.next_check_at = now + datetime.timedelta(minutes=n % 5 - 2)
        for n, comment in enumerate(comments[4::700]):
            comment.status, comment.verdict = Status.HELD, Verdict.UNCHECKED
            comment.submitted_at = now - datetime.timedelta(minutes=n)
        Comment.objects.bulk_update(
            comments[3::500] + comments[4::700],
            ["status", "verdict", "next_check_at", "submitted_at"],
        )
        cls.moderator = make_moderator()
        with connection.cursor() as cursor:
            cursor.execute(
                "ANALYZE blog_article, blog_article_authors, blog_article_categories, "
                "blog_category, blog_taggedarticle, taggit_tag, comments_comment"
            )

    def page_queries(self, path: str) -> list[str]:
        """The SQL of a page rendered afresh (nothing served from the cache)."""
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            response = self.client.get(path, follow=True)
        assert response.status_code == 200, path
        return [query["sql"] for query in captured]

    def article_list_plan(self, path: str) -> str:
        # The page of articles: whole rows, ten of them (the count and the next scheduled
        # article are other queries).
        sql = list_query(self.page_queries(path), r'"blog_article"\."body".*LIMIT 10\b')
        return explain(sql)

    def test_home_page_reads_published_articles_sticky_first_through_article_home(self):
        plan = self.article_list_plan("/")

        assert_reads_through(plan, "blog_article", "article_home")

    def test_category_page_walks_articles_newest_first_through_article_published(self):
        for path in ["/category/news/", "/category/news/science/"]:
            plan = self.article_list_plan(path)

            assert_reads_through(plan, "blog_article", "article_published")
            assert "Seq Scan on blog_article_categories" not in plan, plan

    def test_tag_page_walks_articles_newest_first_through_article_published(self):
        plan = self.article_list_plan(f"/tag/{self.tags[3].slug}/")

        assert_reads_through(plan, "blog_article", "article_published")
        assert "Seq Scan on blog_taggedarticle" not in plan, plan

    def test_author_page_walks_articles_newest_first_through_article_published(self):
        plan = self.article_list_plan(f"/author/{self.authors[1].username}/")

        assert_reads_through(plan, "blog_article", "article_published")
        assert "Seq Scan on blog_article_authors" not in plan, plan

    def test_comment_thread_reads_the_articles_comments_through_comment_thread(self):
        queries = self.page_queries(self.article.get_absolute_url())
        # The thread's comments, with their signed-in authors' pictures joined.
        sql = list_query(
            queries,
            r'FROM "comments_comment" LEFT OUTER JOIN .* WHERE \("comments_comment"\."article_id"',
        )

        assert_reads_through(explain(sql), "comments_comment", "comment_thread")

    def test_moderation_queue_reads_held_comments_oldest_first_through_comment_queue(self):
        self.client.force_login(self.moderator)

        # The queue opens on the held comments (a redirect to ?status__exact=held).
        queries = self.page_queries("/admin/comments/comment/")
        plan = explain(list_query(queries, r"email_key.*LIMIT 50\b"))

        assert_reads_through(plan, "comments_comment", "comment_queue")
        # The commenters' records, for the page's rows: counts and first seen, by email.
        for pattern in (r'AS "email", "comments_comment"."status"', r'MIN\("comments_comment"'):
            record = explain(list_query(queries, pattern))
            assert_reads_through(record, "comments_comment", "comment_author_record")

    def test_a_returning_commenter_is_found_through_comment_author_record(self):
        from comments.services import _approved_before

        regular = Comment.objects.approved().exclude(author_email="").first()
        comment = Comment(
            article=self.article,
            author_name=regular.author_name,
            author_email=regular.author_email.upper(),  # the same person, typed in capitals
        )
        with CaptureQueriesContext(connection) as captured:
            assert _approved_before(comment)
        plan = explain(captured[-1]["sql"])

        assert_reads_through(plan, "comments_comment", "comment_author_record")

    def test_the_moderators_digest_finds_its_last_email_through_comment_notified(self):
        from comments.notifications import send_moderator_digest

        with CaptureQueriesContext(connection) as captured:
            send_moderator_digest()
        sql = list_query([query["sql"] for query in captured], r'MAX\("comments_comment"')

        assert_reads_through(explain(sql), "comments_comment", "comment_notified")

    @pytest.mark.usefixtures("akismet")
    def test_recheck_finds_due_comments_through_comment_recheck_and_comment_unchecked(self):
        with CaptureQueriesContext(connection) as captured:
            call_command("recheck_comments", verbosity=0)
        queries = [query["sql"] for query in captured]
        sql = list_query(queries, r'"next_check_at" <= .*"comments_comment"\."id" > 0\)')

        plan = explain(sql)

        assert_reads_through(plan, "comments_comment", "comment_recheck")
        assert_reads_through(plan, "comments_comment", "comment_unchecked")
