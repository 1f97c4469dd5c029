"""`manage.py import_wxr EXPORT.xml`: bring a WordPress site in (see the wordpress app)."""

import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from wordpress.importer import COLUMNS, WXRError, import_wxr

BAR_WIDTH = 30
PROGRESS_EVERY = 0.2  # seconds between redraws of the progress bar


class Command(BaseCommand):
    help = (
        "Import a WordPress export (WXR 1.0-1.2, from Tools → Export): authors, categories, "
        "tags, posts, pages, images and comments. Safe to run again: it updates what changed, "
        "and what was deleted here since the last import stays deleted. "
        "Existing accounts are never changed: an author with the username and email of one is "
        "credited to it; with its username but another email, to a new account <login>-wp. "
        "Commenter websites the comment form would refuse (not http or https) are left out, "
        "and dates before the year 1000 or after 8999 are taken as invalid (a post becomes a "
        "draft)."
    )

    def add_arguments(self, parser):
        parser.add_argument("export", help="The WXR file WordPress wrote.")
        parser.add_argument(
            "--media-dir",
            help="A copy of wp-content/uploads; images missing from it are reported.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Do the whole import, report it, and write nothing.",
        )
        parser.add_argument(
            "--default-author",
            metavar="USERNAME",
            help="The user for posts whose author is not among the export's authors.",
        )

    def handle(self, *args, **options):
        path = Path(options["export"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        media_dir = options["media_dir"]
        if media_dir and not Path(media_dir).is_dir():
            raise CommandError(f"--media-dir {media_dir} is not a directory.")
        default_author = None
        if options["default_author"]:
            User = get_user_model()
            default_author = User.objects.filter(
                **{User.USERNAME_FIELD: options["default_author"]}
            ).first()
            if default_author is None:
                raise CommandError(f"--default-author: no user {options['default_author']!r}.")

        self.show_progress = options["verbosity"] >= 1 and self.stderr.isatty()
        self.last_drawn, self.drawn = 0.0, False
        started = time.monotonic()
        try:
            report = import_wxr(
                path,
                media_dir=media_dir,
                default_author=default_author,
                dry_run=options["dry_run"],
                on_warning=self.warning,
                on_progress=self.progress if self.show_progress else None,
            )
        except WXRError as exc:
            self.end_progress()
            raise CommandError(f"{path}: {exc} Nothing was imported.") from exc
        self.end_progress()
        self.summary(report, time.monotonic() - started)

    def warning(self, message):
        self.end_progress()
        self.stderr.write(message, style_func=self.style.WARNING)

    def progress(self, done, total, report):
        now = time.monotonic()
        if now - self.last_drawn < PROGRESS_EVERY and done < total:
            return
        self.last_drawn = now
        share = done / total if total else 1
        filled = int(BAR_WIDTH * share)
        posts = report.counts["post"].total()
        comments = report.counts["comment"].total()
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        line = f"\r[{bar}] {share:4.0%}  {posts:,} posts, {comments:,} comments"
        self.stderr.write(line, style_func=str, ending="")  # plain, not in error red
        self.stderr.flush()
        self.drawn = True

    def end_progress(self):
        if self.drawn:
            self.stderr.write("")
            self.drawn = False

    def summary(self, report, elapsed):
        header = ["", *COLUMNS]
        rows = [[kind, *(f"{n:,}" for n in numbers)] for kind, numbers in report.rows()]
        widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

        def line(cells):
            first = cells[0].ljust(widths[0])
            rest = (cell.rjust(width) for cell, width in zip(cells[1:], widths[1:], strict=True))
            return "  ".join([first, *rest])

        self.stdout.write(line(header))
        for row in rows:
            self.stdout.write(line(row))
        for what, n in sorted(report.left_out.items()):
            self.stdout.write(f"{n:,} {what} left out; each is named above on stderr.")
        if report.warnings:
            self.stdout.write(f"{len(report.warnings):,} warning(s), shown above on stderr.")
        if report.dry_run:
            self.stdout.write(self.style.WARNING(f"Dry run in {elapsed:.1f} s: nothing written."))
        else:
            self.stdout.write(self.style.SUCCESS(f"Imported in {elapsed:.1f} s."))
