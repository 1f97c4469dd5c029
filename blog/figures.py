"""Body HTML as readers get it: library images as responsive pictures, known links as embeds.

The stored body is what the editor wrote (sanitised on save, blog/rendering.py) and stays
editable; this turns it into the reader's HTML when the page is drawn, so a figure always
shows the image's current renditions and credit.
"""

import html
import re
from urllib.parse import parse_qs, urlsplit

from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from .images import picture_context
from .models import Article, Image, Page

# The body is nh3's normalised output: attributes double-quoted, quotes inside escaped.
_IMG = re.compile(r"<img\b([^>]*)>")
_ATTRIBUTE = re.compile(r'([\w-]+)="([^"]*)"')
_FIGURE = re.compile(r"<figure\b[^>]*>.*?</figure>", re.DOTALL)
_FIGCAPTION_END = "</figcaption>"
_LIBRARY_IMAGE = re.compile(r'data-file="([0-9]+)"')
# A paragraph that holds nothing but one address, as text or as a link to itself.
_LONE_ADDRESS = re.compile(
    r'<p>\s*(?:<a\b[^>]*href="(?P<href>[^"]+)"[^>]*>\s*(?P<text>[^<]*)</a>|(?P<bare>https://[^\s<]+))'
    r"\s*</p>"
)


def images_in(body: str) -> set[int]:
    """The ids of the library images the body shows."""
    return {int(number) for number in _LIBRARY_IMAGE.findall(body or "")}


def bodies_showing(image: Image) -> list[Article | Page]:
    """The articles and pages whose body shows `image` (an unindexed search, for the rare
    delete)."""
    marker = f'data-file="{image.pk}"'
    return [
        *Article.objects.filter(body__contains=marker).only("title"),
        *Page.objects.filter(body__contains=marker).only("title"),
    ]


def reader_html(body: str) -> SafeString:
    """`body` with library figures drawn from their renditions and lone video links embedded.

    One query when the body shows library images, none otherwise.
    """
    body = body or ""
    ids = images_in(body)
    if ids:
        images = Image.objects.in_bulk(ids)
        body = _FIGURE.sub(lambda match: _figure(match.group(0), images), body)
    if "<p>" in body and "https://" in body:
        body = _LONE_ADDRESS.sub(_embed_or_keep, body)
    return mark_safe(body)  # noqa: S308 - sanitised on save; what is added here is escaped


def _figure(figure: str, images: dict) -> str:
    match = _IMG.search(figure)
    attributes = dict(_ATTRIBUTE.findall(match.group(1))) if match else {}
    number = attributes.get("data-file", "")
    image = images.get(int(number)) if number.isascii() and number.isdigit() else None
    if image is None:
        return figure  # the picture as the editor left it
    alt = html.unescape(attributes.get("alt", "")) or image.alt_text
    picture = render_to_string(
        "blog/_picture.jinja",
        picture_context(image, sizes="(min-width: 48rem) 44rem, 100vw", size="medium", alt=alt),
        using="jinja2",
    )
    figure = figure[: match.start()] + picture + figure[match.end() :]
    if image.credit:
        credit = format_html('<small class="figure__credit">{}</small>', image.credit)
        if _FIGCAPTION_END in figure:
            figure = figure.replace(_FIGCAPTION_END, f" {credit}{_FIGCAPTION_END}", 1)
        else:
            figure = figure.replace("</figure>", f"<figcaption>{credit}</figcaption></figure>")
    return figure


def embed_address(url: str) -> str | None:
    """The player address for a YouTube or Vimeo link, or None for any other address."""
    try:
        parts = urlsplit(html.unescape(url))
        host = (parts.hostname or "").removeprefix("www.").removeprefix("m.")
    except ValueError:  # not an address at all, e.g. "https://["
        return None
    if parts.scheme != "https":
        return None
    video = None
    if host == "youtube.com" and parts.path == "/watch":
        video = parse_qs(parts.query).get("v", [None])[0]
    elif host == "youtu.be":
        video = parts.path.strip("/")
    if video and re.fullmatch(r"[A-Za-z0-9_-]{6,20}", video):
        return f"https://www.youtube-nocookie.com/embed/{video}"
    if host == "vimeo.com" and re.fullmatch(r"/[0-9]{4,12}", parts.path):
        return f"https://player.vimeo.com/video{parts.path}"
    return None


def _embed_or_keep(match) -> str:
    href = match.group("href")
    if href is not None and html.unescape(match.group("text").strip()) != html.unescape(href):
        return match.group(0)  # a link with words of its own is a link
    player = embed_address(href or match.group("bare"))
    if player is None:
        return match.group(0)
    return format_html(
        '<figure class="embed"><iframe src="{}" title="{}" loading="lazy" '
        'allow="encrypted-media; picture-in-picture; fullscreen" allowfullscreen></iframe>'
        "</figure>",
        player,
        "Video",
    )
