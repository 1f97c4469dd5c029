"""The comment section as readers see it: threads, the depth limit, replying, pages,
permalinks, the heading, the query count, and the comment feeds."""

import feedparser
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comments.models import Comment
from tests.comments.conftest import Page, make_comment, posted
from tests.factories import make_article, make_draft, make_user

pytestmark = pytest.mark.django_db


def chain(article, length):
    """A comment and `length - 1` replies, each replying to the one before."""
    comments = [make_comment(article)]
    for _ in range(length - 1):
        comments.append(make_comment(article, parent=comments[-1]))
    return comments


def reply_link(li):
    """The Reply link of the comment itself, not of its replies."""
    body = next(node for node in li.children if getattr(node, "tag", None) == "article")
    return body.find("a", cls="comment-reply-link")


# Threads -----------------------------------------------------------------------------------


def test_replies_are_nested_under_their_parent(read, article):
    parent = make_comment(article, content="Parent")
    reply = make_comment(article, parent=parent, content="Reply")
    other = make_comment(article, content="Another")

    page = read(article.get_absolute_url())

    shown = page.comment(reply)
    assert "children" in shown.parent.classes
    assert shown.parent.parent is page.comment(parent)
    assert not page.comment(other).is_inside(page.comment(parent))
    top_level = page.find("ol", cls="comment-list").children
    assert [li.attrs["id"] for li in top_level if getattr(li, "tag", None) == "li"] == [
        f"comment-{parent.pk}",
        f"comment-{other.pk}",
    ]


def test_replies_deeper_than_the_limit_join_the_deepest_level(read, article, rules):
    rules.thread_depth = 3
    rules.save()
    first, second, third, fourth, fifth = chain(article, 5)

    page = read(article.get_absolute_url())

    for deep in (third, fourth, fifth):
        assert page.comment(deep).parent.parent is page.comment(second)
        assert "depth-3" in page.comment(deep).classes
        assert reply_link(page.comment(deep)) is None
    assert reply_link(page.comment(first)) is not None
    assert reply_link(page.comment(second)) is not None


def test_reply_link_opens_the_form_replying_to_that_comment(read, article):
    parent = make_comment(article, author_name="Grace")
    link = reply_link(read(article.get_absolute_url()).comment(parent))
    assert link.attrs["href"] == f"{article.get_absolute_url()}?replytocom={parent.pk}#respond"

    page = read(f"{article.get_absolute_url()}?replytocom={parent.pk}")

    assert page.by_id("reply-title").text.startswith("Leave a Reply to Grace")
    assert "hidden" not in page.by_id("cancel-comment-reply-link").attrs
    assert page.form_values()["parent"] == str(parent.pk)


@pytest.mark.parametrize("target", ["held", "other-article", "nonsense"])
def test_replytocom_to_something_else_leaves_a_plain_form(read, article, target):
    replytocom = {
        "held": lambda: make_comment(article, status=Comment.Status.HELD).pk,
        "other-article": lambda: make_comment(make_article()).pk,
        "nonsense": lambda: "'; drop table",
    }[target]()

    page = read(f"{article.get_absolute_url()}?replytocom={replytocom}")

    assert page.by_id("reply-title").text.startswith("Leave a Reply Cancel reply")
    assert page.form_values()["parent"] == ""


def test_a_posted_reply_appears_under_its_parent(post, read, article, ada_returns):
    reply = posted(post(article, parent=ada_returns.pk, content="Replying."))

    page = read(article.get_absolute_url())

    assert page.comment(reply).is_inside(page.comment(ada_returns))


# Heading -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("approved", "heading"),
    [
        (1, "One thought on “Tea and Toast”"),
        (3, "3 thoughts on “Tea and Toast”"),
    ],
)
def test_heading_counts_approved_comments_and_replies(read, article, approved, heading):
    first = make_comment(article)
    for _ in range(approved - 1):
        make_comment(article, parent=first)
    make_comment(article, status=Comment.Status.HELD)
    make_comment(article, status=Comment.Status.SPAM)

    assert read(article.get_absolute_url()).by_id("comments-title").text == heading


def test_no_heading_count_without_comments(read, article):
    title = read(article.get_absolute_url()).by_id("comments-title")

    assert title.text == "Comments"
    assert "visually-hidden" in title.classes


# Pages and permalinks ----------------------------------------------------------------------


@pytest.fixture
def fifty_one(article):
    """51 top-level comments, oldest first, and a late reply to the very first."""
    comments = [make_comment(article, content=f"Top {n}.") for n in range(51)]
    reply = make_comment(article, parent=comments[0], content="A late reply.")
    return comments, reply


def test_more_than_50_top_level_comments_go_on_pages(read, article, fifty_one):
    comments, reply = fifty_one

    first = read(article.get_absolute_url())
    second = read(f"{article.get_absolute_url()}?cpage=2")

    assert [c for c in comments if first.comment(c)] == comments[:50]
    assert first.comment(reply) is not None
    assert [c for c in comments if second.comment(c)] == comments[50:]
    nav = first.find("nav", cls="comment-pages")
    assert "Page 1 of 2" in nav.text
    url = article.get_absolute_url()
    assert nav.find("a").attrs["href"] == f"{url}?cpage=2#comments"
    assert reply_link(second.comment(comments[50])).attrs["href"].startswith(f"{url}?cpage=2&")


