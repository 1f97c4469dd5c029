"""Bugs editors hit in the admin, each reproduced the way QA found it: through the admin as an
editor, checking what the editor is told, what is stored, and what readers then get.

1. control characters typed or pasted into any text field, and the feeds they broke
2. a category moved inside itself or its own subcategory
3. restoring a revision whose image, disclaimer, promotion or slug has changed since
4. the automatic excerpt, escaped twice for readers
5. deleting an image an article features or a promotion shows
6. pasted images uploaded without alt text
7. constraint names shown as error messages
8. pages at an address the site already uses
"""

import html
import importlib
import itertools
import json
import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from xml.dom import minidom

import feedparser
import pytest
from django.apps import apps
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from hypothesis import example, given
from hypothesis import strategies as st
from reversion.models import Version
from taggit.models import Tag

from blog.models import Article, Category, Disclaimer, Image, Page, Promotion, page_address_free
from blog.rendering import sanitize_html
from tests.factories import (
    image_bytes,
    make_article,
    make_category,
    make_disclaimer,
    make_editor,
    make_image,
    make_page,
    make_promotion,
    make_writer,
)

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/blog/article/add/"
NOON = datetime(2025, 3, 14, 12, 0, tzinfo=UTC)
# Not allowed in XML 1.0, so not in any feed: C0 and C1 controls but tab and line feed.
FORBIDDEN_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
_slugs = itertools.count(1)


@pytest.fixture
def editor(db):
    return make_editor("editor", first_name="Eddie", last_name="Tor")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def reader():
    """A second browser, not signed in: the public pages and feeds as readers get them."""
    return Client()


def article_form(editor, **changes):
    """What the add form posts when an editor fills it in and publishes."""
    data = {
        "title": "Rents are too high",
        "slug": f"story-{next(_slugs)}",
        "byline_authors": [str(editor.pk)],
        "byline": "",
        "body": "<p>Rents rose again.</p>",
        "excerpt": "",
        "status": "published",
        "published_at_0": "2025-03-14",
        "published_at_1": "12:00:00",
        "comments_open": "on",
        "tags": "",
        "featured_image": "",
        "disclaimer": "",
        "promotion": "",
        "seo_description": "",
        "_save": "Save",
    }
    data.update(changes)
    return data


def change_form(article, **changes):
    """What the change form posts for `article` as it is stored, with `changes` typed in."""
    article.refresh_from_db()
    data = {
        **article_form(article.authors_in_order[0]),
        "title": article.title,
        "slug": article.slug,
        "byline": article.byline,
        "body": article.body,
        "excerpt": article.excerpt,
        "status": article.status,
        "published_at_0": article.published_at.strftime("%Y-%m-%d"),
        "published_at_1": article.published_at.strftime("%H:%M:%S"),
        "categories": [str(pk) for pk in article.categories.values_list("pk", flat=True)],
        "tags": ", ".join(sorted(article.tags.names())),
        "seo_description": article.seo_description,
        "opened_version": str(article.lock_version),
    }
    data.update(changes)
    return data


def form_errors(response) -> dict:
    return response.context["adminform"].form.errors


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def assert_readable_feed(client, path) -> feedparser.FeedParserDict:
    """The feed answers, is well-formed XML 1.0, and a feed reader reads it without a doubt."""
    response = client.get(path)
    assert response.status_code == 200, path
    minidom.parseString(response.content)  # raises on anything not well-formed
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0, (path, feed.get("bozo_exception"))
    return feed


# 1. Control characters ------------------------------------------------------------------------


