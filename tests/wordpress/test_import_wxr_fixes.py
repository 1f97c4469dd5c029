"""`manage.py import_wxr` again after people here deleted what it brought in.

What was imported and then deleted here (by moderators, `purge_comments`, editors in the admin)
stays deleted: a later import of the same site names it, skips it and counts it as skipped.
"""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from taggit.models import Tag

from blog.models import Article, Category, Image, Page
from comments import services
from comments.models import Comment
from tests.factories import image_bytes, make_article, make_moderator, make_user
from wordpress.models import WordPressItem

from .wxr import (
    attachment,
    comment,
    export,
    filed,
    imported,
    post,
    require_sample,
    run_import,
    tag,
    thumbnail,
    warned,
    write,
)

pytestmark = pytest.mark.django_db
DELETED = "deleted here since the last import; not imported again."
UPLOADS = "https://small.example/wp-content/uploads"


def purge_comments() -> str:
    out = io.StringIO()
    call_command("purge_comments", stdout=out)
    return out.getvalue()


def delete_in_admin(client, admin_path: str, pk: int) -> None:
    """Delete as a person does: the admin's confirmation page, then yes."""
    url = f"/admin/{admin_path}/{pk}/delete/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"post": "yes"})
    assert response.status_code == 302, response.content[:2000]


@pytest.fixture
def moderator():
    return make_moderator()


@pytest.fixture
def uploads(tmp_path):
    """A copy of wp-content/uploads holding one real photo."""
    folder = tmp_path / "uploads" / "2020" / "01"
    folder.mkdir(parents=True)
    (folder / "harbour.jpg").write_bytes(image_bytes("JPEG", size=(600, 400)))
    return tmp_path / "uploads"


def test_comments_moderators_deleted_are_not_brought_back(tmp_path, moderator, client):
    path = write(tmp_path, export(post(1, comments=[comment(11), comment(12), comment(13)])))
    run_import(path)
    services.trash(comment=imported("comment", 11), by=moderator)
    services.mark_spam(comment=imported("comment", 12), by=moderator)
    assert "Deleted 1 spam and 1 trashed comment(s)" in purge_comments()

    _out, err, table = run_import(path)

    assert table["comment"] == {
        "created": 0, "updated": 0, "unchanged": 1, "skipped": 2, "missing media": 0}  # fmt: skip
    assert warned(err, "Comment 11", DELETED) and warned(err, "Comment 12", DELETED)
    kept = imported("comment", 13)
    assert list(Comment.objects.all()) == [kept]
    page = client.get(kept.article.get_absolute_url())
    assert page.status_code == 200 and page.content.count(b"Nice post.") == 1


def test_a_changed_export_brings_no_deleted_comment_back(tmp_path, moderator):
    run_import(write(tmp_path, export(post(1, comments=[comment(11, approved="0"), comment(12)]))))
    services.delete(comment=imported("comment", 11), by=moderator)  # no replies: deleted
    assert imported("comment", 11) is None

    edited = [comment(11, content="Edited on WordPress."), comment(12)]
    _out, err, table = run_import(write(tmp_path, export(post(1, comments=edited)), "edited.xml"))

    assert table["comment"]["skipped"] == 1 and table["comment"]["created"] == 0
    assert warned(err, "Comment 11", DELETED)
    assert Comment.objects.count() == 1


def test_theme_unit_test_comments_deleted_here_stay_deleted(tmp_path, moderator):
    path = require_sample()
    _out, _err, first = run_import(path)
    trashed, spammed = Comment.objects.filter(status="approved", replies=None).order_by("pk")[:2]
    wp_ids = dict(
        WordPressItem.objects.filter(comment__in=[trashed, spammed]).values_list(
            "comment_id", "wp_id"
        )
    )
    services.trash(comment=trashed, by=moderator)
    services.mark_spam(comment=spammed, by=moderator)
    assert "Deleted 1 spam and 1 trashed comment(s)" in purge_comments()
    left = set(Comment.objects.values_list("pk", "status"))

    _out, err, table = run_import(path)

    assert table["comment"]["created"] == 0 and table["comment"]["updated"] == 0
    assert table["comment"]["skipped"] == first["comment"]["skipped"] + 2
    assert warned(err, f"Comment {wp_ids[trashed.pk]}", DELETED)
    assert warned(err, f"Comment {wp_ids[spammed.pk]}", DELETED)
    assert set(Comment.objects.values_list("pk", "status")) == left


