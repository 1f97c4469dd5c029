"""An import leaves a consistent site: caches current, existing accounts untouched, commenter
input held to the comment form's rules."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from taggit.models import Tag

from comments.models import Comment, ModerationSettings
from comments.text import comment_html
from tests.wordpress.wxr import cdata, comment, export, post, run_import, write
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


def test_a_comment_removed_on_wordpress_leaves_the_warm_page_and_feeds(tmp_path):
    ModerationSettings.load()
    thread = [comment(10, content="First words."), comment(11, content="Second words.")]
    run_import(write(tmp_path, export(post(1, comments=thread))))
    feed = article_page().wsgi_request.path + "feed/"
    for address in (None, feed, "/comments/feed/"):  # warm every page that shows it
        for _ in range(2):
            Client().get(address) if address else article_page()
    assert "Second words." in Client().get("/comments/feed/").content.decode()

    # Only a comment changed: the article itself is exported exactly as before.
    thread[1] = comment(11, approved="trash", content="Second words.")
    run_import(write(tmp_path, export(post(1, comments=thread)), name="again.xml"))

    for html in (
        article_page().content.decode(),
        Client().get(feed).content.decode(),
        Client().get("/comments/feed/").content.decode(),
    ):
        assert "First words." in html and "Second words." not in html


def test_an_account_with_the_authors_username_and_email_is_credited_never_changed(tmp_path):
    admin = get_user_model().objects.create_superuser(
        "ann", "ANN@example.com", "a-long-password", first_name="Site", last_name="Owner"
    )
    text = export(post(1))

    out, err, table = run_import(write(tmp_path, text))
    run_import(write(tmp_path, text.replace("Ann Author", "Someone Else"), name="b.xml"))

    admin.refresh_from_db()
    assert (admin.email, admin.first_name, admin.last_name) == (
        "ANN@example.com", "Site", "Owner")  # fmt: skip
    assert admin.is_superuser and admin.check_password("a-long-password")
    assert "Author 'ann' (line " in err
    assert "matches the existing account 'ann' (superuser)" in err
    assert "its name, email, password and permissions were left unchanged" in err
    assert table["author"]["created"] == 0
    assert WordPressItem.objects.get(kind="post", wp_id=1).article.authors.get() == admin


def test_an_account_with_the_authors_username_but_another_email_is_not_theirs(tmp_path):
    User = get_user_model()
    admin = User.objects.create_superuser("ann", "owner@example.com", "a-long-password")
    User.objects.create_user("ann-wp", "someone@example.com")  # taken too: ann-wp2 is next

    out, err, table = run_import(write(tmp_path, export(post(1))))
    run_import(write(tmp_path, export(post(1, title="Again")), name="b.xml"))

    admin.refresh_from_db()
    assert (admin.email, admin.first_name, admin.is_superuser) == ("owner@example.com", "", True)
    assert admin.check_password("a-long-password")
    author = WordPressItem.objects.get(kind="post", wp_id=1).article.authors.get()
    assert (author.username, author.email, author.is_superuser) == (
        "ann-wp2", "ann@example.com", False)  # fmt: skip
    assert not author.has_usable_password()
    assert "has the username of the existing account 'ann' (superuser)" in err
    assert "a new account, 'ann-wp2'. 'ann' was left unchanged." in err
    assert table["author"]["created"] == 1
    assert User.objects.filter(username__startswith="ann").count() == 3  # not one per import


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


def test_an_imported_comment_is_stored_with_its_html_kept_in_step(tmp_path):
    ModerationSettings.load()
    first = [comment(10, content="Photos at https://one.example/album and more.")]
    run_import(write(tmp_path, export(post(1, comments=first))))

    stored = Comment.objects.get()
    assert 'href="https://one.example/album"' in stored.html
    assert stored.html == comment_html(stored.content)  # what Comment.save() stores
    assert 'href="https://one.example/album"' in article_page().content.decode()

    # Edited on WordPress: the re-import rewrites the text and its HTML together.
    again = [comment(10, content="Moved to https://two.example/album since.")]
    _out, _err, table = run_import(write(tmp_path, export(post(1, comments=again)), "again.xml"))

    assert table["comment"]["updated"] == 1
    stored.refresh_from_db()
    assert stored.content == "Moved to https://two.example/album since."
    assert stored.html == comment_html(stored.content)
    assert "two.example" in stored.html and "one.example" not in stored.html
    page = article_page().content.decode()
    assert 'href="https://two.example/album"' in page and "one.example" not in page


def tag(wp_id, slug, name) -> str:
    return (
        f"<wp:tag><wp:term_id>{wp_id}</wp:term_id><wp:tag_slug>{slug}</wp:tag_slug>"
        f"<wp:tag_name>{cdata(name)}</wp:tag_name></wp:tag>"
    )


def test_a_tag_here_already_is_linked_never_doubled(tmp_path):
    by_slug = Tag.objects.create(name="Local news", slug="news")
    by_name = Tag.objects.create(name="Weather", slug="weather-here")
    terms = [
        tag(1, "news", "News"),  # our slug
        tag(2, "weather", "Weather"),  # our name
        tag(3, "sport", "Sport"),
        tag(4, "sports", "Sport"),  # the name the export's tag before it took
        tag(5, "fresh", "Fresh"),
    ]
    _out, err, table = run_import(write(tmp_path, export(*terms, post(1))))

    assert table["tag"] == {
        "created": 2, "updated": 0, "unchanged": 3, "skipped": 0, "missing media": 0}  # fmt: skip
    assert Tag.objects.count() == 4
    assert WordPressItem.objects.get(kind="tag", wp_id=1).tag_id == by_slug.pk
    assert WordPressItem.objects.get(kind="tag", wp_id=2).tag_id == by_name.pk
    sport = Tag.objects.get(name="Sport")
    assert WordPressItem.objects.get(kind="tag", wp_id=4).tag_id == sport.pk
    assert "Tag 'news' (line " in err and "Tag 'sports' (line " in err


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(document.cookie)",
        "data:text/html,<b>x</b>",
        "ftp://files.example/",
        "http://",
        "https://reader.example/" + "a" * 200,
    ],
)
def test_a_commenter_website_the_form_would_refuse_is_left_out(tmp_path, url):
    comments = [comment(10, url=url.replace("&", "&amp;").replace("<", "&lt;")), comment(11)]
    out, err, table = run_import(write(tmp_path, export(post(1, comments=comments))))

    assert Comment.objects.get(author_url="").content == "Nice post."  # the comment stays
    assert Comment.objects.exclude(author_url="").get().author_url == "https://reader.example/"
    assert table["comment"]["created"] == 2
    assert "Comment 10 (line " in err and "left out" in err
    assert "1 commenter website(s) left out" in out


def test_a_commenter_website_is_stored_as_the_form_would_store_it(tmp_path):
    run_import(write(tmp_path, export(post(1, comments=[comment(10, url="reader.example/")]))))

    assert Comment.objects.get().author_url == "https://reader.example/"


def test_control_characters_never_reach_the_database_from_an_import(tmp_path):
    # XML 1.0 carries no C0 control but tab and line feed; C1 controls it does carry.
    text = export(
        post(
            1,
            comments=[
                comment(
                    10,
                    author="Ev\u0085e\u202e",
                    email="eve\u0080@example.org",
                    url="https://eve.example/\u009f",
                    content="A\u009bB",
                )
            ],
        )
    )

    run_import(write(tmp_path, text))

    stored = Comment.objects.get()
    assert stored.author_name in ("Eve\u202e", "Ev e\u202e")  # NEL is a line break too
    assert (stored.author_email, stored.author_url) == ("eve@example.org", "https://eve.example/")
    assert stored.content == "AB"
