"""Image uploads through the admin's Image form, as an editor makes them."""

import io
import os
import struct
import zlib

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage

from blog.models import Image
from tests.factories import image_bytes, make_editor, make_moderator, uploaded_image

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/blog/image/add/"
NOT_AN_IMAGE = "This file is not an image we can read (JPEG, PNG, GIF or WebP)."
TOO_MANY_PIXELS = "Please scale it down before uploading."
GPS_IFD, ORIENTATION, MAKE = 0x8825, 0x0112, 0x010F


@pytest.fixture
def editor_client(client):
    client.force_login(make_editor())
    return client


def upload(client, file, alt_text="A description of the picture"):
    return client.post(ADD_URL, {"file": file, "alt_text": alt_text, "caption": ""})


def stored(name):
    with default_storage.open(name) as handle:
        data = handle.read()
    image = PILImage.open(io.BytesIO(data))
    image.load()
    return data, image


def camera_jpeg(size=(60, 40), orientation=1):
    """A JPEG as a phone writes it: camera make, GPS position and orientation in EXIF."""
    exif = PILImage.Exif()
    exif[MAKE] = "Spycam 3000"
    exif[ORIENTATION] = orientation
    exif[GPS_IFD] = {1: "N", 2: (51.0, 30.0, 26.0), 3: "W", 4: (0.0, 7.0, 39.0)}
    picture = PILImage.new("RGB", size, (0, 0, 255))
    # The left half red: after a quarter turn clockwise, the top half is red.
    picture.paste((255, 0, 0), (0, 0, size[0] // 2, size[1]))
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", exif=exif, quality=95)
    return SimpleUploadedFile("phone.jpg", buffer.getvalue(), content_type="image/jpeg")


def png_declaring(width, height):
    """A tiny PNG whose header claims `width` × `height` pixels: a decompression bomb's shape."""

    def chunk(kind, data):
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * 64)
    data = (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )
    return SimpleUploadedFile("bomb.png", data, content_type="image/png")


def assert_refused(response, message):
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Image.objects.exists()


class TestAccepted:
    @pytest.mark.parametrize(
        ("name", "fmt", "fallback_format"),
        [
            ("photo.png", "PNG", "PNG"),
            ("photo.jpg", "JPEG", "JPEG"),
            ("photo.gif", "GIF", "PNG"),
            ("photo.webp", "WEBP", "JPEG"),
        ],
    )
    def test_image_is_stored_with_renditions(self, editor_client, name, fmt, fallback_format):
        response = upload(editor_client, uploaded_image(name, fmt, size=(1700, 850)))

        assert response.status_code == 302
        image = Image.objects.get()
        assert (image.width, image.height) == (1700, 850)
        assert image.alt_text == "A description of the picture"
        assert set(image.renditions) == {"thumbnail", "medium", "large"}
        for size, longest in {"thumbnail": 320, "medium": 768, "large": 1600}.items():
            rendition = image.renditions[size]
            assert (rendition["width"], rendition["height"]) == (longest, longest // 2)
            assert stored(rendition["webp"])[1].format == "WEBP"
            fallback = stored(rendition["fallback"])[1]
            assert fallback.format == fallback_format
            assert fallback.size == (longest, longest // 2)

    def test_small_image_is_not_scaled_up(self, editor_client):
        upload(editor_client, uploaded_image(size=(200, 100)))

        renditions = Image.objects.get().renditions
        assert {(r["width"], r["height"]) for r in renditions.values()} == {(200, 100)}

    def test_image_is_listed_with_its_thumbnail(self, editor_client):
        upload(editor_client, uploaded_image(size=(400, 300)), alt_text="A red square")
        image = Image.objects.get()

        changelist = editor_client.get("/admin/blog/image/").content.decode()
        thumbnail = image.renditions["thumbnail"]["fallback"]
        assert f'<img src="/media/{thumbnail}" alt="A red square"' in changelist
        assert "400 × 300" in changelist

    def test_editing_the_alt_text_keeps_the_file(self, editor_client):
        upload(editor_client, uploaded_image(size=(400, 300)))
        image = Image.objects.get()

        response = editor_client.post(
            f"/admin/blog/image/{image.pk}/change/",
            {"alt_text": "A better description", "caption": "Taken in 2025"},
        )

        assert response.status_code == 302
        edited = Image.objects.get()
        assert edited.alt_text == "A better description"
        assert edited.file.name == image.file.name
        assert edited.renditions == image.renditions


class TestMetadata:
    def test_exif_and_gps_are_stripped(self, editor_client):
        upload(editor_client, camera_jpeg())

        image = Image.objects.get()
        names = [image.file.name] + [
            name
            for rendition in image.renditions.values()
            for name in rendition.values()
            if isinstance(name, str)
        ]
        for name in names:
            data, picture = stored(name)
            assert not picture.getexif(), name
            assert "exif" not in picture.info, name
            assert b"Spycam" not in data, name

    def test_exif_orientation_is_applied(self, editor_client):
        upload(editor_client, camera_jpeg(size=(60, 40), orientation=6))

        image = Image.objects.get()
        _, picture = stored(image.file.name)
        assert (image.width, image.height) == (40, 60)
        assert picture.size == (40, 60)
        red, _, blue = picture.convert("RGB").getpixel((20, 5))
        assert red > 200 and blue < 60  # the top is the red half that was on the left
        thumbnail = image.renditions["thumbnail"]
        assert (thumbnail["width"], thumbnail["height"]) == (40, 60)


class TestRefused:
    def test_text_file(self, editor_client):
        text = SimpleUploadedFile("notes.txt", b"Just some words.\n", content_type="text/plain")

        assert_refused(upload(editor_client, text), NOT_AN_IMAGE)

    def test_text_file_named_like_an_image(self, editor_client):
        fake = SimpleUploadedFile(
            "photo.jpg", b"<html>not a photo</html>", content_type="image/jpeg"
        )

        assert_refused(upload(editor_client, fake), NOT_AN_IMAGE)

    def test_truncated_image(self, editor_client):
        data = image_bytes("PNG", size=(400, 300))
        broken = SimpleUploadedFile("broken.png", data[: len(data) // 2], content_type="image/png")

        response = upload(editor_client, broken)

        assert response.status_code == 200
        assert not Image.objects.exists()

    def test_missing_alt_text(self, editor_client):
        response = upload(editor_client, uploaded_image(), alt_text="")

        assert response.status_code == 200
        assert "This field is required." in response.content.decode()
        assert not Image.objects.exists()

    def test_too_many_bytes(self, editor_client, settings):
        settings.IMAGE_MAX_BYTES = 200_000
        noise = PILImage.frombytes("RGB", (400, 300), os.urandom(400 * 300 * 3))
        buffer = io.BytesIO()
        noise.save(buffer, "PNG")
        big = SimpleUploadedFile("noise.png", buffer.getvalue(), content_type="image/png")

        assert_refused(upload(editor_client, big), "the largest image accepted is 0.2 MB")

    def test_more_pixels_than_the_site_allows(self, editor_client, settings):
        settings.IMAGE_MAX_PIXELS = 1_000_000

        response = upload(editor_client, uploaded_image(size=(1200, 1000)))

        assert_refused(response, "This image is larger than 1 megapixels.")

    def test_bomb_header_over_the_site_limit(self, editor_client):
        # 8,000 × 8,000 = 64 megapixels: over the site's 40, under Pillow's own limit.
        assert_refused(upload(editor_client, png_declaring(8_000, 8_000)), TOO_MANY_PIXELS)

    def test_bomb_header_over_pillows_limit(self, editor_client):
        # 100,000 × 100,000 pixels: Pillow itself refuses to open it.
        assert_refused(upload(editor_client, png_declaring(100_000, 100_000)), TOO_MANY_PIXELS)


def test_moderator_cannot_upload(client):
    client.force_login(make_moderator())

    response = upload(client, uploaded_image())

    assert response.status_code == 403
    assert not Image.objects.exists()
