"""Every public page is valid HTML (the Nu HTML Checker), with its headings in order."""

import json
import subprocess
from html.parser import HTMLParser
from pathlib import PurePosixPath
from urllib.parse import urlsplit

import pytest
from django.core import signing
from django.test import Client

from comments import accounts, privacy
from comments.forms import sign_form
from comments.models import PrivacyRequest
from tests.browser.content import build_site
from tests.browser.tools import VNU_JAR, require_vnu

pytestmark = pytest.mark.django_db

# The pages a reader can reach: each kind of public page, and the article as a commenter
# sees it (their held comment, then the form set up to reply without JavaScript).
PAGES = [
    "home",
    "article",
    "article-held",
    "article-reply",
    "category",
    "tag",
    "author",
    "archive",
    "search",
    "page",
    "404",
    "following-asked",
    "following-bad-link",
    "your-data",
    "your-data-export",
    "sign-in",
    "email-link",
    "email-link-confirm",
]
STATUS = {"404": 404, "following-bad-link": 400}
# Pages that are the same for everyone: fetched by address.
SIMPLE = {"your-data": "/your-data/", "sign-in": "/accounts/login/",
          "email-link": "/accounts/email-link/"}  # fmt: skip

_pages: dict[str, dict] = {}


def fetch_pages() -> dict[str, dict]:
    """Page name → {"path", "status", "html"} for the sample site, as readers get them."""
    site = build_site()
    paths = dict(site.pages)
    paths["article-reply"] = f"{site.pages['article']}?replytocom={site.comments[0].pk}"
    commenter = Client()
    response = commenter.post(
        "/comments/post/",
        {"name": "Rosa Reader", "email": "rosa@example.com", "content": "Wider pavements.",
         "article": site.article.pk, "signature": sign_form(site.article.pk)},
    )  # fmt: skip
    assert response.status_code == 302, response.status_code
    pages = {}
    asked = Client().post(
        "/comments/follow/",
        {"email": "rosa@example.com", "article": site.article.pk, "notify_replies": "on"},
    )
    pages["following-asked"] = {"path": "/comments/follow/", "status": asked.status_code,
                                "html": asked.text}  # fmt: skip
    bad = Client().get("/comments/follow/not-a-real-token/")
    pages["following-bad-link"] = {"path": "/comments/follow/not-a-real-token/",
                                   "status": bad.status_code, "html": bad.text}  # fmt: skip
    for name, path in SIMPLE.items():
        response = Client().get(path)
        pages[name] = {"path": path, "status": response.status_code, "html": response.text}
    asked = PrivacyRequest.objects.create(email="rosa@example.com", kind="export")
    token = privacy.confirm(privacy.token(asked)) and privacy.token(asked)
    export = Client().get(f"/your-data/{token}/export.html")
    pages["your-data-export"] = {"path": "/your-data/…/export.html", "status": export.status_code,
                                 "html": export.text}  # fmt: skip
    link = signing.dumps({"e": "rosa@example.com", "n": "", "x": "/"}, salt=accounts.SALT,
                         compress=True)  # fmt: skip
    confirm = Client().get(f"/accounts/email-link/{link}/")
    pages["email-link-confirm"] = {"path": "/accounts/email-link/…/", "html": confirm.text,
                                   "status": confirm.status_code}  # fmt: skip
    for name in PAGES:
        if name in pages:
            continue
        browser = commenter if name == "article-held" else Client()
        path = paths["article" if name == "article-held" else name]
        response = browser.get(path)
        pages[name] = {"path": path, "status": response.status_code, "html": response.text}
    # Pages with something on them, not their empty states.
    for name in ("home", "category", "tag", "author", "archive", "search"):
        assert site.article.title in pages[name]["html"], name
    assert "Your comment is awaiting moderation." in pages["article-held"]["html"]
    assert "Leave a Reply to <bdi>Grace Hopper</bdi>" in pages["article-reply"]["html"]
    return pages


def check_with_vnu(pages: dict[str, dict], folder) -> None:
    """Add each page's Nu HTML Checker errors, from one run over all of them (the JVM is slow
    to start), as pages[name]["errors"]."""
    files = {}
    for name, page in pages.items():
        files[name] = folder / f"{name}.html"
        files[name].write_text(page["html"], encoding="utf-8")
    run = subprocess.run(
        ["java", "-jar", str(VNU_JAR), "--format", "json", "--stdout", "--exit-zero-always",
         *map(str, files.values())],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    for page in pages.values():
        page["errors"] = []
    for message in json.loads(run.stdout)["messages"]:
        if message["type"] in ("error", "non-document-error"):
            # The checker names the file by a URL such as file:/tmp/…/home.html.
            name = PurePosixPath(urlsplit(message["url"]).path).stem
            pages[name]["errors"].append(
                f"line {message.get('lastLine', '?')}: {message['message']} "
                f"[{message.get('extract', '').strip()}]"
            )


@pytest.fixture
def pages(db):
    """The pages, fetched once by the first test that asks and shared by the others."""
    if not _pages:
        _pages.update(fetch_pages())
    return _pages


@pytest.fixture
def checked_pages(pages, tmp_path_factory):
    """The pages with their Nu HTML Checker errors, from one run of the checker."""
    require_vnu()
    if "errors" not in pages["home"]:
        check_with_vnu(pages, tmp_path_factory.mktemp("vnu"))
    return pages


@pytest.mark.parametrize("name", PAGES)
def test_page_is_valid_html(name, checked_pages):
    page = checked_pages[name]

    assert page["status"] == STATUS.get(name, 200), page["path"]
    assert page["errors"] == [], f"{page['path']}:\n" + "\n".join(page["errors"])


class Headings(HTMLParser):
    def __init__(self):
        super().__init__()
        self.levels = []

    def handle_starttag(self, tag, attrs):
        if len(tag) == 2 and tag[0] == "h" and tag[1] in "123456":
            self.levels.append(int(tag[1]))


@pytest.mark.parametrize("name", PAGES)
def test_headings_are_in_order(name, pages):
    """One h1, and no level skipped on the way down (h2 after h1, h3 after h2, …)."""
    parser = Headings()
    parser.feed(pages[name]["html"])
    levels = parser.levels

    assert levels.count(1) == 1, levels
    assert levels[0] == 1, levels
    skips = [(a, b) for a, b in zip(levels, levels[1:], strict=False) if b > a + 1]
    assert skips == [], levels
