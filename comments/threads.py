"""The comment section of an article page: one query, one pass to build the thread."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import unquote

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from blog import versions as blog_versions
from blog.text import clean_line
from core import caching

from . import accounts, spam, versions
from .forms import CommentForm, FollowForm, sign_form
from .models import Comment, ModerationSettings
from .moderation import comments_closed

# What the person who posted a comment sees as "awaiting moderation": a spam verdict is never
# revealed to them.
WAITING = {Comment.Status.HELD, Comment.Status.SPAM}
SESSION_KEY = "my_comments"  # ids of the comments this browser posted, newest last
NOTICE_TAG = "comments"  # the messages the comment section shows (`tell`)
REMEMBER_COOKIES = {"name": "comment_author", "email": "comment_author_email",
                    "url": "comment_author_url"}  # fmt: skip
# ASCII characters an address may hold as typed (URLValidator allows them, and so did the
# WordPress sites comments come from) but a link may not: percent-encoded when linked, as a
# browser sends them when the link is followed. The address is kept as typed for moderators.
_NOT_IN_LINKS = str.maketrans({ch: f"%{ord(ch):02X}" for ch in '"<>`{|}^'})


@dataclass
class Node:
    comment: Comment
    depth: int
    children: list[Node] = field(default_factory=list)
    is_placeholder: bool = False  # removed, kept so its replies keep their place
    is_pending: bool = False  # held: shown only to the person who posted it


def remembered(request, cookie: str) -> str:
    """What the comment form remembered in `cookie` (percent-encoded), as one clean line."""
    return clean_line(unquote(request.COOKIES.get(cookie, ""), errors="replace"))


def my_comment_ids(request) -> list[int]:
    """The comments this browser posted; the session is read only when the browser has one."""
    if not hasattr(request, "session") or settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return []
    return request.session.get(SESSION_KEY, [])


def remember_comment(request, comment: Comment) -> None:
    request.session[SESSION_KEY] = [*my_comment_ids(request), comment.pk][-50:]


THREAD_FIELDS = ["article_id", "parent_id", "kind", "status", "verdict", "author_name",
                 "author_email", "author_url", "content", "html", "submitted_at", "is_removed",
                 "user__reader_picture__file"]  # fmt: skip


def visible_comments(article, mine):
    """Approved comments, the reader's own held ones, and placeholders for removed parents."""
    approved_reply = Comment.objects.filter(parent=OuterRef("pk"), status=Comment.Status.APPROVED)
    own = Q(pk__in=mine, status__in=WAITING) & ~Q(verdict=Comment.Verdict.DISCARD)
    return (
        article.comments.filter(kind=Comment.Kind.COMMENT)
        .filter(Q(status=Comment.Status.APPROVED) | own | Exists(approved_reply))
        # Only what the thread shows: a page drawn cold builds fifty of these.
        .only(*THREAD_FIELDS)
        .select_related("user__reader_picture")
        .order_by("submitted_at", "id")
    )


def build_thread(comments, *, max_depth: int, mine) -> tuple[list[Node], int]:
    """Nest `comments` (oldest first) into threads; return the top-level nodes and the count.

    Replies deeper than `max_depth` join the deepest level, as on WordPress.
    """
    nodes: dict[int, Node] = {}
    roots: list[Node] = []
    approved = 0
    for comment in comments:
        is_approved = comment.status == Comment.Status.APPROVED
        is_pending = comment.pk in mine and comment.status in WAITING
        approved += is_approved
        parent = nodes.get(comment.parent_id)
        while parent is not None and parent.depth >= max_depth:
            parent = nodes.get(parent.comment.parent_id)
        node = Node(
            comment,
            depth=parent.depth + 1 if parent else 1,
            is_placeholder=not (is_approved or is_pending),
            is_pending=is_pending,
        )
        nodes[comment.pk] = node
        (parent.children if parent else roots).append(node)
    return roots, approved


def website_link(url: str) -> str:
    """A commenter's website as an `href`: the same address, valid in a link."""
    return url.translate(_NOT_IN_LINKS)


def _privacy_url():
    """Our privacy page when there is one, else Akismet's own."""
    from blog.models import Page

    page = Page.objects.filter(slug="privacy", is_published=True).first()
    return page.get_absolute_url() if page else "https://akismet.com/privacy/"


