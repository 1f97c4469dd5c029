"""Whole reader pages for anonymous readers, from the cache, until what they show changes.

A view opts in with `reader_page`. A GET from a reader who carries no cookie that makes the page
theirs (a session: signed in, or a comment of their own awaiting moderation; a flash message;
a cookie an app registered with `personal_cookie`, such as the comment form's remembered name)
is answered from the cache while every version the page was built on is still current (see
caching.py). Every page depends on the content version; the parts of a page add their own
(`depends_on`): an article page its comments and likes, so a comment on one article leaves
every other page cached.

The same rule tells HTTP caches in front (nginx, a CDN) what they may keep: anonymous reader
pages are `public` with a short `s-maxage` and `stale-while-revalidate`; a page drawn for one
person, and any answer to a POST or that sets a cookie, is `private, no-store`.

Anonymous readers post comments and likes from these shared pages, so those forms carry no
per-visitor CSRF token: `token_for_signed_in` checks that such a POST comes from our own
origin, as browsers declare in the Origin header, and asks signed-in users for the token.
"""

import hashlib
import re
import time
from collections.abc import Callable
from functools import wraps
from typing import NamedTuple
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.urls import Resolver404, resolve
from django.utils.cache import get_conditional_response, patch_cache_control, set_response_etag
from django.utils.http import http_date
from django.views.decorators.csrf import csrf_exempt

from . import caching

SAFE_METHODS = ("GET", "HEAD")
# The query parameters reader pages read: part of the cached page's address.
QUERY_PARAMETERS = frozenset({"s", "page", "cpage", "replytocom"})
# Query parameters that only say where a reader came from: the page is the same without them.
TRACKING = re.compile(r"utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|_ga|ref|ref_src")
# Pages each process also keeps in memory (about 60 kB each), to be checked without fetching.
LOCAL_PAGES = 200


class CachedPage(NamedTuple):
    built_on: dict  # version name → the version the page was drawn with
    status: int
    headers: dict
    content: bytes
    created: float  # time.time() when drawn


class Kept(NamedTuple):
    """A page this process served lately."""

    entry: CachedPage
    checked_at: float  # time.monotonic() when last checked against the shared versions
    changes: int | None  # caching.changes_here then; None: to be checked on its next hit


# Cookies that make a page someone's own, besides the session and flash messages; and
# versions whose change a cached page may lag behind for a few seconds. Apps add to both in
# their AppConfig.ready().
_personal_cookies: set[str] = set()
_coalesced: dict[str, Callable[[], float]] = {}


def personal_cookie(*names: str) -> None:
    """A reader who brings one of these cookies sees a page drawn for them, never cached."""
    _personal_cookies.update(names)


def coalesce(prefix: str, seconds: Callable[[], float]) -> None:
    """A cached page may show a version starting with `prefix` up to `seconds()` old: a
    version that changes with every click (a like count) redraws a page at most that often."""
    _coalesced[prefix] = seconds


def personal_cookies():
    return (settings.SESSION_COOKIE_NAME, "messages", *sorted(_personal_cookies))


def reader_page(view):
    """Mark `view` as a reader page: the same for every anonymous reader, and cacheable."""

    @wraps(view)
    def page(request, *args, **kwargs):
        return view(request, *args, **kwargs)

    page.reader_page = True
    return page


def depends_on(request, *names: str) -> None:
    """Record that the page being drawn shows what the versions `names` track.

    Read now, before anything is rendered: a change during rendering then makes the stored
    page stale at once, never current with old content.
    """
    if getattr(request, "page_versions", None) is not None:
        request.page_versions.update(zip(names, caching.versions(*names), strict=True))


def is_anonymous_read(request) -> bool:
    return request.method in SAFE_METHODS and not any(
        name in request.COOKIES for name in personal_cookies()
    )


def _is_reader_page(request) -> bool:
    """Whether the address is a reader page's: no cache round trip for the admin, /healthz…"""
    try:
        match = resolve(request.path_info, getattr(request, "urlconf", None))
    except Resolver404:
        return False
    return getattr(match.func, "reader_page", False)


def _cacheable_query(request) -> bool:
    """Whether the page cache may answer this address. A parameter no reader page reads
    (`/?p=4`, an old WordPress link; `/?x=<random>`) is drawn afresh, neither served from the
    cache nor stored: it may be another answer, and a stranger must not fill the cache."""
    return all(k in QUERY_PARAMETERS or TRACKING.fullmatch(k) for k in request.GET)


def reader_query(request, *, without=()) -> str:
    """The query string as reader pages read it: their own parameters only, sorted. What a
    page links to or is cached under is built from this, never from the tracking parameters
    or anything else a stranger adds to an address."""
    kept = QUERY_PARAMETERS.difference(without)
    return urlencode(sorted((k, v) for k, v in request.GET.lists() if k in kept), doseq=True)


