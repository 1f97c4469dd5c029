"""`manage.py import_wxr` on small exports the tests write: every bad input named in issue 4.

Fatal problems stop the import with the line and write nothing; problems with one item are
reported with its WordPress ID and line, and the item is imported as well as it can be.
"""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError

from blog.models import Article
from comments.models import Comment
from wordpress.models import WordPressItem

from .wxr import comment, export, post, row_counts, run_import, write

pytestmark = pytest.mark.django_db


def fails(tmp_path, text, *patterns):
    """Import `text`; check that it fails naming each pattern, and that nothing was written."""
    before = row_counts()
    with pytest.raises(CommandError) as error:
        run_import(write(tmp_path, text))
    message = str(error.value)
    for pattern in patterns:
        assert pattern in message, message
    assert "Nothing was imported" in message
    assert row_counts() == before
    return message


def test_not_xml(tmp_path):
    fails(tmp_path, "Title,Date\nHello,2020-01-01\n", "not an XML file", "Line 1:")


def test_empty_file(tmp_path):
    fails(tmp_path, "", "not an XML file")


def test_truncated_xml(tmp_path):
    text = export(post(1), post(2, comments=[comment(10)]))
    cut = text[: text.index("<wp:comment_author>")]
    fails(tmp_path, cut, "cut short", f"Line {cut.count(chr(10)) + 1}:")


def test_malformed_xml_in_the_middle(tmp_path):
    text = export(post(1), post(2)).replace("<title>A post</title>", "<title>A post</titel>", 1)
    line = text[: text.index("</titel>")].count("\n") + 1
    fails(tmp_path, text, "not well-formed XML", f"Line {line}:")


def test_wrong_root(tmp_path):
    text = (
        '<?xml version="1.0"?>\n\n<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title></feed>'
    )
    fails(tmp_path, text, "Not a WordPress export", "<feed>", "Line 3:")


def test_rss_without_the_wordpress_namespace(tmp_path):
    text = '<?xml version="1.0"?>\n<rss version="2.0"><channel><title>Blog</title></channel></rss>'
    fails(tmp_path, text, "WordPress export namespace", "Line 2:")


def test_wrong_namespace(tmp_path):
    text = export(post(1), namespace="http://example.com/export/1.2/")
    fails(tmp_path, text, "WordPress export namespace", "http://example.com/export/1.2/")


def test_unknown_version(tmp_path):
    text = export(post(1)).replace("<wp:wxr_version>1.2<", "<wp:wxr_version>9.9<")
    line = text[: text.index("<wp:wxr_version>")].count("\n") + 1
    fails(tmp_path, text, "Unknown WXR version '9.9'", f"Line {line}:")


def test_unknown_namespace_version(tmp_path):
    fails(tmp_path, export(post(1), version="3.0"), "Unknown WXR version '3.0'")


def test_a_problem_at_the_end_undoes_everything_before_it(tmp_path):
    items = [post(n, comments=[comment(100 + n)]) for n in range(1, 700)]  # more than a batch
    text = export(*items).replace("</channel>", "<oops></channel>")
    fails(tmp_path, text, "not well-formed XML")


@pytest.mark.parametrize("version", ["1.0", "1.1", "1.2"])
def test_every_wxr_version(tmp_path, version):
    _out, _err, table = run_import(write(tmp_path, export(post(1), version=version)))
    assert table["post"]["created"] == 1


def test_item_without_title(tmp_path):
    path = write(tmp_path, export(post(7, title=None), post(8, title="")))
    _out, err, table = run_import(path)
    assert table["post"]["created"] == 2
    assert Article.objects.filter(title="(no title)").count() == 2
    assert "Post 7 (line " in err and "Post 8 (line " in err and "no title" in err


def test_invalid_date(tmp_path):
    path = write(tmp_path, export(post(7, date="2020-13-45 99:00:00")))
    _out, err, table = run_import(path)
    assert table["post"]["created"] == 1
    article = Article.objects.get()
    assert article.status == Article.Status.DRAFT and article.published_at is None
    assert "Post 7 (line " in err and "invalid date '2020-13-45 99:00:00'" in err


