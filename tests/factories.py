"""Builders for test data: plain functions with sensible defaults, each overridable by keyword."""

import io
import itertools
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image as PILImage

from blog.models import Article, Category, Disclaimer, Image, Page, Promotion

_numbers = itertools.count(1)
_DEFAULT = object()


def make_user(username=None, *, groups=(), is_staff=False, **kwargs):
    """A user in the named groups (Editors, Writers, Moderators), signed in with force_login."""
    username = username or f"user{next(_numbers)}"
    user = get_user_model().objects.create_user(
        username=username,
        email=f"{username}@example.com",
        is_staff=is_staff,
        **kwargs,
    )
    if groups:
        user.groups.set(Group.objects.filter(name__in=groups))
    return user


def make_editor(username="editor", **kwargs):
    return make_user(username, groups=["Editors"], is_staff=True, **kwargs)


def make_writer(username="columnist", **kwargs):
    """A member of the Writers group (blog/migrations/0006_writers.py)."""
    return make_user(username, groups=["Writers"], is_staff=True, **kwargs)


def make_moderator(username="moderator", **kwargs):
    return make_user(username, groups=["Moderators"], is_staff=True, **kwargs)


def default_author():
    author = get_user_model().objects.filter(username="writer").first()
    return author or make_user("writer", first_name="Wendy", last_name="Writer")


def make_category(name=None, *, parent=None, slug=None, **kwargs):
    name = name or f"Category {next(_numbers)}"
    return Category.objects.create(name=name, slug=slug or slugify(name), parent=parent, **kwargs)


def make_article(
    title=None,
    *,
    slug=None,
    status=Article.Status.PUBLISHED,
    published_at=_DEFAULT,
    authors=None,
    categories=(),
    tags=(),
    body=None,
    **kwargs,
):
    """A public article by default (published an hour ago, by the default author)."""
    title = title or f"Article {next(_numbers)}"
    if published_at is _DEFAULT:
        published_at = (
            timezone.now() - timedelta(hours=1) if status == Article.Status.PUBLISHED else None
        )
    article = Article.objects.create(
        title=title,
        slug=slug or slugify(title),
        status=status,
        published_at=published_at,
        body=body if body is not None else f"<p>The body of {title}.</p>",
        **kwargs,
    )
    article.authors.set([default_author()] if authors is None else authors)
    if categories:
        article.categories.set(categories)
    if tags:
        article.tags.set(list(tags))
    return article


def make_draft(title=None, **kwargs):
    return make_article(title, status=Article.Status.DRAFT, **kwargs)


def make_disclaimer(text="The views expressed are the author's own.", *, is_default=False):
    return Disclaimer.objects.create(
        name=f"Disclaimer {next(_numbers)}", text=text, is_default=is_default
    )


def make_promotion(title="Subscribe to the newsletter", **kwargs):
    kwargs.setdefault("text", "Every Friday, the week's best opinion.")
    kwargs.setdefault("link_url", "https://example.com/newsletter")
    return Promotion.objects.create(title=title, **kwargs)


def make_page(title="About", *, slug=None, body="<p>Who we are.</p>", **kwargs):
    return Page.objects.create(title=title, slug=slug or slugify(title), body=body, **kwargs)


def image_bytes(fmt="PNG", size=(400, 300), color=(200, 30, 30), **save_options):
    """The bytes of a real image made by Pillow; `save_options` go to Image.save (e.g. exif)."""
    buffer = io.BytesIO()
    PILImage.new("RGB", size, color).save(buffer, fmt, **save_options)
    return buffer.getvalue()


def uploaded_image(name="photo.png", fmt="PNG", **kwargs):
    return SimpleUploadedFile(name, image_bytes(fmt, **kwargs), content_type=f"image/{fmt.lower()}")


def make_image(alt_text="A red square", size=(400, 300)):
    """A stored blog Image whose renditions all point at its one file (no re-encoding)."""
    name = default_storage.save("images/test/picture.png", ContentFile(image_bytes(size=size)))
    rendition = {"width": size[0], "height": size[1], "webp": name, "fallback": name}
    return Image.objects.create(
        file=name,
        alt_text=alt_text,
        width=size[0],
        height=size[1],
        renditions=dict.fromkeys(("thumbnail", "medium", "large"), rendition),
    )