class TestControlCharacters:
    def test_an_article_typed_with_control_characters_leaves_every_feed_readable(
        self, reader, editor_client, editor
    ):
        economy = make_category("Economy")

        response = editor_client.post(
            ADD_URL,
            article_form(
                editor,
                title="Pasted from Word\x0bsecond line",
                body="<p>Body\x0bVT and\x01 a bell\x07 &#11; &#x1b;</p>",
                byline="Guest\x0cColumnist",
                excerpt="Short\x02 and\r\nsweet\x1f",
                seo_description="For\x0bsearch\x00 engines",
                categories=[str(economy.pk)],
                tags="housing\x0b, rent",
            ),
        )

        assert response.status_code == 302
        article = Article.objects.get()
        assert article.title == "Pasted from Word second line"
        assert article.body == "<p>Body\nVT and a bell \n </p>"
        assert article.byline == "Guest Columnist"
        assert article.excerpt == "Short and\nsweet"
        assert article.seo_description == "For search engines"
        assert sorted(article.tags.names()) == ["housing", "rent"]
        for path in [
            "/feed/",
            "/feed/atom/",
            "/category/economy/feed/",
            "/tag/housing/feed/",
            "/author/editor/feed/",
        ]:
            feed = assert_readable_feed(reader, path)
            assert [entry.title for entry in feed.entries] == ["Pasted from Word second line"]
        assert reader.get(article.get_absolute_url()).status_code == 200

    def test_the_change_form_cleans_what_is_typed_too(self, reader, editor_client, editor):
        article = make_article("Budget day", published_at=NOON, authors=[editor])

        response = editor_client.post(
            f"/admin/blog/article/{article.pk}/change/",
            change_form(article, title="Budget\x0bday", body="<p>Cuts\x0b everywhere</p>"),
        )

        assert response.status_code == 302
        article.refresh_from_db()
        assert article.title == "Budget day"
        assert not FORBIDDEN_IN_XML.search(article.body)
        assert_readable_feed(reader, "/feed/")

    def test_a_title_of_control_characters_alone_is_a_missing_title(self, editor_client, editor):
        response = editor_client.post(ADD_URL, article_form(editor, title="\x0b\x01\x0c"))

        assert response.status_code == 200
        assert form_errors(response)["title"] == ["This field is required."]
        assert not Article.objects.exists()

    def test_a_body_stored_by_any_other_door_is_cleaned_too(self, client):
        make_article("Imported", body="<p>From\x0bthe old site\x1b, &#8; &#x0c; too</p>")

        assert Article.objects.get().body == "<p>From\nthe old site,  \n too</p>"
        assert_readable_feed(client, "/feed/")

    @pytest.mark.parametrize(
        "typed, kept",
        [
            ("<p>a\x0bb</p>", "<p>a\nb</p>"),
            ("<p>bell\x07 null\x00 escape\x1b</p>", "<p>bell null escape</p>"),
            ("<p>&#11;&#x7f;&#xfffe;\x85\x9f</p>", "<p>\n</p>"),
            ('<p title="a\x01b">text</p>', '<p title="ab">text</p>'),
            ("<p>tab\tand\nline</p>", "<p>tab\tand\nline</p>"),
        ],
    )
    def test_the_sanitiser_drops_what_xml_forbids(self, typed, kept):
        assert sanitize_html(typed) == kept

    @pytest.mark.parametrize(
        "url, data, model, expected",
        [
            (
                "/admin/blog/category/add/",
                {"name": "Ana\x0blysis", "slug": "analysis", "description": "Deep\x01\r\nread"},
                Category,
                {"name": "Ana lysis", "description": "Deep\nread"},
            ),
            (
                "/admin/blog/disclaimer/add/",
                {"name": "House\x1bview", "text": "Our\x0bown\x07 views."},
                Disclaimer,
                {"name": "Houseview", "text": "Our\nown views."},
            ),
            (
                "/admin/blog/promotion/add/",
                {
                    "title": "Sub\x0bscribe",
                    "text": "Every\x0c Friday\x08",
                    "link_url": "https://example.com/newsletter",
                    "link_label": "Sign\x0bup",
                },
                Promotion,
                {"title": "Sub scribe", "text": "Every\n Friday", "link_label": "Sign up"},
            ),
            (
                "/admin/blog/page/add/",
                {
                    "title": "About\x0bus",
                    "slug": "about",
                    "body": "<p>Who\x01 we are</p>",
                    "is_published": "on",
                },
                Page,
                {"title": "About us", "body": "<p>Who we are</p>"},
            ),
        ],
    )
    def test_every_blog_form_cleans_its_typed_text(self, editor_client, url, data, model, expected):
        response = editor_client.post(url, data)

        assert response.status_code == 302
        stored = model.objects.values(*expected).get()
        assert stored == expected

    def test_the_image_form_cleans_alt_text_caption_and_credit(self, editor_client):
        upload = SimpleUploadedFile("chart.png", image_bytes(), "image/png")

        response = editor_client.post(
            "/admin/blog/image/add/",
            {
                "file": upload,
                "alt_text": "Rents\x0bby year",
                "caption": "Rents\x01 rose",
                "credit": "Photo:\x0cA. Name",
            },
        )

        assert response.status_code == 302
        image = Image.objects.get()
        assert (image.alt_text, image.caption, image.credit) == (
            "Rents by year",
            "Rents rose",
            "Photo: A. Name",
        )

    def test_the_migration_cleans_what_was_stored_before(self, client):
        article = make_article("Stored", body="<p>Fine</p>")
        economy = make_category("Economy")
        # As the old forms stored them: update() runs no sanitiser.
        Article.objects.update(
            title="Pasted\x0bfrom Word", byline="Guest\x01", body="<p>a\x1bb</p>"
        )
        Category.objects.update(name="Eco\x0bnomy", description="Deep\x07 reads")
        article.categories.set([economy])
        migration = importlib.import_module("blog.migrations.0009_clean_stored_text")

        migration.clean_stored_text(apps, schema_editor=None)

        assert Article.objects.values("title", "byline", "body").get() == {
            "title": "Pasted from Word",
            "byline": "Guest",
            "body": "<p>ab</p>",
        }
        assert Category.objects.values("name", "description").get() == {
            "name": "Eco nomy",
            "description": "Deep reads",
        }
        assert_readable_feed(client, "/feed/")
        assert_readable_feed(client, "/category/economy/feed/")

    def test_a_category_named_with_a_control_character_keeps_its_feed_readable(
        self, reader, editor_client
    ):
        editor_client.post(
            "/admin/blog/category/add/",
            {"name": "Mark\x0bets", "slug": "markets", "description": ""},
        )
        markets = Category.objects.get()
        make_article("Stocks fall", categories=[markets])

        feed = assert_readable_feed(reader, "/category/markets/feed/")

        assert feed.feed.title.endswith("Mark ets")

    def test_a_tag_renamed_with_a_control_character_keeps_its_feed_readable(
        self, reader, editor_client
    ):
        make_article("Stocks fall", tags=["markets"])
        tag = Tag.objects.get(name="markets")

        response = editor_client.post(
            f"/admin/taggit/tag/{tag.pk}/change/",
            {"name": "Mark\x0bets", "slug": "markets", "taggit-taggeditem-items-TOTAL_FORMS": 0,
             "taggit-taggeditem-items-INITIAL_FORMS": 0},
        )  # fmt: skip

        assert response.status_code == 302
        assert Tag.objects.get(pk=tag.pk).name == "Mark ets"
        assert_readable_feed(reader, "/tag/markets/feed/")

    def test_an_author_named_with_a_control_character_keeps_the_feeds_readable(self, reader):
        """Names come from user accounts, which Django's user admin does not clean."""
        author = make_writer("eddie", first_name="Ed\x0bdie", last_name="Tor")
        make_article("Stocks fall", authors=[author])

        for path in ("/feed/", "/feed/atom/", "/author/eddie/feed/"):
            assert_readable_feed(reader, path)


