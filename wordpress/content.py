"""WordPress content → our HTML, the way WordPress itself shows it.

Block-editor posts keep their HTML without the `<!-- wp:… -->` comments. Classic-editor posts
go through a port of WordPress's `wpautop` (blank lines make paragraphs, single newlines `<br>`,
never inside `<pre>` or around block elements). Then shortcodes: `[caption]` becomes a
`<figure>`, `[audio]`, `[video]` and `[embed]` become links, a YouTube or Vimeo address alone on
its line an embed; `[gallery]`, `[playlist]` and unknown shortcodes are dropped (an enclosing
one keeps what it encloses), each with a note. Last, our sanitiser.
"""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

from django.utils.html import escape

from blog.rendering import sanitize_html

from .values import TAG

# --- wpautop (wp-includes/formatting.php), rule for rule ---------------------------------------

ALLBLOCKS = (
    r"(?:table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre"
    r"|form|map|area|blockquote|address|style|p|h[1-6]|hr|fieldset|legend|section|article"
    r"|aside|hgroup|header|footer|nav|figure|figcaption|details|menu|summary)"
)
_BR_PAIR = re.compile(r"<br\s*/?>\s*<br\s*/?>")
_BLOCK_OPEN = re.compile(r"(<" + ALLBLOCKS + r"[\s/>])")
_BLOCK_CLOSE = re.compile(r"(</" + ALLBLOCKS + r">)")
_HR = re.compile(r"(<hr\s*?/?>)")
# Tags and comments, whose newlines wpautop leaves alone (wp_html_split, simplified).
_IN_TAGS = re.compile(r"<!--.*?-->|<[^<>]*>", re.S)
_MANY_NEWLINES = re.compile(r"\n\n+")
_PARAGRAPH_SPLIT = re.compile(r"\n\s*\n")
_EMPTY_P = re.compile(r"<p>\s*</p>")
_P_IN_CONTAINER = re.compile(r"<p>([^<]+)</(div|address|form)>")
_P_AROUND_BLOCK = re.compile(r"<p>\s*(</?" + ALLBLOCKS + r"[^>]*>)\s*</p>")
_P_AROUND_LI = re.compile(r"<p>(<li.+?)</p>")
_P_BEFORE_BLOCKQUOTE = re.compile(r"<p><blockquote([^>]*)>", re.I)
_P_BEFORE_BLOCK = re.compile(r"<p>\s*(</?" + ALLBLOCKS + r"[^>]*>)")
_P_AFTER_BLOCK = re.compile(r"(</?" + ALLBLOCKS + r"[^>]*>)\s*</p>")
_PRESERVE = re.compile(r"<(script|style|svg|math).*?</\1>", re.S)
_NEWLINE_TO_BR = re.compile(r"(?<!<br />)\s*\n")
_BR_AFTER_BLOCK = re.compile(r"(</?" + ALLBLOCKS + r"[^>]*>)\s*<br />")
_BR_BEFORE_BLOCK = re.compile(r"<br />(\s*</?(?:p|li|div|dl|dd|dt|th|pre|td|ul|ol)[^>]*>)")
_TRAILING_NEWLINE_P = re.compile(r"\n</p>$")
WPNL = " <!-- wpnl --> "


