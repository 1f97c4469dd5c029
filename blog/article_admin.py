"""The article desk: writing, bylines, review and publishing, revisions and autosave."""

import re

import reversion
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F, Q
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from . import editing, signals
from .models import Article, authors_in_byline_order
from .rendering import sanitize_html
from .text import CleanTextForm
from .widgets import AUTHORS_HELP, AuthorsWidget, BodyEditorWidget

# Read from the sanitiser's output: tags lowercased, attributes double-quoted, unknown ones gone.
_IMG_TAG = re.compile(r"<img\s[^>]*>")
_ALT = re.compile(r'\salt="([^"]*)"')
_SRC = re.compile(r'\ssrc="([^"]*)"')


class AuthorsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, user):
        return user.get_full_name() or user.get_username()


class ArticleForm(CleanTextForm):
    byline_authors = AuthorsField(
        queryset=editing.bylined_staff(),
        label=gettext_lazy("Authors"),
        help_text=AUTHORS_HELP,
        widget=AuthorsWidget(Article._meta.get_field("authors"), admin.site),
    )
    opened_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    user = None  # the person editing: set by ArticleAdmin.get_form

    class Meta:
        model = Article
        fields = [  # the byline is byline_authors, in order, not the plain many-to-many
            "title", "slug", "byline", "body", "excerpt", "status", "published_at", "is_sticky",
            "comments_open", "categories", "tags", "featured_image", "disclaimer", "promotion",
            "seo_description",
        ]  # fmt: skip
        widgets = {"body": BodyEditorWidget}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "published_at" in self.fields:  # two boxes under one label: name each
            date, time = self.fields["published_at"].widget.widgets
            date.attrs["aria-label"] = _("Publication date")
            time.attrs["aria-label"] = _("Publication time")
        if self.instance.pk:
            self.fields["byline_authors"].initial = list(
                self.instance.authorships.values_list("user", flat=True)
            )
            self.fields["opened_version"].initial = self.instance.lock_version
        elif self.user is not None:
            self.fields["byline_authors"].initial = [self.user.pk]
        if "status" in self.fields and self.user and not editing.can_publish(self.user):
            self.fields["status"].choices = [
                choice
                for choice in self.fields["status"].choices
                if choice[0] != Article.Status.PUBLISHED
            ]
            self.fields["status"].help_text = _(
                "Choose “Pending review” when it is ready: an editor will publish it."
            )

    def clean_byline_authors(self):
        # The order the authors were chosen in is the order of the byline.
        chosen = {str(user.pk): user for user in self.cleaned_data["byline_authors"]}
        ordered = [chosen[pk] for pk in self.data.getlist(self.add_prefix("byline_authors"))]
        return list(dict.fromkeys(ordered))

    def clean_body(self):
        body = self.cleaned_data.get("body", "")
        for tag in _IMG_TAG.findall(sanitize_html(body)):
            alt = _ALT.search(tag)
            if not alt or not alt.group(1).strip():
                src = _SRC.search(tag)
                name = src.group(1).rsplit("/", 1)[-1] if src else _("an image")
                raise ValidationError(
                    _(
                        "The picture “%(name)s” has no alt text. Select it, press the image "
                        "button and describe it for readers who cannot see it."
                    )
                    % {"name": name},
                    code="missing_alt",
                )
        return body

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            opened = self.cleaned_data.get("opened_version") or 0
            message = editing.stale_save_message(self.instance, opened)
            if message:
                raise ValidationError(message, code="stale")
        publishing = cleaned.get("status") == Article.Status.PUBLISHED
        if publishing and self.user and not editing.can_publish(self.user):
            raise ValidationError(_("Only editors can publish."), code="publish")
        return cleaned