# Text as people type and paste it: any code point, with the ones that broke feeds drawn more
# often than chance would.
TRICKY = ["\x00", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\r\n", "\t", "\ufffe", "\ufdd0",
          "\U0010ffff", "&#11;", "&#x1;", "<b>", "&amp;", "<p>", "</p>", "é", "李"]  # fmt: skip
typed = st.lists(
    st.one_of(st.characters(exclude_categories=["Cs"]), st.sampled_from(TRICKY)),
    min_size=1,
    max_size=40,
).map("".join)


@given(title=typed, body=typed)
@example(title="Pasted from Word\x0bsecond line", body="<p>Body\x0bVT</p>")
def test_any_text_saved_through_the_form_leaves_the_feeds_readable(
    editor_client, editor, reader, title, body
):
    Article.objects.all().delete()
    cache.clear()

    response = editor_client.post(ADD_URL, article_form(editor, title=title, body=body))

    assert response.status_code in (200, 302)
    saved = Article.objects.first()
    assert (saved is not None) == (response.status_code == 302)
    for path in ["/feed/", "/feed/atom/"]:
        feed = assert_readable_feed(reader, path)
        assert len(feed.entries) == (1 if saved else 0)
    if saved:
        assert_readable_feed(reader, "/author/editor/feed/")
        assert not FORBIDDEN_IN_XML.search(saved.title + saved.body)


