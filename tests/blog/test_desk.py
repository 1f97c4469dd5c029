"""The writing desk as the newsroom uses it: stale saves, revisions, bylines, autosave, alt
text, figures and embeds on the reader page, and the image library's upload, picker and delete.

Everything goes through HTTP as a person would, and checks what they see and what is stored.
"""

import html
import json
import re
from datetime import UTC, datetime

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from hypothesis import example, given
from hypothesis import strategies as st
from reversion.models import Version

from blog.editing import word_diff
from blog.figures import embed_address, reader_html
from blog.images import process_image
from blog.models import Article, Autosave, Image
from blog.rendering import sanitize_html
from tests.factories import (
    image_bytes,
    make_article,
    make_category,
    make_draft,
    make_editor,
    make_moderator,
    make_user,
    make_writer,
)

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/blog/article/add/"
CHANGELIST_URL = "/admin/blog/article/"
NOON = datetime(2025, 3, 14, 12, 0, tzinfo=UTC)
STALE = "after you opened it"
OFFER = "You have changes from"
NOT_AN_IMAGE = "This file is not an image we can read (JPEG, PNG, GIF or WebP)."
VIDEO = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"


def change_url(article):
    return f"/admin/blog/article/{article.pk}/change/"


def autosave_url(article):
    return f"/admin/blog/article/{article.pk if article else 'new'}/autosave/"


@pytest.fixture
def editor(db):
    return make_editor("editor", first_name="Eddie", last_name="Tor")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def other_client():
    """A second browser, for a second person at the desk."""
    return Client()


def opened_version(response) -> int:
    """The optimistic-lock number the change form was opened at, as the browser posts it."""
    match = re.search(r'<input[^>]*name="opened_version"[^>]*>', response.content.decode())
    assert match, "the change form has no opened_version field"
    return int(re.search(r'value="(\d+)"', match.group(0)).group(1))


