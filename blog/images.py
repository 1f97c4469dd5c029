"""Uploaded images: validated with Pillow, stored without metadata, rendered for srcset."""

import io
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image as PILImage
from PIL import ImageOps, UnidentifiedImageError

# Name → longest side in pixels. An image smaller than a size is not scaled up.
RENDITION_SIZES = {"thumbnail": 320, "medium": 768, "large": 1600}
FORMATS = {"JPEG": ("JPEG", ".jpg"), "PNG": ("PNG", ".png"), "GIF": ("PNG", ".png")}


def validate_image(upload) -> None:
    """Raise ValidationError, in words an editor understands, unless `upload` is a usable image."""
    if upload.size > settings.IMAGE_MAX_BYTES:
        raise ValidationError(
            _("This file is %(size).1f MB; the largest image accepted is %(limit).1f MB.")
            % {"size": upload.size / 1e6, "limit": settings.IMAGE_MAX_BYTES / 1e6},
            code="too_large",
        )
    too_many_pixels = _(
        "This image is larger than %(limit)d megapixels. Please scale it down before uploading."
    ) % {"limit": settings.IMAGE_MAX_PIXELS // 1_000_000}
    upload.seek(0)
    try:
        with PILImage.open(upload) as image:
            width, height = image.size
            if width * height > settings.IMAGE_MAX_PIXELS:
                raise ValidationError(too_many_pixels, code="too_many_pixels")
            image.verify()
    except PILImage.DecompressionBombError as exc:
        raise ValidationError(too_many_pixels, code="too_many_pixels") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(
            _("This file is not an image we can read (JPEG, PNG, GIF or WebP)."), code="not_image"
        ) from exc
    finally:
        upload.seek(0)


def _encode(image, fmt):
    buffer = io.BytesIO()
    if fmt == "JPEG":
        image.convert("RGB").save(buffer, "JPEG", quality=85, optimize=True, progressive=True)
    elif fmt == "WEBP":
        image.save(buffer, "WEBP", quality=80, method=4)
    else:
        image.save(buffer, fmt, optimize=True)
    return buffer.getvalue()


def process_image(image_obj, upload) -> None:
    """Store `upload` on `image_obj` (an unsaved or saved blog.Image) and save it.

    The original is re-encoded upright (EXIF orientation applied) with no metadata, so no
    camera data or location leaves the newsroom; thumbnail, medium and large renditions are
    written in WebP and in a JPEG/PNG fallback.
    """
    upload.seek(0)
    with PILImage.open(upload) as source:
        source_format = source.format or "JPEG"
        upright = ImageOps.exif_transpose(source)
        upright.load()
    fmt, suffix = FORMATS.get(source_format, ("JPEG", ".jpg"))
    if fmt == "JPEG" or upright.mode not in ("RGB", "RGBA", "L", "LA"):
        upright = upright.convert("RGBA" if fmt == "PNG" else "RGB")
    stem = PurePosixPath(getattr(upload, "name", "image") or "image").stem[:80] or "image"

    name = f"{stem}{suffix}"
    image_obj.file.save(name, ContentFile(_encode(upright, fmt), name=name), save=False)
    storage, base = image_obj.file.storage, PurePosixPath(image_obj.file.name)
    renditions = {}
    for size, longest in RENDITION_SIZES.items():
        scaled = upright.copy()
        scaled.thumbnail((longest, longest), PILImage.Resampling.LANCZOS)
        names = {}
        for kind, (encoding, ext) in {"webp": ("WEBP", ".webp"), "fallback": (fmt, suffix)}.items():
            target = str(base.parent / "renditions" / f"{base.stem}-{size}{ext}")
            data = ContentFile(_encode(scaled, encoding), name=PurePosixPath(target).name)
            names[kind] = storage.save(target, data)
        renditions[size] = {"width": scaled.width, "height": scaled.height, **names}
    image_obj.renditions = renditions
    image_obj.save()


def _renditions(image):
    """The image's renditions, narrowest first, one per width (small originals repeat)."""
    by_width = {}
    for rendition in image.renditions.values():
        by_width.setdefault(rendition["width"], rendition)
    return [by_width[width] for width in sorted(by_width)]


def picture_context(image, *, sizes="100vw", size="large", loading="lazy", css_class="", alt=None):
    """What blog/_picture.jinja needs: WebP renditions first, the JPEG/PNG ones as the `<img>`
    fallback. `size` picks the rendition used for `src`, `width` and `height` (the aspect ratio
    the browser reserves before the picture loads); `alt` overrides the library's alt text.
    """
    if not image:
        return {"image": None}
    renditions = _renditions(image)
    storage = image.file.storage
    chosen = image.renditions.get(size) or (renditions[-1] if renditions else None)

    def srcset(kind):
        return ", ".join(f"{storage.url(r[kind])} {r['width']}w" for r in renditions)

    return {
        "image": image,
        "alt": image.alt_text if alt is None else alt,
        "webp_srcset": srcset("webp") if renditions else "",
        "srcset": srcset("fallback") if renditions else "",
        "src": storage.url(chosen["fallback"]) if chosen else image.file.url,
        "width": chosen["width"] if chosen else image.width,
        "height": chosen["height"] if chosen else image.height,
        "sizes": sizes,
        "loading": loading,
        "css_class": css_class,
    }