def wpautop(text: str, br: bool = True) -> str:
    """Replace blank-line-separated text with `<p>` paragraphs and single newlines with `<br />`,
    as WordPress does for classic-editor content."""
    if not text.strip():
        return ""
    text += "\n"
    pre_tags = {}
    if "<pre" in text:
        parts = text.split("</pre>")
        last = parts.pop()
        text = ""
        for i, part in enumerate(parts):
            start = part.find("<pre")
            if start == -1:  # malformed HTML
                text += part
                continue
            name = f"<pre wp-pre-tag-{i}></pre>"
            pre_tags[name] = part[start:] + "</pre>"
            text += part[:start] + name
        text += last

    has_tags = "<" in text  # most rules are about tags: plain text skips them
    if "<br" in text:
        text = _BR_PAIR.sub("\n\n", text)
    if has_tags:
        text = _BLOCK_OPEN.sub(r"\n\n\1", text)
        text = _BLOCK_CLOSE.sub(r"\1\n\n", text)
        if "<hr" in text:
            text = _HR.sub(r"\1\n\n", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if has_tags:
        text = _IN_TAGS.sub(lambda m: m.group(0).replace("\n", WPNL), text)
    if "<option" in text:
        text = re.sub(r"\s*<option", "<option", text)
        text = re.sub(r"</option>\s*", "</option>", text)
    if "</object>" in text:
        text = re.sub(r"(<object[^>]*>)\s*", r"\1", text)
        text = re.sub(r"\s*</object>", "</object>", text)
        text = re.sub(r"\s*(</?(?:param|embed)[^>]*>)\s*", r"\1", text)
    if "<source" in text or "<track" in text:
        text = re.sub(r"([<\[](?:audio|video)[^>\]]*[>\]])\s*", r"\1", text)
        text = re.sub(r"\s*([<\[]/(?:audio|video)[>\]])", r"\1", text)
        text = re.sub(r"\s*(<(?:source|track)[^>]*>)\s*", r"\1", text)
    if "<figcaption" in text:
        text = re.sub(r"\s*(<figcaption[^>]*>)", r"\1", text)
        text = re.sub(r"</figcaption>\s*", "</figcaption>", text)
    text = _MANY_NEWLINES.sub("\n\n", text)

    paragraphs = [p for p in _PARAGRAPH_SPLIT.split(text) if p]
    text = "".join("<p>" + p.strip("\n") + "</p>\n" for p in paragraphs)
    text = _EMPTY_P.sub("", text)
    if has_tags:
        text = _P_IN_CONTAINER.sub(r"<p>\1</p></\2>", text)
        text = _P_AROUND_BLOCK.sub(r"\1", text)
        if "<li" in text:
            text = _P_AROUND_LI.sub(r"\1", text)
        if "<blockquote" in text:
            text = _P_BEFORE_BLOCKQUOTE.sub(r"<blockquote\1><p>", text)
            text = text.replace("</blockquote></p>", "</p></blockquote>")
        text = _P_BEFORE_BLOCK.sub(r"\1", text)
        text = _P_AFTER_BLOCK.sub(r"\1", text)
    if br:
        if has_tags:
            text = _PRESERVE.sub(lambda m: m.group(0).replace("\n", "<WPPreserveNewline />"), text)
        text = text.replace("<br>", "<br />").replace("<br/>", "<br />")
        text = _NEWLINE_TO_BR.sub("<br />\n", text)
        text = text.replace("<WPPreserveNewline />", "\n")
    text = _BR_AFTER_BLOCK.sub(r"\1", text)
    text = _BR_BEFORE_BLOCK.sub(r"\1", text)
    text = _TRAILING_NEWLINE_P.sub("</p>", text)
    for name, original in pre_tags.items():
        text = text.replace(name, original)
    if "<!-- wpnl -->" in text:
        text = text.replace(WPNL, "\n").replace("<!-- wpnl -->", "\n")
    return text


# --- Block-editor comments ----------------------------------------------------------------------

BLOCK_COMMENT = re.compile(r"<!--\s+(/?)wp:([a-z][\w/-]*)(.*?)(/?)-->", re.S)


def strip_block_comments(text: str, notes: list[str]) -> str:
    """Drop the block delimiters; note the dynamic blocks (rendered by WordPress, so lost)."""
    dynamic = []

    def replace(match):
        if match.group(4) and match.group(2) not in ("more", "nextpage", "spacer", "separator"):
            name = match.group(2).removeprefix("core/")
            if name not in dynamic:
                dynamic.append(name)
        return ""

    text = BLOCK_COMMENT.sub(replace, text)
    if dynamic:
        notes.append("dynamic blocks not kept (WordPress drew them): " + ", ".join(dynamic))
    return text


# --- Shortcodes ---------------------------------------------------------------------------------

# get_shortcode_regex() for any name: 1 [ to escape, 2 name, 3 attributes, 4 self-closing /,
# 5 enclosed content, 6 ] to escape.
SHORTCODE = re.compile(
    r"\[(\[?)([a-zA-Z][\w-]*)(?![\w-])([^\]/]*(?:/(?!\])[^\]/]*)*?)"
    r"(?:(/)\]|\](?:([^\[]*+(?:\[(?!/\2\])[^\[]*+)*+)\[/\2\])?)(\]?)"
)
SHORTCODE_ATTRIBUTE = re.compile(
    r"""([\w-]+)\s*=\s*"([^"]*)"|([\w-]+)\s*=\s*'([^']*)'|([\w-]+)\s*=\s*([^\s'"]+)"""
    r"""|"([^"]*)"|'([^']*)'|(\S+)"""
)
KNOWN = {"caption", "wp_caption", "gallery", "playlist", "audio", "video", "embed"}
MEDIA_SOURCES = (
    "src",
    "mp3",
    "ogg",
    "oga",
    "wav",
    "m4a",
    "wma",
    "flac",
    "mp4",
    "m4v",
    "webm",
    "ogv",
    "wmv",
    "flv",
)
# shortcode_unautop: a shortcode alone in its paragraph loses the <p> around it.
UNAUTOP = re.compile(
    r"<p>\s*+(\[(caption|wp_caption|gallery|playlist)(?![\w-])[^\]/]*"
    r"(?:/(?!\])[^\]/]*)*?(?:/\]|\](?:[^\[]*+(?:\[(?!/\2\])[^\[]*+)*+\[/\2\])?))\s*+</p>"
)
CAPTIONED_IMAGE = re.compile(r"((?:<a [^>]+>\s*)?<img [^>]+>(?:\s*</a>)?)(.*)", re.S | re.I)


def parse_attributes(text: str) -> tuple[dict[str, str], list[str]]:
    """A shortcode's named attributes and its positional ones (shortcode_parse_atts)."""
    named, positional = {}, []
    for m in SHORTCODE_ATTRIBUTE.finditer(html.unescape(text.replace("\xa0", " "))):
        if m.group(1):
            named[m.group(1).lower()] = m.group(2)
        elif m.group(3):
            named[m.group(3).lower()] = m.group(4)
        elif m.group(5):
            named[m.group(5).lower()] = m.group(6)
        else:
            positional.append(m.group(7) or m.group(8) or m.group(9) or "")
    return named, positional


def _link(url: str) -> str:
    return f'<a href="{escape(url)}">{escape(url)}</a>'


def _caption(attrs: dict[str, str], content: str) -> str:
    caption = attrs.get("caption")
    if caption is None:
        found = CAPTIONED_IMAGE.match(content.strip())
        if found:
            content, caption = found.group(1), found.group(2).strip()
    if not caption:
        return content
    classes = " ".join(["wp-caption", attrs.get("align", "alignnone"), attrs.get("class", "")])
    element_id = f' id="{escape(attrs["id"])}"' if attrs.get("id") else ""
    return (
        f'<figure{element_id} class="{escape(classes.strip())}">{content.strip()}'
        f'<figcaption class="wp-caption-text">{caption}</figcaption></figure>'
    )


def do_shortcodes(text: str, notes: list[str]) -> str:
    """Expand or drop the shortcodes in `text`, adding a note for each one dropped."""
    if "[" not in text:
        return text
    text = UNAUTOP.sub(r"\1", text)

    def replace(match):
        escaped_open, name, raw_attrs, _slash, content, escaped_close = match.groups()
        if escaped_open and escaped_close:  # [[gallery]] shows "[gallery]"
            return match.group(0)[1:-1]
        known = name.lower() in KNOWN
        if not known and content is None and "=" not in raw_attrs:
            return match.group(0)  # "[sic]", "[citation needed]": words, not a shortcode
        attrs, positional = parse_attributes(raw_attrs)
        inner = do_shortcodes(content, notes) if content else ""
        tag = name.lower()
        if tag in ("caption", "wp_caption"):
            return _caption(attrs, inner)
        if tag in ("audio", "video"):
            sources = [attrs[key] for key in MEDIA_SOURCES if attrs.get(key)] + positional
            return " ".join(_link(url) for url in sources) or inner
        if tag == "embed":
            url = (content or "").strip() or (positional[0] if positional else "")
            return _link(url) if url else ""
        notes.append(
            f"[{name}] dropped (galleries and playlists are not imported)"
            if known
            else f"unknown shortcode [{name}] dropped" + (", its content kept" if content else "")
        )
        return inner

    return SHORTCODE.sub(replace, text)


# --- Embeds: an address alone on its line -------------------------------------------------------

LONE_URL = re.compile(r"^(\s*)(https?://[^\s<>\"]+)(\s*)$", re.M)


def _embed(url: str) -> str | None:
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.").removeprefix("m.")
    video = None
    if host == "youtube.com" and parts.path == "/watch":
        video = (parse_qs(parts.query).get("v") or [None])[0]
    elif host == "youtu.be":
        video = parts.path.strip("/")
    if video and re.fullmatch(r"[\w-]+", video):
        return (
            f'<iframe src="https://www.youtube-nocookie.com/embed/{video}" title="YouTube video" '
            'width="640" height="360" allowfullscreen loading="lazy"></iframe>'
        )
    if host == "vimeo.com" and re.fullmatch(r"/\d+", parts.path):
        return (
            f'<iframe src="https://player.vimeo.com/video{parts.path}" title="Vimeo video" '
            'width="640" height="360" allowfullscreen loading="lazy"></iframe>'
        )
    return None


def autoembed(text: str) -> str:
    """An address alone on its line: an embed for YouTube and Vimeo, else a link (WP_Embed)."""
    if "http" not in text:
        return text

    def replace(match):
        url = html.unescape(match.group(2))
        return match.group(1) + (_embed(url) or _link(url)) + match.group(3)

    return LONE_URL.sub(replace, text)


# --- Everything together ------------------------------------------------------------------------


def convert(content: str, notes: list[str]) -> str:
    """Sanitised HTML for a post or page's `content:encoded`; what was lost goes in `notes`."""
    text = autoembed(content.replace("\r\n", "\n"))
    is_blocks = "<!-- wp:" in text  # the block editor's HTML needs no paragraphs added
    text = strip_block_comments(text, notes) if is_blocks else wpautop(text)
    text = do_shortcodes(text, notes)
    # What the sanitiser emptied (a paragraph that held only a script) goes too.
    return _EMPTY_P.sub("", sanitize_html(text)).strip()


# --- Comments: our comments are plain text --------------------------------------------------------

_ANCHOR = re.compile(r"<a\s[^>]*?href\s*=\s*([\"'])(.*?)\1[^>]*>(.*?)</a\s*>", re.S | re.I)
_IMAGE = re.compile(r"<img\s[^>]*?src\s*=\s*([\"'])(.*?)\1[^>]*>", re.S | re.I)
_ALT = re.compile(r"\salt\s*=\s*([\"'])(.*?)\1", re.S | re.I)
_LINE_BREAK = re.compile(r"<br\s*/?>", re.I)
_BLOCK_END = re.compile(r"</(?:p|div|blockquote|li|h[1-6]|tr|pre|table|ul|ol|dl|dd)\s*>", re.I)
_BLANK_LINES = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")


def comment_text(content: str) -> str:
    """A WordPress comment's HTML as the plain text our comments are: tags go, the addresses
    of links and images stay in the text (where our comment template links them)."""
    if "<" not in content and "&" not in content:
        return content.strip()

    def anchor(match):
        url, label = match.group(2).strip(), TAG.sub("", match.group(3)).strip()
        return label if not url or url in label else f"{label} ({url})" if label else url

    def image(match):
        alt = _ALT.search(match.group(0))
        label = alt.group(2).strip() if alt else ""
        return f"{label} ({match.group(2)})" if label else match.group(2)

    text = _ANCHOR.sub(anchor, content)
    text = _IMAGE.sub(image, text)
    text = _LINE_BREAK.sub("\n", text)
    text = _BLOCK_END.sub("\n\n", text)
    text = html.unescape(TAG.sub("", text))
    return _BLANK_LINES.sub("\n\n", text).strip()
