"""An import leaves a consistent site: caches current, existing accounts untouched, commenter
input held to the comment form's rules."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from comments.models import Comment, ModerationSettings
from tests.wordpress.wxr import comment, export, post, run_import, write
from wordpress.models import WordPressItem

pytestmark = pytest.mark.django_db


def article_page(wp_id=1):
    article = WordPressItem.objects.get(kind="post", wp_id=wp_id).article
    response = Client().get(article.get_absolute_url())
    assert response.status_code == 200
    return response


def test_a_reimport_shows_on_pages_the_cache_held(tmp_path):
    ModerationSettings.load()
    first = export(post(1, title="Before", comments=[comment(10, content="Kept words.")]))
    run_import(write(tmp_path, first))
    article_page()
    assert article_page()["X-Page-Cache"] == "hit"  # warm: page and thread fragment cached
    assert "Kept words." in article_page().content.decode()

    # On WordPress meanwhile: the comment was marked spam, the post retitled.
    second = export(post(1, title="After", comments=[comment(10, approved="spam",
                                                             content="Kept words.")]))  # fmt: skip
    run_import(write(tmp_path, second, name="again.xml"))

    html = article_page().content.decode()
    assert "Kept words." not in html
    assert "After" in html and "Before" not in html
    assert "After" in Client().get("/").content.decode()  # the lists too


def test_an_existing_account_is_credited_never_changed(tmp_path):
    admin = get_user_model().objects.create_superuser(
        "ann", "owner@example.com", "a-long-password", first_name="Site", last_name="Owner"
    )
    text = export(post(1))

    out, err, _table = run_import(write(tmp_path, text))
    run_import(write(tmp_path, text.replace("ann@example.com", "new@example.com"), name="b.xml"))

    admin.refresh_from_db()
    assert (admin.email, admin.first_name, admin.last_name) == (
        "owner@example.com", "Site", "Owner")  # fmt: skip
    assert admin.is_superuser and admin.check_password("a-long-password")
    assert "the account 'ann' (a superuser) exists already" in out + err
    assert WordPressItem.objects.get(kind="post", wp_id=1).article.authors.get() == admin


def test_an_account_the_import_made_follows_the_export_until_it_is_used(tmp_path):
    text = export(post(1))
    run_import(write(tmp_path, text))
    run_import(write(tmp_path, text.replace("ann@example.com", "ann2@example.com"), name="b.xml"))
    ann = get_user_model().objects.get(username="ann")
    assert ann.email == "ann2@example.com"

    get_user_model().objects.filter(pk=ann.pk).update(last_login="2026-01-01T00:00:00Z")
    run_import(write(tmp_path, text.replace("ann@example.com", "ann3@example.com"), name="c.xml"))

    ann.refresh_from_db()
    assert ann.email == "ann2@example.com"


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "data:text/html,<b>x</b>", "ftp://files.example/", "http://"],
)
def test_a_commenter_website_that_is_not_a_web_address_is_left_out(tmp_path, url):
    out, err, _table = run_import(write(tmp_path, export(post(1, comments=[comment(10, url=url)]))))

    assert Comment.objects.get().author_url == ""
    assert "is not an http(s) address; left out" in out + err


def test_control_characters_never_reach_the_database_from_an_import(tmp_path):
    # XML 1.0 carries no C0 control but tab and line feed; C1 controls it does carry.
    text = export(post(1, comments=[comment(10, author="Ev\u0085e\u202e", content="A\u009bB")]))

    run_import(write(tmp_path, text))

    stored = Comment.objects.get()
    assert stored.author_name in ("Eve\u202e", "Ev e\u202e")  # NEL is a line break too
    assert stored.content == "AB"
