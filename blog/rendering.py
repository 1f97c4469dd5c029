"""Article and page HTML: sanitised once, when it is saved, with an allow-list."""

import re
from urllib.parse import urlsplit

import nh3

from .text import WORD_BREAKS, clean_text

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd",
    "del", "div", "dl",
    "dt", "em", "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "iframe", "img",
    "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "small", "span", "strong", "sub",
    "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "*": {"class", "id", "title", "lang", "dir"},
    "a": {"href", "name", "target"},
    # data-file: the id of the library image a figure shows (blog/figures.py renders it).
    "img": {"src", "alt", "title", "width", "height", "srcset", "sizes", "loading", "data-file"},
    "col": {"style", "span"},
    "iframe": {"src", "width", "height", "title", "allow", "allowfullscreen", "loading"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start", "reversed", "type", "data-type"},
    "blockquote": {"cite"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
# The editor's tables set column widths; no other style survives.
STYLE_PROPERTIES = {"min-width", "width"}
# Embeds are kept only from these hosts; any other iframe is removed whole.
IFRAME_HOSTS = {
    "www.youtube.com", "www.youtube-nocookie.com", "youtube.com", "player.vimeo.com",
    "w.soundcloud.com", "open.spotify.com", "www.google.com", "platform.twitter.com",
}  # fmt: skip

# nh3's output is normalised: attributes are double-quoted, with quotes inside escaped.
_IFRAME = re.compile(r"<iframe\b([^>]*)>.*?</iframe>", re.DOTALL)
_ATTRIBUTE_NAMES = re.compile(r'\s([\w-]+)(?:="[^"]*")?')


def _filter_attribute(tag, attribute, value):
    if tag == "iframe" and attribute == "src":
        parts = urlsplit(value)
        return value if parts.scheme == "https" and parts.hostname in IFRAME_HOSTS else None
    return value


def sanitize_html(html: str) -> str:
    """Return `html` with everything outside the allow-list removed and the rest kept.

    Scripts, styles, event handlers, `javascript:` URLs and iframes from unknown hosts go;
    text, structure, links, images and known embeds stay. Characters XML 1.0 forbids go too,
    typed or written as `&#11;`: one in a body would stop every feed the article is in.
    """
    cleaned = nh3.clean(
        html or "",
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style", "template", "noscript"},
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_filter_attribute,
        filter_style_properties=STYLE_PROPERTIES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )
    # After nh3, which turns character references into the characters themselves.
    cleaned = clean_text(cleaned.translate(WORD_BREAKS))
    return _IFRAME.sub(_keep_iframe_with_src, cleaned)


def _keep_iframe_with_src(match):
    """An iframe whose src the filter removed (an unknown host) goes whole."""
    return match.group(0) if "src" in _ATTRIBUTE_NAMES.findall(match.group(1)) else ""