def test_two_posts_with_one_slug(tmp_path):
    path = write(tmp_path, export(post(7, name="same"), post(8, name="same")))
    _out, err, _table = run_import(path)
    assert sorted(Article.objects.values_list("slug", flat=True)) == ["same", "same-2"]
    assert "Post 8 (line " in err and "'same' is taken by post 7" in err and "'same-2'" in err
    run_import(path)  # and again: each keeps its slug
    assert sorted(Article.objects.values_list("slug", flat=True)) == ["same", "same-2"]


def test_slug_taken_by_an_article_already_here(tmp_path):
    run_import(write(tmp_path, export(post(7, name="taken")), "first.xml"))
    WordPressItem.objects.all().delete()  # as if written here, not imported
    _out, err, _table = run_import(write(tmp_path, export(post(9, name="taken"))))
    assert "Post 9 (line " in err and "taken by another article" in err
    assert Article.objects.filter(slug="taken-2").exists()


def test_percent_encoded_unicode_slug(tmp_path):
    run_import(write(tmp_path, export(post(7, name="%ce%b5%cf%80%ce%af%cf%80%ce%b5%ce%b4%ce%bf"))))
    assert Article.objects.get().slug == "επίπεδο"


def test_comment_with_missing_parent(tmp_path):
    text = export(post(1, comments=[comment(10), comment(11, parent=999)]))
    _out, err, table = run_import(write(tmp_path, text))
    assert table["comment"]["created"] == 2
    assert Comment.objects.get(content="Nice post.", pk=_pk(11)).parent is None
    assert "Comment 11 (line " in err and "parent 999 is not in the export" in err


def test_replies_before_their_parents(tmp_path):
    text = export(post(1, comments=[comment(13, parent=12), comment(12, parent=11), comment(11)]))
    run_import(write(tmp_path, text))
    assert Comment.objects.get(pk=_pk(13)).parent_id == _pk(12)
    assert Comment.objects.get(pk=_pk(12)).parent_id == _pk(11)
    assert Comment.objects.get(pk=_pk(11)).parent_id is None


def test_replies_in_a_loop(tmp_path):
    text = export(post(1, comments=[comment(11, parent=12), comment(12, parent=11)]))
    _out, err, _table = run_import(write(tmp_path, text))
    assert Comment.objects.count() == 2
    assert Comment.objects.filter(parent=None).count() == 1
    assert "loop back" in err


def test_statuses_kinds_and_details(tmp_path):
    comments = [
        comment(11, approved="1"),
        comment(12, approved="0"),
        comment(13, approved="spam"),
        comment(14, approved="trash"),
        comment(15, kind="pingback", author="Ping &laquo; Other blog"),
        comment(16, kind="trackback"),
        comment(
            17, ip="not-an-ip", content='<a href="https://x.example/">a link</a> &amp; <b>b</b>'
        ),
        comment(18, author="N" * 245),
        comment(19, author="M" * 300),
        comment(20, kind="order_note"),
    ]
    _out, err, table = run_import(write(tmp_path, export(post(1, comments=comments))))
    assert table["comment"]["created"] == 9 and table["comment"]["skipped"] == 1
    status = {n: Comment.objects.get(pk=_pk(n)).status for n in (11, 12, 13, 14)}
    assert status == {11: "approved", 12: "held", 13: "spam", 14: "trash"}
    assert Comment.objects.get(pk=_pk(15)).kind == "pingback"
    assert Comment.objects.get(pk=_pk(15)).author_name == "Ping « Other blog"
    assert Comment.objects.get(pk=_pk(16)).kind == "trackback"
    converted = Comment.objects.get(pk=_pk(17))
    assert converted.content == "a link (https://x.example/) & b"
    assert converted.author_ip is None and "Comment 17 (line " in err
    assert Comment.objects.get(pk=_pk(18)).author_name == "N" * 245  # kept whole
    assert Comment.objects.get(pk=_pk(19)).author_name == "M" * 245
    assert "Comment 19 (line " in err and "shortened" in err
    assert "Comment 20 (line " in err and "'order_note'" in err
    first = Comment.objects.get(pk=_pk(11))
    assert (first.author_email, first.author_url, first.author_ip) == (
        "r@example.org", "https://reader.example/", "192.0.2.7")  # fmt: skip
    assert first.events.get().message == "Imported from WordPress."