class StatusFilter(admin.SimpleListFilter):
    title = gettext_lazy("status")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("draft", _("Draft")),
            ("pending", _("Pending review")),
            ("scheduled", _("Scheduled")),
            ("published", _("Published")),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        published = Q(status=Article.Status.PUBLISHED)
        return {
            "draft": queryset.filter(status=Article.Status.DRAFT),
            "pending": queryset.filter(status=Article.Status.PENDING),
            "scheduled": queryset.filter(published, published_at__gt=now),
            "published": queryset.filter(published, published_at__lte=now),
        }.get(self.value(), queryset)


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleForm
    change_form_template = "admin/blog/article/change_form.html"
    change_list_template = "admin/blog/article/change_list.html"
    list_display = [
        "title",
        "status_label",
        "published_at",
        "author_names",
        "category_names",
        "comment_count",
        "thumbnail",
    ]
    list_filter = [StatusFilter, "is_sticky", "comments_open", "categories", "authors"]
    search_fields = ["title", "slug", "excerpt", "byline"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["categories", "featured_image", "disclaimer", "promotion"]
    actions = ["publish", "unpublish"]
    list_per_page = 50
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "slug",
                    "byline_authors",
                    "byline",
                    "body",
                    "excerpt",
                    "opened_version",
                ]
            },
        ),
        (
            gettext_lazy("Publishing"),
            {"fields": ["status", "published_at", "is_sticky", "comments_open"]},
        ),
        (gettext_lazy("Filing"), {"fields": ["categories", "tags", "featured_image"]}),
        (gettext_lazy("After the article"), {"fields": ["disclaimer", "promotion"]}),
        (
            gettext_lazy("Search engines"),
            {"fields": ["seo_description"], "classes": ["collapse"]},
        ),
    ]

    # Who sees and changes what ----------------------------------------------------------

    def get_queryset(self, request):
        articles = (
            super()
            .get_queryset(request)
            .select_related("featured_image")
            .prefetch_related(authors_in_byline_order(), "categories")
            .annotate(comment_total=Count("comments", filter=Q(comments__status="approved")))  # noqa
        )
        return editing.visible_articles(request.user, articles)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or editing.can_edit(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or editing.can_edit(request.user, obj))

    def has_publish_permission(self, request):
        return editing.can_publish(request.user)

    def get_readonly_fields(self, request, obj=None):
        if editing.can_publish(request.user):
            return []
        return ["published_at", "is_sticky"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def get_formsets_with_inlines(self, request, obj=None):
        return []

    # Saving ------------------------------------------------------------------------------

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = extra_context or {}
        if request.method == "GET":
            article = self.get_object(request, object_id) if object_id else None
            saved = editing.pending_autosave(user=request.user, article=article)
            extra_context["autosave"] = saved
            extra_context["autosave_json"] = saved.fields if saved else None
            if article is not None:
                extra_context["others_editing"] = editing.others_editing(
                    user=request.user, article=article
                )
        extra_context["autosave_url"] = reverse(
            "admin:blog_article_autosave", kwargs={"object_id": object_id or "new"}
        )
        extra_context["time_zone"] = timezone.get_current_timezone_name()
        extra_context["autosave_seconds"] = settings.ARTICLE_AUTOSAVE_SECONDS
        if object_id:
            extra_context["revisions_url"] = reverse(
                "admin:blog_article_revisions", args=[object_id]
            )
        with reversion.create_revision(manage_manually=False):
            reversion.set_user(request.user)
            return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        obj.lock_version = (form.cleaned_data.get("opened_version") or obj.lock_version) + 1
        super().save_model(request, obj, form, change)
        editing.discard_autosave(user=request.user, article=obj if change else None)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        authors = form.cleaned_data["byline_authors"]
        if not request.user.has_perm("blog.edit_others_article") and request.user not in authors:
            authors.append(request.user)  # a writer's own work stays theirs
        editing.set_authors(form.instance, authors)
        # The revision was taken when the article row was saved, before its bylines and tags
        # were; take it again now that they are.
        reversion.add_to_revision(form.instance)

    def construct_change_message(self, request, form, formsets, add=False):
        message = super().construct_change_message(request, form, formsets, add)
        changed = [
            str(form.fields[name].label) for name in form.changed_data if name in form.fields
        ]
        reversion.set_comment(
            _("Created.")
            if add
            else _("Changed %(fields)s.") % {"fields": ", ".join(changed)}
            if changed
            else _("Saved without changes.")
        )
        return message

    # Columns ------------------------------------------------------------------------------

    @admin.display(description=gettext_lazy("status"), ordering="status")
    def status_label(self, article):
        if article.is_scheduled:
            return _("Scheduled")
        return article.get_status_display()

    @admin.display(description=gettext_lazy("authors"))
    def author_names(self, article):
        return ", ".join(a.get_full_name() or a.get_username() for a in article.authors.all())

    @admin.display(description=gettext_lazy("categories"))
    def category_names(self, article):
        return ", ".join(c.name for c in article.categories.all())

    @admin.display(description=gettext_lazy("comments"), ordering="comment_total")
    def comment_count(self, article):
        return article.comment_total

    @admin.display(description=gettext_lazy("image"))
    def thumbnail(self, article):
        image = article.featured_image
        if not image:
            return ""
        return format_html(
            '<img src="{}" alt="{}" width="64" loading="lazy">',
            image.rendition_url("thumbnail"),
            image.alt_text,
        )

    def changelist_view(self, request, extra_context=None):
        extra_context = extra_context or {}
        if editing.can_publish(request.user):
            extra_context["pending_review"] = Article.objects.filter(
                status=Article.Status.PENDING
            ).count()
        extra_context["time_zone"] = timezone.get_current_timezone_name()
        return super().changelist_view(request, extra_context)

    # Actions ------------------------------------------------------------------------------

    @admin.action(
        description=gettext_lazy("Publish the selected articles"), permissions=["publish"]
    )
    def publish(self, request, queryset):
        before = list(queryset.values_list("pk", "status", "published_at"))
        now = timezone.now()
        queryset.filter(published_at=None).update(published_at=now)
        count = queryset.exclude(status=Article.Status.PUBLISHED).update(
            status=Article.Status.PUBLISHED, updated_at=now, lock_version=F("lock_version") + 1
        )
        signals.articles_changed(before)  # update() sends no signals
        signals.published.send(sender=Article, articles=queryset)
        self.message_user(
            request,
            ngettext("%d article published.", "%d articles published.", count) % count,
            messages.SUCCESS,
        )

    @admin.action(
        description=gettext_lazy("Unpublish the selected articles"), permissions=["publish"]
    )
    def unpublish(self, request, queryset):
        before = list(queryset.values_list("pk", "status", "published_at"))
        count = queryset.filter(status=Article.Status.PUBLISHED).update(
            status=Article.Status.DRAFT,
            updated_at=timezone.now(),
            lock_version=F("lock_version") + 1,  # a form opened before this is stale
        )
        signals.articles_changed(before)  # update() sends no signals
        self.message_user(
            request,
            ngettext("%d article unpublished.", "%d articles unpublished.", count) % count,
            messages.SUCCESS,
        )

    # Views of the desk -------------------------------------------------------------------

    def get_urls(self):
        def view(function):
            return self.admin_site.admin_view(function)

        return [
            path("authors/", view(self.authors_view), name="blog_article_authors"),
            path(
                "<str:object_id>/autosave/", view(self.autosave_view), name="blog_article_autosave"
            ),
            path(
                "<int:object_id>/revisions/",
                view(self.revisions_view),
                name="blog_article_revisions",
            ),
            path(
                "<int:object_id>/revisions/compare/",
                view(self.compare_view),
                name="blog_article_compare",
            ),
            path(
                "<int:object_id>/revisions/<int:version_id>/restore/",
                view(self.restore_view),
                name="blog_article_restore",
            ),
            *super().get_urls(),
        ]

    def authors_view(self, request):
        """Select2's autocomplete for bylines: staff who write, by name or username."""
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        term = request.GET.get("term", "").strip()
        people = editing.bylined_staff()
        if term:
            people = people.filter(
                Q(username__icontains=term)
                | Q(first_name__icontains=term)
                | Q(last_name__icontains=term)
            )
        people = list(people[:21])  # one more than shown tells whether there are more
        return JsonResponse(
            {
                "results": [
                    {"id": str(p.pk), "text": p.get_full_name() or p.get_username()}
                    for p in people[:20]
                ],
                "pagination": {"more": len(people) > 20},
            }
        )

    def _editable_article(self, request, object_id) -> Article:
        article = self.get_object(request, str(object_id))
        if article is None:
            raise Http404(_("No such article, or not one of yours."))
        if not self.has_change_permission(request, article):
            raise PermissionDenied
        return article

    def autosave_view(self, request, object_id):
        """POST: keep the form's unsaved text; DELETE (or POST discard=1): forget it."""
        if request.method not in ("POST", "DELETE"):
            return JsonResponse({"error": _("Send the form with POST.")}, status=405)
        if object_id == "new":
            if not self.has_add_permission(request):
                raise PermissionDenied
            article = None
        else:
            article = self._editable_article(request, object_id)
        if request.method == "DELETE" or request.POST.get("discard"):
            editing.discard_autosave(user=request.user, article=article)
            return JsonResponse({"discarded": True})
        saved = editing.autosave(user=request.user, article=article, fields=request.POST)
        return JsonResponse({"saved_at": timezone.localtime(saved.saved_at).strftime("%H:%M:%S")})

    def revisions_view(self, request, object_id):
        article = self._editable_article(request, object_id)
        versions = list(editing.revisions(article))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "article": article,
            "original": article,
            "title": _("Revisions of “%(title)s”") % {"title": article.title},
            "versions": versions,
            "compare_url": reverse("admin:blog_article_compare", args=[article.pk]),
        }
        return TemplateResponse(request, "admin/blog/article/revisions.html", context)

    def compare_view(self, request, object_id):
        article = self._editable_article(request, object_id)
        versions = {v.pk: v for v in editing.revisions(article)}
        try:
            chosen = [versions[int(request.GET[key])] for key in ("from", "to")]
        except (KeyError, ValueError):
            messages.error(request, _("Choose two revisions of this article to compare."))
            return HttpResponseRedirect(reverse("admin:blog_article_revisions", args=[article.pk]))
        older, newer = sorted(chosen, key=lambda v: v.revision.date_created)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "article": article,
            "original": article,
            "title": _("Compare revisions of “%(title)s”") % {"title": article.title},
            "older": older,
            "newer": newer,
            "changes": editing.compare(older, newer),
        }
        return TemplateResponse(request, "admin/blog/article/compare.html", context)

    @staticmethod
    def _version_or_404(article, version_id):
        version = editing.revisions(article).filter(pk=version_id).first()
        if version is None:
            raise Http404(_("This article has no such revision."))
        return version

    def restore_view(self, request, object_id, version_id):
        if request.method != "POST":
            return HttpResponseRedirect(reverse("admin:blog_article_revisions", args=[object_id]))
        article = self._editable_article(request, object_id)
        version = self._version_or_404(article, version_id)
        restored = editing.restore(article=article, version=version, user=request.user)
        messages.success(
            request,
            _("The revision of %(when)s is restored, as a new revision. Status is unchanged.")
            % {
                "when": timezone.localtime(version.revision.date_created).strftime("%Y-%m-%d %H:%M")
            },
        )
        if restored.left_out:
            messages.warning(
                request,
                _("Some of the revision was left out, because it has changed since: %(what)s.")
                % {"what": "; ".join(restored.left_out)},
            )
        return HttpResponseRedirect(reverse("admin:blog_article_change", args=[article.pk]))
