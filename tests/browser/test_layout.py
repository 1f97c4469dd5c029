"""The pages at phone, tablet and desktop widths, in dark mode and in print, and their weight."""

import pytest
from playwright.sync_api import expect

from tests.browser.content import build_site

pytestmark = pytest.mark.django_db(transaction=True)

PAGES = ["home", "article", "category", "tag", "author", "archive", "search", "page", "404"]
WIDTHS = [375, 768, 1280]

OVERFLOW_JS = """() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    // What sticks out, to name in the failure: the outermost such elements.
    culprits: [...document.querySelectorAll("body *")]
        .filter(el => el.getBoundingClientRect().right > window.innerWidth + 0.5)
        .filter(el => !el.parentElement.closest("body *")
            || el.parentElement.getBoundingClientRect().right <= window.innerWidth + 0.5)
        .slice(0, 5)
        .map(el => el.outerHTML.slice(0, 120)),
})"""


@pytest.mark.parametrize("name", PAGES)
def test_no_horizontal_scrolling_at_phone_tablet_and_desktop_widths(name, new_context):
    path = build_site().pages[name]
    page = new_context(viewport={"width": WIDTHS[0], "height": 800}).new_page()
    page.goto(path)

    overflowing = {}
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        measured = page.evaluate(OVERFLOW_JS)
        if measured["scrollWidth"] > measured["innerWidth"]:
            overflowing[width] = measured

    assert overflowing == {}, path


# Characters on each line of a paragraph, from where the browser put each character.
LINE_LENGTHS_JS = """paragraph => {
    const tops = [];
    const walker = document.createTreeWalker(paragraph, NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        for (let i = 0; i < node.length; i++) {
            range.setStart(node, i);
            range.setEnd(node, i + 1);
            const box = range.getClientRects()[0];
            if (box) tops.push(Math.round(box.top));
        }
    }
    const lines = new Map();
    tops.forEach(top => lines.set(top, (lines.get(top) || 0) + 1));
    return [...lines.values()];
}"""


def test_article_lines_are_60_to_80_characters_long_on_a_wide_screen(new_context):
    page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(build_site().pages["article"])

    # The second paragraph: the first opens with a drop cap.
    lines = page.locator(".article__body > p").nth(1).evaluate(LINE_LENGTHS_JS)

    full_lines = lines[:-1]  # the last line of a paragraph is as short as it happens to be
    assert len(full_lines) >= 3, lines
    average = sum(full_lines) / len(full_lines)
    assert 60 <= average <= 80, lines


def test_dark_mode_follows_the_system_setting(new_context):
    path = build_site().pages["article"]
    colours = {}
    for scheme in ("light", "dark"):
        page = new_context(color_scheme=scheme).new_page()
        page.goto(path)
        colours[scheme] = page.locator("body").evaluate(
            "body => [getComputedStyle(body).backgroundColor, getComputedStyle(body).color]"
        )

    assert colours["light"] != colours["dark"]
    # A dark page: each of its background's red, green and blue below a quarter.
    background = colours["dark"][0].removeprefix("rgb(").removesuffix(")").split(",")
    assert all(int(value) < 64 for value in background), colours


def test_printed_article_is_the_article_alone(new_context):
    page = new_context().new_page()
    page.goto(build_site().pages["article"])

    page.emulate_media(media="print")

    expect(page.locator(".article__title")).to_be_visible()
    expect(page.locator(".article__body")).to_be_visible()
    for chrome in (".site-nav", ".masthead form", "#likes", "#respond", ".promotion", ".related"):
        expect(page.locator(chrome)).to_be_hidden()


def test_article_page_weighs_under_100_kb_before_images(new_context):
    page = new_context().new_page()
    page.goto(build_site().pages["article"])
    page.wait_for_load_state("load")

    sizes = page.evaluate(
        """() => [performance.getEntriesByType("navigation")[0],
                  ...performance.getEntriesByType("resource")]
            .filter(entry => !["img", "image"].includes(entry.initiatorType))
            .map(entry => [entry.name, entry.decodedBodySize])"""
    )

    total = sum(size for _name, size in sizes)
    assert 0 < total < 100 * 1024, sizes
