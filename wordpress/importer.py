"""Import a WordPress export: all of it in one transaction, or nothing.

`import_wxr(path, ...)` streams the file (see `parser`), writes authors and terms as they come,
then posts, pages and their comments in batches of bulk inserts, and last the attachments and
featured images. Each imported thing is recorded in `WordPressItem` (site, kind, WordPress ID,
a checksum of its exported data), so a second run updates what changed and creates nothing
twice; what was deleted here since keeps its record, and stays deleted (skipped, with a
warning). A dry run does all of it and rolls the transaction back, so its report is exact.

Problems with one item are reported (with its WordPress ID and line) and handled; problems
with the file raise `WXRError` and leave the database as it was.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from comments import versions
from core import caching

from .authors import AuthorWriter
from .comments import CommentWriter
from .mapping import IdMap, Kind
from .media import MediaWriter
from .parser import Author, Channel, Item, Term, WXRError, WXRReader
from .posts import PostWriter
from .terms import TermWriter

KINDS = [*Kind.values, "other"]
COLUMNS = ["created", "updated", "unchanged", "skipped", "missing media"]
POSTS_PER_BATCH = 500
COMMENTS_PER_BATCH = 10_000  # a batch ends early when its posts have this many comments
OTHER_TYPES = {
    "nav_menu_item": "menus are not imported",
    "revision": "revisions are not imported",
}

__all__ = ["COLUMNS", "Report", "WXRError", "import_wxr"]


@dataclass
class Report:
    """What an import did, per kind, and every problem it met along the way."""

    dry_run: bool = False
    counts: dict[str, Counter] = field(default_factory=lambda: {k: Counter() for k in KINDS})
    # Values left out of items that were imported, by what they were ("commenter website(s)").
    left_out: Counter = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)
    on_warning: Callable[[str], None] | None = None

    def count(self, kind: str, column: str, n: int = 1) -> None:
        self.counts[kind][column] += n

    def leave_out(self, what: str, message: str) -> None:
        """Warn of one value not imported (its item is), and count it for the summary."""
        self.left_out[what] += 1
        self.warn(message)

    def warn(self, message: str) -> None:
        self.warnings.append(message)
        if self.on_warning:
            self.on_warning(message)

    def rows(self) -> list[tuple[str, list[int]]]:
        return [(kind, [self.counts[kind][c] for c in COLUMNS]) for kind in KINDS]


def import_wxr(
    path: str | os.PathLike,
    *,
    media_dir: str | os.PathLike | None = None,
    default_author=None,
    dry_run: bool = False,
    on_warning: Callable[[str], None] | None = None,
    on_progress: Callable[[int, int, Report], None] | None = None,
) -> Report:
    """Import the export at `path`; return the report. Raises WXRError, writing nothing."""
    importer = Importer(
        media_dir=Path(media_dir) if media_dir else None,
        default_author=default_author,
        report=Report(dry_run=dry_run, on_warning=on_warning),
        on_progress=on_progress,
    )
    return importer.run(Path(path))


class Importer:
    """One run: reads the stream, batches the items, and hands each kind to its writer."""

    def __init__(self, *, media_dir, default_author, report, on_progress):
        self.media_dir = media_dir
        self.default_author = default_author
        self.report = report
        self.on_progress = on_progress
        self.ids = IdMap()
        self.authors = AuthorWriter(self)
        self.terms = TermWriter(self)
        self.posts = PostWriter(self)
        self.comments = CommentWriter(self)
        self.media = MediaWriter(self)
        self.pending: list[Author | Term] = []
        self.batch: list[Item] = []
        self.batch_comments = 0
        self.items_started = False
        self.touched_articles: set[int] = set()  # whose comments this import wrote or changed
        self.created_articles: set[int] = set()  # new: no page or fragment was ever built on them
        self.other_types: Counter = Counter()

    def warn(self, message: str) -> None:
        self.report.warn(message)

    def run(self, path: Path) -> Report:
        total = path.stat().st_size
        try:
            with path.open("rb") as file, transaction.atomic():
                reader = WXRReader(file)
                for thing in reader:
                    if isinstance(thing, Item):
                        self.add_item(thing)
                        if (
                            len(self.batch) >= POSTS_PER_BATCH
                            or self.batch_comments >= COMMENTS_PER_BATCH
                        ):
                            self.flush()
                            self.progress(reader.bytes_read, total)
                    elif isinstance(thing, Channel):
                        self.ids.site = thing.site[:200]
                    else:
                        self.pending.append(thing)
                        if self.items_started:
                            self.write_pending()
                self.write_pending()
                self.flush()
                self.media.write_attachments()
                self.media.attach_featured_images()
                self.report_skipped()
                self.progress(total, total)
                if self.report.dry_run:
                    transaction.set_rollback(True)
                else:
                    self.invalidate_caches()
        except BaseException:
            self.media.delete_stored_files()
            raise
        return self.report

    def invalidate_caches(self) -> None:
        """Bulk writes send no signals: every page and fragment built on what the import may
        have changed is made stale (now, and again when the import commits).

        Not the comment threads of the articles it created: nothing was built on those before
        they existed (keys are never reused, and every page and fragment depends on `content`
        as well), and bumping them one by one took 3% of a large import.
        """
        touched = self.touched_articles - self.created_articles
        threads = [versions.thread(pk) for pk in touched]
        caching.bump(caching.CONTENT, versions.COMMENTS, *threads)

    def progress(self, done: int, total: int) -> None:
        if self.on_progress:
            self.on_progress(done, total, self.report)

    def write_pending(self) -> None:
        """Authors and terms: they come before the items that use them."""
        authors = [a for a in self.pending if isinstance(a, Author)]
        terms = [t for t in self.pending if isinstance(t, Term)]
        self.pending = []
        if authors:
            self.authors.write(authors)
        if terms:
            self.terms.write(terms)

    def add_item(self, item: Item) -> None:
        if not self.items_started:
            self.items_started = True
            self.write_pending()
        if item.wp_id is None:
            self.warn(f"Line {item.line}: an item without a WordPress ID (wp:post_id); skipped.")
            self.report.count("other", "skipped")
        elif item.post_type in ("post", "page"):
            self.batch.append(item)
            self.batch_comments += len(item.comments)
        elif item.post_type == "attachment":
            self.media.add_attachment(item)
        else:
            self.other_types[item.post_type] += 1
            self.report.count("other", "skipped")

    def flush(self) -> None:
        if self.batch:
            self.posts.write(self.batch)
        self.batch, self.batch_comments = [], 0

    def report_skipped(self) -> None:
        """One line per kind of thing skipped as a whole (menus, revisions, other taxonomies)."""
        for post_type, n in sorted(self.other_types.items()):
            reason = OTHER_TYPES.get(post_type, "this post type has no place here")
            self.warn(f"{n} item(s) of type {post_type!r} skipped: {reason}.")
        self.terms.report_skipped()
