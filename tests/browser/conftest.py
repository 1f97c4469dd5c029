"""Real-browser tests: Playwright (sync API) driving Debian's Chromium against the live server.

The tools come from outside Python: Chromium (`apt-get install chromium`), Java, and the npm
packages of package.json (`npm ci`: the Nu HTML Checker and axe-core). Without them these tests
skip and say what is missing; with BROWSER_TESTS_REQUIRED=1 (CI) they fail instead, so a lost
install step cannot pass unseen.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.browser.tools import (
    CHROMIUM,
    CHROMIUM_ARGS,
    LOCAL_HOSTS,
    SCREENSHOTS,
    TIMEOUT_MS,
    ensure_groups,
    missing,
)

_screenshots_written: list[Path] = []


@pytest.fixture(scope="package")
def browser():
    """One Chromium for the whole package; each test opens its own contexts."""
    if not CHROMIUM.exists():
        missing(f"Chromium ({CHROMIUM})", "apt-get install -y chromium")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    # Playwright's sync API runs an asyncio loop in this thread while it is started, and
    # Django refuses ORM calls when it sees one. The tests are synchronous code all the same.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def live_site(live_server, settings, monkeypatch, media_root):
    """The live server's address, with the site as the browser tests need it."""
    # The test stands where nginx would: each browser context is a reader of its own address,
    # told to the site in X-Forwarded-For by the trusted proxy at 127.0.0.1.
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    # config/urls.py hands MEDIA_ROOT to the media view when it is imported; tests/conftest.py
    # gives each test a media folder of its own, so point the view there too.
    from config import urls

    for pattern in urls.urlpatterns:
        if "document_root" in getattr(pattern, "default_args", {}):
            monkeypatch.setitem(pattern.default_args, "document_root", str(media_root))
    ensure_groups()
    return live_server.url


@pytest.fixture
def new_context(browser, live_site):
    """Open a fresh browser context (its own cookies): a new reader.

    Every page it opens fails the test on an uncaught JavaScript error, a breach of the
    site's Content Security Policy, or a request that leaves this machine (the site promises
    no CDN, no external fonts, no tracking).
    """
    contexts, problems = [], []

    def console(message):
        if message.type == "error" and "Content Security Policy" in message.text:
            problems.append(f"{message.page.url if message.page else ''}: {message.text}")

    def watch(page):
        page.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))
        page.on("console", console)

    def keep_local(route):
        host = urlsplit(route.request.url).hostname or ""
        if host in LOCAL_HOSTS or route.request.url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            problems.append(f"request to another host: {route.request.url}")
            route.abort()

    def new_context(**options):
        """A context 1280 × 900 with JavaScript on, unless `options` say otherwise."""
        options.setdefault("viewport", {"width": 1280, "height": 900})
        address = f"192.0.2.{len(contexts) + 10}"  # documentation addresses, one per reader
        options.setdefault("extra_http_headers", {"X-Forwarded-For": address})
        context = browser.new_context(base_url=live_site, **options)
        context.set_default_timeout(TIMEOUT_MS)
        context.on("page", watch)
        context.route("**/*", keep_local)
        contexts.append(context)
        return context

    yield new_context
    for context in contexts:
        context.close()
    assert not problems, problems


@pytest.fixture
def screenshot():
    """Save a full-page screenshot of a journey's last step under test-artifacts/screenshots/."""

    def screenshot(page, name):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=path, full_page=True)
        _screenshots_written.append(path)
        return path

    return screenshot


def pytest_terminal_summary(terminalreporter):
    if _screenshots_written:
        terminalreporter.write_line(
            f"Browser journey screenshots ({len(_screenshots_written)}): {SCREENSHOTS}"
        )
