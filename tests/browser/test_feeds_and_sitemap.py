"""Every feed parses cleanly, and /sitemap.xml keeps to the sitemaps.org schema.

The schema (sitemap.xsd, protocol 0.9) is not fetched: there is no network here. Its rules
for a <urlset> are few, and `schema_errors` checks each of them.
"""

import re
import xml.etree.ElementTree as ET
from decimal import Decimal, InvalidOperation

import feedparser
import pytest

from tests.browser.content import build_site

pytestmark = pytest.mark.django_db

NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
CHANGEFREQ = {"always", "hourly", "daily", "weekly", "monthly", "yearly", "never"}
# W3C Datetime, the lastmod format: YYYY, YYYY-MM, YYYY-MM-DD, or a date with hh:mm[:ss[.s]]TZD.
W3C_DATETIME = re.compile(
    r"\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?)?)?"
)
URL_CHILDREN = ["loc", "lastmod", "changefreq", "priority"]  # in this order; only loc required


def schema_errors(urlset: ET.Element) -> list[str]:
    """How the document breaks sitemap.xsd's rules for <urlset>, one string each."""
    errors = []
    if urlset.tag != f"{NS}urlset":
        return [f"the root is {urlset.tag}, not {NS}urlset"]
    if not 1 <= len(urlset) <= 50_000:
        errors.append(f"{len(urlset)} <url> elements (1 to 50,000 allowed)")
    for n, url in enumerate(urlset, 1):
        if url.tag != f"{NS}url":
            errors.append(f"child {n} is {url.tag}, not <url>")
            continue
        # Sitemap elements in schema order, each once; elements of other namespaces may follow.
        names = [child.tag.removeprefix(NS) for child in url if child.tag.startswith(NS)]
        if names != [name for name in URL_CHILDREN if name in names] or names[:1] != ["loc"]:
            errors.append(f"url {n}: children {names}, expected loc then {URL_CHILDREN[1:]}")
        values = {child.tag.removeprefix(NS): (child.text or "").strip() for child in url}
        loc = values.get("loc", "")
        if not (12 <= len(loc) <= 2048 and re.match(r"https?://[^\s/]+/\S*$", loc)):
            errors.append(f"url {n}: loc {loc!r} is not an absolute http(s) URL of 12–2048")
        if "lastmod" in values and not W3C_DATETIME.fullmatch(values["lastmod"]):
            errors.append(f"url {n}: lastmod {values['lastmod']!r} is not a W3C datetime")
        if "changefreq" in values and values["changefreq"] not in CHANGEFREQ:
            errors.append(f"url {n}: changefreq {values['changefreq']!r}")
        if "priority" in values:
            try:
                valid = Decimal("0") <= Decimal(values["priority"]) <= Decimal("1")
            except InvalidOperation:
                valid = False
            if not valid:
                errors.append(f"url {n}: priority {values['priority']!r} is not 0.0–1.0")
    return errors


def test_sitemap_keeps_to_the_sitemaps_org_schema(client):
    site = build_site()

    response = client.get("/sitemap.xml")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    urlset = ET.fromstring(response.content)
    assert schema_errors(urlset) == []
    locs = {url.findtext(f"{NS}loc") for url in urlset}
    for name in ("article", "category", "tag", "page"):
        assert f"http://testserver{site.pages[name]}" in locs, name
    assert f"http://testserver{site.other.get_absolute_url()}" in locs


def test_the_schema_check_catches_what_the_schema_forbids():
    bad = ET.fromstring(
        f'<urlset xmlns="{NS[1:-1]}"><url><lastmod>25/11/2026</lastmod><loc>/relative/</loc>'
        "<changefreq>sometimes</changefreq><priority>2</priority></url><note/></urlset>"
    )

    assert len(schema_errors(bad)) == 6


def test_every_feed_parses_without_errors(client):
    site = build_site()
    feeds = [
        "/feed/",
        "/feed/atom/",
        "/comments/feed/",
        site.article.get_absolute_url() + "feed/",
        f"{site.pages['category']}feed/",
        f"{site.pages['tag']}feed/",
        f"{site.pages['author']}feed/",
    ]

    for path in feeds:
        response = client.get(path)
        assert response.status_code == 200, path
        feed = feedparser.parse(response.content)
        assert feed.bozo == 0, (path, feed.get("bozo_exception"))
        assert feed.version and feed.entries, path
