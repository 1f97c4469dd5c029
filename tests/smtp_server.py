"""A real SMTP server for the tests (aiosmtpd) on 127.0.0.1: Django's SMTP backend talks to it
as it would to a mail relay, and the tests read the messages it received."""

import email
import email.policy
import socket
import threading
import time

from aiosmtpd.controller import Controller


class Mailbox:
    """What the server received, as parsed email messages, in order of arrival."""

    def __init__(self):
        self.messages = []
        self.refuse = False  # while True, every message is refused (a relay that is down)
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            return "451 Requested action aborted: try again later"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def to(self, address):
        """The messages sent to `address`."""
        return [m for m in self.messages if address in m["To"]]

    def wait_for(self, count, timeout=5.0):
        """Wait until `count` messages have arrived; return them."""
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return list(self.messages)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start() -> tuple[Controller, Mailbox]:
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    return controller, mailbox


def body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()