# 2. A category inside itself --------------------------------------------------------------


class TestCategoryInsideItself:
    CYCLE = "A category cannot be inside itself or one of its own subcategories."

    @pytest.fixture
    def analysis(self):
        analysis = make_category("Analysis")
        markets = make_category("Markets", parent=analysis)
        make_category("Bonds", parent=markets)
        return analysis

    @pytest.mark.parametrize("new_parent", ["Analysis", "Markets", "Bonds"])
    def test_is_a_form_error_and_nothing_is_saved(self, editor_client, analysis, new_parent):
        parent = Category.objects.get(name=new_parent)

        response = editor_client.post(
            f"/admin/blog/category/{analysis.pk}/change/",
            {"name": "Analysis", "slug": "analysis", "parent": parent.pk, "description": ""},
        )

        assert response.status_code == 200
        assert form_errors(response)["parent"] == [self.CYCLE]
        assert self.CYCLE in response.content.decode()
        assert dict(Category.objects.values_list("name", "path")) == {
            "Analysis": "analysis",
            "Markets": "analysis/markets",
            "Bonds": "analysis/markets/bonds",
        }

    def test_moving_a_category_under_another_branch_still_works(self, editor_client, analysis):
        opinion = make_category("Opinion")
        markets = Category.objects.get(name="Markets")

        response = editor_client.post(
            f"/admin/blog/category/{markets.pk}/change/",
            {"name": "Markets", "slug": "markets", "parent": opinion.pk, "description": ""},
        )

        assert response.status_code == 302
        assert Category.objects.get(name="Bonds").path == "opinion/markets/bonds"

    def test_a_category_too_deep_for_its_address_is_a_form_error(self, editor_client):
        parent = None
        for level in "abcd":  # four levels of 200-character slugs: 803 characters of address
            parent = make_category(level * 200, slug=level * 200, parent=parent)

        response = editor_client.post(
            "/admin/blog/category/add/",
            {"name": "Fifth", "slug": "e" * 200, "parent": parent.pk, "description": ""},
        )

        assert response.status_code == 200
        assert "nested too deep" in response.content.decode()
        assert not Category.objects.filter(name="Fifth").exists()


# 3. Restoring a revision whose references changed since ------------------------------------


