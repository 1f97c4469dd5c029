"""The operator's commands, `demo` and `generate_content`, run as an operator runs them."""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client, TestCase, override_settings
from taggit.models import Tag

from blog.models import Article, Category, Disclaimer, Image, Page, Promotion, TaggedArticle
from blog.rendering import sanitize_html
from comments.models import Comment
from demo.management.commands.demo import STAFF_ACCOUNTS

PROJECT = Path(settings.BASE_DIR)
NEW_PASSWORD = re.compile(r"Created the (\w+) account \(staff, (\w+)\): .* password (\S+)")


def run(*args):
    """Run a command as call_command does; return what it wrote to stdout and stderr."""
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def row_counts():
    User = get_user_model()
    return {
        "users": User.objects.count(),
        "group memberships": User.groups.through.objects.count(),
        "categories": Category.objects.count(),
        "articles": Article.objects.count(),
        "article authors": Article.authors.through.objects.count(),
        "article categories": Article.categories.through.objects.count(),
        "tags": Tag.objects.count(),
        "tag links": TaggedArticle.objects.count(),
        "images": Image.objects.count(),
        "disclaimers": Disclaimer.objects.count(),
        "promotions": Promotion.objects.count(),
        "pages": Page.objects.count(),
        "comments": Comment.objects.count(),
    }