def test_a_comment_deleted_with_its_replies_kept_stays_a_placeholder(tmp_path, moderator):
    run_import(write(tmp_path, export(post(1, comments=[comment(11), comment(12, parent=11)]))))
    services.delete(comment=imported("comment", 11), by=moderator)  # its reply keeps it

    edited = [comment(11, content="Edited on WordPress."), comment(12, parent=11)]
    _out, err, table = run_import(write(tmp_path, export(post(1, comments=edited)), "edited.xml"))

    placeholder = imported("comment", 11)
    assert placeholder.is_removed and placeholder.content == ""
    assert placeholder.status == Comment.Status.TRASH
    assert warned(err, "Comment 11", DELETED)
    assert table["comment"]["skipped"] == 1 and table["comment"]["unchanged"] == 1


def test_a_moderators_decision_outlasts_a_changed_export(tmp_path, moderator):
    run_import(write(tmp_path, export(post(1, comments=[comment(11), comment(12, approved="0")]))))
    services.trash(comment=imported("comment", 11), by=moderator)
    services.approve(comment=imported("comment", 12), by=moderator)

    edited = [comment(11, content="Edited on WordPress."), comment(12, approved="spam")]
    _out, _err, table = run_import(write(tmp_path, export(post(1, comments=edited)), "e.xml"))

    assert table["comment"]["updated"] == 2
    trashed = imported("comment", 11)
    assert (trashed.status, trashed.content) == ("trash", "Edited on WordPress.")
    assert imported("comment", 12).status == "approved"


def test_a_comment_answering_one_deleted_here_goes_to_the_top(tmp_path, moderator):
    run_import(write(tmp_path, export(post(1, comments=[comment(11)]))))
    services.delete(comment=imported("comment", 11), by=moderator)

    later = export(post(1, comments=[comment(11), comment(12, parent=11)]))
    _out, err, table = run_import(write(tmp_path, later, "later.xml"))

    assert table["comment"]["created"] == 1 and table["comment"]["skipped"] == 1
    assert imported("comment", 12).parent is None
    assert warned(err, "Comment 12", "its parent 11 was deleted here; attached at the top level")


def test_an_article_deleted_here_stays_deleted(tmp_path, admin_client, client):
    path = write(tmp_path, export(post(1, comments=[comment(11)]), post(2)))
    run_import(path)
    delete_in_admin(admin_client, "blog/article", imported("post", 1).pk)
    assert imported("post", 1) is None and imported("comment", 11) is None

    _out, err, table = run_import(path)

    assert table["post"] == {
        "created": 0, "updated": 0, "unchanged": 1, "skipped": 1, "missing media": 0}  # fmt: skip
    assert table["comment"]["skipped"] == 1 and table["comment"]["created"] == 0
    assert warned(err, "Post 1", DELETED)
    assert Article.objects.count() == 1 and Comment.objects.count() == 0
    assert client.get("/?p=1").status_code == 404  # its old link: gone, not an error
    assert client.get("/?p=2").status_code == 301


def test_a_page_deleted_here_stays_deleted(tmp_path, admin_client, client):
    path = write(tmp_path, export(post(3, post_type="page", name="about")))
    run_import(path)
    delete_in_admin(admin_client, "blog/page", imported("page", 3).pk)

    _out, err, table = run_import(path)

    assert table["page"]["skipped"] == 1 and table["page"]["created"] == 0
    assert warned(err, "Page 3", DELETED)
    assert not Page.objects.exists()
    assert client.get("/?page_id=3").status_code == 404


