from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import ngettext

from comments.models import Comment

register = template.Library()


@register.simple_tag
def pending_comments_badge():
    """A link to the moderation queue with the number of comments waiting in it."""
    count = Comment.objects.held().count()
    label = ngettext("%(n)d comment awaiting review", "%(n)d comments awaiting review", count)
    return format_html(
        '<div class="pending-comments"><a href="{}?status__exact=held">{}</a></div>',
        reverse("admin:comments_comment_changelist"),
        label % {"n": count},
    )
