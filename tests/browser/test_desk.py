"""The writing desk in a real browser: a writer drafts with a figure and submits it, an editor
compares, restores and publishes, the reader sees the figure; autosave outlives a closed tab;
a stale save is refused; the editor's HTML survives the sanitiser; the edit page passes axe."""

import base64
import re
from html.parser import HTMLParser

import pytest
from playwright.sync_api import expect
from reversion.models import Version

from blog.models import Article, Autosave, Image
from blog.rendering import sanitize_html
from tests.browser.tools import PASSWORD, sign_in
from tests.factories import image_bytes, make_category, make_draft, make_editor, make_writer

pytestmark = pytest.mark.django_db(transaction=True)

TITLE = "The tram comes back to town"
FIRST = "Forty years after the last tram, the rails are going down again on the high street."
SECOND = "Nobody asked the shopkeepers, who lose their parking for two years."
ALT = "Workers lay tram rails on a cobbled high street"
CAPTION = "Rails going down on the high street"
CREDIT = "Photo: Ana Lopes"


def body(page):
    return page.get_by_role("textbox", name="Body")


def insert_uploaded_figure(page):
    """Press the figure button, upload an image from the library window, insert it."""
    page.locator(".prose-menubar").get_by_title(re.compile("figure", re.I)).click()
    dialog = page.locator("dialog[open]")
    with page.expect_popup() as opened:
        dialog.get_by_role("button", name="Browse...").click()
    library = opened.value
    png = {"name": "tram.png", "mimeType": "image/png", "buffer": image_bytes(size=(1400, 900))}
    library.get_by_label("File").set_input_files(files=[png])
    library.get_by_label("Alt text").fill(ALT)
    library.get_by_label("Caption").fill(CAPTION)
    library.get_by_label("Credit").fill(CREDIT)
    library.get_by_role("button", name="Upload and insert").click()
    library.wait_for_event("close")
    expect(dialog.get_by_label("Alternative Text")).to_have_value(ALT)
    expect(dialog.get_by_label("Image URL")).to_have_value(re.compile(r"/media/images/.+\.png$"))
    dialog.get_by_role("button", name="Insert").click()
    expect(body(page).locator("figure img")).to_have_attribute("alt", ALT)


