"""The admin as the newsroom uses it: Editors write and publish, Moderators may not."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from blog.models import Article, Disclaimer, Promotion
from tests.factories import (
    make_article,
    make_category,
    make_disclaimer,
    make_draft,
    make_editor,
    make_moderator,
    make_page,
)

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/blog/article/add/"
CHANGELIST_URL = "/admin/blog/article/"


@pytest.fixture
def editor(db):
    return make_editor("editor", first_name="Eddie", last_name="Tor")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def categories(db):
    opinion = make_category("Opinion")
    return [opinion, make_category("Economy", parent=opinion)]


def article_form(editor, categories, **changes):
    """What the add form posts when an editor fills it in."""
    data = {
        "title": "Rents are too high",
        "slug": "rents-are-too-high",
        "byline_authors": [editor.pk],
        "byline": "",
        "body": '<p onclick="steal()">Rents rose again.</p><script>steal()</script>',
        "excerpt": "",
        "status": "published",
        "published_at_0": "2025-03-14",
        "published_at_1": "12:00:00",
        "comments_open": "on",
        "categories": [category.pk for category in categories],
        "tags": "housing, rent",
        "featured_image": "",
        "disclaimer": "",
        "promotion": "",
        "seo_description": "",
        "_save": "Save",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


class TestAddArticle:
    def test_editor_adds_a_filed_article_and_the_body_is_sanitised(
        self, client, editor_client, editor, categories
    ):
        response = editor_client.post(ADD_URL, article_form(editor, categories))

        assert response.status_code == 302
        article = Article.objects.get()
        assert article.title == "Rents are too high"
        assert article.body == "<p>Rents rose again.</p>"
        assert list(article.authors.all()) == [editor]
        assert set(article.categories.all()) == set(categories)
        assert sorted(article.tags.names()) == ["housing", "rent"]
        page = client.get("/2025/03/14/rents-are-too-high/").content.decode()
        assert "Rents rose again." in page
        assert "steal" not in page

    def test_draft_is_saved_without_a_date_and_stays_private(
        self, client, editor_client, editor, categories
    ):
        form = article_form(
            editor, categories, status="draft", published_at_0="", published_at_1=""
        )

        editor_client.post(ADD_URL, form)

        article = Article.objects.get()
        assert article.published_at is None
        client.logout()
        assert client.get(article.get_absolute_url()).status_code == 404

    def test_add_page_opens_with_the_editor_as_author(self, editor_client, editor):
        response = editor_client.get(ADD_URL)

        assert response.status_code == 200
        assert re.search(rf'<option value="{editor.pk}" selected>', response.content.decode())

    def test_missing_title_is_a_form_error_and_nothing_is_saved(
        self, editor_client, editor, categories
    ):
        response = editor_client.post(ADD_URL, article_form(editor, categories, title=""))

        assert response.status_code == 200
        assert response.context["adminform"].form.errors["title"] == ["This field is required."]
        assert "This field is required." in response.content.decode()
        assert not Article.objects.exists()

    def test_duplicate_slug_is_a_form_error_on_the_slug(self, editor_client, editor, categories):
        make_article("An older piece", slug="rents-are-too-high")

        response = editor_client.post(ADD_URL, article_form(editor, categories))

        assert response.status_code == 200
        errors = response.context["adminform"].form.errors
        assert list(errors) == ["slug"]
        assert "slug" in errors["slug"][0].lower()
        assert "already exists" in response.content.decode()
        assert Article.objects.count() == 1

    def test_change_page_opens(self, editor_client):
        article = make_article("Existing piece")

        response = editor_client.get(f"/admin/blog/article/{article.pk}/change/")

        assert response.status_code == 200
        assert "Existing piece" in response.content.decode()


class TestChangelist:
    def test_shows_the_columns(self, editor_client, categories):
        author = make_editor("jane", first_name="Jane", last_name="Doe")
        make_article("Public piece", authors=[author], categories=categories[:1])
        make_article("Coming soon", published_at=timezone.now() + timedelta(days=1))
        make_draft("Half done")

        html = editor_client.get(CHANGELIST_URL).content.decode()

        table = html[html.index('id="result_list"') :]
        head = table[: table.index("</thead>")]
        headers = re.findall(r'<div class="text">(?:<a [^>]*>|<span>)([^<]+)<', head)
        assert headers == [
            "Title", "Status", "Published at", "Authors", "Categories", "Comments", "Image"
        ]  # fmt: skip
        for column, value in [
            ("title", "Public piece"),
            ("author_names", "Jane Doe"),
            ("category_names", "Opinion"),
            ("status_label", "Published"),
            ("status_label", "Scheduled"),
            ("status_label", "Draft"),
            ("comment_count", "0"),
        ]:
            assert re.search(rf'class="field-{column}[^"]*">(<a [^>]*>)?{value}<', html), value

    def test_search_finds_by_title(self, editor_client):
        make_article("Budget day")
        make_article("Election night")

        html = editor_client.get(CHANGELIST_URL, {"q": "budget"}).content.decode()

        assert "Budget day" in html
        assert "Election night" not in html


class TestBulkActions:
    def run(self, client, action, articles):
        return client.post(
            CHANGELIST_URL,
            {"action": action, "_selected_action": [a.pk for a in articles], "index": 0},
            follow=True,
        )

    def test_publish(self, client, editor_client):
        drafts = [make_draft("First draft"), make_draft("Second draft")]

        response = self.run(editor_client, "publish", drafts)

        assert "2 articles published." in response.content.decode()
        for draft in drafts:
            draft.refresh_from_db()
            assert draft.is_published
        client.logout()
        home = client.get("/").content.decode()
        assert "First draft" in home and "Second draft" in home

    def test_publish_keeps_a_future_date_scheduled(self, editor_client):
        draft = make_draft("Embargoed", published_at=timezone.now() + timedelta(days=1))

        self.run(editor_client, "publish", [draft])

        draft.refresh_from_db()
        assert draft.status == Article.Status.PUBLISHED
        assert draft.is_scheduled

    def test_publish_counts_only_what_changed(self, editor_client):
        already = make_article("Already out")
        draft = make_draft("Not yet")

        response = self.run(editor_client, "publish", [already, draft])

        assert "1 article published." in response.content.decode()

    def test_unpublish(self, client, editor_client):
        articles = [make_article("Mistake one"), make_article("Mistake two")]

        response = self.run(editor_client, "unpublish", articles)

        assert "2 articles unpublished." in response.content.decode()
        client.logout()
        for article in articles:
            article.refresh_from_db()
            assert article.status == Article.Status.DRAFT
            assert client.get(article.get_absolute_url()).status_code == 404


class TestRoles:
    def test_editor_reaches_the_blog_admin(self, editor_client):
        html = editor_client.get("/admin/").content.decode()

        for model in ["Articles", "Categories", "Images", "Disclaimers", "Promotions", "Pages"]:
            assert f">{model}<" in html, model

    @pytest.mark.parametrize(
        "url", ["/admin/auth/user/", "/admin/auth/group/", "/admin/comments/comment/"]
    )
    def test_editor_cannot_open_users_groups_or_comments(self, editor_client, url):
        assert editor_client.get(url, follow=True).status_code == 403

    def test_moderator_cannot_add_articles(self, client, categories):
        moderator = make_moderator()
        client.force_login(moderator)

        assert client.get(ADD_URL).status_code == 403
        assert client.post(ADD_URL, article_form(moderator, categories)).status_code == 403
        assert not Article.objects.exists()

    def test_moderator_cannot_publish(self, client):
        draft = make_draft("Not theirs to publish")
        client.force_login(make_moderator())

        client.post(
            CHANGELIST_URL, {"action": "publish", "_selected_action": [draft.pk], "index": 0}
        )

        draft.refresh_from_db()
        assert draft.status == Article.Status.DRAFT

    def test_moderator_can_read_articles_and_comments(self, client):
        make_article("Public piece")
        client.force_login(make_moderator())

        assert "Public piece" in client.get(CHANGELIST_URL).content.decode()
        assert client.get("/admin/comments/comment/", follow=True).status_code == 200

    def test_readers_are_sent_to_the_login_page(self, client):
        response = client.get(ADD_URL)

        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


class TestOtherForms:
    def test_every_page_save_keeps_a_revision_to_revert_to(self, editor_client):
        from reversion.models import Version

        page = make_page("Privacy", body="<p>We keep little.</p>")
        url = f"/admin/blog/page/{page.pk}/change/"
        form = {"title": "Privacy", "slug": "privacy", "is_published": "on", "_save": "Save"}

        editor_client.post(url, {**form, "body": "<p>We keep your email.</p>"})
        editor_client.post(url, {**form, "body": "<p>We keep nothing.</p>"})

        versions = Version.objects.get_for_object(page)
        assert [v.field_dict["body"] for v in versions] == [
            "<p>We keep nothing.</p>",
            "<p>We keep your email.</p>",
        ]
        history = editor_client.get(f"/admin/blog/page/{page.pk}/history/").content.decode()
        assert f"/admin/blog/page/{page.pk}/history/{versions[1].pk}/" in history
        revert = f"/admin/blog/page/{page.pk}/history/{versions[1].pk}/"
        assert (
            editor_client.post(revert, {**form, "body": "<p>We keep your email.</p>"}).status_code
            == 302
        )
        page.refresh_from_db()
        assert page.body == "<p>We keep your email.</p>"

    def test_renaming_a_parent_category_moves_its_children(self, client, editor_client):
        opinion = make_category("Opinion")
        local = make_category("Local", parent=make_category("Politics", parent=opinion))
        make_article("Council votes", categories=[local])

        response = editor_client.post(
            f"/admin/blog/category/{opinion.pk}/change/",
            {"name": "Views", "slug": "views", "parent": "", "description": ""},
        )

        assert response.status_code == 302
        local.refresh_from_db()
        assert local.path == "views/politics/local"
        assert "Council votes" in client.get("/category/views/politics/local/").content.decode()

    def test_second_default_disclaimer_is_a_form_error(self, editor_client):
        make_disclaimer("The house view.", is_default=True)

        response = editor_client.post(
            "/admin/blog/disclaimer/add/",
            {"name": "Another", "text": "Another default.", "is_default": "on"},
        )

        assert response.status_code == 200
        assert response.context["adminform"].form.errors
        assert Disclaimer.objects.filter(is_default=True).count() == 1

    def test_promotion_ending_before_it_starts_is_a_form_error(self, editor_client):
        response = editor_client.post(
            "/admin/blog/promotion/add/",
            {
                "title": "Spring sale",
                "text": "",
                "link_url": "https://example.com/sale",
                "link_label": "Buy",
                "image": "",
                "active_from_0": "2025-04-01",
                "active_from_1": "00:00:00",
                "active_until_0": "2025-03-01",
                "active_until_1": "00:00:00",
            },
        )

        assert response.status_code == 200
        assert "A promotion must end after it starts." in response.content.decode()
        assert not Promotion.objects.exists()
