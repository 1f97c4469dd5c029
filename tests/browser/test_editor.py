"""An editor writes, previews and publishes an article through the admin, in a real browser."""

from datetime import timedelta

import feedparser
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from blog.models import Article, Image
from tests.browser.content import build_site
from tests.browser.tools import PASSWORD, sign_in
from tests.factories import image_bytes, make_article, make_draft, make_editor, make_writer

pytestmark = pytest.mark.django_db(transaction=True)

TITLE = "Bus lanes pay for themselves"
ALT = "A red bus in an empty bus lane at dusk"


def choose(page, field_id, search, option):
    """Pick `option` in an admin autocomplete (select2) field by typing `search`."""
    page.locator(f"#{field_id} + .select2-container").click()
    page.locator(".select2-container--open .select2-search__field").fill(search)
    page.get_by_role("option", name=option, exact=True).click()


def test_editor_writes_previews_and_publishes_an_article(new_context, screenshot):
    build_site()  # other articles, published before this one
    make_editor(first_name="Eddie", last_name="Editor", password=PASSWORD)
    editor = new_context().new_page()
    sign_in(editor, "editor")

    # An image, uploaded through the form.
    editor.goto("/admin/blog/image/add/")
    png = {"name": "bus.png", "mimeType": "image/png", "buffer": image_bytes(size=(1200, 800))}
    editor.get_by_label("File").set_input_files(files=[png])
    editor.get_by_label("Alt text").fill(ALT)
    editor.get_by_role("button", name="Save", exact=True).click()
    expect(editor.locator(".messagelist")).to_contain_text("was added successfully")
    image = Image.objects.get(alt_text=ALT)
    assert (image.width, image.height) == (1200, 800)

    # The article: a draft with that image, two categories and three tags.
    editor.goto("/admin/blog/article/add/")
    editor.get_by_label("Title").fill(TITLE)
    editor.get_by_label("Title").press("Tab")  # the slug is filled in from the title
    expect(editor.get_by_label("Slug")).to_have_value("bus-lanes-pay-for-themselves")
    editor.get_by_role("textbox", name="Body").fill(
        "Every city that has tried them has seen buses run faster and fuller."
    )
    expect(editor.locator("[data-word-count]")).to_have_text("13 words · 1 minute to read")
    choose(editor, "id_categories", "Cit", "Cities")
    choose(editor, "id_categories", "Opi", "Opinion")
    editor.get_by_label("Tags").fill("buses, budgets, congestion")
    choose(editor, "id_featured_image", "red bus", ALT)
    expect(editor.get_by_label("Status")).to_have_value("draft")
    editor.get_by_role("button", name="Save and continue editing").click()
    expect(editor.locator(".messagelist")).to_contain_text("was added successfully")
    article = Article.objects.get(title=TITLE)
    assert article.status == Article.Status.DRAFT
    assert sorted(c.name for c in article.categories.all()) == ["Cities", "Opinion"]
    assert sorted(article.tags.names()) == ["budgets", "buses", "congestion"]
    assert article.featured_image == image
    assert [a.username for a in article.authors_in_order] == ["editor"]

    # The preview opens the real page in a new tab: the editor sees the draft; an anonymous
    # reader gets 404.
    path = article.get_absolute_url()
    with editor.context.expect_page() as opened:
        editor.get_by_role("link", name="Preview").click()
    preview = opened.value
    preview.wait_for_load_state()
    assert preview.url.endswith(path)
    expect(preview.locator(".preview-banner")).to_contain_text("Preview — not public yet")
    expect(preview.get_by_role("heading", level=1)).to_have_text(TITLE)
    featured = preview.locator(".article__figure img")
    expect(featured).to_have_attribute("alt", ALT)
    assert featured.evaluate("img => img.complete && img.naturalWidth > 0")
    anonymous = new_context().new_page()
    assert anonymous.goto(path).status == 404

    # Publish, now: the editor sets the time with the date and time shortcuts.
    preview.close()
    editor.get_by_label("Status").select_option("published")
    published_at = editor.locator(".field-published_at")
    published_at.get_by_role("link", name="Today").click()
    published_at.get_by_role("link", name="Now").click()
    editor.get_by_role("button", name="Save", exact=True).click()
    expect(editor.locator(".messagelist")).to_contain_text("was changed successfully")
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED
    assert timezone.now() - timedelta(minutes=1) < article.published_at <= timezone.now()

    # First on the home page and in the feed.
    anonymous.goto("/")
    expect(anonymous.locator(".card__title").first).to_have_text(TITLE)
    feed = feedparser.parse(anonymous.request.get("/feed/").text())
    assert not feed.bozo, feed.bozo_exception
    assert feed.entries[0].title == TITLE
    anonymous.get_by_role("link", name=TITLE).click()
    expect(anonymous.locator(".preview-banner")).to_have_count(0)
    expect(anonymous.locator(".filed")).to_contain_text("congestion")
    print(screenshot(anonymous, "editor"))


def test_publishing_a_draft_without_a_date_publishes_it_now(new_context):
    draft = make_draft("Parking is a subsidy")
    make_editor(password=PASSWORD)
    editor = new_context().new_page()
    sign_in(editor, "editor")
    editor.goto(f"/admin/blog/article/{draft.pk}/change/")

    editor.get_by_label("Status").select_option("published")
    editor.get_by_role("button", name="Save", exact=True).click()

    outcome = editor.locator(".messagelist, .errornote, .errorlist")
    expect(outcome.first).to_be_visible()
    assert "was changed successfully" in outcome.first.inner_text(), outcome.all_inner_texts()
    draft.refresh_from_db()
    assert draft.is_published


def test_removing_an_author_and_adding_them_again_puts_them_last_in_the_byline(new_context):
    daniel = make_writer("daniel", first_name="Daniel", last_name="Reyes")
    wendy = make_writer("wendy", first_name="Wendy", last_name="Writer")
    article = make_article("Trams, again", authors=[daniel, wendy])
    make_editor(password=PASSWORD)
    editor = new_context().new_page()
    sign_in(editor, "editor")
    editor.goto(f"/admin/blog/article/{article.pk}/change/")
    chips = editor.locator(".field-byline_authors .select2-selection__choice")
    expect(chips).to_have_text(["×Daniel Reyes", "×Wendy Writer"])

    chips.filter(has_text="Daniel Reyes").locator(".select2-selection__choice__remove").click()
    editor.keyboard.press("Escape")
    choose(editor, "id_byline_authors", "Dan", "Daniel Reyes")
    expect(chips).to_have_text(["×Wendy Writer", "×Daniel Reyes"])
    editor.get_by_role("button", name="Save", exact=True).click()

    expect(editor.locator(".messagelist")).to_contain_text("was changed successfully")
    assert [a.username for a in Article.objects.get(pk=article.pk).authors_in_order] == [
        "wendy", "daniel"]  # fmt: skip
