"""WCAG 2.1 A and AA on every public page (axe-core), and what axe cannot judge alone:
visible labels, visible focus, and a comment form that works with the keyboard only."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.content import build_site
from tests.browser.tools import AXE_JS, require_axe

pytestmark = pytest.mark.django_db(transaction=True)

PAGES = ["home", "article", "category", "tag", "author", "archive", "search", "page", "404"]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page):
    """axe-core's WCAG 2.1 A/AA violations on the page, one readable string each.

    The page's context must be opened with bypass_csp=True: the site's policy rightly
    forbids the inline script that injects axe.
    """
    require_axe()
    page.add_script_tag(path=str(AXE_JS))
    results = page.evaluate(
        """tags => axe.run(document, {
            runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]
        })""",
        WCAG_TAGS,
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']}\n"
        + "\n".join(
            f"    {node['target']}: {' '.join(node['failureSummary'].split())}"
            for node in v["nodes"][:5]
        )
        for v in results["violations"]
    ]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", PAGES)
def test_page_has_no_wcag_violations(name, scheme, new_context):
    path = build_site().pages[name]
    page = new_context(color_scheme=scheme, bypass_csp=True).new_page()
    page.goto(path)

    violations = axe_violations(page)

    assert violations == [], f"{path} ({scheme}):\n" + "\n".join(violations)


@pytest.mark.parametrize("state", ["confirm", "unsubscribe", "bad-link"])
def test_following_pages_have_no_wcag_violations(state, new_context, settings, live_site):
    from comments import following
    from comments.models import Subscription

    site = build_site()
    subscription = Subscription.objects.create(
        email="kim@example.com", kind=Subscription.Kind.REPLIES, article=site.article
    )
    paths = {
        "confirm": following.confirm_url(subscription),
        "unsubscribe": following.unsubscribe_url(subscription),
        "bad-link": "/comments/follow/not-a-real-token/",
    }
    page = new_context(bypass_csp=True).new_page()
    page.goto(paths[state].removeprefix(settings.SITE_URL))

    violations = axe_violations(page)

    assert violations == [], "\n".join(violations)


@pytest.mark.parametrize("name", ["your-data", "export", "sign-in", "email-link", "link-confirm"])
def test_reader_account_pages_have_no_wcag_violations(name, new_context):
    from django.core import signing

    from comments import accounts, privacy
    from comments.models import PrivacyRequest

    build_site()
    asked = PrivacyRequest.objects.create(email="kim@example.com", kind="export")
    privacy.confirm(privacy.token(asked))
    link = signing.dumps({"e": "kim@example.com", "n": "", "x": "/"}, salt=accounts.SALT)
    paths = {
        "your-data": "/your-data/",
        "export": f"/your-data/{privacy.token(asked)}/export.html",
        "sign-in": "/accounts/login/",
        "email-link": "/accounts/email-link/",
        "link-confirm": f"/accounts/email-link/{link}/",
    }
    page = new_context(bypass_csp=True).new_page()
    page.goto(paths[name])

    violations = axe_violations(page)

    assert violations == [], "\n".join(violations)


# Fields whose label a sighted reader cannot see: a placeholder or a visually hidden label
# is not enough. The honeypot (inside aria-hidden) is for bots and is left out.
UNLABELLED_FIELDS_JS = """form => {
    const seen = label => {
        const box = label.getBoundingClientRect(), style = getComputedStyle(label);
        return box.width > 1 && box.height > 1 && style.visibility === "visible"
            && style.clipPath === "none";
    };
    return [...form.querySelectorAll("input, select, textarea")]
        .filter(field => !["hidden", "submit", "button"].includes(field.type))
        .filter(field => !field.closest("[aria-hidden=true]"))
        .filter(field => ![...field.labels].some(seen))
        .map(field => field.outerHTML);
}"""


@pytest.mark.parametrize(
    ("name", "form"),
    [
        ("article", "#commentform"),
        ("search", "main form[role=search]"),
        ("404", "main form[role=search]"),
        ("home", ".masthead form[role=search]"),
    ],
)
def test_every_form_field_has_a_visible_label(name, form, new_context):
    page = new_context().new_page()
    page.goto(build_site().pages[name])

    unlabelled = page.locator(form).evaluate(UNLABELLED_FIELDS_JS)

    assert unlabelled == []


FOCUSED_JS = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const style = getComputedStyle(el), box = el.getBoundingClientRect();
    return {
        element: el.outerHTML.slice(0, 120),
        ring: (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0)
            || style.boxShadow !== "none",
        onScreen: box.width > 0 && box.height > 0 && box.bottom > 0 && box.right > 0
            && box.top < innerHeight && box.left < innerWidth,
    };
}"""


def tab(page):
    page.keyboard.press("Tab")
    return page.evaluate(FOCUSED_JS)


def test_focus_is_visible_on_everything_the_keyboard_reaches(new_context):
    site = build_site()
    page = new_context().new_page()
    page.goto(site.pages["article"])

    # The first stop is the skip link, and it leads into the main content.
    first = tab(page)
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    stops, hidden = [first], []
    for _ in range(200):  # the article page has fewer stops than this
        focused = tab(page)
        if focused is None or focused["element"] == stops[0]["element"]:
            break
        stops.append(focused)
    hidden = [stop["element"] for stop in stops if not (stop["ring"] and stop["onScreen"])]
    assert len(stops) > 20  # the whole page was walked, not just its top
    assert hidden == []


def test_comment_form_can_be_filled_and_sent_with_the_keyboard_alone(new_context):
    site = build_site()
    page = new_context().new_page()
    page.goto(site.pages["article"])

    for _ in range(200):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "id_content":
            break
    page.keyboard.type("Typed without a mouse.")
    for field, text in [("id_name", "Kay Board"), ("id_email", "kay@example.com")]:
        page.keyboard.press("Tab")
        expect(page.locator(f"#{field}")).to_be_focused()
        page.keyboard.type(text)
    page.keyboard.press("Tab")
    expect(page.locator("#id_url")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator("#id_remember")).to_be_focused()
    page.keyboard.press("Space")
    expect(page.locator("#id_remember")).to_be_checked()
    for box in ("id_notify_replies", "id_notify_posts"):
        page.keyboard.press("Tab")
        expect(page.locator(f"#{box}")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Post Comment")).to_be_focused()
    page.keyboard.press("Enter")

    page.wait_for_url(re.compile(r"#comment-\d+$"))
    comment = page.locator(page.url[page.url.index("#") :])
    expect(comment).to_contain_text("Typed without a mouse.")
    expect(comment).to_contain_text("Your comment is awaiting moderation.")