class DemoTests(TestCase):
    """`manage.py demo --no-serve`, loaded once for the class (its pictures take seconds)."""

    @classmethod
    def setUpTestData(cls):
        # The per-test MEDIA_ROOT fixture does not exist yet when class data is made.
        cls.media = tempfile.mkdtemp(prefix="demo-media-")
        cls.addClassCleanup(shutil.rmtree, cls.media, ignore_errors=True)
        with override_settings(MEDIA_ROOT=cls.media):
            cls.output, cls.errors = run("demo", "--no-serve")
        cls.passwords = {
            username: (group, password)
            for username, group, password in NEW_PASSWORD.findall(cls.output)
        }

    def test_creates_editor_writer_and_moderator_in_their_groups(self):
        User = get_user_model()
        staff = [("editor", "Editors"), ("writer", "Writers"), ("moderator", "Moderators")]
        for username, group in staff:
            user = User.objects.get(username=username)
            assert user.is_staff
            assert not user.is_superuser
            assert list(user.groups.values_list("name", flat=True)) == [group]

    def test_prints_each_new_password_once_and_it_works(self):
        assert set(self.passwords) == {"editor", "writer", "moderator"}
        for username, (_group, password) in self.passwords.items():
            assert self.output.count(password) == 1
            assert get_user_model().objects.get(username=username).check_password(password)
        assert self.passwords["editor"][0] == "Editors"
        assert self.passwords["writer"][0] == "Writers"
        assert self.passwords["moderator"][0] == "Moderators"

    def test_shows_the_writing_desk_revisions_figure_and_review(self):
        from reversion.models import Version

        article = Article.objects.get(slug="the-quiet-return-of-industrial-policy")
        versions = list(Version.objects.get_for_object(article))
        assert [v.revision.get_comment() for v in versions] == [
            "Changed Body: added a figure.",
            "Created.",
        ]
        assert 'data-file="' not in versions[1].field_dict["body"]
        page = Client().get(article.get_absolute_url()).content.decode()
        assert '<figure class="figure"><picture>' in page
        assert "Illustration: Broadsheet demo" in page
        pending = Article.objects.get(status=Article.Status.PENDING)
        assert "writer" in [user.username for user in pending.authors_in_order]

    def test_second_run_creates_nothing_and_prints_no_password(self):
        before = row_counts()

        with override_settings(MEDIA_ROOT=self.media):
            output, _ = run("demo", "--no-serve")

        assert row_counts() == before
        assert not NEW_PASSWORD.search(output)
        for _group, password in self.passwords.values():
            assert password not in output
        assert "The editor account already exists" in output
        assert "manage.py changepassword editor" in output
        assert "manage.py changepassword moderator" in output
        assert "nothing new was created" in output

    def test_loads_a_dozen_articles_with_one_scheduled_and_one_pending_review(self):
        articles = Article.objects.all()
        public = Article.objects.published()
        assert articles.count() == 12
        scheduled = articles.get(slug="the-algorithm-will-see-you-now")
        assert scheduled.status == Article.Status.PUBLISHED
        assert scheduled.is_scheduled
        assert scheduled not in public
        assert articles.get(status=Article.Status.PENDING) not in public
        assert public.count() == 10
        assert list(public.filter(is_sticky=True).values_list("slug", flat=True)) == [
            "middle-powers-are-writing-the-new-rules"
        ]
        guest = articles.exclude(byline="").get()
        assert guest.byline_names() == guest.byline
        assert articles.get(tags=None).slug == "notes-on-a-translation-boom"
        assert not articles.filter(categories=None).exists()
        assert set(articles.values_list("authors__username", flat=True)) == {
            "amara-okafor",
            "daniel-reyes",
            "writer",  # co-author of the draft that waits for review
        }
        bylined_staff = get_user_model().objects.filter(is_staff=True, articles__isnull=False)
        assert list(bylined_staff.values_list("username", flat=True)) == ["writer"]
        for article in articles:
            assert sanitize_html(article.body) == article.body
            assert article.body.count("<p>") >= 2

    def test_categories_are_nested(self):
        paths = set(Category.objects.values_list("path", flat=True))
        assert {"opinion/columns", "international-affairs/geopolitics", "economy"} <= paths

    def test_default_disclaimer_names_the_site(self):
        disclaimer = Disclaimer.objects.get(is_default=True)
        assert disclaimer.text == (
            "The views expressed in this article are the author's own and do not necessarily "
            f"reflect the editorial policy of {settings.SITE_NAME}."
        )

    def test_featured_images_and_promotion_image_have_renditions(self):
        with_images = Article.objects.exclude(featured_image=None)
        assert with_images.count() >= 8
        promotion = Promotion.objects.active().get()
        for image in [a.featured_image for a in with_images] + [promotion.image]:
            assert (image.width, image.height) == (1600, 900)
            assert image.alt_text
            assert set(image.renditions) == {"thumbnail", "medium", "large"}
            for rendition in image.renditions.values():
                assert (Path(self.media) / rendition["webp"]).is_file()
                assert (Path(self.media) / rendition["fallback"]).is_file()
        assert len({image.file.name for image in Image.objects.all()}) == Image.objects.count()

    def test_about_and_privacy_pages(self):
        assert Page.objects.get(slug="about").is_published
        privacy = Page.objects.get(slug="privacy").body
        assert "Akismet" in privacy
        assert "IP address" in privacy

    def test_a_few_approved_comments_with_replies(self):
        comments = Comment.objects.filter(reason="demo content")
        assert 3 <= comments.count() <= 10
        assert comments.values("article").distinct().count() == 2
        assert set(comments.values_list("status", "verdict", "reason")) == {
            (Comment.Status.APPROVED, Comment.Verdict.SKIPPED, "demo content")
        }
        replies = comments.exclude(parent=None)
        assert replies.exists()
        for reply in replies:
            assert reply.parent.article_id == reply.article_id
            assert reply.submitted_at > reply.parent.submitted_at

    def test_the_moderation_queue_shows_every_state(self):
        queue = Comment.objects.exclude(reason="demo content")
        states = set(queue.values_list("status", "verdict"))
        assert {("held", "ham"), ("spam", "spam"), ("spam", "skipped"), ("held", "error"),
                ("trash", "ham")} <= states  # fmt: skip
        waiting = queue.get(verdict="error")
        assert waiting.next_check_at is not None  # the recheck the moderator sees coming
        assert all(comment.events.exists() for comment in queue)  # each with its history


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_demo_serves_the_site_on_a_fresh_checkout(tmp_path):
    """The README's first command, with nothing set: migrates, loads, serves."""
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_DEBUG", "DJANGO_SECRET_KEY", "REDIS_URL"}
    }
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        MEDIA_ROOT=str(tmp_path / "media"),
        PYTHONUNBUFFERED="1",
    )
    log = (tmp_path / "demo.log").open("w+")
    server = subprocess.Popen(
        [sys.executable, "manage.py", "demo", "--addrport", f"127.0.0.1:{port}"],
        cwd=PROJECT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # The autoreloader's child goes in the same group, to stop.
    )
    try:
        home = None
        deadline = time.monotonic() + 120
        while home is None and time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                    home = response.read().decode()
            except OSError:
                time.sleep(0.5)
        log.seek(0)
        output = log.read()
        assert home is not None, output
        assert "Middle Powers Are Writing the New Rules" in home
        assert "The Algorithm Will See You Now" not in home  # Scheduled, not yet public.
        assert len(NEW_PASSWORD.findall(output)) == len(STAFF_ACCOUNTS)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)
        log.close()


