"""Read a WordPress export (WXR 1.0, 1.1 or 1.2) as a stream of plain dataclasses.

The file goes to ElementTree's incremental parser (XMLPullParser, the engine of iterparse) in
pieces that each begin at an `<item>`, `<wp:comment>`, `<wp:author>` or term, so each of them
knows the line it starts on. Every element is dropped from the tree once it has been read, so
memory stays bounded whatever the size of the file.

`WXRReader(file)` yields a `Channel` first, then `Author`, `Term` and `Item` objects in file
order; anything that makes the whole file unreadable raises `WXRError` with its line.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field

VERSIONS = ("1.0", "1.1", "1.2")
WP_NAMESPACE = re.compile(r"^https?://wordpress\.org/export/([^/]+)/$")
EXCERPT_NAMESPACE = re.compile(r"^https?://wordpress\.org/export/[^/]+/excerpt/$")
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
DC = "{http://purl.org/dc/elements/1.1/}"

# Every piece fed to the parser starts at one of these (or continues the previous piece).
BOUNDARY = re.compile(rb"<(?:item|wp:comment|wp:author|wp:category|wp:tag|wp:term)>")
KEEP = 16  # bytes held back at the end of a block: a boundary may be cut in two there
BLOCK_SIZE = 256 * 1024


class WXRError(Exception):
    """The file cannot be imported at all: not XML, cut short, or not a WordPress export."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(f"Line {line}: {message}" if line else message)
        self.line = line


@dataclass
class Channel:
    version: str
    title: str = ""
    link: str = ""
    base_site_url: str = ""
    base_blog_url: str = ""

    @property
    def site(self) -> str:
        """The site's identity for the ID mapping: its base blog URL."""
        return (self.base_blog_url or self.link or self.base_site_url).strip().rstrip("/")


@dataclass
class Author:
    line: int
    login: str
    wp_id: int | None = None
    email: str = ""
    display_name: str = ""
    first_name: str = ""
    last_name: str = ""


@dataclass
class Term:
    """A category, tag or other term defined at the top of the export."""

    line: int
    taxonomy: str  # "category", "post_tag", or another taxonomy (from <wp:term>)
    slug: str
    name: str = ""
    wp_id: int | None = None
    parent: str = ""  # the parent's slug
    description: str = ""


@dataclass
class ItemTerm:
    """A term an item is filed under: `<category domain="…" nicename="…">name</category>`."""

    taxonomy: str
    slug: str
    name: str


@dataclass(slots=True)
class Comment:
    line: int
    wp_id: int | None = None
    parent_id: int = 0
    author: str = ""
    author_email: str = ""
    author_url: str = ""
    author_ip: str = ""
    date: str = ""
    date_gmt: str = ""
    content: str = ""
    approved: str = "1"
    type: str = ""
    user_id: int = 0


@dataclass(slots=True)
class Item:
    """A post, page, attachment or any other post type, with its comments."""

    line: int
    wp_id: int | None = None
    post_type: str = "post"
    title: str | None = None  # None: the export has no <title> at all
    link: str = ""
    pub_date: str = ""
    creator: str = ""
    content: str = ""
    excerpt: str = ""
    post_name: str = ""
    status: str = ""
    date: str = ""
    date_gmt: str = ""
    comment_status: str = ""
    is_sticky: bool = False
    parent_id: int = 0
    password: str = ""
    attachment_url: str = ""
    terms: list[ItemTerm] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    comments: list[Comment] = field(default_factory=list)


def to_int(text: str | None) -> int | None:
    try:
        return int((text or "").strip())
    except ValueError:
        return None


def _text(elem) -> str:
    return elem.text or ""


def _pretty(tag: str) -> str:
    namespace, _, name = tag.rpartition("}")
    return f"<{name}> in namespace {namespace[1:]}" if namespace else f"<{name}>"


class _Pieces:
    """The file's bytes in pieces that each start at a BOUNDARY, with the line each starts on."""

    def __init__(self, file):
        self.file = file
        self.bytes_read = 0

    def __iter__(self) -> Iterator[tuple[int, bytes]]:
        pending, line = b"", 1
        while True:
            block = self.file.read(BLOCK_SIZE)
            self.bytes_read += len(block)
            data = pending + block
            limit = len(data) - KEEP if block else len(data)
            start = 0
            for match in BOUNDARY.finditer(data, 1):
                if match.start() >= limit:
                    break
                piece = data[start : match.start()]
                yield line, piece
                line += piece.count(b"\n")
                start = match.start()
            if not block:
                if start < len(data):
                    yield line, data[start:]
                return
            if start < limit:
                piece = data[start:limit]
                yield line, piece
                line += piece.count(b"\n")
                start = limit
            pending = data[start:]