def test_writer_submits_a_figure_editor_restores_and_publishes(new_context, screenshot):
    make_category("Cities")
    make_writer(first_name="Wren", last_name="Writer", password=PASSWORD)
    make_editor(first_name="Eddie", last_name="Editor", password=PASSWORD)

    # The writer drafts, with an uploaded figure, and saves: the first revision.
    writer = new_context().new_page()
    sign_in(writer, "columnist")
    writer.goto("/admin/blog/article/add/")
    writer.get_by_label("Title").fill(TITLE)
    writer.get_by_label("Title").press("Tab")
    expect(writer.get_by_label("Slug")).to_have_value("the-tram-comes-back-to-town")
    body(writer).click()
    body(writer).press_sequentially(FIRST)
    body(writer).press("Enter")
    insert_uploaded_figure(writer)
    status = writer.get_by_label("Status")
    assert status.locator("option").all_inner_texts() == ["Draft", "Pending review"]
    writer.get_by_role("button", name="Save and continue editing").click()
    expect(writer.locator(".messagelist")).to_contain_text("was added successfully")

    # A second thought, submitted for review: the second revision.
    body(writer).locator("p").first.click()
    body(writer).press("End")
    body(writer).press_sequentially(" " + SECOND)
    status.select_option("pending")
    writer.get_by_role("button", name="Save and continue editing").click()
    expect(writer.locator(".messagelist")).to_contain_text("was changed successfully")
    article = Article.objects.get(title=TITLE)
    assert article.status == Article.Status.PENDING
    assert [a.username for a in article.authors_in_order] == ["columnist"]
    assert Version.objects.get_for_object(article).count() == 2

    # The editor finds it waiting, compares the two revisions and restores the first.
    editor = new_context().new_page()
    sign_in(editor, "editor")
    editor.goto("/admin/blog/article/")
    editor.get_by_role("link", name="1 waits for review").click()
    editor.get_by_role("link", name=TITLE).click()
    editor.get_by_role("link", name="Revisions").click()
    expect(editor.locator("#revision-list tbody tr")).to_have_count(2)
    editor.get_by_role("button", name="Compare the chosen revisions").click()
    body_row = editor.locator("tr", has=editor.get_by_role("rowheader", name="Body"))
    expect(body_row.locator("ins")).to_contain_text("shopkeepers")
    status_row = editor.locator("tr", has=editor.get_by_role("rowheader", name="Status"))
    expect(status_row.locator("td").nth(0)).to_have_text("Draft")
    expect(status_row.locator("td").nth(1)).to_have_text("Pending review")
    editor.get_by_role("button", name=re.compile("Restore the revision of")).click()
    expect(editor.locator(".messagelist")).to_contain_text("is restored, as a new revision")
    expect(body(editor)).not_to_contain_text("shopkeepers")
    expect(body(editor).locator("figure img")).to_have_attribute("alt", ALT)

    # And publishes it.
    editor.get_by_label("Status").select_option("published")
    published_at = editor.locator(".field-published_at")
    published_at.get_by_role("link", name="Today").click()
    published_at.get_by_role("link", name="Now").click()
    editor.get_by_role("button", name="Save", exact=True).click()
    expect(editor.locator(".messagelist")).to_contain_text("was changed successfully")
    article.refresh_from_db()
    assert article.is_published
    assert "shopkeepers" not in article.body
    assert Version.objects.get_for_object(article).count() == 4

    # The reader sees the figure, drawn from its renditions, with caption and credit.
    reader = new_context().new_page()
    reader.goto(article.get_absolute_url())
    figure = reader.locator(".article__body figure")
    webp = figure.locator("source[type='image/webp']")
    expect(webp).to_have_attribute("srcset", re.compile(r"\.webp \d+w, "))
    picture = figure.locator("img")
    expect(picture).to_have_attribute("alt", ALT)
    expect(picture).to_have_attribute("width", re.compile(r"^\d+$"))
    expect(picture).to_have_attribute("height", re.compile(r"^\d+$"))
    picture.scroll_into_view_if_needed()  # it loads lazily
    page_ready = (
        "() => { const img = document.querySelector('.article__body figure img');"
        " return img.complete && img.naturalWidth > 0; }"
    )
    reader.wait_for_function(page_ready)
    expect(figure.locator("figcaption")).to_contain_text(CAPTION)
    expect(figure.locator("figcaption")).to_contain_text(CREDIT)
    expect(reader.locator(".article__body")).not_to_contain_text("shopkeepers")
    print(screenshot(reader, "desk-reader"))


def test_autosave_outlives_a_closed_tab_and_publishes_nothing(new_context, settings):
    settings.ARTICLE_AUTOSAVE_SECONDS = 1
    draft = make_draft("Cycle lanes, counted", body="<p>The counters say one thing.</p>")
    make_editor(password=PASSWORD)
    context = new_context()
    tab = context.new_page()
    sign_in(tab, "editor")
    tab.goto(f"/admin/blog/article/{draft.pk}/change/")
    body(tab).locator("p").click()
    body(tab).press("End")
    body(tab).press_sequentially(" The riders say another.")
    expect(tab.locator("[data-autosave-status]")).to_contain_text("Draft kept at", timeout=5000)
    tab.close()

    kept = Autosave.objects.get(article=draft)
    assert "The riders say another." in kept.fields["body"]
    draft.refresh_from_db()
    assert "riders" not in draft.body  # kept aside, not saved, not published
    assert not draft.is_published

    tab = context.new_page()
    tab.goto(f"/admin/blog/article/{draft.pk}/change/")
    expect(tab.get_by_role("alert")).to_contain_text("were not saved")
    expect(body(tab)).not_to_contain_text("riders")
    tab.get_by_role("button", name="Restore my unsaved changes").click()
    expect(body(tab)).to_contain_text("The riders say another.")
    tab.get_by_role("button", name="Save", exact=True).click()
    expect(tab.locator(".messagelist")).to_contain_text("was changed successfully")
    draft.refresh_from_db()
    assert "The riders say another." in draft.body
    assert draft.status == Article.Status.DRAFT
    assert not Autosave.objects.exists()


