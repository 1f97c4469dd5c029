"""`manage.py import_wxr` on WordPress's own theme unit test export, checked against the file.

What the file holds is counted here with ElementTree, independently of the importer's parser.
"""

import unittest
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import UTC, datetime
from urllib.parse import unquote, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError
from django.test import TestCase
from taggit.models import Tag

from blog.models import Article, Category, Page
from comments.models import Comment, Event
from wordpress.models import WordPressItem

from .wxr import require_sample, row_counts, run_import, sample_path, write

WP = "{https://wordpress.org/export/1.2/}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"


def read_sample(path):
    """The export as ElementTree sees it: channel, and items by post type."""
    channel = ET.parse(path).getroot().find("channel")
    by_type = {}
    for item in channel.iter("item"):
        by_type.setdefault(item.findtext(f"{WP}post_type"), []).append(item)
    return channel, by_type


def wp_id(element, field="post_id"):
    return int(element.findtext(f"{WP}{field}"))


def comments_of(items):
    return [c for item in items for c in item.findall(f"{WP}comment")]


def depth(comment_id, parents):
    level = 1
    while parents.get(comment_id):
        comment_id, level = parents[comment_id], level + 1
    return level


# Skipped before the class opens its transaction: pytest.skip() inside setUpTestData would
# leave that transaction open, and every later test would find the database locked.
@unittest.skipUnless(
    sample_path().is_file(),
    f"The WordPress theme unit test export is not at "
    f"{sample_path()}; set BROADSHEET_WXR_SAMPLE to its path to run these tests.",
)
class ImportThemeUnitTest(TestCase):
    """The file imported once; each test checks one part of it against the file."""

    @classmethod
    def setUpTestData(cls):
        cls.path = sample_path()
        cls.channel, cls.items = read_sample(cls.path)
        cls.output, cls.warnings, cls.table = run_import(cls.path)
        cls.posts = cls.items["post"]
        cls.pages = cls.items["page"]

    def article(self, post_id):
        return WordPressItem.objects.get(kind="post", wp_id=post_id).article

    def test_authors_become_editors_who_must_reset_their_password(self):
        authors = self.channel.findall(f"{WP}author")
        users = get_user_model().objects.all()
        assert len(authors) == 2
        assert users.count() == len(authors)
        for author in authors:
            user = users.get(username=author.findtext(f"{WP}author_login"))
            assert user.email == author.findtext(f"{WP}author_email")
            assert not user.has_usable_password()
            assert list(user.groups.values_list("name", flat=True)) == ["Editors"]
        # Display name only, no first or last name: the display name is kept.
        assert users.get(username="themedemos").get_full_name() == "Theme Buster"
        assert users.get(username="themereviewteam").get_full_name() == "Theme Review"

    def test_categories_keep_hierarchy_slugs_and_descriptions(self):
        categories = self.channel.findall(f"{WP}category")
        assert len(categories) == 68
        assert Category.objects.count() == len(categories)
        for element in categories:
            slug = element.findtext(f"{WP}category_nicename")
            category = Category.objects.get(slug=slug)
            parent = element.findtext(f"{WP}category_parent") or None
            assert (category.parent.slug if category.parent else None) == parent
            assert category.description == (element.findtext(f"{WP}category_description") or "")
        grandchild = Category.objects.get(slug="grandchild-category")
        assert grandchild.path == "parent-category/child-category-03/grandchild-category"
        assert self.table["category"]["created"] == 68

    def test_tags_keep_their_slugs(self):
        tags = self.channel.findall(f"{WP}tag")
        assert len(tags) == 110
        slugs = [t.findtext(f"{WP}tag_slug") for t in tags]
        assert Tag.objects.filter(slug__in=slugs).count() == len(tags)
        # Tags the posts use without the export defining them are added; one tag per name.
        names = {t.findtext(f"{WP}tag_name") for t in tags}
        used = {
            (c.get("nicename"), c.text)
            for item in self.posts
            for c in item.findall("category")
            if c.get("domain") == "post_tag"
        }
        names |= {name for slug, name in used if slug not in slugs}
        assert Tag.objects.count() == len(names)

    def test_every_post_becomes_an_article(self):
        assert len(self.posts) == 58
        assert Article.objects.count() == len(self.posts)
        assert self.table["post"]["created"] == len(self.posts)
        statuses = Counter(item.findtext(f"{WP}status") for item in self.posts)
        protected = [i for i in self.posts if i.findtext(f"{WP}post_password")]
        drafts = Article.objects.filter(status=Article.Status.DRAFT)
        assert statuses["draft"] == 1 and statuses["future"] == 1
        assert drafts.count() == statuses["draft"] + len(protected)
        scheduled = [a for a in Article.objects.all() if a.is_scheduled]
        assert [a.title for a in scheduled] == ["Scheduled"]
        assert Article.objects.published().count() == statuses["publish"] - len(protected)

    def test_published_at_is_the_gmt_date(self):
        for item in self.posts:
            if item.findtext(f"{WP}status") in ("publish", "future"):
                gmt = datetime.fromisoformat(item.findtext(f"{WP}post_date_gmt"))
                assert self.article(wp_id(item)).published_at == gmt.replace(tzinfo=UTC)

    def test_slugs_titles_sticky_and_comment_status(self):
        for item in self.posts:
            article = self.article(wp_id(item))
            name = unquote(item.findtext(f"{WP}post_name") or "")
            if name:
                assert article.slug == name
            assert article.is_sticky == (item.findtext(f"{WP}is_sticky") == "1")
            assert article.comments_open == (item.findtext(f"{WP}comment_status") == "open")
        assert self.article(1164).slug == "draft"  # no post_name: from the title
        assert self.article(1169).title == "(no title)"
        assert "Post 1169 (line " in self.warnings and "no title" in self.warnings
        assert self.article(1173).title == "Markup: Title With Markup"

    def test_content_is_converted_and_sanitised(self):
        classic = self.article(1163).body  # [caption] in the classic editor
        assert '<figure id="attachment_754" class="wp-caption alignnone">' in classic
        assert '<figcaption class="wp-caption-text">Bell on wharf in San Francisco' in classic
        blocks = self.article(1749).body
        assert "<!-- wp:" not in blocks and "<blockquote" in blocks
        assert "[gallery" not in self.article(555).body
        assert "Post 555 (line " in self.warnings and "[gallery] dropped" in self.warnings
        for article in Article.objects.all():
            assert "<script" not in article.body

    def test_pages(self):
        assert len(self.pages) == 21
        assert Page.objects.count() == len(self.pages)
        assert Page.objects.get(slug="about").title == "About The Tests"
        # Page addresses are ASCII: Greek names give way to the title, or page-<id>.
        assert Page.objects.filter(slug="2-second-greek-level").exists()
        assert Page.objects.filter(slug="page-1813").exists()

    def test_every_comment_on_posts_is_imported_with_its_thread(self):
        post_comments, page_comments = comments_of(self.posts), comments_of(self.pages)
        assert len(post_comments) + len(page_comments) == 33
        assert Comment.objects.count() == len(post_comments)
        assert self.table["comment"] == {"created": len(post_comments), "updated": 0,
                                         "unchanged": 0, "skipped": len(page_comments),
                                         "missing media": 0}  # fmt: skip
        assert "pages have no comments here" in self.warnings
        mapped = {m.wp_id: m.comment for m in WordPressItem.objects.filter(kind="comment")}
        statuses = {"1": "approved", "0": "held", "spam": "spam", "trash": "trash"}
        for element in post_comments:
            comment = mapped[wp_id(element, "comment_id")]
            parent = int(element.findtext(f"{WP}comment_parent"))
            assert (comment.parent and mapped[parent]) == (mapped[parent] if parent else None)
            assert comment.status == statuses[element.findtext(f"{WP}comment_approved")]
            assert comment.kind == (element.findtext(f"{WP}comment_type") or "comment")
            assert comment.author_email == element.findtext(f"{WP}comment_author_email")
            assert comment.author_url == element.findtext(f"{WP}comment_author_url")
            date = datetime.fromisoformat(element.findtext(f"{WP}comment_date_gmt"))
            assert comment.submitted_at == date.replace(tzinfo=UTC)
            assert comment.verdict == Comment.Verdict.SKIPPED
            assert comment.reason == "imported from WordPress"
        held = sum(c.findtext(f"{WP}comment_approved") == "0" for c in post_comments)
        assert Comment.objects.held().count() == held
        assert Event.objects.filter(message="Imported from WordPress.").count() == len(
            post_comments
        )

    def test_threads_ten_deep(self):
        parents = {
            wp_id(c, "comment_id"): int(c.findtext(f"{WP}comment_parent"))
            for c in comments_of(self.posts)
        }
        deepest = max(depth(c, parents) for c in parents)
        assert deepest == 10
        ours = {c.pk: c.parent_id for c in Comment.objects.all()}
        assert max(depth(c, ours) for c in ours) == deepest

    def test_article_page_shows_body_and_approved_comments(self):
        article = self.article(1148)
        response = self.client.get(article.get_absolute_url())
        assert response.status_code == 200
        html = response.content.decode()
        assert "Template: Comments" in html
        assert "Comment Depth 09 is way nested" in html
        held = Comment.objects.held().get(article=article)
        assert held.content not in html

    def test_pingbacks_are_not_shown_as_comments(self):
        article = self.article(1149)
        html = self.client.get(article.get_absolute_url()).content.decode()
        assert Comment.objects.filter(article=article, kind="pingback").count() == 2
        assert Comment.objects.filter(article=article, kind="trackback").count() == 2
        assert "Ping 1" not in html and "Ping 4" not in html
        assert "John Doe" in html

    def test_page_renders(self):
        response = self.client.get("/about/")
        assert response.status_code == 200
        assert "About The Tests" in response.content.decode()

    def test_missing_media_is_reported_with_its_url(self):
        url = "https://wpthemetestdata.files.wordpress.com/2013/03/featured-image-horizontal.jpg"
        assert "Attachment 1022 (line " in self.warnings and url in self.warnings
        assert "Post 1011 (line" in self.warnings
        assert self.article(1011).featured_image is None
        assert self.table["post"]["missing media"] == 6

    def test_a_second_import_doubles_nothing(self):
        before = row_counts()
        _out, _err, table = run_import(self.path)
        assert row_counts() == before
        for kind, counts in table.items():
            assert counts["created"] == counts["updated"] == 0, kind


