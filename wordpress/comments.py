"""WordPress comments, pingbacks and trackbacks → ours, threads and all.

Comments are inserted one thread level at a time, so each reply's parent has its id whatever
the order in the file. They are never sent to Akismet (a moderator or WordPress decided them
already): each keeps its WordPress status, gets the verdict "skipped" and a history line.

A later import updates what changed in the export, but a moderator here has the last word:
a comment deleted here (or kept only as a placeholder for its replies) is not brought back,
and one a moderator decided keeps their status.
"""

from __future__ import annotations

import ipaddress
import re
from collections import defaultdict
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from blog.text import clean_line, clean_text
from comments.forms import CommentForm
from comments.models import MAX_EMAIL, MAX_NAME, MAX_URL, Comment, Event
from comments.text import comment_html
from core import bulk

from .content import comment_text
from .mapping import CONVERSION, DELETED, Kind, Mapped, checksum, chunks
from .parser import Comment as WordPressComment
from .parser import Item
from .values import parse_date, plain_text

REASON = "imported from WordPress"
STATUS = {
    "1": Comment.Status.APPROVED,
    "approve": Comment.Status.APPROVED,
    "0": Comment.Status.HELD,
    "hold": Comment.Status.HELD,
    "spam": Comment.Status.SPAM,
    "trash": Comment.Status.TRASH,
    "post-trashed": Comment.Status.TRASH,
}
KINDS = {
    "": Comment.Kind.COMMENT,
    "comment": Comment.Kind.COMMENT,
    "pingback": Comment.Kind.PINGBACK,
    "trackback": Comment.Kind.TRACKBACK,
}
UPDATED_FIELDS = [
    "article",
    "parent",
    "kind",
    "user",
    "author_name",
    "author_email",
    "author_url",
    "author_ip",
    "content",
    "html",
    "submitted_at",
    "status",
]
# The comment form's own website field: an import lets in exactly what a reader may type.
WEBSITE = CommentForm.base_fields["url"]
IPV4 = re.compile(
    r"(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\Z"
)
# Commenters come back: their website is checked once, not once per comment (the form field's
# validators take 15-20 µs, as long as everything else a comment's conversion does).
WEBSITES_REMEMBERED = 4096


@lru_cache(maxsize=WEBSITES_REMEMBERED)
def _checked_website(url: str) -> str | None:
    """`url` as the comment form stores it, or None when the form would refuse it."""
    try:
        return WEBSITE.clean(url)
    except ValidationError:
        return None


