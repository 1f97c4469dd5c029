"""Readers in a real browser: reading, liking, commenting and replying; and a spammer."""

import re
from urllib.parse import urlsplit

import feedparser
import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from blog.models import Article
from comments import services
from comments.models import Comment
from tests.browser.content import build_site

pytestmark = pytest.mark.django_db(transaction=True)

AWAITING = "Your comment is awaiting moderation."


def post_comment(page, *, name, email, content):
    """Fill the comment form by its labels, send it, and return the new comment's id."""
    form = page.locator("#commentform")
    form.get_by_role("textbox", name="Comment", exact=True).fill(content)
    form.get_by_role("textbox", name="Name", exact=True).fill(name)
    form.get_by_role("textbox", name="Email", exact=True).fill(email)
    form.get_by_role("button", name="Post Comment").click()
    # The post lands on the article, at the comment's anchor.
    page.wait_for_url(re.compile(r"#comment-\d+$"))
    return int(page.url.rsplit("-", 1)[1])


def test_reader_reads_likes_comments_and_replies(new_context, akismet, screenshot):
    site = build_site()
    article, grace = site.article, site.comments[0]
    reader = new_context().new_page()

    # Home → article.
    reader.goto("/")
    reader.get_by_role("link", name=article.title).first.click()
    expect(reader).to_have_url(re.compile(re.escape(article.get_absolute_url()) + "$"))
    expect(reader.get_by_role("heading", level=1)).to_have_text(article.title)
    expect(reader.locator(".article__header .byline")).to_contain_text("By Wendy Writer")
    expect(reader.get_by_role("complementary", name="Disclaimer")).to_contain_text(
        "The views expressed are the author's own."
    )
    promotion = reader.locator(".promotion")
    expect(promotion.locator(".promotion__label")).to_have_text("Promotion")
    expect(promotion).to_contain_text("Subscribe to the newsletter")
    filed = reader.locator(".filed")
    for name in ("Transport", "Opinion", "urbanism", "walking", "councils"):
        # A tag chip's name is "#urbanism": its "#" is CSS generated content.
        expect(filed.get_by_role("link", name=re.compile(rf"^#?{name}$"))).to_be_visible()

    # Like: the count goes up once; the button is then spent, and the server agrees.
    likes = reader.locator("#likes")
    button = likes.get_by_role("button")
    expect(likes).to_contain_text("Be the first to like this.")
    button.click()
    expect(likes).to_contain_text("1 reader likes this")
    expect(button).to_be_disabled()
    button.click(force=True)  # a disabled button: nothing may happen
    # The page is shared by every anonymous reader: no token, the browser's Origin vouches.
    assert reader.locator("#likes input[name=csrfmiddlewaretoken]").count() == 0
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(reader.url))
    again = reader.request.post(
        article.get_like_url(), headers={"Accept": "application/json", "Origin": origin}
    )
    assert again.json() == {"liked": True, "created": False, "count": 1}
    reader.reload()  # the cached page, and the browser remembers the like
    expect(button).to_be_disabled()
    expect(likes).to_contain_text("You like this.")
    expect(likes).to_contain_text("1 reader likes this")
    assert Article.objects.get(pk=article.pk).like_count == 1

    # Comment: Akismet says ham, and a first-time commenter is held for a moderator.
    mine = post_comment(
        reader, name="Rosa Reader", email="rosa@example.com", content="Wider pavements, please."
    )
    held = reader.locator(f"#comment-{mine}")
    expect(held.locator(".comment__author")).to_have_text("Rosa Reader")
    expect(held.locator(".comment__meta + .comment__awaiting")).to_have_text(AWAITING)
    comment = Comment.objects.get(pk=mine)
    assert (comment.status, comment.verdict) == (Comment.Status.HELD, Comment.Verdict.HAM)
    assert [form["comment_author"] for form in akismet.received("comment-check")] == ["Rosa Reader"]

    # Another reader does not see it.
    stranger = new_context().new_page()
    stranger.goto(article.get_absolute_url())
    expect(stranger.locator(f"#comment-{grace.pk}")).to_be_visible()
    expect(stranger.locator(f"#comment-{mine}")).to_have_count(0)
    expect(stranger.get_by_text("Wider pavements, please.")).to_have_count(0)

    # Reply with JavaScript: the form moves under Grace's comment, the page does not reload.
    address = reader.url
    reader.get_by_role("link", name="Reply to Grace Hopper").click()
    expect(reader.locator(f"#comment-{grace.pk} > #respond")).to_be_visible()
    expect(reader.locator("#commentform input[name=parent]")).to_have_value(str(grace.pk))
    expect(reader.locator("#cancel-comment-reply-link")).to_be_visible()
    expect(reader.get_by_role("textbox", name="Comment", exact=True)).to_be_focused()
    assert reader.url == address
    # Some time later (past the 15-second flood window), Rosa replies.
    cache.delete_many(services._flood_keys(Comment.objects.get(pk=mine)))
    reply = post_comment(
        reader, name="Rosa Reader", email="rosa@example.com", content="Agreed, Grace."
    )
    expect(reader.locator(f"#comment-{grace.pk} .children #comment-{reply}")).to_contain_text(
        AWAITING
    )
    assert Comment.objects.get(pk=reply).parent_id == grace.pk

    # Reply without JavaScript: the ?replytocom= link loads the page with the form set up.
    plain = new_context(java_script_enabled=False).new_page()
    plain.goto(article.get_absolute_url())
    plain.get_by_role("link", name="Reply to Grace Hopper").click()
    expect(plain).to_have_url(re.compile(rf"\?replytocom={grace.pk}#respond$"))
    expect(plain.locator("#reply-title")).to_contain_text("Leave a Reply to Grace Hopper")
    expect(plain.locator("#commentform input[name=parent]")).to_have_value(str(grace.pk))
    no_script = post_comment(
        plain, name="Sam Plain", email="sam@example.com", content="No scripts here."
    )
    expect(plain.locator(f"#comment-{grace.pk} .children #comment-{no_script}")).to_contain_text(
        AWAITING
    )
    assert Comment.objects.get(pk=no_script).parent_id == grace.pk
    print(screenshot(plain, "reader"))