@pytest.mark.django_db
def test_dry_run_reports_what_a_real_run_does_and_writes_nothing(tmp_path):
    path = require_sample()
    before = row_counts()
    out, _err, dry = run_import(path, "--dry-run")
    assert "nothing written" in out
    assert row_counts() == before
    _out, _err, real = run_import(path)
    assert dry == real
    assert Article.objects.count() == real["post"]["created"]


@pytest.mark.django_db
def test_a_file_cut_in_half_writes_nothing(tmp_path):
    data = require_sample().read_bytes()
    half = write(tmp_path, data[: len(data) // 2].decode("utf-8", "ignore"))
    before = row_counts()
    with pytest.raises(CommandError, match=r"cut short") as error:
        run_import(half)
    assert "Line " in str(error.value) and "Nothing was imported" in str(error.value)
    assert row_counts() == before


@pytest.mark.django_db
def test_old_links_answer_301(settings, client):
    assert "wordpress.middleware.WordPressLinksMiddleware" in settings.MIDDLEWARE
    path = require_sample()
    run_import(path)
    article = WordPressItem.objects.get(kind="post", wp_id=1148).article
    response = client.get("/?p=1148")
    assert response.status_code == 301 and response["Location"] == article.get_absolute_url()
    response = client.get("/?page_id=155")
    assert response.status_code == 301 and response["Location"] == "/page-with-comments/"
    response = client.get("/?cat=1")
    assert response.status_code == 301 and response["Location"] == "/category/uncategorized/"
    # Old permalinks that differ from ours: no date in them, or a page's parents.
    old = "/wp-6-1-font-size-scale/"
    new = WordPressItem.objects.get(kind="post", wp_id=163).article.get_absolute_url()
    assert new != old
    response = client.get(old)
    assert response.status_code == 301 and response["Location"] == new
    response = client.get("/about/page-with-comments/")
    assert response.status_code == 301 and response["Location"] == "/page-with-comments/"
    # A permalink whose date is a day off ours (site time zone vs UTC) lands on the article.
    link = "https://wpthemetestdata.wordpress.com/2013/01/10/markup-image-alignment/"
    response = client.get(urlsplit(link).path, follow=True)
    assert response.status_code == 200 and response.redirect_chain[-1][1] == 301
    # Drafts are not given away; unknown IDs are not found, as on WordPress.
    assert client.get("/?p=1164").status_code == 404
    assert client.get("/?p=999999").status_code == 404