class TestRestoreAfterChanges:
    def revisions_of(self, client, article, first, second):
        """Two saves of `article` through the admin, with `first` and then `second` changes:
        its revisions, oldest first."""
        for changes in (first, second):
            response = client.post(  # followed: the page shown after the save reads its message
                f"/admin/blog/article/{article.pk}/change/",
                change_form(article, **changes),
                follow=True,
            )
            assert response.redirect_chain, form_errors(response)
        newest, oldest = Version.objects.get_for_object(article)
        return oldest, newest

    def restore(self, client, article, version):
        return client.post(
            f"/admin/blog/article/{article.pk}/revisions/{version.pk}/restore/", follow=True
        )

    def test_what_was_deleted_since_is_left_out_and_said(self, reader, editor_client, editor):
        article = make_article("Budget day", published_at=NOON, authors=[editor])
        image, disclaimer = make_image("The treasury"), make_disclaimer("Our own views.")
        promotion, budget = make_promotion("Subscribe"), make_category("Budget")
        oldest, _newest = self.revisions_of(
            editor_client,
            article,
            first={
                "featured_image": str(image.pk),
                "disclaimer": str(disclaimer.pk),
                "promotion": str(promotion.pk),
                "categories": [str(budget.pk)],
                "tags": "cuts",
            },
            second={"title": "Budget day: the cuts", "categories": [], "tags": ""},
        )
        for gone in (image, disclaimer, promotion, budget, Tag.objects.get(name="cuts")):
            gone.delete()

        response = self.restore(editor_client, article, oldest)

        assert response.status_code == 200
        said = messages_of(response)
        assert "is restored, as a new revision. Status is unchanged." in said[0]
        assert said[1] == (
            "Some of the revision was left out, because it has changed since: "
            "the featured image (deleted); the disclaimer (deleted); the promotion (deleted); "
            "1 category (deleted); 1 tag (deleted)."
        )
        article.refresh_from_db()
        assert article.title == "Budget day"
        assert (article.featured_image, article.disclaimer, article.promotion) == (None,) * 3
        assert not article.categories.exists() and not article.tags.exists()
        assert Version.objects.get_for_object(article).count() == 3
        assert reader.get(article.get_absolute_url()).status_code == 200

    def test_a_reference_that_still_exists_is_restored(self, editor_client, editor):
        article = make_article("Budget day", published_at=NOON, authors=[editor])
        image = make_image("The treasury")
        oldest, _newest = self.revisions_of(
            editor_client, article, first={"featured_image": str(image.pk)}, second={}
        )

        response = self.restore(editor_client, article, oldest)

        assert len(messages_of(response)) == 1
        article.refresh_from_db()
        assert article.featured_image == image

    def test_a_slug_another_article_took_since_is_kept_as_it_is(
        self, reader, editor_client, editor
    ):
        article = make_article("Budget", slug="budget", published_at=NOON, authors=[editor])
        oldest, _newest = self.revisions_of(
            editor_client,
            article,
            first={"body": "<p>The old text.</p>"},
            second={"slug": "budget-day", "body": "<p>The new text.</p>"},
        )
        other = make_article("Budget 2026", slug="budget", published_at=NOON)

        response = self.restore(editor_client, article, oldest)

        assert response.status_code == 200
        said = messages_of(response)[1]
        assert said == (
            "Some of the revision was left out, because it has changed since: "
            "the slug “budget” (now another article's: it stays “budget-day”)."
        )
        assert html.escape(said) in response.content.decode()  # on the page the editor sees
        article.refresh_from_db()
        assert (article.slug, article.body) == ("budget-day", "<p>The old text.</p>")
        other.refresh_from_db()
        assert other.slug == "budget"
        assert "The old text." in reader.get(article.get_absolute_url()).content.decode()


# 4. The automatic excerpt, as readers get it ---------------------------------------------------


PLAIN = 'Fish & chips, "quoted" and it\'s 3 < 4 > 2'


class ReaderPage(HTMLParser):
    """What a browser reads from a page: meta descriptions, the cards' summaries, JSON-LD."""

    def __init__(self, page: str):
        super().__init__()
        self.meta, self.summaries, self.json_ld = {}, [], []
        self._in = None
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and "content" in attrs:
            self.meta[attrs.get("name") or attrs.get("property")] = attrs["content"]
        elif tag == "p" and attrs.get("class") == "card__summary":
            self._in = self.summaries
        elif tag == "script" and attrs.get("type") == "application/ld+json":
            self._in = self.json_ld

    def handle_endtag(self, tag):
        self._in = None

    def handle_data(self, data):
        if self._in is not None:
            self._in.append(data)


class TestAutomaticExcerpt:
    @pytest.fixture
    def article(self):
        return make_article("Chips", body=f"<p>{PLAIN.replace('&', '&amp;')}</p>", excerpt="")

    def test_the_home_card_shows_it_escaped_once(self, client, article):
        page = client.get("/").content.decode()

        assert ReaderPage(page).summaries == [PLAIN]
        assert "Fish &amp; chips" in page
        assert "&amp;amp;" not in page and "&amp;lt;" not in page

    def test_descriptions_and_json_ld_read_as_typed(self, client, article):
        page = client.get(article.get_absolute_url()).content.decode()

        reader = ReaderPage(page)
        for name in ("description", "og:description", "twitter:description"):
            assert reader.meta[name] == PLAIN, name
        assert json.loads("".join(reader.json_ld))["description"] == PLAIN
        assert "&amp;amp;" not in page


