"""The moderation queue's own views: one-click decisions and their undo, replies from the
queue, emptying spam and the trash; and the commenter's record each row shows.

`QueueViews` is mixed into the comments' ModelAdmin (admin.py); each view checks the
moderate permission and goes through comments/services.py, as the admin actions do.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Min
from django.db.models.functions import Upper
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from core.client import client_ip

from . import services
from .models import Comment

DECISIONS = {
    "approve": (services.approve, _("Approve"), _("Comment by %(name)s approved."),
                {Comment.Status.HELD, Comment.Status.TRASH}),
    "spam": (services.mark_spam, _("Spam"), _("Comment by %(name)s marked as spam."),
             {Comment.Status.HELD, Comment.Status.APPROVED}),
    "ham": (services.mark_ham, _("Not spam"), _("Comment by %(name)s marked as not spam."),
            {Comment.Status.SPAM}),
    "trash": (services.trash, _("Trash"), _("Comment by %(name)s moved to the trash."),
              {Comment.Status.HELD, Comment.Status.APPROVED, Comment.Status.SPAM}),
    "unapprove": (services.restore, _("Unapprove"), _("Comment by %(name)s held for review."),
                  {Comment.Status.APPROVED}),
}  # fmt: skip


def offered(comment: Comment) -> list[str]:
    """The one-click decisions that make sense for `comment` now. A removed one stays in the
    trash, as a placeholder for its replies: at most Trash, to put it back there."""
    if comment.is_removed:
        return [] if comment.status == Comment.Status.TRASH else ["trash"]
    return [name for name, (*_rest, statuses) in DECISIONS.items() if comment.status in statuses]


EMPTYABLE = {Comment.Status.SPAM: _("Empty spam"), Comment.Status.TRASH: _("Empty trash")}


def deletable(status: str):
    """The comments *Empty spam* or *Empty trash* deletes: not a placeholder still holding its
    replies, which was emptied before and has nothing more to delete."""
    return Comment.objects.filter(status=status).exclude(is_removed=True, replies__isnull=False)


def queue_url(status: str = "held", **query) -> str:
    """The queue showing `status` (or "all"), with any other query (a search, `q`)."""
    query = urlencode({**query, "status__exact": status})
    return f"{reverse('admin:comments_comment_changelist')}?{query}"


def queue_search_url(search: str) -> str:
    """The queue, every status, searched for `search` (an email or an address)."""
    return queue_url("all", q=search)


def _wants_json(request) -> bool:
    """The queue's script asks for JSON to apply a decision in place (queue.js)."""
    return request.headers.get("Accept", "").startswith("application/json")


def attach_records(comments: list) -> None:
    """Give each comment its commenter's record, in three queries whatever the page holds:
    counts by status and the first comment by email (in any case, on the UPPER(email) index),
    and the count by address. Only the page's rows are looked up, never the whole table."""
    emails = {c.email_key for c in comments if c.author_email}
    addresses = {c.author_ip for c in comments if c.author_ip}
    by_email = Comment.objects.annotate(email=Upper("author_email")).filter(email__in=emails)
    counts = {(row["email"], row["status"]): row["n"]
              for row in by_email.values("email", "status").annotate(n=Count("id"))}  # fmt: skip
    first = dict(
        by_email.values("email").annotate(at=Min("submitted_at")).values_list("email", "at")
    )
    per_address = dict(Comment.objects.filter(author_ip__in=addresses).values("author_ip")
                       .annotate(n=Count("id")).values_list("author_ip", "n"))  # fmt: skip
    for comment in comments:
        email = comment.email_key
        comment.commenter_record = {
            status: counts.get((email, status), 0) for status in Comment.Status.values
        }
        comment.first_seen = first.get(email)
        comment.address_total = per_address.get(comment.author_ip, 0)