class WXRReader:
    """Iterate over a WXR file (opened in binary mode): a Channel, then what it holds."""

    def __init__(self, file):
        self._pieces = _Pieces(file)
        self._namespaces: list[str] = []
        self._depth = 0
        self._channel_elem = None
        self._channel: Channel | None = None
        self._header: dict[str, str] = {}
        self._header_lines: dict[str, int] = {}
        self._top_line = 0
        self._comments: list[Comment] = []
        self._comment_line = 0
        self._comment_tag = None
        self._piece = b""

    @property
    def bytes_read(self) -> int:
        return self._pieces.bytes_read

    def __iter__(self) -> Iterator[Channel | Author | Term | Item]:
        parser = ET.XMLPullParser(events=("start", "end", "start-ns"))
        line, at_end = 1, False
        try:
            for line, piece in self._pieces:
                self._piece = piece
                parser.feed(piece)
                yield from self._handle(parser.read_events(), line)
            at_end = True
            parser.close()
            yield from self._handle(parser.read_events(), line)
        except ET.ParseError as exc:
            raise self._xml_error(exc, at_end) from None
        if self._channel_elem is None:
            raise WXRError("Not a WordPress export: there is no <channel> in the <rss>.")
        if self._channel is None:  # an export with nothing in it
            yield self._make_channel(line)

    def _xml_error(self, exc: ET.ParseError, at_end: bool) -> WXRError:
        error_line, column = exc.position
        reason = str(exc).split(":")[0]
        if self._depth == 0:
            return WXRError(f"This is not an XML file ({reason}, column {column}).", error_line)
        if at_end:
            return WXRError(
                f"The file ends in the middle of the export: it is cut short ({reason}).",
                error_line,
            )
        return WXRError(f"The file is not well-formed XML ({reason}, column {column}).", error_line)

    def _handle(self, events, line: int):
        # The hot loop of the import: one pass per element, so plain locals and the commonest
        # case (a field of a comment or of an item) first.
        depth, comment_tag = self._depth, self._comment_tag
        for event, elem in events:
            if depth >= 4 and event == "end":
                if depth == 4 and elem.tag == comment_tag:
                    self._comments.append(self._comment(elem))
                    elem.clear()
                depth -= 1
            elif depth >= 3 and event == "start":
                depth += 1
                if depth == 4 and elem.tag == comment_tag:
                    self._comment_line = line
            elif event == "start":
                depth = self._depth = depth + 1
                if depth == 1:
                    self._start_root(elem, line)
                    comment_tag = self._comment_tag
                elif depth == 2 and elem.tag == "channel":
                    self._channel_elem = elem
                elif depth == 3 and self._channel_elem is not None:
                    self._top_line = line
                    if self._channel is None:  # still in the header: exact lines are cheap
                        if elem.tag in self._content_tags:
                            self._channel = self._make_channel(line)
                            yield self._channel
                        else:
                            self._top_line = self._line_of(elem, line)
            elif event == "end":
                self._depth = depth - 1
                if depth == 3 and self._channel_elem is not None:
                    yield from self._top_level(elem)
                    elem.clear()
                    del self._channel_elem[:]
                elif depth == 2 and self._channel_elem is not None:
                    elem.clear()
                depth -= 1
            else:
                self._namespaces.append(elem[1])
        self._depth = depth

    def _line_of(self, elem, line: int) -> int:
        """The line of `elem`'s start tag, in the piece that starts on `line` (first match)."""
        name = re.escape(elem.tag.rpartition("}")[2].encode())
        where = re.search(rb"<(?:[\w.-]+:)?" + name + rb"[\s/>]", self._piece)
        return line + self._piece[: where.start()].count(b"\n") if where else line

    def _start_root(self, elem, line: int) -> None:
        line = self._line_of(elem, line)
        if elem.tag != "rss":
            raise WXRError(
                f"Not a WordPress export: the document is {_pretty(elem.tag)}, not <rss>.", line
            )
        versions = [m.group(1) for m in map(WP_NAMESPACE.match, self._namespaces) if m]
        if not versions:
            found = ", ".join(self._namespaces) or "none"
            raise WXRError(
                "Not a WordPress export: <rss> does not declare the WordPress export namespace "
                f"(http://wordpress.org/export/1.2/); namespaces found: {found}.",
                line,
            )
        if versions[0] not in VERSIONS:
            raise WXRError(
                f"Unknown WXR version {versions[0]!r} (in the namespace); "
                f"this importer reads WXR {', '.join(VERSIONS)}.",
                line,
            )
        wp_uri = next(uri for uri in self._namespaces if WP_NAMESPACE.match(uri))
        self._namespace_version = versions[0]
        wp = f"{{{wp_uri}}}"
        excerpt = next((uri for uri in self._namespaces if EXCERPT_NAMESPACE.match(uri)), "")
        self._wp = wp
        self._comment_tag = wp + "comment"
        self._content_tags = {"item", wp + "author", wp + "category", wp + "tag", wp + "term"}
        self._header_tags = {
            "title": "title",
            "link": "link",
            wp + "wxr_version": "version",
            wp + "base_site_url": "base_site_url",
            wp + "base_blog_url": "base_blog_url",
        }
        self._item_fields = {
            "title": "title",
            "link": "link",
            "pubDate": "pub_date",
            DC + "creator": "creator",
            CONTENT + "encoded": "content",
            f"{{{excerpt}}}encoded": "excerpt",
            wp + "post_id": "wp_id",
            wp + "post_type": "post_type",
            wp + "post_name": "post_name",
            wp + "status": "status",
            wp + "post_date": "date",
            wp + "post_date_gmt": "date_gmt",
            wp + "comment_status": "comment_status",
            wp + "is_sticky": "is_sticky",
            wp + "post_parent": "parent_id",
            wp + "post_password": "password",
            wp + "attachment_url": "attachment_url",
        }
        self._comment_fields = {
            wp + "comment_id": "wp_id",
            wp + "comment_parent": "parent_id",
            wp + "comment_author": "author",
            wp + "comment_author_email": "author_email",
            wp + "comment_author_url": "author_url",
            wp + "comment_author_IP": "author_ip",
            wp + "comment_date": "date",
            wp + "comment_date_gmt": "date_gmt",
            wp + "comment_content": "content",
            wp + "comment_approved": "approved",
            wp + "comment_type": "type",
            wp + "comment_user_id": "user_id",
        }

    def _make_channel(self, line: int) -> Channel:
        version = self._header.pop("version", "").strip() or self._namespace_version
        if version not in VERSIONS:
            raise WXRError(
                f"Unknown WXR version {version!r}; this importer reads WXR {', '.join(VERSIONS)}.",
                self._header_lines.get("version", line),
            )
        return Channel(version=version, **self._header)

    def _top_level(self, elem):
        tag, line, wp = elem.tag, self._top_line, self._wp
        if tag == "item":
            yield self._item(elem, line)
        elif tag == wp + "author":
            yield self._author(elem, line)
        elif tag == wp + "category":
            yield self._term(elem, line, "category", "category_nicename", "cat_name")
        elif tag == wp + "tag":
            yield self._term(elem, line, "post_tag", "tag_slug", "tag_name")
        elif tag == wp + "term":
            yield self._term(elem, line, None, "term_slug", "term_name")
        elif tag in self._header_tags and self._channel is None:
            self._header[self._header_tags[tag]] = _text(elem).strip()
            self._header_lines[self._header_tags[tag]] = line

    def _fields(self, elem) -> dict[str, str]:
        prefix = len(self._wp)
        return {
            child.tag[prefix:]: _text(child) for child in elem if child.tag.startswith(self._wp)
        }

    def _author(self, elem, line: int) -> Author:
        f = self._fields(elem)
        return Author(
            line=line,
            login=f.get("author_login", "").strip(),
            wp_id=to_int(f.get("author_id")),
            email=f.get("author_email", "").strip(),
            display_name=f.get("author_display_name", "").strip(),
            first_name=f.get("author_first_name", "").strip(),
            last_name=f.get("author_last_name", "").strip(),
        )

    def _term(self, elem, line: int, taxonomy, slug_key, name_key) -> Term:
        f = self._fields(elem)
        return Term(
            line=line,
            taxonomy=taxonomy or f.get("term_taxonomy", "").strip(),
            slug=f.get(slug_key, "").strip(),
            name=f.get(name_key, "").strip(),
            wp_id=to_int(f.get("term_id")),
            parent=(f.get("category_parent") or f.get("term_parent") or "").strip(),
            description=(
                f.get("category_description")
                or f.get("tag_description")
                or f.get("term_description")
                or ""
            ).strip(),
        )

    def _item(self, elem, line: int) -> Item:
        item = Item(line=line, comments=self._comments)
        self._comments = []
        fields, meta_tag = self._item_fields, self._wp + "postmeta"
        for child in elem:
            name = fields.get(child.tag)
            if name:
                setattr(item, name, child.text or "")
            elif child.tag == "category":
                item.terms.append(
                    ItemTerm(
                        taxonomy=child.get("domain", ""),
                        slug=child.get("nicename", ""),
                        name=(child.text or "").strip(),
                    )
                )
            elif child.tag == meta_tag:
                meta = self._fields(child)
                item.meta[meta.get("meta_key", "")] = meta.get("meta_value", "")
        item.wp_id = to_int(item.wp_id)
        item.parent_id = to_int(item.parent_id) or 0
        item.is_sticky = str(item.is_sticky).strip() == "1"
        item.post_type = item.post_type.strip() or "post"
        item.status = item.status.strip()
        return item

    def _comment(self, elem) -> Comment:
        field_of = self._comment_fields.get
        values = {}
        for child in elem:
            name = field_of(child.tag)
            if name:
                values[name] = child.text or ""
        comment = Comment(line=self._comment_line, **values)
        comment.wp_id = to_int(comment.wp_id)
        comment.parent_id = to_int(comment.parent_id) or 0
        comment.user_id = to_int(comment.user_id) or 0
        comment.approved = comment.approved.strip()
        comment.type = comment.type.strip()
        return comment