def test_second_editors_stale_save_is_refused_and_keeps_their_text(new_context, settings):
    settings.ARTICLE_AUTOSAVE_SECONDS = 1
    draft = make_draft("Bridges need owners", body="<p>Who looks after the bridge?</p>")
    make_editor("first", password=PASSWORD)
    make_editor("second", password=PASSWORD)
    first = new_context().new_page()
    second = new_context().new_page()
    for page, name in [(first, "first"), (second, "second")]:
        sign_in(page, name)
        page.goto(f"/admin/blog/article/{draft.pk}/change/")
        expect(body(page)).to_contain_text("Who looks after the bridge?")

    # The first one types and the autosave keeps it: the second sees who else is at work.
    first.get_by_label("Title").fill("Bridges need owners, and money")
    expect(first.locator("[data-autosave-status]")).to_contain_text("Draft kept at", timeout=5000)
    second.reload()
    expect(second.get_by_role("status").filter(has_text="is also editing")).to_contain_text(
        "first is also editing this article"
    )
    first.get_by_role("button", name="Save", exact=True).click()
    expect(first.locator(".messagelist")).to_contain_text("was changed successfully")

    body(second).locator("p").click()
    body(second).press("End")
    body(second).press_sequentially(" Nobody, it turns out.")
    second.get_by_role("button", name="Save", exact=True).click()

    expect(second.locator(".errornote, .errorlist").first).to_be_visible()
    expect(second.locator(".errorlist.nonfield")).to_contain_text("saved this article")
    expect(second.locator(".errorlist.nonfield")).to_contain_text("first")
    expect(body(second)).to_contain_text("Nobody, it turns out.")  # nothing typed is lost
    draft.refresh_from_db()
    assert draft.title == "Bridges need owners, and money"
    assert "Nobody" not in draft.body


# One of everything the toolbar makes, as the editor itself writes it.
EVERY_ELEMENT = (
    "<h2>Heading two</h2><h3>Heading three</h3><h4>Heading four</h4>"
    "<p><strong>bold</strong> <em>italic</em> <u>underline</u> <s>struck</s> H<sub>2</sub>O "
    'x<sup>2</sup> <code>code</code> <a href="https://example.org/">a link</a><br>a break</p>'
    "<ul><li><p>bullet</p></li></ul><ol><li><p>number</p></li></ol>"
    "<blockquote><p>quoted</p></blockquote><hr>"
    "<table><tbody><tr><th><p>head</p></th></tr><tr><td><p>cell</p></td></tr></tbody></table>"
    '<figure><img src="/media/x.png" alt="An x" data-file="7"><figcaption>A caption</figcaption>'
    "</figure>"
)
ELEMENTS = [
    "h2", "h3", "h4", "strong", "em", "u", "s", "sub", "sup", "code", "a", "br", "ul", "ol",
    "li", "blockquote", "hr", "table", "th", "td", "figure", "img", "figcaption",
]  # fmt: skip


