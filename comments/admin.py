"""The moderation queue: the Django admin, opening on the comments that need review."""

import json
import unicodedata
from urllib.parse import urlsplit

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Count, Min
from django.db.models.functions import Upper
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join, linebreaks
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from blog.text import clean_line
from core.client import client_ip

from . import moderation, services
from .models import Comment, Event, ModerationSettings


class StatusFilter(admin.SimpleListFilter):
    """Status with a count for each, opening on "Needs review" (held)."""

    title = _("status")
    parameter_name = "status__exact"

    def lookups(self, request, model_admin):
        counts = dict(
            Comment.objects.values_list("status").annotate(n=Count("id")).order_by("status")
        )
        labels = {Comment.Status.HELD: _("Needs review")}
        return [
            (value, f"{labels.get(value, label)} ({counts.get(value, 0)})")
            for value, label in Comment.Status.choices
        ] + [("all", _("All"))]

    def choices(self, changelist):
        for value, label in self.lookup_choices:
            yield {
                "selected": self.value() == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        if self.value() in Comment.Status.values:
            return queryset.filter(status=self.value())
        return queryset


class EventInline(admin.TabularInline):
    model = Event
    fields = ["at", "actor", "message"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = _("history")

    def has_add_permission(self, request, obj=None):
        return False


def _visible(text: str) -> str:
    """`text` as one clean line with each format character (bidi override, zero-width
    joiner…) written out as [U+XXXX]: nothing a moderator reads hides or reorders the rest."""
    return "".join(
        f"[U+{ord(c):04X}]" if unicodedata.category(c) == "Cf" else c for c in clean_line(text)
    )


def _to_ascii(label: str) -> str:
    """One host label as a browser sends it: mapped as UTS 46 does (NFKC, lower case), then
    punycode unless it is plain ASCII.

    Not the `idna` codec: its IDNA 2003 mapping turns `ß` into `ss` and drops zero-width
    joiners, so it would show a moderator a host other than the one the link opens.
    """
    mapped = unicodedata.normalize("NFKC", label).lower()
    if mapped.isascii():
        return mapped
    return "xn--" + mapped.encode("punycode").decode("ascii")


def _to_unicode(label: str) -> str:
    if not label.startswith("xn--"):
        return label
    try:
        return label[4:].encode("ascii").decode("punycode")
    except (UnicodeError, ValueError):
        return label  # not valid punycode: shown as it is, in ASCII


def website_host(url: str) -> tuple[str, str]:
    """The host of a commenter's website as a moderator should read it: (Unicode, ASCII).

    The two differ only for an internationalised host, `аpple.com` and `xn--pple-43d.com`,
    so a look-alike of a well-known name gives itself away. Never raises, whatever is stored.
    """
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        host = url
    labels = clean_line(host).split(".")
    try:
        ascii_host = ".".join(_to_ascii(label) for label in labels)
    except UnicodeError:
        ascii_host = host.encode("ascii", "backslashreplace").decode("ascii")
    return _visible(".".join(_to_unicode(label) for label in labels)), ascii_host


def website_html(url: str):
    """The host for the moderators' screens: its Unicode form isolated, then its punycode."""
    unicode_host, ascii_host = website_host(url)
    if unicode_host == ascii_host:
        return format_html('<bdi dir="ltr">{}</bdi>', ascii_host)
    return format_html(
        '<bdi dir="ltr">{}</bdi> <bdi dir="ltr">({})</bdi>', unicode_host, ascii_host
    )


def _moderation_action(service, description, done):
    def action(modeladmin, request, queryset):
        comments = list(queryset.select_related("article"))
        for comment in comments:
            service(comment=comment, by=request.user)
        count = len(comments)
        modeladmin.message_user(request, done % {"n": count}, messages.SUCCESS)

    action.__name__ = service.__name__
    return admin.action(description=description, permissions=["moderate"])(action)


# One click in a row of the queue: (service, button, message when done), and the statuses the
# button is offered for.
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


EMPTYABLE = {Comment.Status.SPAM: _("Empty spam"), Comment.Status.TRASH: _("Empty trash")}


def _everything(search: str) -> str:
    """The queue, every status, searched for `search` (an email or an address)."""
    query = urlencode({"q": search, "status__exact": "all"})
    return f"{reverse('admin:comments_comment_changelist')}?{query}"


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


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = [
        "excerpt",
        "in_full",
        "article",
        "author",
        "status",
        "verdict",
        "reason",
        "submitted_at",
        "record",
        "decide",
    ]
    # No filter by article: a real site has thousands. Search finds an article by its title.
    list_filter = [StatusFilter, "verdict", "kind", "submitted_at"]
    search_fields = ["author_name", "author_email", "author_ip", "content", "article__title"]
    # No date_hierarchy: its list of years scans every comment (0.6 s at 200,000); the
    # submitted_at filter (today, past 7 days, this month, this year) costs an index range.
    list_select_related = ["article", "parent"]
    list_per_page = 50

    class Media:
        js = ["comments/queue.js"]  # keyboard shortcuts, as on WordPress (press ?)
        css = {"all": ["comments/queue.css"]}

    inlines = [EventInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}  # as the reader's form
    # A moderator may correct the name, email, website and text (services.edit keeps the old
    # values in the history); everything else is as the reader and the checks left it.
    readonly_fields = ["article", "parent", "kind", "user",
                       "website", "author_ip", "user_agent", "referrer",
                       "submitted_at", "status", "verdict", "reason", "decided_by",
                       "check_attempts", "next_check_at", "payload"]  # fmt: skip
    fieldsets = [
        (None, {"fields": ["article", "parent", "content", "status", "verdict", "reason"]}),
        (
            _("Author"),
            {
                "fields": [
                    "author_name",
                    "author_email",
                    "author_url",
                    "website",
                    "author_ip",
                    "user",
                    "user_agent",
                    "referrer",
                ]
            },
        ),  # fmt: skip
        (
            _("Checks"),
            {
                "fields": [
                    "kind",
                    "submitted_at",
                    "decided_by",
                    "check_attempts",
                    "next_check_at",
                    "payload",
                ]
            },
        ),  # fmt: skip
    ]
    actions = [
        _moderation_action(services.approve, _("Approve"), _("%(n)d comment(s) approved.")),
        _moderation_action(
            services.mark_spam, _("Spam (report to Akismet)"), _("%(n)d comment(s) marked as spam.")
        ),  # fmt: skip
        _moderation_action(
            services.mark_ham,
            _("Not spam (report to Akismet and approve)"),
            _("%(n)d comment(s) marked as not spam."),
        ),  # fmt: skip
        _moderation_action(services.trash, _("Trash"), _("%(n)d comment(s) moved to the trash.")),
        _moderation_action(services.restore, _("Restore"), _("%(n)d comment(s) restored.")),
        _moderation_action(
            services.recheck,
            _("Check again with Akismet"),
            _("%(n)d comment(s) sent to Akismet again."),
        ),  # fmt: skip
    ]

    def changelist_view(self, request, extra_context=None):
        # Open on the queue that needs a moderator: the held comments.
        if not request.GET and not request.POST:
            return HttpResponseRedirect(f"{request.path}?status__exact=held")
        status = request.GET.get("status__exact")
        if status in EMPTYABLE and self.has_moderate_permission(request):
            extra_context = {**(extra_context or {}), "empty_status": status,
                             "empty_label": EMPTYABLE[status]}  # fmt: skip
        return super().changelist_view(request, extra_context)

    def empty_view(self, request, status):
        """Empty spam or the trash, after a confirmation page; through services.delete."""
        if not self.has_moderate_permission(request) or not self.has_delete_permission(request):
            raise PermissionDenied
        if status not in EMPTYABLE:
            raise Http404
        doomed = Comment.objects.filter(status=status)
        if request.method == "POST":
            count = 0
            for comment in doomed.iterator():
                services.delete(comment=comment, by=request.user)
                count += 1
            self.message_user(request, _("%(n)d comment(s) deleted.") % {"n": count})
            return HttpResponseRedirect(
                reverse("admin:comments_comment_changelist") + f"?status__exact={status}"
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": EMPTYABLE[status],
            "status": status,
            "count": doomed.count(),
        }
        return TemplateResponse(request, "admin/comments/comment/empty.html", context)

    def get_queryset(self, request):
        # The email as the database upper-cases it (SQLite only ASCII): the record's key.
        return super().get_queryset(request).annotate(email_key=Upper("author_email"))

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        changelist.result_list = list(changelist.result_list)
        attach_records(changelist.result_list)
        return changelist

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
        """Reply as staff to a comment from the queue; a waiting comment is approved first."""
        if not self.has_moderate_permission(request):
            raise PermissionDenied
        parent = get_object_or_404(Comment.objects.select_related("article"), pk=pk)
        error = ""
        content = request.POST.get("content", "") if request.method == "POST" else ""
        if request.method == "POST":
            if not content.strip():
                error = _("Please type your reply.")
            else:
                try:
                    reply = services.reply(parent=parent, by=request.user, content=content,
                                           author_ip=client_ip(request))  # fmt: skip
                except services.CommentRefused as refused:
                    error = refused.message
                else:
                    done = _("Replied to %(name)s; your reply is %(status)s.") % {
                        "name": parent.author_name,
                        "status": reply.get_status_display().lower(),
                    }
                    self.message_user(request, done, messages.SUCCESS)
                    return HttpResponseRedirect(
                        reverse("admin:comments_comment_changelist") + "?status__exact=held"
                    )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Reply to %(name)s") % {"name": parent.author_name},
            "parent": parent,
            "content": content,
            "error": error,
        }
        return TemplateResponse(request, "admin/comments/comment/reply.html", context)

    def undo_view(self, request, pk, status):
        if not self.has_moderate_permission(request):
            raise PermissionDenied
        if status not in Comment.Status.values:
            raise Http404
        comment = get_object_or_404(Comment, pk=pk)
        services.undo(comment=comment, by=request.user, to=status)
        if request.headers.get("Accept", "").startswith("application/json"):
            return JsonResponse({"status": comment.get_status_display()})
        self.message_user(
            request,
            _("Undone: the comment by %(name)s is %(status)s again.")
            % {"name": comment.author_name, "status": comment.get_status_display().lower()},
        )
        return HttpResponseRedirect(self._back(request))

    def _back(self, request) -> str:
        back = request.headers.get("Referer", "")  # the queue page, with its filters
        if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
            back = reverse("admin:comments_comment_changelist") + "?status__exact=held"
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
        service(comment=comment, by=request.user)
        undo_url = reverse("admin:comments_comment_undo", args=[comment.pk, before])
        if request.headers.get("Accept", "").startswith("application/json"):
            # The queue's script decides in place, without leaving the page (queue.js).
            message = done % {"name": comment.author_name}
            status = comment.get_status_display()
            return JsonResponse({"message": message, "status": status, "undo": undo_url})
        # Undo, in the message: it sends the queue's own form (id changelist-form), CSRF token
        # and all, to the undo view. The keyboard's z presses it.
        undo = format_html(
            ' <button type="submit" class="button queue-undo" form="changelist-form" '
            'formaction="{}" formmethod="post">{}</button>',
            undo_url, _("Undo"),
        )  # fmt: skip
        message = format_html("{}{}", done % {"name": comment.author_name}, undo)
        self.message_user(request, message, messages.SUCCESS)
        return HttpResponseRedirect(self._back(request))

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if "author_url" in form.base_fields:
            # What the comment form accepts: http(s) only.
            form.base_fields["author_url"].validators.append(URLValidator(["http", "https"]))
        return form

    def save_model(self, request, obj, form, change):
        changed = {name: form.cleaned_data[name] for name in services.EDITABLE
                   if name in form.changed_data}  # fmt: skip
        services.edit(comment=obj, by=request.user, **changed)

    def has_moderate_permission(self, request):
        return request.user.has_perm("comments.moderate_comment")

    def has_change_permission(self, request, obj=None):
        return self.has_moderate_permission(request)

    def has_add_permission(self, request):
        return False

    def get_deleted_objects(self, objs, request):
        # A comment with replies is not refused: services.delete keeps it as a placeholder.
        deleted, counts, perms_needed, _protected = super().get_deleted_objects(objs, request)
        return deleted, counts, perms_needed, []

    def delete_model(self, request, obj):
        services.delete(comment=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for comment in queryset:
            services.delete(comment=comment, by=request.user)

    @admin.display(description=_("comment"))
    def excerpt(self, comment):
        if comment.is_removed:
            return _("(removed)")
        # Isolated: a right-to-left override in the text stays inside it.
        return format_html('<span dir="auto">{}</span>', Truncator(comment.content).chars(80))

    @admin.display(description=_("in full"))
    def in_full(self, comment):
        """The whole text as plain text, the hosts of its links spelled out (a link's text can
        hide where it goes), and the comment it replies to."""
        if comment.is_removed:
            return "—"
        hosts = sorted({website_host(url)[1] for url in moderation.URL_PATTERN.findall(
            comment.content) if "://" in url})  # fmt: skip
        parts = [format_html('<div dir="auto" class="comment-text">{}</div>',
                             mark_safe(linebreaks(comment.content, autoescape=True)))]  # fmt: skip
        if hosts:
            parts.append(format_html("<small>{} {}</small>", _("Links to:"), ", ".join(hosts)))
        if comment.parent_id:
            parent = comment.parent
            parts.append(format_html(
                '<small>{} <bdi>{}</bdi>: <span dir="auto">{}</span></small>', _("In reply to"),
                parent.author_name, Truncator(parent.content).chars(80)))  # fmt: skip
        return format_html_join("", "{}", ((part,) for part in parts))

    @admin.display(description=_("author"), ordering="author_name")
    def author(self, comment):
        return format_html(
            '<bdi>{}</bdi><br><small dir="ltr">{}</small><br><small>{}</small>{}',
            comment.author_name,
            comment.author_email,
            comment.author_ip or "",
            format_html("<br><small>{}</small>", website_html(comment.author_url))
            if comment.author_url
            else "",
        )

    @admin.display(description=_("website"))
    def website(self, comment):
        """The address as stored, and its host as the link really reaches it."""
        if not comment.author_url:
            return "—"
        return format_html('<bdi dir="ltr">{}</bdi><br>{}', _visible(comment.author_url),
                           website_html(comment.author_url))  # fmt: skip

    @admin.display(description=_("commenter's record"))
    def record(self, comment):
        """Their comments by status, by the same email, and links to all of them."""
        if not comment.author_email:
            return "—"
        counts = format_html_join(
            ", ", "{} {}",
            [(comment.commenter_record[status], label) for status, label in (
                ("approved", _("approved")), ("held", _("held")), ("spam", _("spam")),
                ("trash", _("trashed")))],
        )  # fmt: skip
        if comment.first_seen:
            seen = date_format(timezone.localtime(comment.first_seen), "DATE_FORMAT")
            counts = format_html("{}; {} {}", counts, _("first seen"), seen)
        if comment.author_ip:
            counts = format_html("{}; {} {}", counts, comment.address_total,
                                 _("from this address"))  # fmt: skip
        links = format_html('<a href="{}">{}</a>', _everything(comment.author_email),
                            _("all by this email"))  # fmt: skip
        if comment.author_ip:
            by_address = _everything(comment.author_ip)
            links = format_html('{} · <a href="{}">{}</a>', links, by_address,
                                _("all from this address"))  # fmt: skip
        return format_html("{}<br><small>{}</small>", counts, links)

    @admin.display(description=_("decide"))
    def decide(self, comment):
        """A button for each decision that makes sense now. Each posts the changelist's own
        form (with its CSRF token) to the decide view: one click, no JavaScript needed."""
        buttons = [
            (reverse("admin:comments_comment_decide", args=[comment.pk, name]), name, label)
            for name, (_service, label, _done, offered) in DECISIONS.items()
            if comment.status in offered
        ]
        reply = format_html(
            '<a class="button decide-reply" href="{}">{}</a>',
            reverse("admin:comments_comment_reply", args=[comment.pk]),
            _("Approve and reply") if comment.status == Comment.Status.HELD else _("Reply"),
        )
        return format_html_join(
            " ",
            '<button type="submit" class="button decide-{1}" formaction="{0}" '
            'formmethod="post">{2}</button>',
            buttons,
        ) + format_html(" {}", reply)

    @admin.display(description=_("Akismet payload"))
    def payload(self, comment):
        if not comment.akismet_payload:
            return "—"
        return format_html("<pre>{}</pre>", json.dumps(comment.akismet_payload, indent=2))


@admin.register(ModerationSettings)
class ModerationSettingsAdmin(admin.ModelAdmin):
    fieldsets = [
        (
            _("Rules"),
            {
                "fields": [
                    "disallowed_words",
                    "moderation_words",
                    "link_limit",
                    "hold_all",
                    "hold_first_time",
                    "close_after_days",
                ]
            },
        ),  # fmt: skip
        (_("Display"), {"fields": ["thread_depth", "per_page"]}),
        (_("Email"), {"fields": ["notify_moderators", "notify_authors"]}),
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        settings = ModerationSettings.load()
        return HttpResponseRedirect(f"{request.path}{settings.pk}/change/")
