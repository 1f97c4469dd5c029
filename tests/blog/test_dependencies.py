"""A cached page depends on what it shows, and on nothing else (blog/versions.py).

Each test warms the pages of a small site, changes one thing as an editor or a reader would,
and reads every page again: a page that shows the change is drawn afresh (a miss) and shows
it; every other page is still served from the cache (a hit).
"""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from blog.models import Article
from comments.models import Comment, ModerationSettings
from tests.factories import make_article, make_category, make_draft

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(db):
    ModerationSettings.load()
    now = timezone.now()
    world = make_category("World")
    old = make_article("Old story", published_at=now - timedelta(days=3), categories=[world],
                       tags=["rivers"])  # fmt: skip
    middle = make_article("Middle story", published_at=now - timedelta(days=2), tags=["rivers"])
    latest = make_article("Latest story", published_at=now - timedelta(days=1))
    site = SimpleNamespace(now=now, world=world, old=old, middle=middle, latest=latest)
    site.pages = {
        "old": old.get_absolute_url(),
        "middle": middle.get_absolute_url(),
        "latest": latest.get_absolute_url(),
        "home": "/",
        "world": world.get_absolute_url(),
    }
    for path in site.pages.values():
        Client().get(path)
    assert cached(site) == dict.fromkeys(site.pages, "hit")
    return site


def cached(site) -> dict:
    """Whether each page of the site was served from the cache, reading each once."""
    return {name: Client().get(path)["X-Page-Cache"] for name, path in site.pages.items()}


def text(path) -> str:
    return Client().get(path).content.decode()


def test_publishing_an_article_leaves_the_long_tail_cached(site):
    make_article("Breaking story", published_at=timezone.now() - timedelta(minutes=1),
                 tags=["rivers"])  # fmt: skip

    assert cached(site) == {
        "old": "hit",
        "middle": "hit",  # shares a tag, but related articles are earlier ones
        "latest": "miss",  # its "Next article" is the new one
        "home": "miss",
        "world": "hit",  # the new article is not in the category
    }
    assert "Breaking story" in text(site.pages["latest"])
    assert "Breaking story" in text("/")


def test_saving_a_draft_changes_nothing_cached(site):
    draft = make_draft("Not yet")
    draft.body = "<p>Second thoughts.</p>"
    draft.save()

    assert set(cached(site).values()) == {"hit"}


def test_editing_an_article_makes_its_page_and_its_lists_stale(site):
    site.old.body = "<p>A corrected paragraph.</p>"
    site.old.save()

    assert cached(site) == {
        "old": "miss",
        "middle": "miss",  # links to it by title, as its previous article
        "latest": "hit",
        "home": "miss",
        "world": "miss",
    }
    assert "A corrected paragraph." in text(site.pages["old"])


def test_renaming_a_category_makes_every_page_showing_its_name_stale(site):
    site.world.name = "Abroad"
    site.world.save()

    # Every page's navigation shows the top-level categories.
    assert set(cached(site).values()) == {"miss"}
    for path in site.pages.values():
        page = text(path)
        assert "Abroad" in page and ">World<" not in page


def test_a_comment_on_one_article_leaves_the_others_cached(site):
    Comment.objects.create(article=site.old, author_name="Ada", author_email="ada@example.com",
                           content="Well argued.", status=Comment.Status.APPROVED)  # fmt: skip

    assert cached(site) == {"old": "miss", "middle": "hit", "latest": "hit", "home": "hit",
                            "world": "hit"}  # fmt: skip
    assert "Well argued." in text(site.pages["old"])


def test_an_article_published_with_an_earlier_date_enters_later_related_lists(site):
    make_article("Archive piece", published_at=site.now - timedelta(days=2, hours=12),
                 tags=["rivers"])  # fmt: skip

    assert cached(site) == {
        "old": "miss",  # its next article now
        "middle": "miss",  # its previous article, and related by tag
        "latest": "hit",
        "home": "miss",
        "world": "hit",
    }
    related = text(site.pages["middle"]).split('id="related-title"')[1]
    assert "Archive piece" in related


def test_unpublishing_an_article_takes_it_off_its_neighbours_pages(site, admin_client):
    admin_client.post(
        "/admin/blog/article/", {"action": "unpublish", "_selected_action": [site.middle.pk]}
    )

    site.pages.pop("middle")
    assert cached(site) == {"old": "miss", "latest": "miss", "home": "miss", "world": "hit"}
    assert "Middle story" not in text(site.pages["old"]) + text(site.pages["latest"])


def test_an_article_published_by_the_clock_reaches_its_neighbour(site):
    scheduled = make_article("Scheduled story", published_at=timezone.now() + timedelta(hours=1))
    assert set(cached(site).values()) == {"hit"}

    # Its time comes: no save happens, so no signal. (The moment was asked an hour ago.)
    Article.objects.filter(pk=scheduled.pk).update(published_at=timezone.now())
    asked = (timezone.now() - timedelta(hours=1)).timestamp()
    cache.set("version:content:next-change", (timezone.now().timestamp(), asked), timeout=None)

    assert cached(site) == {"old": "hit", "middle": "hit", "latest": "miss", "home": "miss",
                            "world": "hit"}  # fmt: skip
    assert "Scheduled story" in text(site.pages["latest"])