class _Canonical(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tokens = []

    def handle_starttag(self, tag, attrs):
        self.tokens.append(("start", tag, tuple(sorted(attrs))))

    def handle_endtag(self, tag):
        self.tokens.append(("end", tag))

    def handle_data(self, data):
        self.tokens.append(("text", data))


def canonical(html):
    """`html` as a list of tags (attributes sorted) and texts: equal for the same markup."""
    parser = _Canonical()
    parser.feed(html)
    parser.close()
    return parser.tokens


def edit_html(page):
    """Open the editor's HTML source dialog; its text box holds the editor's HTML."""
    page.locator(".prose-menubar").get_by_title("edit HTML").click()
    return page.locator("dialog[open]").get_by_label("HTML")


def test_what_the_editor_writes_is_what_the_sanitiser_keeps(new_context):
    draft = make_draft("Everything at once", body="<p>Start.</p>")
    make_editor(password=PASSWORD)
    page = new_context().new_page()
    sign_in(page, "editor")
    page.goto(f"/admin/blog/article/{draft.pk}/change/")
    expect(body(page)).to_contain_text("Start.")

    source = edit_html(page)
    source.fill(EVERY_ELEMENT)
    page.locator("dialog[open]").get_by_role("button", name="Update").click()
    written = edit_html(page).input_value()  # what the editor made of it
    page.locator("dialog[open]").get_by_role("button", name="Cancel").click()
    for tag in ELEMENTS:
        assert f"<{tag}" in written, f"the editor could not make <{tag}>: {written}"
    # The sanitiser keeps every bit of it (attribute order aside).
    assert canonical(sanitize_html(written)) == canonical(written)

    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    draft.refresh_from_db()
    assert canonical(draft.body) == canonical(written)
    # And the editor reads back what was saved, unchanged.
    assert canonical(edit_html(page).input_value()) == canonical(written)


def test_article_edit_page_has_no_wcag_violations(new_context):
    from tests.browser.test_accessibility import axe_violations

    draft = make_draft("Accessible desks", body="<p>Everyone can write here.</p>")
    make_editor(password=PASSWORD)
    page = new_context(bypass_csp=True).new_page()
    sign_in(page, "editor")
    page.goto(f"/admin/blog/article/{draft.pk}/change/")
    expect(body(page)).to_contain_text("Everyone can write here.")
    page.wait_for_load_state("load")

    violations = axe_violations(page)
    assert violations == [], "\n".join(violations)


def paste_image(page, name="phone.png"):
    png = base64.b64encode(image_bytes(size=(800, 600))).decode()
    body(page).evaluate(
        """(area, [png, name]) => {
            const bytes = Uint8Array.from(atob(png), c => c.charCodeAt(0));
            const clipboard = new DataTransfer();
            clipboard.items.add(new File([bytes], name, {type: "image/png"}));
            area.dispatchEvent(new ClipboardEvent("paste", {clipboardData: clipboard,
                                                            bubbles: true, cancelable: true}));
        }""",
        [png, name],
    )


def test_a_pasted_image_is_uploaded_to_the_library_not_kept_as_data(new_context):
    draft = make_draft("Pictures from the phone", body="<p>Here it is:</p>")
    make_editor(password=PASSWORD)
    page = new_context().new_page()
    sign_in(page, "editor")
    page.goto(f"/admin/blog/article/{draft.pk}/change/")
    body(page).locator("p").click()
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept("A tram")))

    paste_image(page)

    figure = body(page).locator("figure img")
    expect(figure).to_have_attribute("src", re.compile(r"^/media/images/.+\.png$"))
    image = Image.objects.get()
    assert "phone.png" in asked[0] and "alt text" in asked[0]
    assert image.alt_text == "A tram"
    expect(figure).to_have_attribute("data-file", str(image.pk))
    expect(figure).to_have_attribute("alt", "A tram")
    assert (image.width, image.height) == (800, 600)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    draft.refresh_from_db()
    assert "<figure" in draft.body and 'alt="A tram"' in draft.body
    assert "data:" not in draft.body


def test_a_pasted_image_without_alt_text_is_not_added(new_context):
    draft = make_draft("Pictures from the phone", body="<p>Here it is:</p>")
    make_editor(password=PASSWORD)
    page = new_context().new_page()
    sign_in(page, "editor")
    page.goto(f"/admin/blog/article/{draft.pk}/change/")
    body(page).locator("p").click()
    page.once("dialog", lambda dialog: dialog.dismiss())

    paste_image(page)

    expect(page.locator("[data-autosave-status]")).to_contain_text(
        "phone.png was not added: an image needs alt text."
    )
    expect(body(page).locator("figure")).to_have_count(0)
    assert not Image.objects.exists()
