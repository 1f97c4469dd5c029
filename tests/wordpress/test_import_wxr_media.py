"""Images from --media-dir, and old WordPress links answered by WordPressLinksMiddleware."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from blog.models import Article, Image, Page
from wordpress.models import WordPressItem

from .wxr import SITE, attachment, export, post, run_import, thumbnail, write

pytestmark = pytest.mark.django_db
MIDDLEWARE = "wordpress.middleware.WordPressLinksMiddleware"
UPLOADS = "https://small.example/wp-content/uploads"


@pytest.fixture
def uploads(tmp_path):
    """A copy of wp-content/uploads holding one real photo."""
    from tests.factories import image_bytes

    folder = tmp_path / "uploads" / "2020" / "01"
    folder.mkdir(parents=True)
    (folder / "harbour.jpg").write_bytes(image_bytes("JPEG", size=(1200, 800)))
    return tmp_path / "uploads"


def featured_export(*extra):
    return export(
        post(1, extra=thumbnail(50)),
        post(2, extra=thumbnail(51)),
        attachment(50, f"{UPLOADS}/2020/01/harbour.jpg", alt="The harbour at dawn"),
        attachment(51, f"{UPLOADS}/2020/01/missing.jpg"),
        *extra,
    )


def test_featured_image_from_the_media_dir(tmp_path, uploads, media_root):
    path = write(tmp_path, featured_export())
    _out, err, table = run_import(path, "--media-dir", str(uploads))
    assert table["attachment"] == {"created": 1, "updated": 0, "unchanged": 0, "skipped": 0,
                                   "missing media": 1}  # fmt: skip
    image = WordPressItem.objects.get(kind="post", wp_id=1).article.featured_image
    assert image.alt_text == "The harbour at dawn"
    assert (image.width, image.height) == (1200, 800)
    assert set(image.renditions) == {"thumbnail", "medium", "large"}
    for rendition in image.renditions.values():
        assert (media_root / rendition["webp"]).is_file()
    # The other one is missing: reported with its address, the post imported without it.
    assert "Attachment 51 (line " in err and f"{UPLOADS}/2020/01/missing.jpg" in err
    assert "Post 2 (line " in err
    assert WordPressItem.objects.get(kind="post", wp_id=2).article.featured_image is None
    assert table["post"]["missing media"] == 1
    # Again: nothing doubled, no image stored twice.
    run_import(path, "--media-dir", str(uploads))
    assert Image.objects.count() == 1


def test_missing_media_dir_reports_every_image(tmp_path):
    _out, err, table = run_import(write(tmp_path, featured_export()))
    assert table["attachment"]["missing media"] == 2
    assert f"{UPLOADS}/2020/01/harbour.jpg (no --media-dir given)" in err
    assert Article.objects.filter(featured_image__isnull=False).count() == 0


def test_dry_run_stores_no_file(tmp_path, uploads, media_root):
    path = write(tmp_path, featured_export())
    _out, _err, dry = run_import(path, "--media-dir", str(uploads), "--dry-run")
    assert Image.objects.count() == 0 and Article.objects.count() == 0
    assert not media_root.exists() or not any(p.is_file() for p in media_root.rglob("*"))
    _out, _err, real = run_import(path, "--media-dir", str(uploads))
    assert dry == real


def test_a_failed_import_takes_its_files_back(tmp_path, uploads, media_root):
    broken = featured_export().replace("</channel>", "<oops></channel>")
    with pytest.raises(Exception, match="not well-formed"):
        run_import(write(tmp_path, broken), "--media-dir", str(uploads))
    assert Image.objects.count() == 0
    assert not media_root.exists() or not any(p.is_file() for p in media_root.rglob("*"))


def test_not_an_image_is_skipped(tmp_path, uploads):
    (uploads / "2020" / "01" / "song.mp3").write_bytes(b"ID3 not really")
    (uploads / "2020" / "01" / "fake.jpg").write_bytes(b"not a picture")
    text = export(
        attachment(60, f"{UPLOADS}/2020/01/song.mp3"), attachment(61, f"{UPLOADS}/2020/01/fake.jpg")
    )
    _out, err, table = run_import(write(tmp_path, text), "--media-dir", str(uploads))
    assert table["attachment"]["skipped"] == 2 and Image.objects.count() == 0
    assert "Attachment 60 (line " in err and "not an image" in err
    assert "Attachment 61 (line " in err


def test_media_path_cannot_leave_the_media_dir(tmp_path, uploads):
    text = export(attachment(62, f"{UPLOADS}/../../../etc/passwd.jpg"))
    _out, err, table = run_import(write(tmp_path, text), "--media-dir", str(uploads))
    assert table["attachment"]["missing media"] == 1 and Image.objects.count() == 0


@pytest.fixture
def links(tmp_path, settings):
    assert MIDDLEWARE in settings.MIDDLEWARE  # installed in config/settings.py
    link = "<link>{}</link>"
    text = export(
        post(1, name="hello-world", extra="").replace(
            link.format(f"{SITE}/?p=1"), link.format(f"{SITE}/archives/hello-world.html")
        ),
        post(2, status="draft").replace(
            link.format(f"{SITE}/?p=2"), link.format(f"{SITE}/secret-draft/")
        ),
        post(3, post_type="page", name="about").replace(
            link.format(f"{SITE}/?p=3"), link.format(f"{SITE}/company/about/")
        ),
    )
    run_import(write(tmp_path, text))
    return WordPressItem.objects.get(kind="post", wp_id=1).article


def test_query_links(client, links):
    assert client.get("/?p=1")["Location"] == links.get_absolute_url()
    assert client.get("/?p=1").status_code == 301
    assert client.get("/?page_id=3")["Location"] == "/about/"
    assert client.get("/?p=3")["Location"] == "/about/"  # ?p= reaches pages too
    assert client.get("/?cat=3")["Location"] == "/category/news/"
    assert client.get("/?p=2").status_code == 404  # a draft is not given away
    assert client.get("/?p=abc").status_code == 404


def test_old_permalinks_redirect_only_after_a_404(client, links):
    response = client.get("/archives/hello-world.html")
    assert response.status_code == 301 and response["Location"] == links.get_absolute_url()
    response = client.get("/company/about")  # without its trailing slash
    assert response.status_code == 301 and response["Location"] == "/about/"
    assert client.get("/secret-draft/").status_code == 404
    Page.objects.update(is_published=False)
    assert client.get("/company/about/").status_code == 404


def test_pages_that_exist_pay_nothing(client, links):
    def lookups(path, status):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == status
        return [q["sql"] for q in queries.captured_queries if "wordpressitem" in q["sql"]]

    assert lookups(links.get_absolute_url(), 200) == []
    assert lookups("/", 200) == []
    assert len(lookups("/no-such-page/", 404)) == 1


def test_odd_query_values_are_not_found(client, links):
    assert client.get("/?p=" + "9" * 40).status_code == 404
    assert client.get("/?p=-1").status_code == 404
