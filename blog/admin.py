from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count, Q
from django.http import JsonResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from reversion.admin import VersionAdmin
from taggit import admin as taggit_admin
from taggit.models import Tag

from . import article_admin, editing, figures  # noqa: F401 - article_admin registers ArticleAdmin
from .images import process_image, validate_image
from .models import Article, Category, Disclaimer, Image, Page, Promotion
from .text import CleanTextForm
from .widgets import BodyEditorWidget


class TagAdmin(taggit_admin.TagAdmin):
    """taggit's, with names typed cleaned as every blog form's are (a tag's name is shown in
    feeds, which one control character would stop)."""

    form = CleanTextForm


admin.site.unregister(Tag)
admin.site.register(Tag, TagAdmin)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    form = CleanTextForm
    list_display = ["name", "path", "parent", "article_count"]
    ordering = ["path"]
    list_filter = [("parent", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_total=Count("articles"))

    @admin.display(description=_("articles"), ordering="article_total")
    def article_count(self, category):
        return category.article_total


@admin.register(Disclaimer)
class DisclaimerAdmin(admin.ModelAdmin):
    form = CleanTextForm
    list_display = ["name", "is_default", "excerpt"]
    list_filter = ["is_default"]
    search_fields = ["name", "text"]

    @admin.display(description=_("text"))
    def excerpt(self, disclaimer):
        return disclaimer.text[:100]


@admin.register(Promotion)
class PromotionAdmin(admin.ModelAdmin):
    form = CleanTextForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}  # "example.com" too
    list_display = ["title", "link_url", "active_from", "active_until", "active_now"]
    list_filter = ["active_from", "active_until"]
    search_fields = ["title", "text", "link_url"]
    autocomplete_fields = ["image"]

    @admin.display(description=_("active now"), boolean=True)
    def active_now(self, promotion):
        return promotion.is_active()


ALT_TEXT_NEEDED = _(
    "The image has no alt text, so it was not uploaded. Describe it for readers who cannot "
    "see it, then add it again."
)


class ImageUploadField(forms.FileField):
    """A file field whose only judge is blog.images.validate_image, for its clearer errors."""

    default_validators = [validate_image]


class ImageAdminForm(CleanTextForm):
    file = ImageUploadField(
        label=_("file"), help_text=_("JPEG, PNG, GIF or WebP. Camera metadata is removed.")
    )

    class Meta:
        model = Image
        fields = ["file", "alt_text", "caption", "credit"]


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    form = ImageAdminForm
    list_display = ["preview", "alt_text", "credit", "dimensions", "uploaded_at"]
    search_fields = ["alt_text", "caption", "credit", "file"]
    date_hierarchy = "uploaded_at"

    def save_model(self, request, obj, form, change):
        if "file" in form.changed_data:
            process_image(obj, form.cleaned_data["file"])
        else:
            obj.save()

    @staticmethod
    def showing(image) -> list:
        """What shows `image`, with where: (article, page or promotion, how)."""
        return [
            *((shown_in, _("in its text")) for shown_in in figures.bodies_showing(image)),
            *(
                (article, _("as its featured image"))
                for article in Article.objects.filter(featured_image=image)
            ),
            *(
                (promotion, _("as its image"))
                for promotion in Promotion.objects.filter(image=image).only("title")
            ),
        ]

    def has_change_permission(self, request, obj=None):
        """A writer changes a picture only if nothing but their own unpublished work shows it:
        a new file or alt text would otherwise change someone else's page."""
        if not super().has_change_permission(request, obj):
            return False
        if obj is None or request.user.has_perm("blog.edit_others_article"):
            return True
        if not hasattr(obj, "_writer_may_change"):  # asked several times a page: looked up once
            obj._writer_may_change = all(
                isinstance(shown_in, Article) and editing.can_edit(request.user, shown_in)
                for shown_in, _where in self.showing(obj)
            )
        return obj._writer_may_change

    def get_deleted_objects(self, objs, request):
        """An image an article, page or promotion shows is protected: deleting it would leave
        a hole. Each one showing it is named, with where it shows it."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        for image in objs:
            for shown_in, where in self.showing(image):
                kind = shown_in._meta.verbose_name.capitalize()
                protected.append(
                    format_html(
                        _("{}: {} (shows “{}” {})"), kind, shown_in.title, image.alt_text, where
                    )
                )
        return deleted, counts, perms_needed, protected

    @admin.display(description=_("preview"))
    def preview(self, image):
        return format_html(
            '<img src="{}" alt="{}" width="96" loading="lazy">',
            image.rendition_url("thumbnail"),
            image.alt_text,
        )

    @admin.display(description=_("size"))
    def dimensions(self, image):
        return f"{image.width} × {image.height}"

    # The body editor's image library --------------------------------------------------------

    def get_urls(self):
        return [
            path("picker/", self.admin_site.admin_view(self.picker_view), name="blog_image_picker"),
            path("upload/", self.admin_site.admin_view(self.upload_view), name="blog_image_upload"),
            *super().get_urls(),
        ]

    def picker_view(self, request):
        """The figure button's window: search the library or upload, then pick one."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = ImageAdminForm(request.POST or None, request.FILES or None)
        chosen = None
        if request.method == "POST":
            if not self.has_add_permission(request):
                raise PermissionDenied
            if form.is_valid():
                chosen = form.save(commit=False)
                process_image(chosen, form.cleaned_data["file"])
        term = request.GET.get("q", "").strip()
        images = Image.objects.all()
        if term:
            images = images.filter(Q(alt_text__icontains=term) | Q(caption__icontains=term))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Choose an image"),
            "is_popup": True,
            "form": form,
            "chosen": chosen,
            "images": images[:60],
            "term": term,
            "callback": request.GET.get("CKEditorFuncNum", ""),
            "can_upload": self.has_add_permission(request),
        }
        return TemplateResponse(request, "admin/blog/image/picker.html", context)

    def upload_view(self, request):
        """POST an image file (pasted or dropped in the editor): stored in the library, answered
        with what the editor inserts. Errors are said in words, as JSON."""
        if request.method != "POST":
            return JsonResponse({"error": _("Send the image with POST.")}, status=405)
        if not self.has_add_permission(request):
            raise PermissionDenied
        upload = request.FILES.get("file")
        if upload is None:
            return JsonResponse({"error": _("No image was sent.")}, status=400)
        form = ImageAdminForm(
            {"alt_text": request.POST.get("alt_text", "")[:300], "caption": "", "credit": ""},
            {"file": upload},
        )
        if "file" in form.errors:
            return JsonResponse({"error": " ".join(form.errors["file"])}, status=400)
        if not form.is_valid():
            # As in the library's own form: a picture readers cannot be told about is not kept.
            return JsonResponse({"error": ALT_TEXT_NEEDED}, status=400)
        image = form.save(commit=False)
        process_image(image, form.cleaned_data["file"])
        return JsonResponse(
            {"id": image.pk, "src": image.rendition_url("medium"), "alt": image.alt_text},
            status=201,
        )


@admin.register(Page)
class PageAdmin(VersionAdmin):
    """Pages keep revisions too: django-reversion's own history, with recover and revert."""

    form = CleanTextForm
    list_display = ["title", "slug", "is_published", "updated_at"]
    list_filter = ["is_published"]
    search_fields = ["title", "body"]
    prepopulated_fields = {"slug": ["title"]}

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "body":
            kwargs["widget"] = BodyEditorWidget
        return super().formfield_for_dbfield(db_field, request, **kwargs)