# 5. Images an article features or a promotion shows -----------------------------------------


class TestAWritersImages:
    def change(self, client, image, alt):
        return client.post(f"/admin/blog/image/{image.pk}/change/",
                           {"alt_text": alt, "caption": "", "credit": ""})  # fmt: skip

    def test_a_writer_cannot_change_a_picture_someone_elses_page_shows(self, client):
        writer = make_writer()
        featured, promoted = make_image("The town hall"), make_image("A newsletter")
        make_article("Council votes", featured_image=featured)
        make_promotion(image=promoted)
        client.force_login(writer)

        for image in (featured, promoted):
            assert self.change(client, image, "Defaced").status_code == 403
            image.refresh_from_db()
            assert image.alt_text != "Defaced"

    def test_a_writer_changes_a_picture_only_their_own_draft_shows(self, client):
        writer = make_writer()
        image = make_image("A first try")
        make_article("My draft", featured_image=image, authors=[writer],
                     status=Article.Status.DRAFT, published_at=None)  # fmt: skip
        client.force_login(writer)

        assert self.change(client, image, "A better description").status_code == 302
        image.refresh_from_db()
        assert image.alt_text == "A better description"


class TestImagesShownOutsideBodies:
    def test_a_featured_image_cannot_be_deleted(self, editor_client):
        image = make_image("The town hall")
        make_article("Council votes", featured_image=image)

        confirm = editor_client.get(f"/admin/blog/image/{image.pk}/delete/")
        response = editor_client.post(f"/admin/blog/image/{image.pk}/delete/", {"post": "yes"})

        for page in (confirm.content.decode(), response.content.decode()):
            assert "Cannot delete image" in page
            assert "Article: Council votes (shows “The town hall” as its featured image)" in page
        assert response.status_code == 200
        assert Image.objects.filter(pk=image.pk).exists()

    def test_an_image_a_promotion_shows_cannot_be_deleted(self, editor_client):
        image = make_image("A newsletter")
        make_promotion("Subscribe", image=image)

        response = editor_client.post(f"/admin/blog/image/{image.pk}/delete/", {"post": "yes"})

        assert "Promotion: Subscribe (shows “A newsletter” as its image)" in (
            response.content.decode()
        )
        assert Image.objects.filter(pk=image.pk).exists()

    def test_the_bulk_delete_keeps_them_and_says_why(self, editor_client):
        featured, promoted = make_image("The town hall"), make_image("A newsletter")
        make_article("Council votes", featured_image=featured)
        make_promotion("Subscribe", image=promoted)

        response = editor_client.post(
            "/admin/blog/image/",
            {
                "action": "delete_selected",
                "_selected_action": [featured.pk, promoted.pk],
                "post": "yes",
            },
        )

        page = response.content.decode()
        assert "Article: Council votes (shows “The town hall” as its featured image)" in page
        assert "Promotion: Subscribe (shows “A newsletter” as its image)" in page
        assert Image.objects.count() == 2

    def test_an_image_no_longer_featured_can_be_deleted(self, editor_client):
        image = make_image("The town hall")
        make_article("Council votes", featured_image=image)
        Article.objects.update(featured_image=None)

        response = editor_client.post(f"/admin/blog/image/{image.pk}/delete/", {"post": "yes"})

        assert response.status_code == 302
        assert not Image.objects.exists()


# 6. Uploads from the body editor need alt text --------------------------------------------------


class TestUploadNeedsAltText:
    NO_ALT = (
        "The image has no alt text, so it was not uploaded. Describe it for readers who cannot "
        "see it, then add it again."
    )

    @pytest.mark.parametrize("alt", [None, "", "   ", "\x0b\x01"])
    def test_an_upload_without_alt_text_is_refused_in_words(self, editor_client, alt):
        data = {"file": SimpleUploadedFile("pasted.png", image_bytes(), "image/png")}
        if alt is not None:
            data["alt_text"] = alt

        response = editor_client.post("/admin/blog/image/upload/", data)

        assert response.status_code == 400
        assert response.json() == {"error": self.NO_ALT}
        assert not Image.objects.exists()

    def test_an_upload_with_alt_text_is_stored_with_it_cleaned(self, editor_client):
        upload = SimpleUploadedFile("pasted.png", image_bytes(), "image/png")

        response = editor_client.post(
            "/admin/blog/image/upload/", {"file": upload, "alt_text": "Rents\x0bby year"}
        )

        assert response.status_code == 201
        assert response.json()["alt"] == "Rents by year"
        assert Image.objects.get().alt_text == "Rents by year"


