"""The moderation queue: the Django admin, opening on the comments that need review."""

import json
from collections import Counter

from django.contrib import admin, messages
from django.db import models
from django.db.models import Count
from django.db.models.functions import Upper
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join, linebreaks
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from . import privacy, services
from .forms import WebAddressValidator
from .hosts import visible_text, website_host, website_html
from .models import Comment, Event, ModerationSettings, PrivacyRequest, Subscription
from .queue import (
    DECISIONS,
    EMPTYABLE,
    QueueViews,
    attach_records,
    deletable,
    offered,
    queue_search_url,
)
from .text import comment_html, links_in


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


def _moderation_action(service, description, done, unchanged):
    """An admin action calling `service` on each selected comment. Its messages count what it
    changed (`done`), what it left as it was (`unchanged`) and what it refused, and why."""

    def action(modeladmin, request, queryset):
        changed = same = 0
        refused = Counter()
        for comment in queryset.select_related("article"):
            try:
                if service(comment=comment, by=request.user):
                    changed += 1
                else:
                    same += 1
            except services.DecisionRefused as refusal:
                refused[refusal.message] += 1
        if changed or not (same or refused):
            modeladmin.message_user(request, done % {"n": changed}, messages.SUCCESS)
        if same:
            modeladmin.message_user(request, unchanged % {"n": same}, messages.INFO)
        for reason, n in refused.items():
            modeladmin.message_user(request, _("%(n)d comment(s) skipped: %(reason)s")
                                    % {"n": n, "reason": reason}, messages.WARNING)  # fmt: skip

    action.__name__ = service.__name__
    return admin.action(description=description, permissions=["moderate"])(action)


def _link_host(href: str) -> str:
    """The host a link goes to, as a moderator should read it (an email's: its domain)."""
    if href.startswith("mailto:"):
        href = "//" + href.rpartition("@")[2]
    return website_host(href)[1]


