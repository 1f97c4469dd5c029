"""Comment text is plain text: escaped, paragraphs from blank lines, URLs linked."""

from django import template
from django.utils.html import escape, linebreaks, urlize
from django.utils.safestring import mark_safe

from blog.text import clean_text

register = template.Library()


@register.filter
def comment_html(text, with_links=True):
    """Render a reader's plain text as safe HTML; no HTML of theirs ever reaches the page.

    Links get rel="nofollow ugc"; a held comment is shown with no links at all. Characters
    HTML and XML forbid are dropped, should a comment stored before the form cleaned its input
    hold one.
    """
    text = clean_text(text)
    if not with_links:
        return mark_safe(linebreaks(escape(text)))
    linked = urlize(text, trim_url_limit=60, nofollow=True, autoescape=True)
    return mark_safe(linebreaks(linked.replace('rel="nofollow"', 'rel="nofollow ugc"')))