class CommentWriter:
    def __init__(self, importer):
        self.imp = importer
        self.report = importer.report
        self.warn = importer.warn

    def write(self, posts: list[tuple[Item, int]]) -> None:
        """The comments of these posts, given as (item, article pk)."""
        wanted = [c.wp_id for item, _ in posts for c in item.comments if c.wp_id is not None]
        wanted += [c.parent_id for item, _ in posts for c in item.comments if c.parent_id]
        existing = self.imp.ids.lookup(Kind.COMMENT, wanted)
        levels = defaultdict(list)  # depth → [(comment, item, article pk, checksum)]
        parents: dict[int, int | None] = {}  # WordPress id → its parent's (None: top level)
        for item, article_pk in posts:
            for comment, parent_id, depth in self.thread(item, existing):
                parents[comment.wp_id] = parent_id
                digest = checksum(
                    CONVERSION,
                    article_pk,
                    parent_id,
                    comment.author,
                    comment.author_email,
                    comment.author_url,
                    comment.author_ip,
                    comment.date,
                    comment.date_gmt,
                    comment.content,
                    comment.approved,
                    comment.type,
                    comment.user_id,
                )
                mapping = existing.get(comment.wp_id)
                if mapping and mapping.deleted:
                    self.skip_deleted(comment)
                elif mapping and mapping.checksum == digest:
                    self.report.count(Kind.COMMENT, "unchanged")
                else:
                    levels[depth].append((comment, item, article_pk, digest))

        to_update = [existing[c.wp_id].target_id for level in levels.values()
                     for c, *_ in level if c.wp_id in existing]  # fmt: skip
        removed, decided = self.moderated_here(to_update)
        pk_of = {wp_id: mapping.target_id for wp_id, mapping in existing.items()}
        now = timezone.now()
        # The same in every new comment: given once, not formatted for each row.
        fixed = {
            "verdict": Comment.Verdict.SKIPPED,
            "reason": REASON,
            "moderators_notified_at": now,  # held on WordPress already: not news to moderators
        }
        changed, events, mappings = [], [], []
        for depth in sorted(levels):
            new = []
            for comment, item, article_pk, digest in levels[depth]:
                mapping = existing.get(comment.wp_id)
                if mapping and mapping.target_id in removed:
                    self.skip_deleted(comment)
                    continue
                values = self.values(comment, item, now)
                if values is None:
                    continue
                parent = parents[comment.wp_id]
                values["article_id"] = article_pk
                values["parent_id"] = pk_of.get(parent)
                if parent in existing and existing[parent].deleted:
                    self.warn(
                        f"Comment {comment.wp_id} (line {comment.line}): its parent {parent} "
                        "was deleted here; attached at the top level."
                    )
                self.imp.touched_articles.add(article_pk)
                if mapping:
                    # A moderator's decision here outlasts WordPress's status.
                    values["status"] = decided.get(mapping.target_id, values["status"])
                    changed.append(Comment(pk=mapping.target_id, **values))
                    events.append(_event(mapping.target_id, "Updated from WordPress."))
                    self.imp.ids.save(
                        mapping, Kind.COMMENT, comment.wp_id, mapping.target_id, digest
                    )
                else:
                    new.append((comment, digest, values))
            ids = bulk.insert(Comment, [values for _, _, values in new], fixed=fixed)
            for (comment, digest, _values), pk in zip(new, ids, strict=True):
                pk_of[comment.wp_id] = pk
                events.append(_event(pk, "Imported from WordPress."))
                mappings.append(self.imp.ids.row(Kind.COMMENT, comment.wp_id, pk, digest))
            self.report.count(Kind.COMMENT, "created", len(new))
        Comment.objects.bulk_update(changed, UPDATED_FIELDS, batch_size=500)
        self.report.count(Kind.COMMENT, "updated", len(changed))
        bulk.insert(Event, events, fixed={"at": now}, returning=False)
        self.imp.ids.insert(mappings)

    def skip_deleted(self, comment: WordPressComment) -> None:
        self.warn(f"Comment {comment.wp_id} (line {comment.line}): {DELETED}.")
        self.report.count(Kind.COMMENT, "skipped")

    def moderated_here(self, pks: list[int]) -> tuple[set[int], dict[int, str]]:
        """Of these imported comments, about to be updated from a changed export: those deleted
        here but kept as placeholders for their replies (left alone), and the status of those
        a moderator decided here (kept)."""
        removed, decided = set(), {}
        for chunk in chunks(pks):
            rows = Comment.objects.filter(pk__in=chunk).filter(
                Q(is_removed=True) | Q(decided_by__isnull=False)
            )
            for pk, is_removed, status in rows.values_list("pk", "is_removed", "status"):
                if is_removed:
                    removed.add(pk)
                else:
                    decided[pk] = status
        return removed, decided

    def thread(self, item: Item, existing: dict[int, Mapped]):
        """(comment, its parent's WordPress id or None, depth) for each comment of `item`.

        A reply whose parent is neither in the export nor imported before goes to the top
        level; so does the comment that closes a loop of replies.
        """
        by_id = {}
        for comment in item.comments:
            if comment.wp_id is None:
                self.warn(
                    f"Comment on post {item.wp_id} (line {comment.line}): no WordPress "
                    "ID (wp:comment_id); skipped."
                )
                self.report.count(Kind.COMMENT, "skipped")
            elif comment.wp_id in by_id:
                self.warn(
                    f"Comment {comment.wp_id} (line {comment.line}) appears twice on post "
                    f"{item.wp_id}; the second is skipped."
                )
                self.report.count(Kind.COMMENT, "skipped")
            else:
                by_id[comment.wp_id] = comment
        parent_of = {}
        for wp_id, comment in by_id.items():
            parent = comment.parent_id or None
            if parent is not None and parent not in by_id and parent not in existing:
                self.warn(
                    f"Comment {wp_id} (line {comment.line}) on post {item.wp_id}: its "
                    f"parent {parent} is not in the export; attached at the top level."
                )
                parent = None
            parent_of[wp_id] = parent
        depth: dict[int, int] = {}
        for wp_id in by_id:
            while True:  # walk up to a known depth or the top; break a loop if there is one
                stack, on_stack, node = [], set(), wp_id
                while node in by_id and node not in depth and node not in on_stack:
                    stack.append(node)
                    on_stack.add(node)
                    node = parent_of[node]
                if node not in on_stack:
                    break
                self.warn(
                    f"Comment {node} (line {by_id[node].line}) on post {item.wp_id}: "
                    "its replies loop back to it; attached at the top level."
                )
                parent_of[node] = None
            base = depth[node] + 1 if node in depth else 0
            for offset, child in enumerate(reversed(stack)):
                depth[child] = base + offset
        for wp_id, comment in by_id.items():
            yield comment, parent_of[wp_id], depth[wp_id]

    def website(self, url: str, where: str) -> str:
        """The commenter's website as the comment form would store it ("example.com" becomes
        "https://example.com"); "" for what the form refuses (`javascript:`, `data:`, any
        other scheme, a malformed or too long address), reported and counted."""
        if not url:
            return ""
        checked = _checked_website(url)
        if checked is None:
            if len(url) > MAX_URL:
                problem = f"longer than {MAX_URL} characters"
            else:
                problem = "not an http(s) address the comment form would accept"
            self.report.leave_out(
                "commenter website(s)", f"{where}: website {url[:100]!r} left out: {problem}."
            )
            return ""
        return checked

    def values(self, comment: WordPressComment, item: Item, now) -> dict | None:
        """The field values of our comment, or None when it has no place here."""
        where = f"Comment {comment.wp_id} (line {comment.line})"
        kind = KINDS.get(comment.type.lower())
        if kind is None:
            self.warn(f"{where}: of type {comment.type!r}, which has no place here; skipped.")
            self.report.count(Kind.COMMENT, "skipped")
            return None
        status = STATUS.get(comment.approved.lower())
        if status is None:
            self.warn(f"{where}: unknown status {comment.approved!r}; held for review.")
            status = Comment.Status.HELD
        name = clean_line(plain_text(comment.author)).strip() or "Anonymous"
        if len(name) > MAX_NAME:
            self.warn(f"{where}: name longer than {MAX_NAME} characters; shortened.")
        email = clean_line(comment.author_email).strip()
        if len(email) > MAX_EMAIL:
            self.warn(f"{where}: email address longer than {MAX_EMAIL} characters; left out.")
            email = ""
        url = self.website(clean_line(comment.author_url).strip(), where)
        ip = comment.author_ip.strip() or None
        if ip and not IPV4.match(ip):  # the common case, without ipaddress's cost
            try:
                ip = str(ipaddress.ip_address(ip))
            except ValueError:
                self.warn(f"{where}: invalid IP address {ip!r}; left out.")
                ip = None
        submitted_at, problem = parse_date(comment.date_gmt)
        if submitted_at is None:
            submitted_at, local_problem = parse_date(comment.date)
            problem = problem or local_problem or "no date"
        if submitted_at is None:
            submitted_at = parse_date(item.date_gmt)[0]
            instead = "the post's date" if submitted_at else "the time of the import"
            self.warn(f"{where}: {problem}; given {instead}.")
            submitted_at = submitted_at or now
        content = clean_text(comment_text(comment.content))
        return {
            "kind": kind.value,  # plain text: bulk inserts pass it on as it is
            "user_id": self.imp.authors.for_comment(comment, email),
            "author_name": name[:MAX_NAME],
            "author_email": email,
            "author_url": url,
            "author_ip": ip,
            "content": content,
            "html": comment_html(content),  # as Comment.save() would render it
            "submitted_at": submitted_at,
            "status": status.value,
        }


def _event(comment_pk: int, message: str) -> dict:
    return {"comment_id": comment_pk, "message": message}