def test_spam_is_answered_politely_and_shown_nowhere(new_context, akismet, screenshot):
    site = build_site()
    article = site.article
    spammer = new_context().new_page()
    spammer.goto(article.get_absolute_url())

    spam = post_comment(
        spammer,
        name="akismet-guaranteed-spam",
        email="spammer@example.com",
        content="Cheap watches, best prices.",
    )

    # The spammer is told what any held commenter is told, and learns nothing more.
    expect(spammer.locator(f"#comment-{spam} .comment__awaiting")).to_have_text(AWAITING)
    assert Comment.objects.get(pk=spam).status == Comment.Status.SPAM

    anonymous = new_context().new_page()
    anonymous.goto(article.get_absolute_url())
    expect(anonymous.locator(f"#comment-{site.comments[0].pk}")).to_be_visible()
    expect(anonymous.locator(f"#comment-{spam}")).to_have_count(0)
    expect(anonymous.get_by_text("Cheap watches")).to_have_count(0)
    for feed in ("/comments/feed/", article.get_absolute_url() + "feed/"):
        parsed = feedparser.parse(anonymous.request.get(feed).text())
        contents = " ".join(entry.get("summary", "") for entry in parsed.entries)
        assert "A fine argument" in contents, feed
        assert "Cheap watches" not in contents, feed
        assert "akismet-guaranteed-spam" not in str(parsed), feed
    assert anonymous.request.get(f"/comments/{spam}/", max_redirects=0).status == 404
    print(screenshot(spammer, "spammer"))
