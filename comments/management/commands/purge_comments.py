from django.core.management.base import BaseCommand

from comments import services


class Command(BaseCommand):
    help = (
        "Delete spam older than COMMENTS_SPAM_DAYS (15) and trash older than COMMENTS_TRASH_DAYS "
        "(30), and forget Akismet payloads older than COMMENTS_PAYLOAD_DAYS (15). Run daily."
    )

    def handle(self, *, verbosity, **options):
        done = services.purge_old()
        if verbosity:
            self.stdout.write(
                f"Deleted {done['spam']} spam and {done['trash']} trashed comment(s); "
                f"forgot {done['payloads']} Akismet payload(s)."
            )