def _key(request) -> str:
    address = f"{request.scheme}://{request.get_host()}{request.path}?{reader_query(request)}"
    return "page:" + hashlib.sha256(address.encode()).hexdigest()


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.recent = {}  # key → entry, for the pages this process served last

    def __call__(self, request):
        with caching.snapshot():
            return self.respond(request)

    def respond(self, request):
        anonymous = is_anonymous_read(request)
        use_cache = (
            anonymous
            and settings.PAGE_CACHE_SECONDS > 0
            and _cacheable_query(request)
            and _is_reader_page(request)
        )
        if use_cache:
            key = _key(request)
            hit = self.cached_response(request, key)
            if hit is not None:
                return hit
        request.page_versions = None  # set by process_view for a reader page
        response = self.get_response(request)
        if request.page_versions is None:
            if not response.has_header("Cache-Control") and (
                request.method not in SAFE_METHODS or response.cookies
            ):
                patch_cache_control(response, private=True, no_store=True)
            return response
        if not anonymous or response.cookies or response.has_header("Cache-Control"):
            # Drawn for this reader (or a preview, already marked): no one else may see it.
            patch_cache_control(response, private=True, no_store=True)
        elif response.status_code == 200 and not response.streaming:
            _vary_not_on_cookie(response)
            patch_cache_control(
                response,
                public=True,
                max_age=0,
                s_maxage=settings.PAGE_CACHE_SHARED_SECONDS,
                stale_while_revalidate=settings.PAGE_CACHE_STALE_SECONDS,
            )
            if not response.has_header("ETag"):
                set_response_etag(response)
            response.headers.setdefault("Last-Modified", http_date(time.time()))
            if use_cache and request.method == "GET":
                self.store(key, request, response)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(view_func, "reader_page", False):
            request.page_versions = {}
            depends_on(request, caching.CONTENT)

    def cached_response(self, request, key):
        # A page this process served lately is kept here too. Checked against the shared
        # versions less than PAGE_CACHE_RECHECK_SECONDS ago, with no change made here since, it
        # is served as it is; otherwise only its versions are asked of the cache, a few bytes.
        kept = self.recent.get(key)
        if kept is not None:
            entry = kept.entry
            fresh = time.monotonic() - kept.checked_at < settings.PAGE_CACHE_RECHECK_SECONDS
            if fresh and kept.changes == caching.changes_here and _is_young(entry):
                return _replay(request, entry)
            changes = caching.changes_here
            if _is_current(entry, caching.versions(*entry.built_on)):
                self.keep(key, entry, changes)
                return _replay(request, entry)
        # The page and the versions it was built on last time come together; a page whose
        # versions changed takes a second trip.
        changes = caching.changes_here
        names = tuple(kept.entry.built_on) if kept is not None else (caching.CONTENT,)
        current, entry = caching.versions_and_value(key, *names)
        if not isinstance(entry, CachedPage):
            return None
        if tuple(entry.built_on) != names:
            current = caching.versions(*entry.built_on)
        if not _is_current(entry, current):
            return None
        self.keep(key, entry, changes)
        return _replay(request, entry)

    def store(self, key, request, response):
        response["X-Page-Cache"] = "miss"
        entry = CachedPage(request.page_versions, response.status_code, dict(response.items()),
                           response.content, time.time())  # fmt: skip
        cache.set(key, entry, timeout=settings.PAGE_CACHE_SECONDS)
        self.keep(key, entry, changes=None)  # checked again on its first hit

    def keep(self, key, entry, changes):
        self.recent.pop(key, None)
        self.recent[key] = Kept(entry, time.monotonic(), changes)
        while len(self.recent) > LOCAL_PAGES:  # the oldest kept goes first
            try:
                del self.recent[next(iter(self.recent))]
            except (KeyError, RuntimeError, StopIteration):  # another thread got there first
                break


def _vary_not_on_cookie(response) -> None:
    """An anonymous page is the same for every reader who brings no personal cookie, and those
    who do are never served it (here or by the nginx in front): it does not vary by Cookie,
    though something looked for a session that was not there."""
    vary = [v.strip() for v in response.get("Vary", "").split(",") if v.strip()]
    kept = [v for v in vary if v.lower() != "cookie"]
    if kept:
        response["Vary"] = ", ".join(kept)
    elif "Vary" in response:
        del response["Vary"]


def _is_young(entry: CachedPage) -> bool:
    return time.time() - entry.created < settings.PAGE_CACHE_SECONDS


def _is_current(entry: CachedPage, current) -> bool:
    """Whether every version the page was drawn with is still current, or (for a coalesced
    version, see `coalesce`) changed less than its few seconds ago."""
    if not _is_young(entry):
        return False
    age = time.time() - entry.created
    return all(
        built == now or age < _lag_allowed(name)
        for (name, built), now in zip(entry.built_on.items(), current, strict=True)
    )


def _lag_allowed(name: str) -> float:
    return next((seconds() for prefix, seconds in _coalesced.items() if name.startswith(prefix)), 0)


def _replay(request, entry: CachedPage):
    response = HttpResponse(entry.content, status=entry.status, headers=entry.headers)
    response["X-Page-Cache"] = "hit"
    return get_conditional_response(request, etag=entry.headers.get("ETag"), response=response)


def _same_origin(request) -> bool:
    origin = request.headers.get("Origin")
    if origin is None:  # an older browser: the Referer names the page the form was on
        parts = urlsplit(request.headers.get("Referer", ""))
        origin = f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""
    ours = f"{request.scheme}://{request.get_host()}"
    return bool(origin) and (origin == ours or origin in settings.CSRF_TRUSTED_ORIGINS)


def token_for_signed_in(view):
    """CSRF protection for a form anonymous readers send from a shared, cached page.

    An anonymous POST from our own origin needs no token: a browser does not let another site
    forge the Origin header, and an anonymous reader has no session to abuse. A signed-in user,
    or a POST from anywhere else, goes through Django's full CSRF check.
    """

    @wraps(view)
    def checked(request, *args, **kwargs):
        if request.user.is_authenticated or not _same_origin(request):
            refused = CsrfViewMiddleware(view).process_view(request, view, args, kwargs)
            if refused is not None:
                return refused
        return view(request, *args, **kwargs)

    return csrf_exempt(checked)
