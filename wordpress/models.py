"""What an import brought in: each WordPress item, known by its site, kind and ID."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from blog.models import Article, Category, Image, Page

# Each kind of item and the field that points at what it became.
TARGETS = {
    "author": "user",
    "category": "category",
    "tag": "tag",
    "post": "article",
    "page": "page",
    "attachment": "image",
    "comment": "comment",
}


def _target(model):
    """A WordPressItem's link to what it became: deleting that empties the link, so the row
    remembers that the item was deleted here."""
    return models.ForeignKey(
        model, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )


class WordPressItem(models.Model):
    """Something brought in from a WordPress export (WXR), known by its site, kind and ID.

    A second import of the same site finds its rows here and updates them instead of copying
    them; `old_url` lets the site's old permalinks redirect to the new addresses. The field
    named after the kind points at the imported row, and no other field is set. Deleting that
    row here empties the field and keeps this one: the item was deleted here, and no later
    import brings it back (its old links answer 404).
    """

    class Kind(models.TextChoices):
        AUTHOR = "author", _("author")
        CATEGORY = "category", _("category")
        TAG = "tag", _("tag")
        POST = "post", _("post")
        PAGE = "page", _("page")
        ATTACHMENT = "attachment", _("attachment")
        COMMENT = "comment", _("comment")

    site = models.CharField(
        _("site"),
        max_length=200,
        help_text=_("The export's base blog URL, e.g. https://example.com."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    wp_id = models.BigIntegerField(
        _("WordPress ID"),
        help_text=_(
            "Its ID on WordPress; authors and terms exported without one get a stable hash."
        ),
    )
    checksum = models.CharField(
        max_length=32,
        editable=False,
        help_text=_("Of the exported data: an unchanged item is skipped."),
    )
    old_url = models.CharField(
        _("old address"),
        max_length=500,
        blank=True,
        help_text=_("The path of its WordPress permalink, which redirects to the new address."),
    )
    # The seven targets: one is set, or none once it was deleted here. Indexed only where set
    # (see Meta.indexes), so a row costs one index update, not seven.
    user = _target(settings.AUTH_USER_MODEL)
    category = _target(Category)
    tag = _target("taggit.Tag")
    article = _target(Article)
    page = _target(Page)
    image = _target(Image)
    comment = _target("comments.Comment")

    class Meta:
        # The table it had when this model lived in the blog app: existing sites keep theirs.
        db_table = "blog_wordpressitem"
        verbose_name = _("imported WordPress item")
        verbose_name_plural = _("imported WordPress items")
        constraints = [
            # Kind and ID first: old links (/?p=123) look items up without the site.
            models.UniqueConstraint(
                fields=["kind", "wp_id", "site"], name="wordpress_item_once_per_site"
            ),
            # The target named after the kind, or nothing (deleted here); never another.
            models.CheckConstraint(
                condition=Q(
                    *(
                        Q(kind=kind) | Q(**{f"{target}__isnull": True})
                        for kind, target in TARGETS.items()
                    )
                ),
                name="wordpress_item_points_at_its_kind_or_nothing",
            ),
        ]
        indexes = [
            models.Index(
                fields=["old_url"], condition=~Q(old_url=""), name="wordpress_item_old_url"
            ),
            *(
                models.Index(
                    fields=[target],
                    condition=Q(**{f"{target}__isnull": False}),
                    name=f"wordpress_item_{target}",
                )
                for target in TARGETS.values()
            ),
        ]

    def __str__(self):
        return f"{self.site} {self.kind} {self.wp_id}"

    @property
    def target(self):
        """The imported row: a user, category, tag, article, page, image or comment; None
        once it was deleted here."""
        return getattr(self, TARGETS[self.kind])