def comment_section(article, request, form: CommentForm | None = None) -> dict:
    """The context of templates/comments/_section.html for this reader.

    The thread is the same for every reader who has no comment of their own waiting, so for
    them its HTML is cached until a comment on the article changes.
    """
    rules = ModerationSettings.load()
    mine = set(my_comment_ids(request))
    closed = comments_closed(article, rules, timezone.now())
    page_number = request.GET.get("cpage")
    if page_number is not None and not (page_number.isdecimal() and len(page_number) < 5):
        page_number = None  # what Paginator.get_page makes of it anyway: page 1, one key
    reply_id = form.data.get("parent") if form is not None else request.GET.get("replytocom")

    def thread():
        roots, count = build_thread(
            visible_comments(article, mine), max_depth=rules.thread_depth, mine=mine
        )
        number = page_number
        if number is None and reply_id:
            # A reply drawn again after an error is posted from no page: show the page of the
            # comment it answers, where the reader wrote it.
            number = _page_holding(roots, reply_id, rules.per_page)
        page = Paginator(roots, rules.per_page).get_page(number)
        return roots, mark_safe(render_to_string("comments/_thread.jinja", {
            # Links to the article's own address: a page drawn again after a refused comment
            # is served at /comments/post/, where "?replytocom=…" would lead nowhere.
            "article": article, "article_url": article.get_absolute_url(),
            "comment_nodes": page.object_list, "comment_count": count,
            "comment_page": page, "comments_closed": closed, "thread_depth": rules.thread_depth,
            "website_link": website_link,
        }, using="jinja2"))  # fmt: skip

    if mine or reply_id:
        roots, thread_html = thread()
    else:
        roots, thread_html = (
            [],
            caching.cached(
                ("thread", article.pk, page_number, closed),
                lambda: thread()[1],
                # The thread's heading names the article.
                depends_on=(
                    caching.CONTENT,
                    blog_versions.article(article.pk),
                    versions.thread(article.pk),
                ),  # fmt: skip
            ),
        )
    reply_to = _find(roots, reply_id)
    if reply_to is not None and reply_to.status != Comment.Status.APPROVED:
        reply_to = None
    if form is None:
        initial = {name: remembered(request, key) for name, key in REMEMBER_COOKIES.items()}
        initial.update(
            remember=bool(initial["name"]),
            parent=reply_to.pk if reply_to else None,
            article=article.pk,
            signature=sign_form(article.pk),
        )
        form = CommentForm(initial=initial, user=request.user)
    return {
        "comment_thread": thread_html,
        "comment_form": form,
        "reply_to": reply_to,
        "comments_closed": closed,
        "comment_notices": notices(request),
        "follow_form": FollowForm(),
        "follow_replies": not closed,
        "sign_in_options": accounts.sign_in_options(f"{article.get_absolute_url()}#respond"),
        "signed_in_with": accounts.provider_name(request.user) if form.user else "",
        "akismet_enabled": spam.is_configured(),
        "privacy_url": _privacy_url() if spam.is_configured() else "",
    }


def tell(request, message: str) -> None:
    """Say `message` to this reader in the comment section of the next article page they see
    (a page of their own: the message's cookie keeps it out of the shared cache)."""
    messages.warning(request, message, extra_tags=NOTICE_TAG)


def notices(request) -> list[str]:
    """What `tell` had to say to this reader, once. Other apps' messages are kept for the
    pages that show them; a reader with no cookie has none, and their session is not read."""
    if not any(name in request.COOKIES for name in ("messages", settings.SESSION_COOKIE_NAME)):
        return []
    storage = messages.get_messages(request)
    shown, others = [], []
    for message in storage:
        (shown if NOTICE_TAG in message.extra_tags.split() else others).append(message)
    if shown:
        for message in others:  # reading marked them all as seen: keep the others unseen
            storage.add(message.level, message.message, message.extra_tags)
    else:
        storage.used = False
    return [message.message for message in shown]


def landing_address(article, comment) -> str:
    """Where the reader who posted `comment` goes next: straight to its anchor on the article
    when the thread has one page of comments for everyone (most do: one count), else through
    the comment's permalink, which finds the page that shows it to this reader."""
    roots = Comment.objects.filter(article=article, parent=None).count()  # any status: a bound
    if roots <= ModerationSettings.load().per_page:
        return f"{article.get_absolute_url()}#comment-{comment.pk}"
    return comment.get_absolute_url()


def page_of(article, request, comment_id: int) -> int | None:
    """The comment page number that shows `comment_id` to this reader, or None."""
    rules = ModerationSettings.load()
    mine = set(my_comment_ids(request))
    roots, _count = build_thread(
        visible_comments(article, mine), max_depth=rules.thread_depth, mine=mine
    )
    return _page_holding(roots, comment_id, rules.per_page)


def _page_holding(roots, comment_id, per_page: int) -> int | None:
    """The number of the page of `roots` whose threads hold `comment_id`, or None."""
    for index, root in enumerate(roots):
        if _find([root], comment_id):
            return index // per_page + 1
    return None


def _find(nodes, comment_id):
    """The comment with this id in the thread (depth first), or None."""
    try:
        wanted = int(comment_id)
    except (TypeError, ValueError):
        return None
    stack = list(nodes)
    while stack:
        node = stack.pop()
        if node.comment.pk == wanted:
            return node.comment
        stack.extend(node.children)
    return None