@admin.register(Comment)
class CommentAdmin(QueueViews, admin.ModelAdmin):
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

    def get_readonly_fields(self, request, obj=None):
        # A removed comment is a placeholder for its replies: nothing of it is left to correct.
        if obj is not None and obj.is_removed:
            return [*self.readonly_fields, *services.EDITABLE]
        return self.readonly_fields

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
        _moderation_action(
            services.approve,
            _("Approve"),
            _("%(n)d comment(s) approved."),
            _("%(n)d comment(s) were already approved; nothing changed."),
        ),
        _moderation_action(
            services.mark_spam,
            _("Spam (report to Akismet)"),
            _("%(n)d comment(s) marked as spam."),
            _("%(n)d comment(s) were already spam; nothing changed."),
        ),
        _moderation_action(
            services.mark_ham,
            _("Not spam (report to Akismet and approve)"),
            _("%(n)d comment(s) marked as not spam."),
            _("%(n)d comment(s) were already approved; nothing changed."),
        ),
        _moderation_action(
            services.trash,
            _("Trash"),
            _("%(n)d comment(s) moved to the trash."),
            _("%(n)d comment(s) were already in the trash; nothing changed."),
        ),
        _moderation_action(
            services.restore,
            _("Restore"),
            _("%(n)d comment(s) restored."),
            _("%(n)d comment(s) were already held for review; nothing changed."),
        ),
        _moderation_action(
            services.recheck,
            _("Check again with Akismet"),
            _("%(n)d comment(s) sent to Akismet again."),
            _("%(n)d comment(s) left alone: only comments held for review are checked again."),
        ),
    ]

    def changelist_view(self, request, extra_context=None):
        # Open on the queue that needs a moderator: the held comments.
        if not request.GET and not request.POST:
            return HttpResponseRedirect(f"{request.path}?status__exact=held")
        status = request.GET.get("status__exact")
        if (status in EMPTYABLE and self.has_moderate_permission(request)
                and deletable(status).exists()):  # fmt: skip
            extra_context = {**(extra_context or {}), "empty_status": status,
                             "empty_label": EMPTYABLE[status]}  # fmt: skip
        return super().changelist_view(request, extra_context)

    def get_queryset(self, request):
        # The email as the database upper-cases it (SQLite only ASCII): the record's key.
        return super().get_queryset(request).annotate(email_key=Upper("author_email"))

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        changelist.result_list = list(changelist.result_list)
        attach_records(changelist.result_list)
        return changelist

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if "author_url" in form.base_fields:
            # What the comment form accepts: http(s) only.
            form.base_fields["author_url"].validators.append(WebAddressValidator(["http", "https"]))
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
        # The links readers get: addresses and bare names are linked too (comment_html).
        html = comment.html or comment_html(comment.content)
        hosts = sorted({_link_host(href) for href in links_in(html)})
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
        return format_html('<bdi dir="ltr">{}</bdi><br>{}', visible_text(comment.author_url),
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
        links = format_html('<a href="{}">{}</a>', queue_search_url(comment.author_email),
                            _("all by this email"))  # fmt: skip
        if comment.author_ip:
            by_address = queue_search_url(comment.author_ip)
            links = format_html('{} · <a href="{}">{}</a>', links, by_address,
                                _("all from this address"))  # fmt: skip
        return format_html("{}<br><small>{}</small>", counts, links)

    @admin.display(description=_("decide"))
    def decide(self, comment):
        """A button for each decision that makes sense now. Each posts the changelist's own
        form (with its CSRF token) to the decide view: one click, no JavaScript needed."""
        buttons = format_html_join(
            " ",
            '<button type="submit" class="button decide-{1}" formaction="{0}" '
            'formmethod="post">{2}</button>',
            [
                (reverse("admin:comments_comment_decide", args=[comment.pk, name]), name,
                 DECISIONS[name][1])
                for name in offered(comment)
            ],
        )  # fmt: skip
        if services.reply_refusal(comment):  # spam, trash, removed: a reply would publish it
            return buttons
        reply = format_html(
            '<a class="button decide-reply" href="{}">{}</a>',
            reverse("admin:comments_comment_reply", args=[comment.pk]),
            _("Approve and reply") if comment.status == Comment.Status.HELD else _("Reply"),
        )
        return buttons + format_html(" {}", reply)

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


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["email", "kind", "article", "created_at", "confirmed_at", "last_sent_at"]
    list_filter = ["kind", ("confirmed_at", admin.EmptyFieldListFilter)]
    search_fields = ["email", "article__title"]
    autocomplete_fields = ["article"]
    readonly_fields = ["created_at", "confirmed_at", "last_sent_at"]

    def has_add_permission(self, request):
        return False  # only their owners subscribe, by confirming from their mailbox


@admin.register(PrivacyRequest)
class PrivacyRequestAdmin(admin.ModelAdmin):
    list_display = ["email", "kind", "status", "requested_at", "confirmed_at", "done_at", "done_by"]
    list_filter = ["kind", "status"]
    search_fields = ["email"]
    readonly_fields = [
        "email", "kind", "status", "requested_at", "confirmed_at", "done_at", "done_by", "log",
    ]  # fmt: skip
    actions = ["erase_now", "decline"]

    def has_add_permission(self, request):
        return False  # readers ask at /your-data/, from their own mailbox

    def has_erase_permission(self, request):
        return request.user.has_perm("comments.erase_personal_data")

    @admin.action(
        description=_("Erase the data of the selected confirmed requests"), permissions=["erase"]
    )
    def erase_now(self, request, queryset):
        ready = queryset.filter(
            kind=PrivacyRequest.Kind.ERASE, status=PrivacyRequest.Status.CONFIRMED
        )
        for asked in ready:
            log = privacy.erase(request=asked, by=request.user)
            self.message_user(request, f"{asked.email}: {log}", messages.SUCCESS)
        skipped = queryset.count() - len(ready)
        if skipped:
            self.message_user(
                request,
                _(
                    "%(n)d request(s) skipped: only erasure requests the reader has confirmed "
                    "from their mailbox can be carried out."
                )
                % {"n": skipped},
                messages.WARNING,
            )

    @admin.action(description=_("Decline the selected requests"), permissions=["erase"])
    def decline(self, request, queryset):
        count = queryset.exclude(status=PrivacyRequest.Status.DONE).update(
            status=PrivacyRequest.Status.DECLINED, done_by=request.user, done_at=timezone.now()
        )
        self.message_user(request, _("%(n)d request(s) declined.") % {"n": count})
