"""A reader's comment as HTML: plain text, escaped, paragraphs from blank lines, URLs linked.

No HTML of a commenter's ever reaches a page. A comment is rendered once, when it is saved (or
imported), and kept in `Comment.html`: pages, threads and feeds show the stored HTML instead of
linking URLs again on every render.
"""

import re
from html import unescape

from django.utils.html import escape, linebreaks, urlize
from django.utils.safestring import SafeString, mark_safe

from blog.text import clean_text

# What urlize could make a link of: a scheme, www., an address, or a name in one of the
# top-level domains it links without a scheme (django.utils.html.Urlizer). Text with none of
# these (most comments) comes out of urlize escaped and nothing else, so urlize, which looks
# at every word, is skipped for it.
_MAY_LINK = re.compile(r"://|www\.|@|\.(?:com|edu|gov|int|mil|net|org)", re.IGNORECASE)


def comment_html(text: str, *, with_links: bool = True) -> SafeString:
    """`text` as safe HTML. Links get rel="nofollow ugc"; without `with_links` (a held
    comment, shown to its author only) nothing is linked. Characters HTML and XML forbid are
    dropped, should a comment stored before the form cleaned its input hold one."""
    text = clean_text(text)
    if not with_links or not _MAY_LINK.search(text):
        return mark_safe(linebreaks(escape(text)))
    linked = urlize(text, trim_url_limit=60, nofollow=True, autoescape=True)
    return mark_safe(linebreaks(linked.replace('rel="nofollow"', 'rel="nofollow ugc"')))


_HREF = re.compile(r'<a href="([^"]*)"')


def links_in(html: str) -> list[str]:
    """Where the links of `comment_html`'s HTML go: http(s) and mailto addresses."""
    return [unescape(href) for href in _HREF.findall(html)]