# 7. Constraint messages in plain words ---------------------------------------------------------


class TestConstraintMessages:
    def test_a_second_default_disclaimer_is_refused_in_words(self, editor_client):
        make_disclaimer("The house view.", is_default=True)

        response = editor_client.post(
            "/admin/blog/disclaimer/add/",
            {"name": "Another", "text": "Another default.", "is_default": "on"},
        )

        assert response.status_code == 200
        assert form_errors(response)["is_default"] == [
            "Another disclaimer is already the site default: untick it there first."
        ]
        assert "Constraint" not in response.content.decode()
        assert Disclaimer.objects.count() == 1

    def test_a_top_level_slug_used_twice_is_refused_beside_the_slug(self, editor_client):
        make_category("Opinion")

        response = editor_client.post(
            "/admin/blog/category/add/", {"name": "Opinions", "slug": "opinion", "parent": ""}
        )

        assert response.status_code == 200
        assert form_errors(response)["slug"] == [
            "Another top-level category already has this slug."
        ]
        assert "Constraint" not in response.content.decode()
        assert Category.objects.count() == 1

    def test_a_slug_used_twice_in_one_parent_is_refused_in_words(self, editor_client):
        opinion = make_category("Opinion")
        make_category("Local", parent=opinion)

        response = editor_client.post(
            "/admin/blog/category/add/", {"name": "Local", "slug": "local", "parent": opinion.pk}
        )

        assert response.status_code == 200
        assert form_errors(response)["__all__"] == [
            "Another category inside the same parent already has this slug."
        ]
        assert Category.objects.count() == 2

    def test_every_blog_constraint_has_a_message_of_its_own(self):
        unnamed = [
            constraint.name
            for model in apps.get_app_config("blog").get_models()
            for constraint in model._meta.constraints
            if constraint.violation_error_message == constraint.default_violation_error_message
        ]
        assert unnamed == []


# 8. Pages at the site's own addresses ----------------------------------------------------------


class TestPageAddresses:
    TAKEN = "The site already uses the address /{}/ for something else: choose another slug."

    @pytest.mark.parametrize("slug", ["feed", "your-data", "2027", "admin"])
    def test_a_slug_the_site_uses_is_a_form_error(self, editor_client, slug):
        response = editor_client.post(
            "/admin/blog/page/add/",
            {"title": "Mine", "slug": slug, "body": "<p>Text.</p>", "is_published": "on"},
        )

        assert response.status_code == 200
        assert form_errors(response)["slug"] == [self.TAKEN.format(slug)]
        assert not Page.objects.exists()

    def test_renaming_a_page_onto_a_site_address_is_refused(self, editor_client):
        page = make_page("About", body="<p>Who we are.</p>")

        response = editor_client.post(
            f"/admin/blog/page/{page.pk}/change/",
            {"title": "About", "slug": "feed", "body": "<p>Who we are.</p>", "is_published": "on"},
        )

        assert response.status_code == 200
        page.refresh_from_db()
        assert page.slug == "about"

    def test_a_free_slug_is_saved_and_reached(self, reader, editor_client):
        response = editor_client.post(
            "/admin/blog/page/add/",
            {"title": "Contact", "slug": "contact", "body": "<p>Write.</p>", "is_published": "on"},
        )

        assert response.status_code == 302
        assert "Write." in reader.get("/contact/").content.decode()

    @pytest.mark.parametrize(
        "slug, free", [("about", True), ("feed", False), ("2027", False), ("your-data", False)]
    )
    def test_page_address_free(self, slug, free):
        assert page_address_free(slug) is free
