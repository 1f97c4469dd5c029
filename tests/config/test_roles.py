"""Least privilege: each staff role reaches its own desk and nothing more."""

import pytest

from tests.factories import make_article, make_editor, make_moderator

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    ["/admin/blog/article/add/", "/admin/auth/user/", "/admin/auth/group/",
     "/admin/auth/user/add/", "/admin/blog/category/add/"],
)  # fmt: skip
def test_a_moderator_cannot_write_articles_or_manage_people(client, path):
    client.force_login(make_moderator())

    assert client.get(path).status_code == 403


def test_a_moderator_cannot_change_an_article(client):
    article = make_article("Not theirs")
    client.force_login(make_moderator())

    response = client.post(f"/admin/blog/article/{article.pk}/change/", {"title": "Mine now"})

    assert response.status_code == 403
    article.refresh_from_db()
    assert article.title == "Not theirs"


@pytest.mark.parametrize(
    "path",
    ["/admin/comments/comment/?status__exact=held", "/admin/comments/comment/empty/spam/",
     "/admin/auth/user/", "/admin/auth/group/"],
)  # fmt: skip
def test_an_editor_cannot_moderate_or_manage_people(client, path):
    client.force_login(make_editor())

    assert client.get(path).status_code == 403
