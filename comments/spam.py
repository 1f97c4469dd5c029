"""The one Akismet adapter: nothing else in Broadsheet imports `akismet`.

It builds the request from a comment, asks Akismet for a verdict, and reports spam and ham.
Every failure of the service is turned into a verdict of ERROR with a short reason, so the
caller holds the comment instead of publishing it unchecked.
"""

from __future__ import annotations

import datetime
import functools
import logging
from dataclasses import dataclass

import akismet
import httpx
from django.conf import settings

logger = logging.getLogger(__name__)

HONEYPOT_FIELD = "hp_website"


@dataclass(frozen=True)
class CheckResult:
    verdict: str  # one of Comment.Verdict: ham, spam, discard, error
    error: str = ""  # why the check failed, in a moderator's words
    invalid_key: bool = False


def is_configured() -> bool:
    return bool(settings.AKISMET_API_KEY)


class _RedirectTransport(httpx.HTTPTransport):
    """Send the client's requests to AKISMET_API_URL instead of https://rest.akismet.com.

    The library has its endpoint built in; this is how a site (or the test suite) points it at
    another Akismet-compatible server.
    """

    def __init__(self, api_url: str):
        super().__init__()
        self.base = httpx.URL(api_url)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.url = request.url.copy_with(
            scheme=self.base.scheme, host=self.base.host, port=self.base.port
        )
        request.headers["Host"] = request.url.netloc.decode("ascii")
        return super().handle_request(request)


@functools.lru_cache(maxsize=4)
def _http_client(api_url: str, timeout: float) -> httpx.Client:
    # One per process and endpoint: building a client loads the CA bundle (~45 ms of CPU),
    # and a kept-alive connection saves a TLS handshake per check. httpx clients are
    # thread-safe.
    return httpx.Client(
        transport=_RedirectTransport(api_url),
        timeout=timeout,
        headers={"User-Agent": f"Broadsheet | {akismet.USER_AGENT}"},
    )


def _client() -> akismet.SyncClient:
    # Not the library's validated_client() or context manager: those verify the key first, a
    # second request for every check. A wrong key still shows, as APIKeyError from the call.
    config = akismet.Config(key=settings.AKISMET_API_KEY, url=settings.AKISMET_SITE_URL)
    http = _http_client(settings.AKISMET_API_URL, settings.AKISMET_TIMEOUT)
    return akismet.SyncClient(config=config, http_client=http)


def _gmt(moment) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def build_payload(comment, *, honeypot_value: str = "") -> dict:
    """Everything Akismet uses to judge `comment`, as the keyword arguments of comment_check.

    Stored with the comment, so later spam and ham reports send exactly the same values.
    """
    article = comment.article
    user = comment.user
    payload = {
        "user_ip": comment.author_ip or "",
        "user_agent": comment.user_agent,
        "referrer": comment.referrer,
        "permalink": settings.SITE_URL + article.get_absolute_url(),
        "comment_type": "reply" if comment.parent_id else "comment",
        "comment_author": comment.author_name,
        "comment_author_email": comment.author_email,
        "comment_author_url": comment.author_url,
        "comment_content": comment.content,
        "comment_date_gmt": _gmt(comment.submitted_at),
        "comment_post_modified_gmt": _gmt(article.updated_at),
        "blog_lang": settings.LANGUAGE_CODE.split("-")[0],
        "blog_charset": "UTF-8",
        "honeypot_field_name": HONEYPOT_FIELD,
        "comment_context": [c.name for c in article.categories.all()]
        + [t.name for t in article.tags.all()],
    }
    if honeypot_value:
        payload[HONEYPOT_FIELD] = honeypot_value
    if user is not None and user.is_staff:
        payload["user_role"] = "administrator"
    if settings.AKISMET_IS_TEST:
        payload["is_test"] = True
    return payload


def _arguments(payload: dict) -> tuple[str, dict]:
    arguments = {k: v for k, v in payload.items() if k in akismet.AkismetArguments.__annotations__}
    return payload.get("user_ip", ""), arguments


def check(payload: dict, *, recheck_reason: str = "") -> CheckResult:
    """Ask Akismet about a comment. Never raises: failures come back as an ERROR verdict."""
    user_ip, arguments = _arguments(payload)
    if recheck_reason:
        arguments["recheck_reason"] = recheck_reason
    try:
        response = _client().comment_check(user_ip, **arguments)
    except akismet.APIKeyError:
        return CheckResult("error", "invalid API key", invalid_key=True)
    except akismet.ProtocolError:
        return CheckResult("error", "unexpected answer")
    except akismet.RequestError as exc:
        return CheckResult("error", _describe(exc))
    except (akismet.AkismetError, httpx.HTTPError) as exc:
        logger.warning("Akismet check failed: %s", exc)
        return CheckResult("error", "request failed")
    return CheckResult(
        {
            akismet.CheckResponse.HAM: "ham",
            akismet.CheckResponse.SPAM: "spam",
            akismet.CheckResponse.DISCARD: "discard",
        }[response]
    )


def _describe(exc: akismet.RequestError) -> str:
    cause = exc.__cause__
    if isinstance(cause, httpx.TimeoutException):
        return "timed out"
    if isinstance(cause, httpx.ConnectError):
        return "connection refused"
    if isinstance(cause, httpx.HTTPStatusError):
        return f"server error {cause.response.status_code}"
    return "request failed"


def report(payload: dict, *, as_spam: bool) -> str:
    """Tell Akismet it was wrong (or right). Return "" on success, else what went wrong."""
    user_ip, arguments = _arguments(payload)
    try:
        client = _client()
        if as_spam:
            client.submit_spam(user_ip, **arguments)
        else:
            client.submit_ham(user_ip, **arguments)
    except akismet.APIKeyError:
        return "invalid API key"
    except akismet.RequestError as exc:
        return _describe(exc)
    except (akismet.AkismetError, httpx.HTTPError):
        return "request failed"
    return ""