def test_comment_linked_to_its_author(tmp_path):
    text = export(post(1, comments=[comment(11, user_id=1, email="ann@example.com")]))
    run_import(write(tmp_path, text))
    assert Comment.objects.get().user.username == "ann"


def test_reimport_updates_what_changed(tmp_path):
    run_import(write(tmp_path, export(post(1, comments=[comment(11, approved="0")]))))
    changed = export(post(1, title="A better title", comments=[comment(11, approved="1")]))
    _out, _err, table = run_import(write(tmp_path, changed))
    assert table["post"]["updated"] == 1 and table["comment"]["updated"] == 1
    assert Article.objects.get().title == "A better title"
    reviewed = Comment.objects.get()
    assert reviewed.status == "approved"
    assert [e.message for e in reviewed.events.all()] == [
        "Imported from WordPress.", "Updated from WordPress."]  # fmt: skip


def test_status_mapping_and_protected_posts(tmp_path):
    items = [
        post(1, status="publish"),
        post(2, status="future", date="2999-01-01 00:00:00"),
        post(3, status="draft"),
        post(4, status="pending"),
        post(5, status="private"),
        post(6, status="trash"),
        post(7, extra="<wp:post_password>secret</wp:post_password>"),
    ]
    _out, err, table = run_import(write(tmp_path, export(*items)))
    assert table["post"]["created"] == 6 and table["post"]["skipped"] == 1
    status = dict(WordPressItem.objects.filter(kind="post").values_list("wp_id", "article__status"))
    assert status == {1: "published", 2: "published", 3: "draft", 4: "draft", 5: "draft",
                      7: "draft"}  # fmt: skip
    assert WordPressItem.objects.get(wp_id=2).article.is_scheduled
    assert "Post 6 (line " in err and "trash" in err
    assert "Post 7 (line " in err and "password-protected" in err


def test_unknown_author_goes_to_the_default_author(tmp_path):
    editor = get_user_model().objects.create_user("chief")
    path = write(tmp_path, export(post(1, creator="ghost")))
    _out, err, _table = run_import(path, "--default-author", "chief")
    assert list(Article.objects.get().authors.all()) == [editor]
    assert "Post 1 (line " in err and "'ghost'" in err


def test_unknown_default_author_is_refused(tmp_path):
    with pytest.raises(CommandError, match="no user 'nobody'"):
        run_import(write(tmp_path, export(post(1))), "--default-author", "nobody")


def test_missing_file_and_media_dir(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        run_import(tmp_path / "nope.xml")
    with pytest.raises(CommandError, match="not a directory"):
        run_import(write(tmp_path, export(post(1))), "--media-dir", str(tmp_path / "nope"))


def _pk(comment_wp_id):
    return WordPressItem.objects.get(kind="comment", wp_id=comment_wp_id).comment_id


def test_imported_comments_are_never_sent_to_akismet(
    tmp_path, akismet, django_capture_on_commit_callbacks
):
    text = export(
        post(1, comments=[comment(11), comment(12, approved="0"), comment(13, approved="spam")])
    )
    with django_capture_on_commit_callbacks(execute=True):  # what runs after the commit, too
        run_import(write(tmp_path, text))
    assert Comment.objects.count() == 3
    assert akismet.requests == []
    assert set(Comment.objects.values_list("verdict", flat=True)) == {"skipped"}
