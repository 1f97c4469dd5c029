"""Attachments → images, read from --media-dir; featured images from `_thumbnail_id`.

Attachments are kept aside while the file streams and stored once it has been read whole, so
a file that turns out to be broken stores no image. A dry run checks each image and stores none.
An image deleted here is not stored again, nor made a featured image.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ValidationError
from django.core.files import File

from blog.images import process_image, validate_image
from blog.models import Article, Image

from .mapping import DELETED, Kind, checksum, chunks
from .parser import Item, to_int
from .values import plain_text

IMAGE_EXTENSIONS = {".jpg", ".jpeg", ".jpe", ".png", ".gif", ".webp"}
DRY_RUN_IMAGE = 0  # stands for an image a dry run would have stored


@dataclass
class Attachment:
    wp_id: int
    line: int
    url: str
    path: str  # under wp-content/uploads
    alt_text: str
    caption: str
    digest: str


def uploads_path(item: Item) -> str:
    """Where the attachment's file lies in a copy of wp-content/uploads."""
    attached = item.meta.get("_wp_attached_file", "").strip().lstrip("/")
    if attached:
        return attached
    path = unquote(urlsplit(item.attachment_url.strip()).path)
    if "/wp-content/uploads/" in path:
        return path.split("/wp-content/uploads/", 1)[1]
    return path.lstrip("/")  # e.g. https://example.files.wordpress.com/2008/06/photo.jpg


