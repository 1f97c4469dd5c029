"""What came from where: `WordPressItem` rows, by site, kind and WordPress ID.

Each row holds a checksum of the exported data, so an import can tell what changed since the
last one without comparing fields.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import NamedTuple

from core import bulk
from wordpress.models import WordPressItem

Kind = WordPressItem.Kind
TARGET_FIELDS = {"author": "user", "post": "article", "attachment": "image"}
QUERY_CHUNK = 500
# Part of every post and comment checksum: bump it when the conversion changes, so the next
# import rewrites what the old one converted.
CONVERSION = 1


# Said of an item whose WordPressItem row points at nothing: someone deleted it here.
DELETED = "deleted here since the last import; not imported again"


class Mapped(NamedTuple):
    pk: int
    target_id: int | None  # None: deleted here since it was imported
    checksum: str

    @property
    def deleted(self) -> bool:
        """Whether what the item became was deleted here: an import leaves it deleted."""
        return self.target_id is None


def checksum(*values) -> str:
    """A short fingerprint of exported data (str, int, bool, None and tuples of them)."""
    return hashlib.blake2b(repr(values).encode(), digest_size=16).hexdigest()


def stable_id(text: str) -> int:
    """A negative ID for what WordPress exported without one (old authors and terms)."""
    return -int.from_bytes(hashlib.blake2b(text.encode(), digest_size=7).digest(), "big") - 1


def chunks(values: list, size: int = QUERY_CHUNK) -> Iterable[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


class IdMap:
    """One site's imported items: looked up a batch at a time, recorded as they are written."""

    def __init__(self, site: str = ""):
        self.site = site

    def lookup(self, kind: str, wp_ids: Iterable[int]) -> dict[int, Mapped]:
        """The already-imported items of `kind` among `wp_ids`, those deleted here since
        included (`Mapped.deleted`)."""
        target = TARGET_FIELDS.get(kind, kind) + "_id"
        found = {}
        for chunk in chunks(sorted(set(wp_ids))):
            rows = WordPressItem.objects.filter(site=self.site, kind=kind, wp_id__in=chunk)
            for wp_id, pk, target_id, digest in rows.values_list("wp_id", "pk", target, "checksum"):
                found[wp_id] = Mapped(pk, target_id, digest)
        return found

    def row(self, kind: str, wp_id: int, target_id: int, digest: str, old_url: str = "") -> dict:
        """A new mapping row's values, for `insert`."""
        return {
            "site": self.site,
            "kind": str(kind),  # plain text, which a bulk insert need not convert
            "wp_id": wp_id,
            "checksum": digest,
            "old_url": old_url,
            TARGET_FIELDS.get(kind, kind) + "_id": target_id,
        }

    def insert(self, rows: list[dict]) -> None:
        bulk.insert(WordPressItem, rows, returning=False)

    def save(self, mapping: Mapped | None, kind, wp_id, target_id, digest, old_url="") -> None:
        """Record one item: a new row, or the new checksum of an existing one."""
        if mapping is None:
            WordPressItem(**self.row(kind, wp_id, target_id, digest, old_url)).save()
        else:
            WordPressItem.objects.filter(pk=mapping.pk).update(checksum=digest, old_url=old_url)