def test_a_category_or_tag_deleted_here_stays_deleted(tmp_path, admin_client):
    filing = filed("news") + filed("tagged", domain="post_tag")
    run_import(write(tmp_path, export(tag(5, "tagged"), post(1, extra=filing))))
    delete_in_admin(admin_client, "blog/category", imported("category", 3).pk)
    delete_in_admin(admin_client, "taggit/tag", imported("tag", 5).pk)

    edited = export(tag(5, "tagged"), post(1, title="Edited", extra=filing))
    _out, err, table = run_import(write(tmp_path, edited, "edited.xml"))

    assert table["post"]["updated"] == 1
    assert table["category"]["skipped"] == 1 and table["tag"]["skipped"] == 1
    assert warned(err, "Category 'news'", DELETED) and warned(err, "Tag 'tagged'", DELETED)
    assert "not among the export's" not in err  # the post is filed without them, quietly
    assert not Category.objects.exists() and not Tag.objects.exists()
    article = Article.objects.get()
    assert not article.categories.exists() and not article.tags.exists()


def test_an_author_deleted_here_stays_deleted(tmp_path, admin_client):
    run_import(write(tmp_path, export(post(1))))
    delete_in_admin(admin_client, "auth/user", imported("author", 1).pk)
    chief = make_user("chief")

    edited = write(tmp_path, export(post(1, title="Edited"), post(2)), "edited.xml")
    _out, err, table = run_import(edited, "--default-author", "chief")

    assert table["author"]["skipped"] == 1 and table["author"]["created"] == 0
    assert warned(err, "Author 'ann'", DELETED)
    assert not get_user_model().objects.filter(username="ann").exists()
    assert warned(err, "Post 1", "its author 'ann' was deleted here; given to chief")
    assert [list(a.authors.all()) for a in Article.objects.order_by("pk")] == [[chief], [chief]]


def test_an_author_deleted_here_leaves_posts_without_an_author(tmp_path, admin_client):
    run_import(write(tmp_path, export(post(1))))
    delete_in_admin(admin_client, "auth/user", imported("author", 1).pk)

    edited = export(post(1, title="Edited"), post(2))
    _out, err, _table = run_import(write(tmp_path, edited, "edited.xml"))

    assert warned(err, "Post 1", "its author 'ann' was deleted here, and no --default-author")
    assert "Post 2" not in err  # said once, for the first of their posts
    assert not get_user_model().objects.filter(username="ann").exists()
    assert all(not a.authors.exists() for a in Article.objects.all())


def test_an_image_deleted_here_stays_deleted(tmp_path, uploads, admin_client):
    photo = attachment(50, f"{UPLOADS}/2020/01/harbour.jpg")
    run_import(write(tmp_path, export(post(1), photo)), "--media-dir", str(uploads))
    delete_in_admin(admin_client, "blog/image", imported("attachment", 50).pk)

    featured = export(post(1, extra=thumbnail(50)), photo)
    _out, err, table = run_import(
        write(tmp_path, featured, "featured.xml"), "--media-dir", str(uploads)
    )

    assert table["attachment"]["skipped"] == 1 and table["attachment"]["created"] == 0
    assert table["post"]["missing media"] == 0
    assert warned(err, "Attachment 50", DELETED)
    assert warned(err, "Post 1", "its featured image, attachment 50, was deleted here")
    assert not Image.objects.exists()
    assert Article.objects.get().featured_image is None


def test_deleting_a_comment_keeps_what_the_import_knows_of_it(tmp_path, moderator):
    run_import(write(tmp_path, export(post(1, comments=[comment(11)]))))
    item = WordPressItem.objects.get(kind="comment")

    services.delete(comment=item.comment, by=moderator)

    item.refresh_from_db()
    assert item.comment is None and item.wp_id == 11
    assert not Comment.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_migrating_back_forgets_what_was_deleted_here():
    article = make_article("Imported")
    WordPressItem.objects.create(site="https://old.example", kind="post", wp_id=4, article=article)
    WordPressItem.objects.create(site="https://old.example", kind="post", wp_id=5)  # deleted
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes("wordpress")
    try:
        executor.migrate([("wordpress", "0001_initial")])
        assert list(WordPressItem.objects.values_list("wp_id", flat=True)) == [4]
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(latest)
