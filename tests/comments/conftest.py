"""Shared setup for the comment tests: an article, posting its form over HTTP, reading the page.

`post(...)` sends the comment form as a browser does, then runs what the view scheduled for
after the commit (the Akismet check, the emails), as the immediate task backend does in
production. `Page` reads the HTML a reader gets, so tests can look for a comment at its anchor.
"""

import itertools
import re
from html.parser import HTMLParser

import pytest
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.test import Client, RequestFactory
from django.utils.html import VOID_ELEMENTS

from comments import services
from comments.forms import sign_form
from comments.models import Comment, ModerationSettings
from tests.factories import make_article, make_category

POST_URL = "/comments/post/"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
_numbers = itertools.count(1)


def new_ip():
    """A different client address each call, so the flood window is keyed on email alone."""
    n = next(_numbers)
    return f"10.0.{n // 200}.{n % 200 + 1}"


# Data --------------------------------------------------------------------------------------


@pytest.fixture
def rules(db):
    """The site's moderation settings (the one row the admin edits)."""
    return ModerationSettings.load()


@pytest.fixture
def article(db):
    return make_article("Tea and Toast", categories=[make_category("Food")], tags=["breakfast"])


def make_comment(article, *, status=Comment.Status.APPROVED, **fields):
    """A stored comment, approved unless told otherwise."""
    n = next(_numbers)
    fields.setdefault("author_name", f"Reader {n}")
    fields.setdefault("author_email", f"reader{n}@example.com")
    fields.setdefault("content", f"Comment number {n}.")
    fields.setdefault("author_ip", new_ip())
    return Comment.objects.create(article=article, status=status, **fields)


@pytest.fixture
def ada_returns(article):
    """Ada has an approved comment already, so the site approves her next ones."""
    return make_comment(
        article, author_name="Ada Lovelace", author_email="ada@example.com", content="First!"
    )


# Posting -----------------------------------------------------------------------------------


@pytest.fixture
def time_passes():
    """The flood window of every comment so far is over: the same reader may post again."""

    def time_passes():
        for comment in Comment.objects.all():
            cache.delete_many(services._flood_keys(comment))

    return time_passes


def form_data(article, **fields):
    """What the comment form of `article` sends, with a fresh signature; `fields` override."""
    data = {
        "name": "Ada Lovelace",
        "email": "ada@example.com",
        "url": "",
        "content": "What a lovely piece.",
        "article": article.pk,
        "parent": "",
        "signature": sign_form(article.pk),
        "hp_website": "",
    }
    data.update(fields)
    return data


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    """Post the comment form, from `browser` (default: the test's client) and a new IP."""

    def post(article, *, browser=None, ip=None, user_agent=BROWSER, **fields):
        with django_capture_on_commit_callbacks(execute=True):
            return (browser or client).post(
                POST_URL,
                form_data(article, **fields),
                REMOTE_ADDR=ip or new_ip(),
                HTTP_USER_AGENT=user_agent,
                HTTP_REFERER=f"http://testserver{article.get_absolute_url()}",
            )

    return post


@pytest.fixture
def stranger():
    """Another reader, with a browser (session, cookies) of their own."""
    return Client()


def post_as_a_server_does(path, data, **headers):
    """POST `data` to `path` through Django's WSGI handler, as gunicorn does, and return the
    response once the reader has all of it: before the server calls its close().

    (The test client calls close() itself, before it returns.)
    """
    request = RequestFactory().post(path, data, HTTP_ORIGIN="http://testserver", **headers)
    return WSGIHandler()(request.environ, lambda status, headers: None)


def comment_as_a_server_does(article, **fields):
    """The comment form, sent as gunicorn passes it on (see post_as_a_server_does)."""
    return post_as_a_server_does(
        POST_URL, form_data(article, **fields), REMOTE_ADDR=new_ip(), HTTP_USER_AGENT=BROWSER
    )


def posted(response):
    """The comment a successful post stored: the post redirects to its anchor on the article,
    or to its permalink when the thread has several pages."""
    assert response.status_code == 302, response.status_code
    found = re.fullmatch(r"/comments/(\d+)/|/[^#]+/#comment-(\d+)", response["Location"])
    pk = int(found.group(1) or found.group(2))
    return Comment.objects.get(pk=pk)


# Reading pages -----------------------------------------------------------------------------


class Node:
    def __init__(self, tag, attrs, parent=None):
        self.tag, self.attrs, self.parent, self.children = tag, dict(attrs), parent, []

    def __repr__(self):
        return f"<{self.tag} {self.attrs}>"

    @property
    def classes(self):
        return (self.attrs.get("class") or "").split()

    def walk(self):
        for child in self.children:
            if isinstance(child, Node):
                yield child
                yield from child.walk()

    def find_all(self, tag=None, *, cls=None, **attrs):
        return [
            node
            for node in self.walk()
            if (tag is None or node.tag == tag)
            and (cls is None or cls in node.classes)
            and all(node.attrs.get(k.rstrip("_")) == v for k, v in attrs.items())
        ]

    def find(self, tag=None, **kwargs):
        found = self.find_all(tag, **kwargs)
        return found[0] if found else None

    def by_id(self, element_id):
        return self.find(id=element_id)

    @property
    def raw_text(self):
        if self.tag == "br":
            return "\n"
        return "".join(c if isinstance(c, str) else c.raw_text for c in self.children)

    @property
    def text(self):
        """The text a reader sees, with runs of whitespace as one space."""
        return " ".join(self.raw_text.split())

    def is_inside(self, other):
        node = self.parent
        while node is not None:
            if node is other:
                return True
            node = node.parent
        return False


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__()
        self.root = self.current = Node("document", {})

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs, self.current)
        self.current.children.append(node)
        if tag not in VOID_ELEMENTS:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Node(tag, attrs, self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


class Page(Node):
    """The HTML of a response as a tree, with the helpers the comment tests need."""

    def __init__(self, response):
        builder = _TreeBuilder()
        builder.feed(response.content.decode())
        super().__init__("document", {})
        self.children = builder.root.children
        for child in self.children:
            if isinstance(child, Node):
                child.parent = self
        self.response = response

    def comment(self, comment):
        """The <li> of `comment` (a Comment or its id), or None when the reader can't see it."""
        return self.by_id(f"comment-{getattr(comment, 'pk', comment)}")

    def form_values(self):
        """Field name → value of the comment form, as the browser would show them."""
        form = self.by_id("commentform")
        values = {}
        for node in form.find_all("input"):
            if node.attrs.get("type") == "checkbox":
                values[node.attrs["name"]] = "checked" in node.attrs
            else:
                values[node.attrs.get("name")] = node.attrs.get("value") or ""
        for node in form.find_all("textarea"):
            text = node.raw_text
            values[node.attrs["name"]] = text[1:] if text.startswith("\n") else text
        return values


@pytest.fixture
def read(client):
    """GET a page (as the test's client, or `browser`) and return it as a Page."""

    def read(url, *, browser=None, status=200):
        response = (browser or client).get(url)
        assert response.status_code == status, (url, response.status_code)
        return Page(response)

    return read
