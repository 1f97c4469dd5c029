"""Commenters' faces: drawn here from a keyed hash of the email, unless Gravatar is chosen."""

import hashlib
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from comments.avatars import avatar_key, identicon_svg
from tests.comments.conftest import make_comment

pytestmark = pytest.mark.django_db


def test_each_comment_shows_an_identicon_that_reveals_nothing_of_the_email(client, article):
    make_comment(article, author_email="ada@example.com")
    make_comment(article, author_email="ADA@example.com ")
    make_comment(article, author_email="grace@example.com")

    page = client.get(article.get_absolute_url()).content.decode()

    sources = re.findall(r'<img class="comment__avatar" src="([^"]+)"', page)
    assert len(sources) == 3
    assert sources[0] == sources[1] != sources[2]  # one face per mailbox, whatever the case
    for plain in ("ada@example.com", hashlib.md5(b"ada@example.com").hexdigest(),
                  hashlib.sha256(b"ada@example.com").hexdigest()):  # fmt: skip
        assert plain not in page
    assert "gravatar" not in page

    svg = client.get(sources[0])
    assert svg.status_code == 200
    assert svg["Content-Type"] == "image/svg+xml"
    assert "immutable" in svg["Cache-Control"]
    assert svg.content.decode().startswith("<svg")


def test_gravatar_only_when_the_site_chooses_it(client, article, settings):
    settings.AVATARS = "gravatar"
    make_comment(article, author_email="Ada@Example.com")

    page = client.get(article.get_absolute_url()).content.decode()

    digest = hashlib.sha256(b"ada@example.com").hexdigest()
    assert f"https://gravatar.com/avatar/{digest}?s=80&amp;d=identicon" in page


def test_the_key_depends_on_the_sites_secret(settings):
    first = avatar_key("ada@example.com")
    settings.SECRET_KEY = "another secret entirely, long enough"
    assert avatar_key("ada@example.com") != first


def test_a_key_that_is_not_one_is_not_found(client):
    assert client.get("/comments/avatar/not-hex.svg").status_code == 404
    assert client.get("/comments/avatar/" + "g" * 32 + ".svg").status_code == 404


@given(email=st.emails() | st.text(max_size=200))
def test_any_address_draws_a_symmetric_picture(email):
    svg = identicon_svg(avatar_key(email))
    cells = re.findall(r'<rect x="(\d+)" y="(\d+)" width="8"', svg)
    assert {(int(x), int(y)) for x, y in cells} == {(32 - int(x), int(y)) for x, y in cells}