def form_for(article, **changes):
    """What the change form posts for `article` as it is stored, with `changes` typed in."""
    article.refresh_from_db()
    published = article.published_at
    data = {
        "title": article.title,
        "slug": article.slug,
        "byline_authors": [str(user.pk) for user in article.authors_in_order],
        "byline": article.byline,
        "body": article.body,
        "excerpt": article.excerpt,
        "status": article.status,
        "published_at_0": published.strftime("%Y-%m-%d") if published else "",
        "published_at_1": published.strftime("%H:%M:%S") if published else "",
        "comments_open": "on" if article.comments_open else None,
        "categories": [str(pk) for pk in article.categories.values_list("pk", flat=True)],
        "tags": ", ".join(sorted(article.tags.names())),
        "featured_image": "",
        "disclaimer": "",
        "promotion": "",
        "seo_description": article.seo_description,
        "opened_version": str(article.lock_version),
        "_save": "Save",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def new_article_form(authors, **changes):
    data = {
        "title": "Rents are too high",
        "slug": "rents-are-too-high",
        "byline_authors": [str(user.pk) for user in authors],
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
    return {key: value for key, value in data.items() if value is not None}


def form_errors(response) -> str:
    form = response.context["adminform"].form
    return " ".join(str(error) for errors in form.errors.values() for error in errors)


def library_image(alt_text="A red square", credit="", size=(400, 300)) -> Image:
    image = Image(alt_text=alt_text, credit=credit)
    upload = SimpleUploadedFile("square.png", image_bytes(size=size), content_type="image/png")
    process_image(image, upload)
    return image


def figure_html(image, alt="Alt here", caption="Cap"):
    return (
        f'<figure class="figure"><img src="{image.rendition_url("medium")}" alt="{alt}" '
        f'data-file="{image.pk}"><figcaption>{caption}</figcaption></figure>'
    )


def autosave_data(response):
    match = re.search(
        r'<script id="autosave-data" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.DOTALL,
    )
    return json.loads(match.group(1)) if match else None


# 1. Stale saves ----------------------------------------------------------------------------


class TestStaleSave:
    def test_second_save_from_an_older_form_is_refused_and_keeps_the_first(
        self, editor_client, other_client, editor
    ):
        article = make_article(
            "Budget day", body="<p>The budget is out.</p>", published_at=NOON, authors=[editor]
        )
        bea = make_editor("bea", first_name="Bea", last_name="Second")
        other_client.force_login(bea)
        a_opened = opened_version(editor_client.get(change_url(article)))
        b_opened = opened_version(other_client.get(change_url(article)))
        assert a_opened == b_opened == article.lock_version
        b_form = form_for(
            article, body="<p>Bea rewrote the whole thing.</p>", opened_version=str(b_opened)
        )

        a_response = editor_client.post(
            change_url(article),
            form_for(article, title="Budget day: the cuts", opened_version=str(a_opened)),
        )
        b_response = other_client.post(change_url(article), b_form)

        assert a_response.status_code == 302
        assert b_response.status_code == 200
        page = b_response.content.decode()
        assert "Eddie Tor saved this article" in page
        assert STALE in page
        assert "Your changes have not been saved" in page
        assert "Bea rewrote the whole thing." in page  # still in the form, to copy
        article.refresh_from_db()
        assert article.title == "Budget day: the cuts"
        assert article.body == "<p>The budget is out.</p>"
        assert "Bea rewrote" not in article.body

        # Bea opens it again, sees Eddie's title, and saves her body on top of it.
        reopened = other_client.get(change_url(article))
        assert "Budget day: the cuts" in reopened.content.decode()
        assert opened_version(reopened) == article.lock_version > b_opened
        again = other_client.post(
            change_url(article),
            form_for(
                article,
                body="<p>Bea rewrote the whole thing.</p>",
                opened_version=str(opened_version(reopened)),
            ),
        )

        assert again.status_code == 302
        article.refresh_from_db()
        assert article.title == "Budget day: the cuts"
        assert article.body == "<p>Bea rewrote the whole thing.</p>"

    def test_a_form_without_its_opened_version_is_refused(self, editor_client, editor):
        article = make_article("Budget day", published_at=NOON, authors=[editor])

        response = editor_client.post(
            change_url(article), form_for(article, title="Sneaky", opened_version="")
        )

        assert response.status_code == 200
        assert STALE in response.content.decode()
        article.refresh_from_db()
        assert article.title == "Budget day"

    def test_each_save_moves_the_version_on(self, editor_client, editor):
        article = make_article("Budget day", published_at=NOON, authors=[editor])
        before = article.lock_version

        editor_client.post(change_url(article), form_for(article, title="One"))
        editor_client.post(change_url(article), form_for(article, title="Two"))

        article.refresh_from_db()
        assert article.title == "Two"
        assert article.lock_version == before + 2

    def test_a_form_opened_before_a_bulk_publish_is_refused(
        self, editor_client, other_client, editor
    ):
        draft = make_draft("Embargo lifted", authors=[editor])
        stale_form = form_for(draft, title="Embargo lifted today")
        other_client.force_login(make_editor("bea"))
        other_client.post(
            CHANGELIST_URL, {"action": "publish", "_selected_action": [draft.pk], "index": 0}
        )

        response = editor_client.post(change_url(draft), stale_form)

        draft.refresh_from_db()
        assert draft.status == Article.Status.PUBLISHED
        assert response.status_code == 200
        assert STALE in response.content.decode()

    def test_after_a_bulk_publish_the_refusal_does_not_name_the_last_editor(
        self, editor_client, other_client, editor
    ):
        draft = make_draft("Embargo lifted", authors=[editor])
        editor_client.post(change_url(draft), form_for(draft, title="Embargo lifted"))
        draft.refresh_from_db()
        stale_form = form_for(draft, title="Embargo lifted today")
        other_client.force_login(make_editor("bea"))
        other_client.post(
            CHANGELIST_URL, {"action": "publish", "_selected_action": [draft.pk], "index": 0}
        )

        page = editor_client.post(change_url(draft), stale_form).content.decode()

        assert "Someone else saved this article, after you opened it." in page
        assert f"{editor.get_full_name() or editor.get_username()} saved" not in page


# 2. Revisions, compare, restore ------------------------------------------------------------


class TestRevisions:
    @pytest.fixture
    def story(self, editor):
        """An article saved twice through the admin: two revisions."""
        return make_draft("Original title", body="<p>The cat sat quietly.</p>", authors=[editor])

    def two_saves(self, client, article, editor):
        opinion, economy = make_category("Opinion"), make_category("Economy")
        jane = make_writer("jane", first_name="Jane", last_name="Doe")
        first = client.post(
            change_url(article),
            form_for(article, categories=[str(opinion.pk)], tags="housing"),
        )
        assert first.status_code == 302
        second = client.post(
            change_url(article),
            form_for(
                article,
                title="Second title",
                body="<p>The dog sat quietly.</p>",
                categories=[str(economy.pk)],
                tags="rent",
                byline_authors=[str(jane.pk), str(editor.pk)],
                status="published",
                published_at_0="2025-03-14",
                published_at_1="12:00:00",
            ),
        )
        assert second.status_code == 302
        return opinion, economy, jane

    def test_every_admin_save_is_a_revision_with_who_and_what(self, editor_client, editor, story):
        self.two_saves(editor_client, story, editor)

        versions = list(Version.objects.get_for_object(story))
        assert len(versions) == 2
        newest, oldest = versions
        assert [v.revision.user for v in versions] == [editor, editor]
        assert newest.field_dict["title"] == "Second title"
        assert oldest.field_dict["title"] == "Original title"
        comment = newest.revision.get_comment()
        for label in ["Title", "Body", "Authors", "Categories", "Tags", "Status"]:
            assert label in comment, label
        assert comment.startswith("Changed ")
        assert "Title" not in oldest.revision.get_comment()
        assert "Categories" in oldest.revision.get_comment()

    def test_saving_without_changes_says_so(self, editor_client, editor, story):
        editor_client.post(change_url(story), form_for(story))

        (version,) = Version.objects.get_for_object(story)
        assert version.revision.get_comment() == "Saved without changes."

    def test_revisions_page_lists_them_newest_first(self, editor_client, editor, story):
        self.two_saves(editor_client, story, editor)

        response = editor_client.get(f"/admin/blog/article/{story.pk}/revisions/")

        page = response.content.decode()
        assert response.status_code == 200
        assert "2 revisions, newest first" in page
        assert page.index("Second title") < page.index("Original title")
        assert page.count("Eddie Tor") >= 2
        for version in Version.objects.get_for_object(story):
            assert html.escape(version.revision.get_comment()) in page

    def test_compare_shows_removed_and_added_words_and_the_filing(
        self, editor_client, editor, story
    ):
        self.two_saves(editor_client, story, editor)
        newest, oldest = Version.objects.get_for_object(story)

        response = editor_client.get(
            f"/admin/blog/article/{story.pk}/revisions/compare/",
            {"from": oldest.pk, "to": newest.pk},
        )

        page = response.content.decode()
        assert response.status_code == 200
        assert "The <del>cat</del><ins>dog</ins> sat quietly." in page
        assert "<del>Original</del><ins>Second</ins> title" in page
        for row in ["Title", "Categories", "Tags", "Authors", "Body", "Status"]:
            assert f'<th scope="row">{row}</th>' in page, row
        assert "<del>Opinion</del><ins>Economy</ins>" in page
        assert "<del>housing</del><ins>rent</ins>" in page
        assert "Jane Doe" in page

    def test_compare_without_two_revisions_goes_back_to_the_list(
        self, editor_client, editor, story
    ):
        response = editor_client.get(
            f"/admin/blog/article/{story.pk}/revisions/compare/", {"from": "x"}, follow=True
        )

        assert response.redirect_chain[-1][0] == f"/admin/blog/article/{story.pk}/revisions/"
        assert "Choose two revisions of this article to compare." in response.content.decode()

    def test_restore_brings_back_the_words_and_filing_as_a_new_revision(
        self, client, editor_client, editor, story
    ):
        opinion, _economy, _jane = self.two_saves(editor_client, story, editor)
        story.refresh_from_db()
        published_at, status = story.published_at, story.status
        form_opened_before_restore = form_for(story, title="Written before the restore")
        newest, oldest = Version.objects.get_for_object(story)
        restorer = make_editor("rita", first_name="Rita", last_name="Store")
        client.force_login(restorer)

        response = client.post(
            f"/admin/blog/article/{story.pk}/revisions/{oldest.pk}/restore/", follow=True
        )

        assert response.redirect_chain[-1][0] == change_url(story)
        assert "is restored, as a new revision. Status is unchanged." in response.content.decode()
        story.refresh_from_db()
        assert story.title == "Original title"
        assert story.body == "<p>The cat sat quietly.</p>"
        assert list(story.categories.all()) == [opinion]
        assert sorted(story.tags.names()) == ["housing"]
        assert list(story.authors_in_order) == [editor]
        assert story.status == status == Article.Status.PUBLISHED
        assert story.published_at == published_at
        versions = list(Version.objects.get_for_object(story))
        assert len(versions) == 3
        assert versions[0].revision.user == restorer
        assert versions[0].revision.get_comment().startswith("Restored the revision of ")
        assert versions[0].field_dict["title"] == "Original title"
        assert int(form_opened_before_restore["opened_version"]) < story.lock_version

        stale = editor_client.post(change_url(story), form_opened_before_restore)

        assert stale.status_code == 200
        assert "Rita Store saved this article" in stale.content.decode()
        story.refresh_from_db()
        assert story.title == "Original title"

    def test_restore_by_get_changes_nothing(self, editor_client, editor, story):
        self.two_saves(editor_client, story, editor)
        _newest, oldest = Version.objects.get_for_object(story)

        response = editor_client.get(
            f"/admin/blog/article/{story.pk}/revisions/{oldest.pk}/restore/"
        )

        assert response.status_code == 302
        story.refresh_from_db()
        assert story.title == "Second title"
        assert Version.objects.get_for_object(story).count() == 2

    def test_restoring_another_articles_revision_is_not_found(self, editor_client, editor, story):
        other = make_draft("Another piece", authors=[editor])
        editor_client.post(change_url(other), form_for(other, title="Another piece, edited"))
        (foreign,) = Version.objects.get_for_object(other)

        response = editor_client.post(
            f"/admin/blog/article/{story.pk}/revisions/{foreign.pk}/restore/"
        )

        assert response.status_code == 404
        story.refresh_from_db()
        assert story.title == "Original title"

    def test_a_writer_cannot_see_revisions_of_others_work(self, client, editor, story):
        client.force_login(make_writer())

        response = client.get(f"/admin/blog/article/{story.pk}/revisions/")

        assert response.status_code in (403, 404)


# 3. Bylines ---------------------------------------------------------------------------------


class TestBylines:
    def test_authors_are_kept_in_the_order_chosen(self, client, editor_client, editor):
        al = make_writer("al", first_name="Al", last_name="First")
        bea = make_writer("bea", first_name="Bea", last_name="Second")

        response = editor_client.post(ADD_URL, new_article_form([bea, al]))

        assert response.status_code == 302
        article = Article.objects.get()
        assert list(article.authors_in_order) == [bea, al]
        page = client.get("/2025/03/14/rents-are-too-high/").content.decode()
        byline = page[page.index('class="byline"') :]
        assert byline.index("Bea Second") < byline.index("Al First")
        change = editor_client.get(change_url(article)).content.decode()
        assert change.index(f'<option value="{bea.pk}" selected>') < change.index(
            f'<option value="{al.pk}" selected>'
        )

    def test_reordering_the_byline_on_the_change_form(self, client, editor_client, editor):
        al = make_writer("al", first_name="Al", last_name="First")
        bea = make_writer("bea", first_name="Bea", last_name="Second")
        article = make_article("Two voices", published_at=NOON, authors=[al, bea])

        editor_client.post(change_url(article), form_for(article, byline_authors=[bea.pk, al.pk]))

        assert list(article.authors_in_order) == [bea, al]
        page = client.get(article.get_absolute_url()).content.decode()
        byline = page[page.index('class="byline"') :]
        assert byline.index("Bea Second") < byline.index("Al First")

    def test_add_page_for_a_writer_selects_the_writer(self, client):
        writer = make_writer("wes", first_name="Wes", last_name="Writer")
        client.force_login(writer)

        response = client.get(ADD_URL)

        assert response.status_code == 200
        assert f'<option value="{writer.pk}" selected>' in response.content.decode()

    def test_an_editor_may_file_an_article_for_someone_else(self, editor_client, editor):
        guest = make_writer("guest", first_name="Guest", last_name="Columnist")

        response = editor_client.post(ADD_URL, new_article_form([guest]))

        assert response.status_code == 302
        assert list(Article.objects.get().authors_in_order) == [guest]

    def test_a_writer_stays_on_their_own_article(self, client):
        writer = make_writer("wes")
        colleague = make_writer("cole")
        client.force_login(writer)

        response = client.post(ADD_URL, new_article_form([colleague], status="draft"))

        assert response.status_code == 302
        assert list(Article.objects.get().authors_in_order) == [colleague, writer]

    def test_people_who_do_not_write_cannot_be_named(self, editor_client, editor):
        reader = make_user("reader")

        response = editor_client.post(ADD_URL, new_article_form([reader]))

        assert response.status_code == 200
        assert "byline_authors" in response.context["adminform"].form.errors
        assert not Article.objects.exists()

    def test_author_search_finds_staff_who_write(self, editor_client, editor):
        make_writer("jane", first_name="Jane", last_name="Doe")
        make_user("janet", first_name="Janet", last_name="Reader")

        results = editor_client.get("/admin/blog/article/authors/", {"term": "jan"}).json()

        assert [r["text"] for r in results["results"]] == ["Jane Doe"]


# 4. Autosave --------------------------------------------------------------------------------


class TestAutosave:
    def test_autosave_is_offered_back_on_the_change_page(self, client, editor_client, editor):
        article = make_draft("Working title", body="<p>First lines.</p>", authors=[editor])

        response = editor_client.post(
            autosave_url(article),
            {"title": "Better title", "body": "<p>First lines, and <b>more</b>.</p>"},
        )

        assert response.status_code == 200
        assert "saved_at" in response.json()
        page = editor_client.get(change_url(article))
        assert OFFER in page.content.decode()
        offered = autosave_data(page)
        assert offered["title"] == "Better title"
        assert offered["body"] == "<p>First lines, and <b>more</b>.</p>"
        article.refresh_from_db()
        assert article.title == "Working title"
        assert article.body == "<p>First lines.</p>"
        assert article.status == Article.Status.DRAFT
        client.logout()
        assert client.get(article.get_absolute_url()).status_code == 404

    def test_the_offer_is_only_for_the_person_who_typed(self, editor_client, other_client, editor):
        article = make_draft("Working title", authors=[editor])
        editor_client.post(autosave_url(article), {"title": "Eddie's draft title"})
        other_client.force_login(make_editor("bea", first_name="Bea", last_name="Second"))

        page = other_client.get(change_url(article))

        assert OFFER not in page.content.decode()
        assert autosave_data(page) is None
        assert "Eddie Tor is also editing this article" in page.content.decode()

    def test_saving_the_article_removes_the_autosave(self, editor_client, editor):
        article = make_draft("Working title", authors=[editor])
        editor_client.post(autosave_url(article), {"title": "Better title"})

        response = editor_client.post(change_url(article), form_for(article, title="Better title"))

        assert response.status_code == 302
        assert not Autosave.objects.exists()
        assert OFFER not in editor_client.get(change_url(article)).content.decode()

    def test_discarding_removes_the_autosave(self, editor_client, editor):
        article = make_draft("Working title", authors=[editor])
        editor_client.post(autosave_url(article), {"title": "Better title"})

        response = editor_client.post(autosave_url(article), {"discard": "1"})

        assert response.json() == {"discarded": True}
        assert not Autosave.objects.exists()
        assert OFFER not in editor_client.get(change_url(article)).content.decode()
        article.refresh_from_db()
        assert article.title == "Working title"

    def test_a_new_article_is_autosaved_and_removed_when_it_is_saved(self, editor_client, editor):
        response = editor_client.post(
            autosave_url(None), {"title": "Unsaved idea", "body": "<p>Notes.</p>"}
        )

        assert response.status_code == 200
        assert not Article.objects.exists()
        saved = Autosave.objects.get()
        assert saved.article is None
        page = editor_client.get(ADD_URL)
        assert OFFER in page.content.decode()
        assert autosave_data(page)["title"] == "Unsaved idea"

        editor_client.post(ADD_URL, new_article_form([editor], title="Unsaved idea"))

        assert Article.objects.get().title == "Unsaved idea"
        assert not Autosave.objects.exists()

    def test_autosave_answers_only_post(self, editor_client, editor):
        article = make_draft("Working title", authors=[editor])

        response = editor_client.get(autosave_url(article))

        assert response.status_code == 405
        assert not Autosave.objects.exists()

    def test_a_writer_cannot_autosave_onto_someone_elses_article(self, client, editor):
        article = make_draft("Eddie's piece", authors=[editor])
        client.force_login(make_writer())

        response = client.post(autosave_url(article), {"title": "Hijacked"})

        assert response.status_code in (403, 404)
        assert not Autosave.objects.exists()


# 5. Alt text --------------------------------------------------------------------------------


class TestAltText:
    def test_a_picture_without_alt_text_is_refused_by_name(self, editor_client, editor):
        body = '<p>Look:</p><img src="/media/images/2025/03/x.png">'

        response = editor_client.post(ADD_URL, new_article_form([editor], body=body))

        assert response.status_code == 200
        errors = response.context["adminform"].form.errors
        assert list(errors) == ["body"]
        assert "x.png" in errors["body"][0]
        assert "has no alt text" in response.content.decode()
        assert not Article.objects.exists()

    def test_blank_alt_text_is_refused_on_the_change_form_too(self, editor_client, editor):
        article = make_article("Pictured", published_at=NOON, authors=[editor])
        body = '<p>Look:</p><img src="/media/y.png" alt="  ">'

        response = editor_client.post(change_url(article), form_for(article, body=body))

        assert response.status_code == 200
        assert "y.png" in form_errors(response)
        article.refresh_from_db()
        assert "y.png" not in article.body

    def test_pictures_with_alt_text_are_saved(self, editor_client, editor):
        body = '<p>Look:</p><img src="/media/x.png" alt="A red square">'

        response = editor_client.post(ADD_URL, new_article_form([editor], body=body))

        assert response.status_code == 302
        assert 'alt="A red square"' in Article.objects.get().body

    def test_an_upper_case_img_tag_is_checked_too(self, editor_client, editor):
        body = '<p>Look:</p><IMG SRC="/media/x.png">'

        response = editor_client.post(ADD_URL, new_article_form([editor], body=body))

        assert response.status_code == 200
        assert not Article.objects.exists()

    def test_an_attribute_ending_in_alt_is_not_alt_text(self, editor_client, editor):
        body = '<p>Look:</p><img src="/media/x.png" data-alt="x">'

        response = editor_client.post(ADD_URL, new_article_form([editor], body=body))

        assert response.status_code == 200
        assert not Article.objects.exists()


# 6. Figures and embeds on the reader page -----------------------------------------------------


class TestReaderFigures:
    def test_library_figure_is_a_responsive_picture_with_caption_and_credit(self, client):
        image = library_image(alt_text="Library alt", credit="Photo: Ann Snapper")
        article = make_article("Pictured", published_at=NOON, body=figure_html(image))
        assert f'data-file="{image.pk}"' in article.body  # kept by the sanitiser

        page = client.get(article.get_absolute_url()).content.decode()

        body = page[page.index('class="article__body') :]
        figure = body[body.index('<figure class="figure">') : body.index("</figure>")]
        assert "<picture>" in figure
        assert re.search(r'<source type="image/webp" srcset="[^"]+\.webp 320w, [^"]+ 400w"', figure)
        assert re.search(r'<img src="[^"]+" srcset="[^"]+ 320w, [^"]+ 400w"', figure)
        assert 'width="400" height="300"' in figure
        assert 'alt="Alt here"' in figure
        assert "data-file" not in figure
        assert re.search(
            r'<figcaption>Cap <small class="figure__credit">Photo: Ann Snapper</small>'
            r"</figcaption>",
            figure,
        )

    def test_a_figure_without_caption_gets_one_for_the_credit(self):
        image = library_image(credit="Photo: <Ann>")
        body = sanitize_html(
            f'<figure class="figure"><img src="x.png" alt="" data-file="{image.pk}"></figure>'
        )

        out = reader_html(body)

        assert 'alt="A red square"' in out  # the library's alt text when the figure has none
        assert (
            '<figcaption><small class="figure__credit">Photo: &lt;Ann&gt;</small></figcaption>'
            in out
        )

    def test_a_figure_of_a_deleted_image_is_left_as_written(self):
        body = '<figure class="figure"><img src="/media/gone.png" alt="Gone" data-file="999">'
        body += "<figcaption>Cap</figcaption></figure>"

        assert reader_html(body) == body

    @pytest.mark.parametrize(
        "paragraph, player",
        [
            (f'<p><a href="{VIDEO}">{VIDEO}</a></p>', "youtube-nocookie.com/embed/dQw4w9WgXcQ"),
            ("<p>https://youtu.be/dQw4w9WgXcQ</p>", "youtube-nocookie.com/embed/dQw4w9WgXcQ"),
            (f"<p>{VIDEO}&amp;t=42</p>", "youtube-nocookie.com/embed/dQw4w9WgXcQ"),
            ("<p>https://vimeo.com/76979871</p>", "player.vimeo.com/video/76979871"),
        ],
    )
    def test_a_lone_video_link_is_embedded(self, client, paragraph, player):
        article = make_article("Watch", published_at=NOON, body=f"<p>Intro.</p>{paragraph}")

        page = client.get(article.get_absolute_url()).content.decode()

        assert re.search(rf'<figure class="embed"><iframe src="https://(www\.)?{player}"', page)
        assert "Intro." in page

    @pytest.mark.parametrize(
        "paragraph",
        [
            f'<p>Watch <a href="{VIDEO}">{VIDEO}</a></p>',
            f'<p><a href="{VIDEO}">the minister&#x27;s speech</a></p>',
            f"<p>See {VIDEO} today</p>",
            "<p>http://www.youtube.com/watch?v=dQw4w9WgXcQ</p>",
            '<p><a href="http://youtu.be/dQw4w9WgXcQ">http://youtu.be/dQw4w9WgXcQ</a></p>',
            '<p><a href="javascript:alert(1)">javascript:alert(1)</a></p>',
            "<p>https://example.com/watch?v=dQw4w9WgXcQ</p>",
            "<p>https://vimeo.com/channels/staffpicks</p>",
        ],
    )
    def test_other_links_are_not_embedded(self, client, paragraph):
        article = make_article("Links", published_at=NOON, body=f"<p>Intro.</p>{paragraph}")

        page = client.get(article.get_absolute_url()).content.decode()

        assert "<iframe" not in page
        assert 'href="javascript:' not in page

    def test_a_malformed_address_alone_in_a_paragraph_is_just_text(self, client):
        article = make_article("Typo", published_at=NOON, body="<p>https://[</p>")

        response = client.get(article.get_absolute_url())

        assert response.status_code == 200
        assert "https://[" in response.content.decode()

    def test_a_non_numeric_data_file_is_left_alone(self, client):
        image = library_image()
        body = '<figure><img src="/media/a.png" alt="A" data-file="x1"></figure>'
        body += figure_html(image)
        article = make_article("Odd", published_at=NOON, body=body)

        response = client.get(article.get_absolute_url())

        assert response.status_code == 200
        assert "<picture>" in response.content.decode()


# 7 and 8. The image library: delete, upload, picker ---------------------------------------


class TestImageLibrary:
    def test_an_image_shown_in_an_article_cannot_be_deleted(self, editor_client):
        image = library_image(alt_text="The town hall")
        make_article("Council votes", body=figure_html(image))

        confirm = editor_client.get(f"/admin/blog/image/{image.pk}/delete/")
        response = editor_client.post(f"/admin/blog/image/{image.pk}/delete/", {"post": "yes"})

        for page in (confirm.content.decode(), response.content.decode()):
            assert "Cannot delete image" in page
            assert "Article: Council votes (shows “The town hall” in its text)" in page
        assert response.status_code == 200
        assert Image.objects.filter(pk=image.pk).exists()

    def test_an_image_shown_in_an_article_survives_the_bulk_delete(self, editor_client):
        image = library_image(alt_text="The town hall")
        make_article("Council votes", body=figure_html(image))

        response = editor_client.post(
            "/admin/blog/image/",
            {"action": "delete_selected", "_selected_action": [image.pk], "post": "yes"},
        )

        assert "Council votes" in response.content.decode()
        assert Image.objects.filter(pk=image.pk).exists()

    def test_an_unused_image_is_deleted(self, editor_client):
        used = library_image(alt_text="Used")
        unused = library_image(alt_text="Unused")
        make_article("Council votes", body=figure_html(used))

        response = editor_client.post(f"/admin/blog/image/{unused.pk}/delete/", {"post": "yes"})

        assert response.status_code == 302
        assert not Image.objects.filter(pk=unused.pk).exists()
        assert Image.objects.filter(pk=used.pk).exists()

    def test_upload_stores_the_image_and_answers_what_the_editor_inserts(self, editor_client):
        upload = SimpleUploadedFile("pasted.png", image_bytes(size=(900, 600)), "image/png")

        response = editor_client.post(
            "/admin/blog/image/upload/", {"file": upload, "alt_text": "A pasted chart"}
        )

        assert response.status_code == 201
        answer = response.json()
        image = Image.objects.get()
        assert answer == {
            "id": image.pk,
            "src": image.rendition_url("medium"),
            "alt": "A pasted chart",
        }
        assert image.renditions["medium"]["width"] == 768
        medium = image.renditions["medium"]
        assert default_storage.exists(medium["fallback"]) and default_storage.exists(medium["webp"])

    @pytest.mark.parametrize(
        "name, content",
        [("notes.txt", b"Just some notes."), ("notes.png", b"Just some notes, named .png.")],
    )
    def test_upload_of_a_file_that_is_not_an_image_is_refused_in_words(
        self, editor_client, name, content
    ):
        upload = SimpleUploadedFile(name, content, content_type="image/png")

        response = editor_client.post(
            "/admin/blog/image/upload/", {"file": upload, "alt_text": "Notes"}
        )

        assert response.status_code == 400
        assert response.json() == {"error": NOT_AN_IMAGE}
        assert not Image.objects.exists()

    def test_upload_without_a_file_is_refused(self, editor_client):
        response = editor_client.post("/admin/blog/image/upload/", {"alt_text": "Nothing"})

        assert response.status_code == 400
        assert response.json() == {"error": "No image was sent."}
        assert not Image.objects.exists()

    def test_upload_answers_only_post(self, editor_client):
        assert editor_client.get("/admin/blog/image/upload/").status_code == 405

    def test_a_moderator_cannot_upload(self, client):
        client.force_login(make_moderator())
        upload = SimpleUploadedFile("pasted.png", image_bytes(), "image/png")

        response = client.post("/admin/blog/image/upload/", {"file": upload, "alt_text": "A"})

        assert response.status_code == 403
        assert not Image.objects.exists()

    def test_picker_lists_and_searches_the_library(self, editor_client):
        library_image(alt_text="The town hall at dusk")
        library_image(alt_text="A red square")

        everything = editor_client.get("/admin/blog/image/picker/").content.decode()
        found = editor_client.get("/admin/blog/image/picker/", {"q": "town"}).content.decode()
        nothing = editor_client.get("/admin/blog/image/picker/", {"q": "zebra"}).content.decode()

        assert "The town hall at dusk" in everything and "A red square" in everything
        assert "The town hall at dusk" in found and "A red square" not in found
        assert "No images match." in nothing

    def test_picker_upload_needs_alt_text(self, editor_client):
        upload = SimpleUploadedFile("chart.png", image_bytes(), "image/png")

        response = editor_client.post(
            "/admin/blog/image/picker/", {"file": upload, "alt_text": "", "caption": ""}
        )

        assert response.status_code == 200
        assert "This field is required." in response.content.decode()
        assert not Image.objects.exists()

    def test_picker_upload_with_alt_text_is_chosen(self, editor_client):
        upload = SimpleUploadedFile("chart.png", image_bytes(), "image/png")

        response = editor_client.post(
            "/admin/blog/image/picker/",
            {"file": upload, "alt_text": "Rents by year", "caption": "Rents", "credit": ""},
        )

        image = Image.objects.get()
        assert image.alt_text == "Rents by year"
        assert re.search(rf'data-chosen data-id="{image.pk}"', response.content.decode())


# The sanitiser keeps what the desk writes ---------------------------------------------------


class TestSanitiserForTheDesk:
    def test_library_image_keeps_its_id(self):
        body = '<figure class="figure"><img src="/m/a.png" alt="A" data-file="12" onerror="x()">'
        body += "</figure>"

        cleaned = sanitize_html(body)

        assert 'data-file="12"' in cleaned
        assert "onerror" not in cleaned

    def test_table_column_widths_are_kept_and_other_styles_go(self):
        table = (
            '<table><colgroup><col style="width: 120px; color: red">'
            '<col style="min-width: 25px; background: url(javascript:x)"></colgroup>'
            '<tbody><tr><td style="width: 3px">a</td><td>b</td></tr></tbody></table>'
            '<p style="width: 10px">text</p>'
        )

        cleaned = sanitize_html(table)

        assert '<colgroup><col style="width:120px"><col style="min-width:25px"></colgroup>' in (
            cleaned
        )
        assert "color" not in cleaned and "javascript" not in cleaned
        assert "<td>a</td>" in cleaned
        assert "<p>text</p>" in cleaned


# 9. Properties ------------------------------------------------------------------------------

_DEL = re.compile(r"<del>.*?</del>", re.DOTALL)
_INS = re.compile(r"<ins>.*?</ins>", re.DOTALL)
_MARKS = re.compile(r"</?(?:ins|del)>")

words = st.lists(
    st.sampled_from(["the", "cat", "<script>", "a&b", '"q"', "dog", " ", "\n", "\t", "<p>"])
    | st.text(max_size=6),
    max_size=12,
).map("".join)


@given(before=words, after=words)
def test_word_diff_is_the_new_text_escaped_with_marks(before, after):
    diff = str(word_diff(before, after))

    assert "<script" not in diff.lower()
    assert _MARKS.sub("", _DEL.sub("", diff)) == html.escape(after)
    assert _MARKS.sub("", _INS.sub("", diff)) == html.escape(before)


@given(st.text())
def test_word_diff_of_a_text_with_itself_marks_nothing(text):
    diff = str(word_diff(text, text))

    assert "<ins>" not in diff and "<del>" not in diff


# Bodies made of the pieces reader_html looks for, so the examples reach its figure and embed
# code, not only plain text.
_PIECES = [
    "<p>", "</p>", "https://", "http://", "www.youtube.com/watch?v=", "youtu.be/", "vimeo.com/",
    "dQw4w9WgXcQ", "76979871", '<a href="', '">', "</a>", "&amp;", "?v=", " ", "x",
    '<figure class="figure">', "</figure>", "<figcaption>", "</figcaption>",
    '<img src="/m/a.png" alt="A" data-file="', '<img alt="', '"', ">", "1", "javascript:",
]  # fmt: skip
# Brackets and non-ASCII hosts make urlsplit raise (the known bug below): kept out of this
# strategy so it still checks everything else.
body_pieces = st.lists(
    st.sampled_from(_PIECES) | st.text(alphabet="abc012-_/.=&#;:", max_size=4), max_size=16
).map("".join)


@given(body_pieces)
def test_reader_html_of_desk_like_bodies_is_safe(body):
    out = str(reader_html(body))

    for src in re.findall(r'<iframe src="([^"]*)"', out):
        assert src.startswith(
            ("https://www.youtube-nocookie.com/embed/", "https://player.vimeo.com/video/")
        )
    assert out.count("<iframe") == body.count("<iframe") + out.count('<figure class="embed">')


@given(st.text())
@example("<p>https://[</p>")
def test_reader_html_never_raises(body):
    reader_html(body)


_HOSTS = ["youtube.com", "www.youtube.com", "m.youtube.com", "youtu.be", "vimeo.com", "evil.com"]
addresses = st.builds(
    lambda scheme, host, path: f"{scheme}{host}{path}",
    st.sampled_from(["https://", "http://", "javascript:", "HTTPS://", "//", ""]),
    st.sampled_from(_HOSTS) | st.text(alphabet="abcxyz.-", max_size=12),
    st.sampled_from(["/watch?v=dQw4w9WgXcQ", "/dQw4w9WgXcQ", "/76979871", "/watch", "/"])
    | st.text(alphabet="abcXYZ019/?=&;-_%\"'<> ", max_size=24),
)


def _is_player(address):
    return address is None or re.fullmatch(
        r"https://(www\.youtube-nocookie\.com/embed/[\w-]+|player\.vimeo\.com/video/\d+)",
        address,
    )


@given(addresses)
def test_embed_address_gives_a_known_player_or_nothing(url):
    assert _is_player(embed_address(url))


@given(st.text())
@example("https://[")
def test_embed_address_of_any_text_gives_a_known_player_or_nothing(url):
    assert _is_player(embed_address(url))
