from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core import caching

from .images import validate_image
from .models import Article, Category, Disclaimer, Image, Page, Promotion
from .widgets import RichTextWidget


class RichTextBodyMixin:
    """Edit the `body` field with the WYSIWYG editor."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "body":
            kwargs["widget"] = RichTextWidget
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(Article)
class ArticleAdmin(RichTextBodyMixin, admin.ModelAdmin):
    list_display = [
        "title",
        "status_label",
        "published_at",
        "author_names",
        "category_names",
        "comment_count",
        "thumbnail",
    ]
    list_filter = ["status", "is_sticky", "comments_open", "categories", "authors"]
    search_fields = ["title", "slug", "excerpt", "byline"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["authors", "categories", "featured_image", "disclaimer", "promotion"]
    actions = ["publish", "unpublish"]
    list_per_page = 50
    fieldsets = [
        (None, {"fields": ["title", "slug", "authors", "byline", "body", "excerpt"]}),
        (_("Publishing"), {"fields": ["status", "published_at", "is_sticky", "comments_open"]}),
        (_("Filing"), {"fields": ["categories", "tags", "featured_image"]}),
        (_("After the article"), {"fields": ["disclaimer", "promotion"]}),
        (_("Search engines"), {"fields": ["seo_description"], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("featured_image")
            .prefetch_related("authors", "categories")
            .annotate(comment_total=Count("comments", filter=Q(comments__status="approved")))  # noqa
        )

    def get_changeform_initial_data(self, request):
        return {"authors": [request.user.pk], **super().get_changeform_initial_data(request)}

    @admin.display(description=_("status"), ordering="status")
    def status_label(self, article):
        if article.is_scheduled:
            return _("Scheduled")
        return article.get_status_display()

    @admin.display(description=_("authors"))
    def author_names(self, article):
        return ", ".join(a.get_full_name() or a.get_username() for a in article.authors.all())

    @admin.display(description=_("categories"))
    def category_names(self, article):
        return ", ".join(c.name for c in article.categories.all())

    @admin.display(description=_("comments"), ordering="comment_total")
    def comment_count(self, article):
        return article.comment_total

    @admin.display(description=_("image"))
    def thumbnail(self, article):
        image = article.featured_image
        if not image:
            return ""
        return format_html(
            '<img src="{}" alt="{}" width="64" loading="lazy">',
            image.rendition_url("thumbnail"),
            image.alt_text,
        )

    @admin.action(description=_("Publish the selected articles"), permissions=["change"])
    def publish(self, request, queryset):
        now = timezone.now()
        count = queryset.filter(published_at=None).update(published_at=now)
        count = queryset.exclude(status=Article.Status.PUBLISHED).update(
            status=Article.Status.PUBLISHED, updated_at=now
        )
        caching.bump(caching.CONTENT)  # update() sends no signals
        self.message_user(
            request,
            ngettext("%d article published.", "%d articles published.", count) % count,
            messages.SUCCESS,
        )

    @admin.action(description=_("Unpublish the selected articles"), permissions=["change"])
    def unpublish(self, request, queryset):
        count = queryset.filter(status=Article.Status.PUBLISHED).update(
            status=Article.Status.DRAFT, updated_at=timezone.now()
        )
        caching.bump(caching.CONTENT)  # update() sends no signals
        self.message_user(
            request,
            ngettext("%d article unpublished.", "%d articles unpublished.", count) % count,
            messages.SUCCESS,
        )


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
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
    list_display = ["name", "is_default", "excerpt"]
    list_filter = ["is_default"]
    search_fields = ["name", "text"]

    @admin.display(description=_("text"))
    def excerpt(self, disclaimer):
        return disclaimer.text[:100]


@admin.register(Promotion)
class PromotionAdmin(admin.ModelAdmin):
    list_display = ["title", "link_url", "active_from", "active_until", "active_now"]
    list_filter = ["active_from", "active_until"]
    search_fields = ["title", "text", "link_url"]
    autocomplete_fields = ["image"]

    @admin.display(description=_("active now"), boolean=True)
    def active_now(self, promotion):
        return promotion.is_active()


class ImageUploadField(forms.FileField):
    """A file field whose only judge is blog.images.validate_image, for its clearer errors."""

    default_validators = [validate_image]


class ImageAdminForm(forms.ModelForm):
    file = ImageUploadField(
        label=_("file"), help_text=_("JPEG, PNG, GIF or WebP. Camera metadata is removed.")
    )

    class Meta:
        model = Image
        fields = ["file", "alt_text", "caption"]


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    form = ImageAdminForm
    list_display = ["preview", "alt_text", "dimensions", "uploaded_at"]
    search_fields = ["alt_text", "caption", "file"]
    date_hierarchy = "uploaded_at"

    def save_model(self, request, obj, form, change):
        from .images import process_image

        if "file" in form.changed_data:
            process_image(obj, form.cleaned_data["file"])
        else:
            obj.save()

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


@admin.register(Page)
class PageAdmin(RichTextBodyMixin, admin.ModelAdmin):
    list_display = ["title", "slug", "is_published", "updated_at"]
    list_filter = ["is_published"]
    search_fields = ["title", "body"]
    prepopulated_fields = {"slug": ["title"]}