@pytest.mark.django_db
def test_generate_content_creates_exactly_n_articles_and_m_comments_each():
    output, progress = run(
        "generate_content",
        "--articles",
        "7",
        "--comments-per-article",
        "6",
        "--batch-size",
        "3",
        "--seed",
        "4",
    )

    articles = Article.objects.filter(slug__startswith="generated-")
    assert articles.count() == 7
    assert Article.objects.published().count() == 7
    assert Comment.objects.count() == 42
    for article in articles:
        assert article.comments.count() == 6
        assert article.authors.exists()
        assert article.categories.exists()
        assert article.tags.exists()
        assert sanitize_html(article.body) == article.body
    assert set(Comment.objects.values_list("status", "verdict", "reason")) == {
        (Comment.Status.APPROVED, Comment.Verdict.SKIPPED, "generated")
    }
    replies = Comment.objects.exclude(parent=None).select_related("parent")
    assert replies.exists()
    for reply in replies:
        assert reply.parent.article_id == reply.article_id
        assert reply.parent.submitted_at <= reply.submitted_at
    assert not Comment.objects.filter(parent__parent__parent__isnull=False).exists()
    assert Category.objects.filter(parent__isnull=False, articles__in=articles).exists()
    assert Tag.objects.count() == 100
    assert "Created 7 articles and 42 comments" in output
    assert "\r[" in progress
    assert "7/7 articles" in progress


@pytest.mark.django_db
def test_generate_content_runs_again_without_clashing():
    run("generate_content", "--articles", "3", "--comments-per-article", "0", "--seed", "1")
    run("generate_content", "--articles", "3", "--comments-per-article", "0", "--seed", "1")

    assert Article.objects.filter(slug__startswith="generated-").count() == 6
    assert Tag.objects.count() == 100
    assert Category.objects.filter(slug="load-test").count() == 1
    assert not Comment.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"--articles": "-1"}, "--articles must be 1 or more, not -1."),
        ({"--articles": "0"}, "--articles must be 1 or more, not 0."),
        ({"--articles": "ten"}, "--articles must be a whole number, not 'ten'."),
        ({"--comments-per-article": "-2"}, "--comments-per-article must be 0 or more, not -2."),
        (
            {"--comments-per-article": "2.5"},
            "--comments-per-article must be a whole number, not '2.5'.",
        ),
        ({"--batch-size": "0"}, "--batch-size must be 1 or more, not 0."),
        ({"--seed": "abc"}, "--seed must be a whole number, not 'abc'."),
    ],
)
def test_generate_content_refuses_bad_numbers(options, message):
    arguments = {"--articles": "2", "--comments-per-article": "1", **options}
    with pytest.raises(CommandError) as error:
        run("generate_content", *[part for pair in arguments.items() for part in pair])

    assert str(error.value) == message
    assert not Article.objects.exists()


@pytest.mark.django_db
def test_generate_content_requires_the_counts():
    with pytest.raises(CommandError, match="required: --articles, --comments-per-article"):
        run("generate_content")


def test_generate_content_bad_input_on_the_command_line(tmp_path):
    env = {
        **os.environ,
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "generate_content", "--articles", "-5"]
        + ["--comments-per-article", "3", "--skip-checks"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 1
    assert "CommandError: --articles must be 1 or more, not -5." in result.stderr
