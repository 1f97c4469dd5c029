from django.core.management.base import BaseCommand, CommandError

from comments import following, services, spam
from comments.models import Comment
from comments.notifications import send_moderator_digest


class Command(BaseCommand):
    help = (
        "Check held comments with Akismet again: those whose failed check is due for another "
        "try (run it from cron every few minutes), or with --all-held the whole held queue. "
        "It also sends what is due by email: moderators' note of held comments, followers' "
        "follow-ups and new posts; and the spam and not-spam reports to Akismet that failed "
        "and are due for another try."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--all-held", action="store_true", help="Recheck every held comment, in batches."
        )
        parser.add_argument("--batch-size", type=int, default=100)

    def handle(self, *, all_held, batch_size, verbosity, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be a positive number.")
        if spam.is_configured():
            checked, failed = self.recheck(all_held=all_held, batch_size=batch_size)
            reported = services.send_due_reports()
        send_moderator_digest()
        told = following.send_due()
        if spam.is_configured() and failed:  # said whatever the verbosity: cron mails it
            self.stderr.write(
                f"{failed} comment(s) could not be checked: Akismet did not answer (the queue "
                "shows why, and when each is tried again)."
            )
        if not verbosity:
            return
        if spam.is_configured():
            self.stdout.write(f"Checked {checked} comment(s) with Akismet.")
            if reported:
                self.stdout.write(f"Sent {reported} moderator report(s) to Akismet.")
        else:
            self.stdout.write("Akismet is off (AKISMET_API_KEY is not set): nothing to check.")
        if told:
            self.stdout.write(f"Sent {told} email(s) to followers.")

    def recheck(self, *, all_held: bool, batch_size: int) -> tuple[int, int]:
        """Check the comments due (or all held ones); return how many, and how many failed."""
        if all_held:
            comments = Comment.objects.held().filter(decided_by=None)
            reason = "recheck_queue"
        else:
            comments = Comment.objects.due_for_recheck()
            reason = ""
        checked, failed, last_id = 0, 0, 0
        while True:
            batch = list(
                comments.filter(pk__gt=last_id)
                .order_by("pk")
                .values_list("pk", flat=True)[:batch_size]
            )
            if not batch:
                return checked, failed
            for comment_id in batch:
                services.check_with_akismet(comment_id=comment_id, recheck_reason=reason)
            checked += len(batch)
            failed += Comment.objects.filter(pk__in=batch, verdict=Comment.Verdict.ERROR).count()
            last_id = batch[-1]
