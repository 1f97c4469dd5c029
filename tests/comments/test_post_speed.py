"""What posting a comment asks of the database: before the reader has the answer, and after.

Each POST goes through Django's WSGI handler as gunicorn runs it (`comment_as_a_server_does`), so
the queries before the response are what the reader waits for, and those of `close()` what the
worker does once the reader has it. Queries are listed as "VERB table"; the BEGIN and COMMIT
around them only SQLite shows, so they are left out.
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comments import background, services
from comments.models import Comment
from tests.comments.conftest import comment_as_a_server_does, posted

pytestmark = pytest.mark.django_db(transaction=True)

# What the reader waits for, whatever the backend: the article, the duplicate check, then the
# comment and its first history line in one transaction; a count of the thread's top-level
# comments (one page: the redirect goes straight to the comment's anchor); the session that
# remembers the comment is theirs (Django's SessionMiddleware) closes the request.
ARTICLE = ["SELECT blog_article", "SELECT comments_comment"]
LANDING = ["SELECT comments_comment"]
SESSION = ["SELECT django_session", "INSERT django_session"]
STORED = ["INSERT comments_comment", "INSERT comments_event"]


def statements(captured) -> list[str]:
    listed = []
    for query in captured:
        sql = query["sql"]
        verb = sql.split(None, 1)[0].upper()
        if verb in ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE"):
            continue
        table = re.search(r'(?:FROM|INTO|UPDATE) "?(\w+)', sql).group(1)
        listed.append(f"{verb} {table}")
    return listed


@pytest.fixture
def site(rules, article):
    """The site as it runs: the moderation settings read once already, and in the cache."""
    return article


def post_counted(article):
    with CaptureQueriesContext(connection) as answered:
        response = comment_as_a_server_does(article)
    assert response.status_code == 302
    with CaptureQueriesContext(connection) as afterwards:
        response.close()
    return posted(response), statements(answered), statements(afterwards)


def test_with_akismet_the_reader_waits_for_one_write_of_the_comment_and_no_check(akismet, site):
    comment, answered, afterwards = post_counted(site)

    # The categories and tags go to Akismet with the comment (its payload, stored with it).
    assert answered == [*ARTICLE, "SELECT blog_category", "SELECT taggit_tag", *STORED,
                        *LANDING, *SESSION]  # fmt: skip
    assert "UPDATE comments_comment" in afterwards  # checked once the reader had the answer
    comment.refresh_from_db()
    assert comment.verdict == Comment.Verdict.HAM


def test_with_the_database_backend_the_check_is_queued_with_the_comment(akismet, site, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    _comment, answered, afterwards = post_counted(site)

    assert answered == [*ARTICLE, "SELECT blog_category", "SELECT taggit_tag", *STORED,
                        "INSERT django_tasks_database_dbtaskresult",
                        *LANDING, *SESSION]  # fmt: skip
    assert afterwards == []
    assert akismet.received("comment-check") == []


def test_without_akismet_the_site_rules_decide_before_the_comment_is_written(site):
    comment, answered, _afterwards = post_counted(site)

    # Is this a returning commenter? Then one INSERT with the status decided, and its history.
    assert answered == [*ARTICLE, "SELECT comments_comment", *STORED, "INSERT comments_event",
                        *LANDING, *SESSION]  # fmt: skip
    assert (comment.status, comment.reason) == (Comment.Status.HELD, "first-time commenter")


def test_the_check_reads_the_comment_then_writes_its_verdict_in_one_transaction(akismet, site):
    comment = posted(comment_as_a_server_does(site))  # never closed: the check is not run

    with background.held_back() as told, CaptureQueriesContext(connection) as checked:
        services.check_with_akismet(comment_id=comment.pk)

    # Read before Akismet is asked (no transaction held meanwhile), then locked and re-read;
    # the verdict, the invalid-key alert cleared, the site's rules (is this a returning
    # commenter?), and the status, in one UPDATE with the attempt.
    assert statements(checked.captured_queries) == [
        "SELECT comments_comment",
        "SELECT comments_comment",
        "INSERT comments_event",
        "UPDATE comments_moderationsettings",
        "SELECT comments_comment",
        "UPDATE comments_comment",
        "INSERT comments_event",
    ]
    # The moderators' digest is told after the commit (each held task is task.enqueue, bound).
    assert [held.func.__self__.name for held in told] == ["notify_moderators"]
