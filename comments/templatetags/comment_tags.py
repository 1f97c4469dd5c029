"""The comment section of a page, and the comment text in it (comments.text).

An article template shows its comments with `{% render_comment_section article %}`, as
django-contrib-comments' `{% render_comment_list for object %}`: the blog knows nothing of
comments.
"""

from django import template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe

from blog.text import clean_line
from core.page_cache import depends_on

from .. import avatars, text, threads, versions

register = template.Library()


@register.simple_tag(takes_context=True)
def render_comment_section(context, article):
    """The thread and the form of `article` for this reader.

    After a refused comment, the page drawn again carries `comment_form` (as the reader typed
    it) and `comment_error` in its context.
    """
    request = context["request"]
    depends_on(request, versions.thread(article.pk))  # the page changes with its comments
    section = threads.comment_section(article, request, form=context.get("comment_form"))
    section.update(article=article, comment_error=context.get("comment_error", ""))
    return render_to_string("comments/_section.html", section, request=request)


@register.simple_tag
def comments_feed_url(article):
    return reverse("comments:article_feed", kwargs=article._url_kwargs())


@register.filter
def one_line(text):
    """A commenter's name as one clean line, should one stored before the form cleaned its
    input hold a control character or a line break."""
    return clean_line(text or "")


@register.filter
def comment_text(comment):
    """The comment as readers see it: as stored when it was saved (comments.text)."""
    return mark_safe(comment.html) if comment.html else text.comment_html(comment.content)


@register.filter
def held_comment_text(comment):
    """A held comment, shown to its author only: its text with nothing linked."""
    return text.comment_html(comment.content, with_links=False)


@register.filter
def avatar(comment):
    """The address of the commenter's avatar (comments.avatars)."""
    return avatars.comment_avatar_url(comment)
