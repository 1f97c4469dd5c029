"""The moderators' email about held comments is marked sent only once it was sent, and sent once.

The site talks real SMTP to a small server on loopback; "down" is a port nothing listens on.
"""

import datetime
import email
import email.policy
import socketserver
import threading

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.db.models import F

from comments.models import Comment
from comments.notifications import send_moderator_digest
from tests.cluster import free_ports
from tests.comments.conftest import make_comment, posted
from tests.factories import make_article, make_moderator

DIGEST = "[Broadsheet] Comments awaiting review"


class SMTPServer:
    """A minimal SMTP server on 127.0.0.1 (standard library only) that keeps what it receives.

    With `holding` on, each message waits after its DATA, before it is accepted, until
    `released` is set; `arrived` is set when one waits.
    """

    def __init__(self):
        self.messages = []
        self.holding = False
        self.arrived, self.released = threading.Event(), threading.Event()
        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SMTPHandler)
        self._server.daemon_threads = True
        self._server.owner = self
        self.port = self._server.server_address[1]

    def __enter__(self):
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc_info):
        self.released.set()
        self._server.shutdown()
        self._server.server_close()

    def receive(self, raw: bytes) -> None:
        if self.holding:
            self.arrived.set()
            self.released.wait(timeout=10)
        self.messages.append(email.message_from_bytes(raw, policy=email.policy.default))

    def digests(self):
        """The bodies of the moderators' emails received."""
        return [m.get_body().get_content() for m in self.messages if m["Subject"] == DIGEST]


class _SMTPHandler(socketserver.StreamRequestHandler):
    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self):
        owner = self.server.owner
        self.reply("220 localhost test SMTP")
        while line := self.rfile.readline():
            verb = line.decode().strip().split(" ")[0].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 localhost")
            elif verb in ("MAIL", "RCPT", "RSET", "NOOP"):
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                lines = []
                while (data := self.rfile.readline()) not in (b".\r\n", b""):
                    lines.append(data[1:] if data.startswith(b"..") else data)
                owner.receive(b"".join(lines))
                self.reply("250 OK queued")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Command not implemented")


@pytest.fixture
def smtp(settings):
    """The site's email sent over SMTP to a server of its own; `smtp.down()` and `smtp.up()`."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_TIMEOUT = "127.0.0.1", 5
    (closed_port,) = free_ports(1)
    with SMTPServer() as server:
        server.down = lambda: setattr(settings, "EMAIL_PORT", closed_port)
        server.up = lambda: setattr(settings, "EMAIL_PORT", server.port)
        server.up()
        yield server


@pytest.mark.django_db
def test_a_digest_that_cannot_be_sent_is_sent_by_the_next_run(smtp, post, article):
    make_moderator()
    smtp.down()

    # Held for review; the email about them fails, and the readers never notice.
    ann = posted(post(article, name="Ann", email="ann@example.com", content="First."))
    bob = posted(post(article, name="Bob", email="bob@example.com", content="Second."))
    with pytest.raises(ConnectionRefusedError):
        send_moderator_digest()

    held = Comment.objects.filter(pk__in=[ann.pk, bob.pk], status=Comment.Status.HELD)
    assert held.count() == 2
    assert not held.exclude(moderators_notified_at=None).exists()  # nothing was sent

    smtp.up()
    call_command("recheck_comments", verbosity=0)  # every few minutes, from cron
    call_command("recheck_comments", verbosity=0)

    (digest,) = smtp.digests()
    assert "2 comment(s) are waiting for review" in digest
    assert digest.count("- Ann on “Tea and Toast”") == digest.count("- Bob on “Tea and Toast”") == 1
    assert not held.filter(moderators_notified_at=None).exists()


@pytest.mark.django_db(transaction=True)
def test_two_digests_at_once_send_each_comment_once(smtp, settings):
    # A transactional test's database may have been emptied of the groups migrations make.
    Group.objects.get_or_create(name="Moderators")
    make_moderator()
    article = make_article("Tea and Toast")
    for name in ("Ann", "Bob"):
        make_comment(article, status=Comment.Status.HELD, author_name=name)
    settings.COMMENTS_NOTIFY_MINUTES = 0  # no quiet window: only the claim keeps them apart
    smtp.holding = True  # the first email is still being sent when the second digest runs
    listed = {}

    def first_digest():
        listed["first"] = send_moderator_digest()
        connection.close()

    first = threading.Thread(target=first_digest)
    first.start()
    assert smtp.arrived.wait(timeout=10)
    listed["second"] = send_moderator_digest()
    smtp.released.set()
    first.join()

    assert listed == {"first": 2, "second": 0}
    (digest,) = smtp.digests()
    assert digest.count("- Ann on") == digest.count("- Bob on") == 1
    assert not Comment.objects.filter(moderators_notified_at=None).exists()


@pytest.mark.django_db
def test_a_site_without_moderators_leaves_the_held_comments_unread_and_unclaimed(smtp, article):
    make_comment(article, status=Comment.Status.HELD, author_name="Ann")
    read = []

    def record(execute, sql, params, many, context):
        read.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        assert send_moderator_digest() == 0

    assert not [sql for sql in read if "comments_comment" in sql]  # no lock, no read, no claim
    make_moderator()  # a moderator joins: the comment is still news to them
    assert send_moderator_digest() == 1
    (digest,) = smtp.digests()
    assert "- Ann on" in digest


@pytest.mark.django_db
def test_comments_held_inside_the_window_schedule_one_digest_for_its_end(smtp, article, settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    make_moderator()
    first = make_comment(article, status=Comment.Status.HELD, author_name="Ann")
    assert send_moderator_digest() == 1

    for name in ("Bob", "Cy", "Di", "Ed", "Flo"):  # each held comment sets off a digest
        make_comment(article, status=Comment.Status.HELD, author_name=name)
        assert send_moderator_digest() == 0  # inside the window: it waits for the window's end

    (scheduled,) = DBTaskResult.objects.filter(task_path="comments.notifications.notify_moderators")
    first.refresh_from_db()
    window = datetime.timedelta(minutes=settings.COMMENTS_NOTIFY_MINUTES)
    assert scheduled.run_after == first.moderators_notified_at + window

    # The window ends: the one digest scheduled for then lists all five.
    Comment.objects.filter(pk=first.pk).update(
        moderators_notified_at=F("moderators_notified_at") - window
    )
    assert send_moderator_digest() == 5
    assert len(smtp.digests()) == 2
