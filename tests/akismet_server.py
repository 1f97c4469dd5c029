"""An Akismet-compatible HTTP server for the test-suite (standard library only).

The real ``akismet`` client talks real HTTP to it, so tests exercise the library's
own request encoding and response parsing. Typical use from a session fixture::

    with AkismetServer() as server:   # or server.start() ... server.stop()
        ...                           # point the client at server.url
        server.reset()                # between tests

Endpoints (the paths and methods akismet 25.10 uses):

* ``POST /1.1/verify-key`` -> ``valid`` / ``invalid``
* ``POST /1.1/comment-check`` -> ``true`` / ``false``; discard is ``true`` plus the
  ``X-akismet-pro-tip: discard`` header
* ``POST /1.1/submit-spam``, ``/1.1/submit-ham`` -> the "Thanks..." sentence
* ``GET|POST /1.2/usage-limit`` -> JSON; ``GET|POST /1.2/key-sites`` -> empty report

A key is invalid if it is in ``invalid_keys`` or empty, or while the
``"invalid_key"`` fault is on. Every endpoint but verify-key then answers ``invalid``
with an ``X-akismet-debug-help`` header, as the real API does.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

SUBMIT_RESPONSE = "Thanks for making the web a better place."
FAULTS = (None, "slow", "refused", "500", "garbage", "invalid_key")
ENDPOINTS = {
    "1.1": ("verify-key", "comment-check", "submit-spam", "submit-ham"),
    "1.2": ("usage-limit", "key-sites"),
}
SPAM_AUTHOR = "akismet-guaranteed-spam"
SPAM_EMAIL = "akismet-guaranteed-spam@example.com"
DISCARD_AUTHOR = "akismet-guaranteed-discard"
DISCARD_CONTENT = "akismet-discard-trigger"


@dataclass(frozen=True)
class ReceivedRequest:
    """One request as the server saw it; ``headers`` keys are lower-case."""

    version: str  # "1.1" or "1.2"
    endpoint: str  # e.g. "comment-check"
    method: str
    form: dict[str, str | list[str]]
    headers: dict[str, str]


def parse_form(raw: str) -> dict[str, str | list[str]]:
    """Decode a query string/form body; repeated or ``name[]`` fields become lists."""
    parsed = parse_qs(raw, keep_blank_values=True)
    return {k: v if len(v) > 1 or k.endswith("[]") else v[0] for k, v in parsed.items()}


class AkismetServer:
    """Fake Akismet on ``127.0.0.1`` with an OS-chosen port, served by a daemon thread.

    Test knobs (all restored by :meth:`reset`): ``fault`` (one of :data:`FAULTS`),
    ``delay`` (seconds added to every request), ``slow_seconds`` (sleep of the "slow"
    fault), ``invalid_keys`` and ``verdict_for`` (``callable(form) -> "ham" | "spam" |
    "discard" | None``; ``None`` falls back to the default rules).
    """

    debug_help = "Invalid key"

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self.port = 0  # fixed by the first bind, then reused after "refused"
        self._httpd: _HTTPServer | None = None
        self._running = False
        self._lock = threading.Lock()
        self._requests: list[ReceivedRequest] = []
        self.verdict_for: Callable[[dict], str | None] | None = None
        self.reset()

    # Lifecycle ---------------------------------------------------------------------

    def start(self) -> AkismetServer:
        self._running = True
        if self._fault != "refused":
            self._listen()
        return self

    def stop(self) -> None:
        self._running = False
        self._close()

    def __enter__(self) -> AkismetServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def reset(self) -> None:
        """Clear faults, delays, overrides and recorded requests (reopens if refused)."""
        self.fault = None
        self.delay = 0.0
        self.slow_seconds = 3.0
        self.invalid_keys = {"invalid-key"}
        self.verdict_for = None
        with self._lock:
            self._requests.clear()

    @property
    def fault(self) -> str | None:
        return self._fault

    @fault.setter
    def fault(self, value: str | None) -> None:
        if value not in FAULTS:
            raise ValueError(f"unknown fault {value!r}; expected one of {FAULTS}")
        self._fault = value
        # "refused" has to be a real connection failure, so the listening socket is
        # closed; any other value (reset() included) reopens it on the same port.
        if value == "refused":
            self._close()
        elif self._running and self._httpd is None:
            self._listen()

    def set_fault(self, value: str | None) -> None:
        self.fault = value

    def _listen(self) -> None:
        httpd = _HTTPServer((self.host, self.port), _Handler)
        httpd.owner = self
        self.port = httpd.server_address[1]
        threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"akismet-server-{self.port}",
            daemon=True,
        ).start()
        self._httpd = httpd

    def _close(self) -> None:
        httpd, self._httpd = self._httpd, None
        if httpd is not None:
            httpd.shutdown()  # waits for serve_forever to return, not for handlers
            httpd.server_close()

    # Recorded traffic --------------------------------------------------------------

    @property
    def requests(self) -> list[ReceivedRequest]:
        """A snapshot of every request received since the last reset, in order."""
        with self._lock:
            return list(self._requests)

    def received(self, endpoint: str) -> list[dict[str, str | list[str]]]:
        """The form dicts received by ``endpoint`` (e.g. ``"submit-spam"``)."""
        return [r.form for r in self.requests if r.endpoint == endpoint]

    # Behaviour ---------------------------------------------------------------------

    def verdict(self, form: dict) -> str:
        """``"ham"``, ``"spam"`` or ``"discard"`` for a comment-check form."""
        if self.verdict_for is not None and (override := self.verdict_for(form)):
            return override
        author = form.get("comment_author", "")
        if form.get("user_role") == "administrator":  # documented: always ham
            return "ham"
        if author == SPAM_AUTHOR or form.get("comment_author_email") == SPAM_EMAIL:
            return "spam"
        if author == DISCARD_AUTHOR or DISCARD_CONTENT in str(form.get("comment_content", "")):
            return "discard"
        return "ham"

    def _handle(self, req: ReceivedRequest) -> tuple[int, str, dict[str, str]]:
        """Answer one request: (status, body, extra headers)."""
        if req.endpoint not in ENDPOINTS.get(req.version, ()):
            return 404, "Not Found", {}
        with self._lock:
            self._requests.append(req)
        fault = self._fault
        time.sleep(self.delay + (self.slow_seconds if fault == "slow" else 0))
        if fault == "500":
            return 500, "Internal Server Error", {}
        if fault == "garbage":
            return 200, "<html><body>upstream hiccup</body></html>", {}

        key = req.form.get("api_key", req.form.get("key"))  # key-sites sends no key
        if fault == "invalid_key" or key == "" or key in self.invalid_keys:
            return 200, "invalid", {"X-akismet-debug-help": self.debug_help}
        if req.endpoint == "verify-key":
            return 200, "valid", {}
        if req.endpoint == "comment-check":
            verdict = self.verdict(req.form)
            if verdict == "discard":
                return 200, "true", {"X-akismet-pro-tip": "discard"}
            return 200, "true" if verdict == "spam" else "false", {}
        if req.endpoint in ("submit-spam", "submit-ham"):
            return 200, SUBMIT_RESPONSE, {}
        if req.endpoint == "usage-limit":
            usage = len(self.received("comment-check"))
            data = {"limit": "none", "usage": usage, "percentage": "0.00", "throttled": False}
            return 200, json.dumps(data), {"Content-Type": "application/json"}
        # key-sites: an empty report in the requested format.
        month = req.form.get("month") or time.strftime("%Y-%m")
        if req.form.get("format") == "csv":
            return 200, f"Active sites for {month} (limit:500, offset: 0, total: 0)\n", {}
        data = {month: [], "limit": 500, "offset": 0, "total": 0}
        return 200, json.dumps(data), {"Content-Type": "application/json"}


class _HTTPServer(ThreadingHTTPServer):
    allow_reuse_address = True  # SO_REUSEADDR: rebind the same port after "refused"
    daemon_threads = True  # a "slow" handler must not block stop()
    # Akismet takes many connections at once; socketserver's default backlog of 5 dropped
    # fifty readers' simultaneous checks into SYN retries and timeouts.
    request_queue_size = 128
    owner: AkismetServer

    def handle_error(self, request, client_address) -> None:
        # A client that timed out has hung up before we answer; that is expected.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    # HTTP/1.0 closes the connection after each response, so no pooled keep-alive
    # connection survives the "refused" fault.
    protocol_version = "HTTP/1.0"
    server: _HTTPServer

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8") if length else ""
        version, _, endpoint = url.path.strip("/").partition("/")
        req = ReceivedRequest(
            version=version,
            endpoint=endpoint,
            method=self.command,
            form={**parse_form(url.query), **parse_form(body)},
            headers={k.lower(): v for k, v in self.headers.items()},
        )
        status, text, headers = self.server.owner._handle(req)
        payload = text.encode("utf-8")
        self.send_response(status)
        for name, value in {"Content-Type": "text/plain; charset=utf-8", **headers}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_POST = do_GET

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep test output quiet