def test_after_a_refused_comment_the_threads_links_still_lead_to_the_article(
    client, post, article, fifty_one
):
    """The page drawn again is served at /comments/post/: a link relative to it led there."""
    comments, _reply = fifty_one
    response = post(article, content="")  # refused: nothing to post
    assert response.status_code == 400
    page = Page(response)

    for href in [page.find("nav", cls="comment-pages").find("a").attrs["href"],
                 reply_link(page.comment(comments[0])).attrs["href"]]:  # fmt: skip
        assert href.startswith(article.get_absolute_url() + "?")
        assert client.get(href.split("#")[0]).status_code == 200
    date = page.comment(comments[0]).find("a", cls="comment__date").attrs["href"]
    assert date == f"{article.get_absolute_url()}#comment-{comments[0].pk}"


@pytest.mark.parametrize(("index", "page"), [(0, 1), (50, 2), ("reply", 1)])
def test_permalink_goes_to_the_page_and_anchor_of_the_comment(
    client, article, fifty_one, index, page
):
    comments, reply = fifty_one
    comment = reply if index == "reply" else comments[index]

    response = client.get(f"/comments/{comment.pk}/")

    query = f"?cpage={page}" if page > 1 else ""
    assert response.status_code == 302
    assert response["Location"] == f"{article.get_absolute_url()}{query}#comment-{comment.pk}"


@pytest.mark.parametrize("earlier", [0, 49, 50])
def test_a_posted_comment_lands_on_its_page_at_its_anchor(client, post, article, earlier):
    for n in range(earlier):
        make_comment(article, content=f"Top {n}.")

    response = post(article, content="Mine, the newest.")
    comment = posted(response)
    if earlier + 1 <= 50:  # one page: straight there, no second redirect
        assert response["Location"] == f"{article.get_absolute_url()}#comment-{comment.pk}"
    else:  # several: the permalink finds the page
        assert response["Location"] == f"/comments/{comment.pk}/"
    landed = client.get(response["Location"], follow=True)

    page = Page(landed)
    assert page.comment(comment) is not None  # held for a first-time commenter, shown to them
    assert "Your comment is awaiting moderation." in page.comment(comment).text


def test_a_comment_on_an_article_with_a_non_latin_address_lands_at_its_anchor(client, post):
    article = make_article("Чай и тосты", slug="чай-и-тосты")

    response = post(article, content="Мой комментарий.")
    comment = posted(response)

    assert response["Location"] == f"{article.get_absolute_url()}#comment-{comment.pk}"
    page = Page(client.get(response["Location"]))
    assert "Мой комментарий." in page.comment(comment).text


def test_permalink_of_a_hidden_comment_is_not_found(client, article):
    for status in (Comment.Status.HELD, Comment.Status.SPAM, Comment.Status.TRASH):
        comment = make_comment(article, status=status)
        assert client.get(f"/comments/{comment.pk}/").status_code == 404
    on_draft = make_comment(make_draft())
    assert client.get(f"/comments/{on_draft.pk}/").status_code == 404


# Queries -----------------------------------------------------------------------------------


def add_comments(article, count):
    """`count` approved comments, a third of them replies, some by signed-in readers."""
    user = make_user()
    tops = Comment.objects.bulk_create(
        Comment(article=article, status=Comment.Status.APPROVED, author_name=f"R{n}",
                author_email=f"r{n}@example.com", author_url="https://r.example/",
                content=f"Top {n} https://x.example", user=user if n % 2 else None)
        for n in range(count - count // 3)
    )  # fmt: skip
    Comment.objects.bulk_create(
        Comment(article=article, status=Comment.Status.APPROVED, author_name=f"Re{n}",
                author_email=f"re{n}@example.com", parent=tops[n % len(tops)],
                content=f"Reply {n}")
        for n in range(count // 3)
    )  # fmt: skip
    Comment.objects.bulk_create(
        Comment(article=article, status=Comment.Status.HELD, author_name="H", content="Held")
        for n in range(count // 10)
    )


@pytest.mark.parametrize("count", [5, 500])
def test_article_page_queries_do_not_grow_with_comments(
    client, article, rules, django_assert_num_queries, count
):
    url = article.get_absolute_url()
    client.get(url)  # warm up: content types, the settings row
    cache.clear()  # each measured page is the first after a change: nothing cached
    with CaptureQueriesContext(connection) as without_comments:
        assert client.get(url).status_code == 200
    add_comments(article, count)
    cache.clear()

    with django_assert_num_queries(len(without_comments.captured_queries)):
        response = client.get(url)

    heading = Page(response).by_id("comments-title").text
    assert heading == f"{count} thoughts on “Tea and Toast”"


# Feeds -------------------------------------------------------------------------------------


@pytest.fixture
def mixed(article):
    return {
        status: make_comment(article, status=status, content=f"A {status} comment.")
        for status in Comment.Status.values
    }


def parse_feed(client, url):
    response = client.get(url)
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


def test_site_comment_feed_has_only_approved_comments_of_public_articles(client, article, mixed):
    make_comment(make_draft(), content="On a draft.")

    feed = parse_feed(client, "/comments/feed/")

    assert [entry.description for entry in feed.entries] == ["<p>A approved comment.</p>"]
    approved = mixed[Comment.Status.APPROVED]
    assert feed.entries[0].link == f"http://testserver/comments/{approved.pk}/"
    assert feed.entries[0].title == f"Comment on Tea and Toast by {approved.author_name}"


def test_article_comment_feed_has_only_its_approved_comments(client, article, mixed):
    make_comment(make_article(), content="Elsewhere.")

    feed = parse_feed(client, f"{article.get_absolute_url()}feed/")

    assert feed.feed.title == "Comments on: Tea and Toast"
    assert [entry.description for entry in feed.entries] == ["<p>A approved comment.</p>"]


def test_feed_of_a_draft_is_not_found(client):
    draft = make_draft()

    assert client.get(f"{draft.get_absolute_url()}feed/").status_code == 404