class QueueViews:
    def empty_view(self, request, status):
        """Empty spam or the trash, after a confirmation page; through services.delete."""
        if not self.has_moderate_permission(request) or not self.has_delete_permission(request):
            raise PermissionDenied
        if status not in EMPTYABLE:
            raise Http404
        doomed = deletable(status)
        if request.method == "POST":
            # Newest first: replies go before the comments they answer, which then need no
            # placeholder.
            newest_first = doomed.order_by("-submitted_at", "-id").iterator()
            deleted = [services.delete(comment=c, by=request.user) for c in newest_first]
            done = _("%(n)d comment(s) deleted.") % {"n": deleted.count(True)}
            if False in deleted:
                done += " " + _("%(n)d kept as placeholders for their replies.") % {
                    "n": deleted.count(False)
                }
            self.message_user(request, done)
            return HttpResponseRedirect(queue_url(status))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": EMPTYABLE[status],
            "status": status,
            "count": doomed.count(),
        }
        return TemplateResponse(request, "admin/comments/comment/empty.html", context)

    def get_urls(self):
        decide = self.admin_site.admin_view(require_POST(self.decide_view))
        reply = self.admin_site.admin_view(self.reply_view)
        return [
            path("<int:pk>/decide/<str:decision>/", decide, name="comments_comment_decide"),
            path("<int:pk>/reply/", reply, name="comments_comment_reply"),
            path(
                "empty/<str:status>/",
                self.admin_site.admin_view(self.empty_view),
                name="comments_comment_empty",
            ),  # fmt: skip
            path(
                "<int:pk>/undo/<str:status>/",
                self.admin_site.admin_view(require_POST(self.undo_view)),
                name="comments_comment_undo",
            ),  # fmt: skip
            *super().get_urls(),
        ]

    def reply_view(self, request, pk):
        """Reply as staff to a comment from the queue; a waiting comment is approved first.
        Spam, trash and removed comments get the reason instead of the form."""
        if not self.has_moderate_permission(request):
            raise PermissionDenied
        parent = get_object_or_404(Comment.objects.select_related("article"), pk=pk)
        refusal = services.reply_refusal(parent)
        error, content = refusal, request.POST.get("content", "")
        answering = request.method == "POST" and not refusal
        if answering and not content.strip():
            error = _("Please type your reply.")
        elif answering:
            was_held = parent.status == Comment.Status.HELD
            try:
                reply = services.reply(parent=parent, by=request.user, content=content,
                                       author_ip=client_ip(request))  # fmt: skip
            except services.CommentRefused as refused:
                error = refused.message
            else:
                said = {"name": parent.author_name, "status": reply.get_status_display().lower()}
                if was_held:
                    done = _("Approved the comment by %(name)s and replied; your reply is "
                             "%(status)s.") % said  # fmt: skip
                else:
                    done = _("Replied to %(name)s; your reply is %(status)s.") % said
                self.message_user(request, done, messages.SUCCESS)
                return HttpResponseRedirect(queue_url())
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Reply to %(name)s") % {"name": parent.author_name},
            "parent": parent,
            "content": content,
            "error": error,
            "refusal": refusal,
        }
        return TemplateResponse(request, "admin/comments/comment/reply.html", context)

    def undo_view(self, request, pk, status):
        if not self.has_moderate_permission(request):
            raise PermissionDenied
        if status not in Comment.Status.values:
            raise Http404
        comment = get_object_or_404(Comment, pk=pk)
        try:
            services.undo(comment=comment, by=request.user, to=status)
        except services.DecisionRefused as refused:
            return self._refused(request, comment, refused)
        message = _("Undone: the comment by %(name)s is %(status)s again.") % {
            "name": comment.author_name,
            "status": comment.get_status_display().lower(),
        }
        return self._answer(request, comment, message, messages.INFO)

    def _back(self, request) -> str:
        back = request.headers.get("Referer", "")  # the queue page, with its filters
        if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
            back = queue_url()
        return back

    def decide_view(self, request, pk, decision):
        """One click in the queue: the decision goes through the service, as the actions do,
        and the moderator comes back to the page they were on."""
        if not self.has_moderate_permission(request):
            raise PermissionDenied
        if decision not in DECISIONS:
            raise Http404
        comment = get_object_or_404(Comment.objects.select_related("article"), pk=pk)
        service, _label, done, _offered = DECISIONS[decision]
        before = comment.status
        try:
            changed = service(comment=comment, by=request.user)
        except services.DecisionRefused as refused:
            return self._refused(request, comment, refused)
        if not changed:  # a double click, or another moderator was first: nothing to undo
            message = _("Comment by %(name)s was already %(status)s; nothing changed.") % {
                "name": comment.author_name,
                "status": comment.get_status_display().lower(),
            }
            return self._answer(request, comment, message, messages.INFO)
        undo_url = reverse("admin:comments_comment_undo", args=[comment.pk, before])
        message = done % {"name": comment.author_name}
        return self._answer(request, comment, message, messages.SUCCESS, undo_url=undo_url)

    def _refused(self, request, comment, refused):
        message = _("Comment by %(name)s not changed: %(reason)s") % {
            "name": comment.author_name,
            "reason": refused.message,
        }
        return self._answer(request, comment, message, messages.ERROR)

    def _answer(self, request, comment, message, level, *, undo_url=None):
        """Tell the moderator what a click did: as JSON to the queue's script (a refusal as an
        error status, so the script falls back to the plain post and its message), or as a
        message on the page they came from."""
        if _wants_json(request):
            answer = {"message": message, "status": comment.get_status_display(), "undo": undo_url}
            return JsonResponse(answer, status=409 if level == messages.ERROR else 200)
        if undo_url:
            # Undo, in the message: it sends the queue's own form (id changelist-form), CSRF
            # token and all, to the undo view. The keyboard's z presses it.
            undo = format_html(
                ' <button type="submit" class="button queue-undo" form="changelist-form" '
                'formaction="{}" formmethod="post">{}</button>',
                undo_url, _("Undo"),
            )  # fmt: skip
            message = format_html("{}{}", message, undo)
        self.message_user(request, message, level)
        return HttpResponseRedirect(self._back(request))