class MediaWriter:
    def __init__(self, importer):
        self.imp = importer
        self.report = importer.report
        self.warn = importer.warn
        self.attachments: list[Attachment] = []
        self.thumbnails: list[tuple[int, int, int, int, bool]] = []
        self.images: dict[int, int] = {}  # attachment's WordPress id → Image pk
        self.deleted: set[int] = set()  # WordPress ids of the attachments deleted here
        self.stored: list[tuple] = []  # (storage, name) of every file written

    def add_attachment(self, item: Item) -> None:
        path = uploads_path(item)
        alt_text = plain_text(item.meta.get("_wp_attachment_image_alt", ""))
        alt_text = alt_text or plain_text(item.title or "") or PurePosixPath(path).stem
        caption = plain_text(item.excerpt)[:500]
        url = item.attachment_url.strip()
        digest = checksum(url, path, alt_text, caption)
        self.attachments.append(
            Attachment(item.wp_id, item.line, url, path, alt_text[:300], caption, digest)
        )
        if item.comments:
            self.report.count(Kind.COMMENT, "skipped", len(item.comments))
            self.warn(
                f"Attachment {item.wp_id} (line {item.line}): its {len(item.comments)} "
                "comment(s) are not imported: attachments have no page here."
            )

    def add_thumbnail(self, article_pk: int, item: Item, *, refresh: bool) -> None:
        """Remember the post's featured image, set once the attachments are in."""
        attachment_id = to_int(item.meta.get("_thumbnail_id"))
        if attachment_id:
            self.thumbnails.append((article_pk, attachment_id, item.wp_id, item.line, refresh))

    def _locate(self, attachment: Attachment, where: str) -> Path | None:
        if self.imp.media_dir is None:
            self.warn(f"{where}: missing media {attachment.url} (no --media-dir given).")
            return None
        root = self.imp.media_dir.resolve()
        path = (root / attachment.path).resolve()
        if not path.is_relative_to(root) or not path.is_file():
            self.warn(f"{where}: missing media {attachment.url} (no {attachment.path} in {root}).")
            return None
        return path

    def write_attachments(self) -> None:
        existing = self.imp.ids.lookup(Kind.ATTACHMENT, [a.wp_id for a in self.attachments])
        for attachment in self.attachments:
            where = f"Attachment {attachment.wp_id} (line {attachment.line})"
            mapping = existing.get(attachment.wp_id)
            if mapping and mapping.deleted:
                self.warn(f"{where}: {DELETED}.")
                self.report.count(Kind.ATTACHMENT, "skipped")
                self.deleted.add(attachment.wp_id)
                continue
            if mapping:
                self.images[attachment.wp_id] = mapping.target_id
                if mapping.checksum == attachment.digest:
                    self.report.count(Kind.ATTACHMENT, "unchanged")
                    continue
                Image.objects.filter(pk=mapping.target_id).update(
                    alt_text=attachment.alt_text, caption=attachment.caption
                )
                self.imp.ids.save(
                    mapping, Kind.ATTACHMENT, attachment.wp_id, mapping.target_id, attachment.digest
                )
                self.report.count(Kind.ATTACHMENT, "updated")
                continue
            if PurePosixPath(attachment.path).suffix.lower() not in IMAGE_EXTENSIONS:
                self.warn(
                    f"{where}: {attachment.url} is not an image; only images are imported "
                    "(the content keeps linking to it)."
                )
                self.report.count(Kind.ATTACHMENT, "skipped")
                continue
            path = self._locate(attachment, where)
            if path is None:
                self.report.count(Kind.ATTACHMENT, "missing media")
                continue
            image_pk = self._store(attachment, path, where)
            if image_pk is None:
                self.report.count(Kind.ATTACHMENT, "skipped")
                continue
            self.images[attachment.wp_id] = image_pk
            self.report.count(Kind.ATTACHMENT, "created")

    def _store(self, attachment: Attachment, path: Path, where: str) -> int | None:
        with path.open("rb") as handle:
            upload = File(handle, name=path.name)
            try:
                validate_image(upload)
            except ValidationError as exc:
                self.warn(f"{where}: {path}: {exc.messages[0]} Skipped.")
                return None
            if self.report.dry_run:
                return DRY_RUN_IMAGE
            image = Image(alt_text=attachment.alt_text, caption=attachment.caption)
            try:
                process_image(image, upload)
            finally:
                storage = Image._meta.get_field("file").storage
                names = [image.file.name] if image.file else []
                names += [n for r in image.renditions.values() for n in (r["webp"], r["fallback"])]
                self.stored += [(storage, name) for name in names]
        self.imp.ids.save(None, Kind.ATTACHMENT, attachment.wp_id, image.pk, attachment.digest)
        return image.pk

    def delete_stored_files(self) -> None:
        """The import failed: take back the files it wrote (the database rolls back itself)."""
        for storage, name in self.stored:
            storage.delete(name)
        self.stored = []

    def attach_featured_images(self) -> None:
        wanted = {t[1] for t in self.thumbnails} - self.images.keys() - self.deleted
        for wp_id, mapping in self.imp.ids.lookup(Kind.ATTACHMENT, wanted).items():
            if mapping.deleted:
                self.deleted.add(wp_id)
            else:
                self.images[wp_id] = mapping.target_id  # imported by an earlier run
        urls = {a.wp_id: a.url for a in self.attachments}
        refresh, keep = [], []
        for article_pk, attachment_id, post_id, line, is_new in self.thumbnails:
            image_pk = self.images.get(attachment_id)
            if image_pk is None and attachment_id in self.deleted:
                if is_new:  # unchanged posts are left as they are; the attachment was named
                    self.warn(
                        f"Post {post_id} (line {line}): its featured image, attachment "
                        f"{attachment_id}, was deleted here; imported without it."
                    )
            elif image_pk is None:
                url = urls.get(attachment_id)
                problem = f"missing ({url})" if url else "not in the export"
                self.warn(
                    f"Post {post_id} (line {line}): its featured image, attachment "
                    f"{attachment_id}, is {problem}; imported without it."
                )
                self.report.count(Kind.POST, "missing media")
            elif image_pk != DRY_RUN_IMAGE:
                (refresh if is_new else keep).append((article_pk, image_pk))
        # Unchanged posts get a featured image only where they have none (it may have been
        # missing last time); what an editor chose since is kept.
        wanting = set()
        for chunk in chunks([pk for pk, _ in keep]):
            empty = Article.objects.filter(pk__in=chunk, featured_image__isnull=True)
            wanting.update(empty.values_list("pk", flat=True))
        updates = [
            Article(pk=pk, featured_image_id=image_pk)
            for pk, image_pk in refresh + [row for row in keep if row[0] in wanting]
        ]
        Article.objects.bulk_update(updates, ["featured_image"], batch_size=500)
