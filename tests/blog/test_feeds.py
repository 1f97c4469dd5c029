"""The RSS and Atom feeds, read by a real feed parser as a reader's feed reader would."""

from datetime import UTC, datetime, timedelta

import feedparser
import pytest

from tests.factories import make_article, make_category, make_draft, make_user

pytestmark = pytest.mark.django_db

FEEDS = [
    "/feed/",
    "/feed/atom/",
    "/category/parent/feed/",
    "/category/parent/child/feed/",
    "/tag/x/feed/",
    "/author/name/feed/",
]


@pytest.fixture
def titles(db):
    """Twelve public articles by 'name', in parent/child, tagged x; their titles newest first."""
    author = make_user("name", first_name="Jane", last_name="Doe")
    child = make_category("Child", parent=make_category("Parent"))
    start = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
    titles = []
    for number in range(12):
        title = f"Story number {number:02d}"
        make_article(
            title,
            published_at=start + timedelta(days=number),
            authors=[author],
            categories=[child],
            tags=["x"],
            body=f"<p>Opening of story {number:02d}.</p>"
            + "<p>Filler words go on and on.</p>" * 40
            + f"<p>Closing line of story {number:02d}.</p>",
        )
        titles.append(title)
    return titles[::-1]


def parse(client, path):
    response = client.get(path)
    assert response.status_code == 200
    return feedparser.parse(response.content)


def entry_html(entry):
    return " ".join([entry.get("summary", "")] + [part.value for part in entry.get("content", [])])


@pytest.mark.parametrize("path", FEEDS)
def test_feed_parses_cleanly_with_the_ten_latest_articles(client, titles, path):
    feed = parse(client, path)

    assert feed.bozo == 0, feed.get("bozo_exception")
    assert [entry.title for entry in feed.entries] == titles[:10]


@pytest.mark.parametrize("path", FEEDS)
def test_feed_carries_the_full_article(client, titles, path):
    entry = parse(client, path).entries[0]

    assert "Opening of story 11." in entry_html(entry)
    assert "Closing line of story 11." in entry_html(entry)
    assert entry.link == "http://testserver/2025/03/12/story-number-11/"
    assert entry.author == "Jane Doe"


@pytest.mark.parametrize("path", ["/feed/", "/feed/atom/"])
def test_feed_leaves_out_drafts_and_scheduled_articles(client, titles, path):
    make_draft("A draft")
    make_article("Embargoed", published_at=datetime(2999, 1, 1, tzinfo=UTC))

    entries = parse(client, path).entries

    assert [entry.title for entry in entries] == titles[:10]


def test_feed_for_an_empty_tag_is_404(client):
    assert client.get("/tag/nothing/feed/").status_code == 404


def test_feed_of_an_empty_site_is_valid(client):
    feed = parse(client, "/feed/")

    assert feed.bozo == 0
    assert feed.entries == []


def test_an_unchanged_feed_answers_304_and_a_changed_one_200(client):

    make_article("First story")
    first = client.get("/feed/")
    etag = first["ETag"]

    again = client.get("/feed/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""

    make_article("Second story")
    changed = client.get("/feed/", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert "Second story" in changed.content.decode()
