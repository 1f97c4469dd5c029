import html

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Prefetch, Q
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase

from .rendering import sanitize_html

EXCERPT_WORDS = 55


PATH_LENGTH = 1000  # of Category.path


def plain_words(body: str, words: int) -> str:
    """The first `words` words of sanitised HTML as plain text, which templates escape: the
    body's `&amp;` and `&lt;` read back as `&` and `<`, not escaped a second time."""
    return Truncator(html.unescape(strip_tags(body))).words(words)


class Category(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(
        _("slug"), max_length=200, help_text=_("Unique among categories with the same parent.")
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text=_("Leave empty for a top-level category."),
    )
    description = models.TextField(_("description"), blank=True)
    path = models.CharField(
        max_length=PATH_LENGTH,
        unique=True,
        editable=False,
        help_text=_("The slugs from the top-level category down, joined by '/'."),
    )

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "slug"],
                name="category_slug_unique_in_parent",
                violation_error_message=_(
                    "Another category inside the same parent already has this slug."
                ),
            ),
            models.UniqueConstraint(
                fields=["slug"],
                condition=Q(parent=None),
                name="category_top_level_slug_unique",
                violation_error_message=_("Another top-level category already has this slug."),
                violation_error_code="unique",  # shown beside the slug
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        old_path = self.path
        self.path = f"{self.parent.path}/{self.slug}" if self.parent else self.slug
        super().save(*args, **kwargs)
        if old_path and old_path != self.path:
            for child in self.children.all():
                child.save()

    def get_absolute_url(self):
        return reverse("blog:category", kwargs={"path": self.path})

    def clean(self):
        if self.parent and len(f"{self.parent.path}/{self.slug}") > PATH_LENGTH:
            raise ValidationError(
                {"slug": _("This category would be nested too deep (its address would be longer "
                           "than %(n)d characters): choose a shorter slug or another parent.")
                 % {"n": PATH_LENGTH}}
            )  # fmt: skip
        if self.pk is None or self.parent is None:
            return
        # Inside its own subtree, a category would have no path: save() would recurse forever.
        if self.pk in {category.pk for category in self.parent.ancestors_and_self()}:
            raise ValidationError(
                {"parent": _("A category cannot be inside itself or one of its own subcategories.")}
            )

    def ancestors_and_self(self):
        """The chain from the top-level category down to this one (one query per level)."""
        chain = [self]
        while chain[0].parent_id:
            chain.insert(0, chain[0].parent)
        return chain


class Disclaimer(models.Model):
    name = models.CharField(_("name"), max_length=200, help_text=_("Only editors see this name."))
    text = models.TextField(_("text"), help_text=_("Shown after the article body."))
    is_default = models.BooleanField(
        _("site default"),
        default=False,
        help_text=_("Used by every article that does not choose its own. Only one can be."),
    )

    class Meta:
        verbose_name = _("disclaimer")
        verbose_name_plural = _("disclaimers")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=Q(is_default=True),
                name="one_default_disclaimer",
                violation_error_message=_(
                    "Another disclaimer is already the site default: untick it there first."
                ),
                violation_error_code="unique",  # shown beside the box
            )
        ]

    def __str__(self):
        return f"{self.name} (default)" if self.is_default else self.name


class Image(models.Model):
    """An uploaded picture, stored without EXIF metadata, with renditions for srcset."""

    file = models.ImageField(
        _("file"), upload_to="images/%Y/%m/", width_field="width", height_field="height"
    )
    alt_text = models.CharField(
        _("alt text"),
        max_length=300,
        help_text=_("Describes the picture for readers who cannot see it. Required."),
    )
    caption = models.CharField(_("caption"), max_length=500, blank=True)
    width = models.PositiveIntegerField(editable=False, default=0)
    height = models.PositiveIntegerField(editable=False, default=0)
    renditions = models.JSONField(
        default=dict,
        editable=False,
        help_text=_("Size name → {width, height, webp, fallback} storage names."),
    )
    credit = models.CharField(
        _("credit"),
        max_length=200,
        blank=True,
        help_text=_(
            "Who took or owns the picture, shown after the caption, e.g. “Photo: A. Name”."
        ),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("image")
        verbose_name_plural = _("images")
        ordering = ["-uploaded_at"]

    def __str__(self):
        return self.alt_text

    def rendition_url(self, size, kind="fallback"):
        rendition = self.renditions.get(size)
        if not rendition:
            return self.file.url
        return self.file.storage.url(rendition[kind])

    def srcset(self, kind="fallback"):
        # A small original gives several renditions of one width; srcset wants each width once.
        by_width = {r["width"]: r[kind] for r in self.renditions.values()}
        return ", ".join(
            f"{self.file.storage.url(name)} {width}w" for width, name in sorted(by_width.items())
        )


class PromotionQuerySet(models.QuerySet):
    def active(self, now=None):
        now = now or timezone.now()
        return self.filter(
            Q(active_from__isnull=True) | Q(active_from__lte=now),
            Q(active_until__isnull=True) | Q(active_until__gt=now),
        )


class Promotion(models.Model):
    """A call-to-action block shown after an article, clearly marked as a promotion."""

    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"), blank=True)
    link_url = models.URLField(_("link"), help_text=_("Where the button leads."))
    link_label = models.CharField(_("button label"), max_length=100, default=_("Learn more"))
    image = models.ForeignKey(
        Image, verbose_name=_("image"), null=True, blank=True, on_delete=models.SET_NULL
    )
    active_from = models.DateTimeField(_("active from"), null=True, blank=True)
    active_until = models.DateTimeField(_("active until"), null=True, blank=True)

    objects = PromotionQuerySet.as_manager()

    class Meta:
        verbose_name = _("promotion")
        verbose_name_plural = _("promotions")
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(active_from__isnull=True)
                | Q(active_until__isnull=True)
                | Q(active_until__gt=models.F("active_from")),
                name="promotion_ends_after_start",
                violation_error_message=_("A promotion must end after it starts."),
            )
        ]

    def __str__(self):
        return self.title

    def is_active(self, now=None):
        now = now or timezone.now()
        return (self.active_from is None or self.active_from <= now) and (
            self.active_until is None or self.active_until > now
        )


class TaggedArticle(TaggedItemBase):
    """Taggit's through model with a real foreign key to the article."""

    content_object = models.ForeignKey("Article", on_delete=models.CASCADE)

    class Meta:
        verbose_name = _("tagged article")
        verbose_name_plural = _("tagged articles")
        constraints = [
            models.UniqueConstraint(
                fields=["content_object", "tag"],
                name="article_tag_once",
                violation_error_message=_("The article already has this tag."),
            )
        ]


def authors_in_byline_order() -> Prefetch:
    """Prefetch an article's authors in the order its byline gives them: their names only."""
    users = get_user_model().objects.only("username", "first_name", "last_name")
    return Prefetch("authors", queryset=users.order_by("authorships__position", "id"))


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """The one definition of public: published, and its time has come."""
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=timezone.now())

    def next_publication(self) -> float:
        """When the next scheduled article becomes public (a timestamp), or infinity."""
        upcoming = (
            self.filter(status=Article.Status.PUBLISHED, published_at__gt=timezone.now())
            .order_by("published_at")
            .values_list("published_at", flat=True)
            .first()
        )
        return upcoming.timestamp() if upcoming else float("inf")

    def for_listing(self):
        """What a list of articles shows: image, authors and categories, without N+1."""
        return self.select_related("featured_image").prefetch_related(
            authors_in_byline_order(), "categories"
        )

    def in_category(self, category):
        """Articles in the category or any of its descendants, each once."""
        subtree = Category.objects.filter(
            Q(pk=category.pk) | Q(path__startswith=f"{category.path}/")
        )
        filed = Article.categories.through.objects.filter(category__in=subtree)
        # A semi-join rather than a join + DISTINCT: no duplicate rows to sort away, so the
        # page walks the article_published index and stops after one page (see Meta.indexes).
        return self.filter(pk__in=filed.values("article_id"))


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PENDING = "pending", _("Pending review")
        PUBLISHED = "published", _("Published")

    title = models.CharField(_("title"), max_length=300)
    slug = models.SlugField(
        _("slug"),
        max_length=200,
        unique=True,
        allow_unicode=True,
        help_text=_("The last part of the article's address. Unique."),
    )
    authors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("authors"),
        through="Authorship",
        related_name="articles",
        help_text=_("Shown in the byline, in this order, and linked to their author pages."),
    )
    byline = models.CharField(
        _("byline override"),
        max_length=200,
        blank=True,
        help_text=_("For guest columnists: shown instead of the authors' names."),
    )
    body = models.TextField(
        _("body"), help_text=_("Unsafe HTML (scripts, event handlers) is removed on save.")
    )
    excerpt = models.TextField(
        _("excerpt"),
        blank=True,
        help_text=_("Shown in lists and feeds. Leave empty to use the first 55 words."),
    )
    featured_image = models.ForeignKey(
        Image,
        verbose_name=_("featured image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    categories = models.ManyToManyField(
        Category, verbose_name=_("categories"), blank=True, related_name="articles"
    )
    tags = TaggableManager(verbose_name=_("tags"), through=TaggedArticle, blank=True)
    disclaimer = models.ForeignKey(
        Disclaimer,
        verbose_name=_("disclaimer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        help_text=_("Leave empty to use the site default disclaimer."),
    )
    promotion = models.ForeignKey(
        Promotion,
        verbose_name=_("promotion"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        help_text=_("Leave empty to let the site rotate the active promotions."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    # Indexed in Meta.indexes (article_published), with the id that breaks ties in lists.
    published_at = models.DateTimeField(
        _("published at"),
        null=True,
        blank=True,
        help_text=_("A published article with a time in the future is scheduled: it appears then."),
    )
    is_sticky = models.BooleanField(
        _("sticky"), default=False, help_text=_("Keep at the top of the home page.")
    )
    comments_open = models.BooleanField(_("comments open"), default=True)
    seo_description = models.CharField(
        _("SEO description"),
        max_length=300,
        blank=True,
        help_text=_("For search engines and social cards. Leave empty to use the excerpt."),
    )
    like_count = models.PositiveIntegerField(_("likes"), default=0, editable=False)
    # PostgreSQL only: kept current by a database trigger (migration 0003), read by search.py.
    search_vector = SearchVectorField(null=True, editable=False)
    # Optimistic locking: every save through the admin adds one, and a form that was opened
    # on an older number is refused (blog/editing.py), so no one overwrites unseen changes.
    lock_version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["-published_at", "-id"]
        permissions = [
            ("publish_article", _("Can publish, schedule and unpublish articles")),
            ("edit_others_article", _("Can edit articles written by others")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "pending", "published"]),
                name="article_status_valid",
                violation_error_message=_("Choose draft, pending review or published."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "pending"]) | Q(published_at__isnull=False),
                name="published_article_has_date",
                violation_error_message=_("A published article needs a publication time."),
            ),
        ]
        indexes = [
            # The home page: published, sticky first, newest first.
            models.Index(fields=["status", "-is_sticky", "-published_at"], name="article_home"),
            # Every other list in the default order: category, tag, author, archive, feeds,
            # sitemap, previous/next and the admin's; it also finds the next scheduled article.
            models.Index(fields=["-published_at", "-id"], name="article_published"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.body = sanitize_html(self.body)
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("blog:article", kwargs=self._url_kwargs())

    def clean(self):
        # Publishing with no time means "now", in a form as in save().
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()

    @property
    def is_published(self):
        """Mirrors ArticleQuerySet.published() for one row."""
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def is_scheduled(self):
        return self.status == self.Status.PUBLISHED and not self.is_published

    @property
    def url_date(self):
        return timezone.localtime(self.published_at or self.created_at or timezone.now())

    def get_like_url(self):
        return reverse("blog:like", kwargs=self._url_kwargs())

    def _url_kwargs(self):
        date = self.url_date
        return {
            "year": date.year,
            "month": date.month,
            "day": date.day,
            "slug": self.slug,
        }

    @cached_property
    def summary(self):
        """The manual excerpt, else the first 55 words of the body: plain text either way."""
        return self.excerpt or plain_words(self.body, EXCERPT_WORDS)

    @property
    def is_pending(self):
        return self.status == self.Status.PENDING

    @property
    def authors_in_order(self):
        """The authors in byline order: prefetched by authors_in_byline_order(), or queried."""
        if "authors" in getattr(self, "_prefetched_objects_cache", {}):
            return self.authors.all()
        return self.authors.order_by("authorships__position", "id")

    def byline_names(self):
        if self.byline:
            return self.byline
        return ", ".join(a.get_full_name() or a.get_username() for a in self.authors_in_order)


class Authorship(models.Model):
    """One author of an article, at a position in its byline (0 first)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="authorships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.CASCADE,
        related_name="authorships",
    )
    position = models.PositiveSmallIntegerField(
        _("position"), default=0, db_default=0, help_text=_("Lower numbers come first.")
    )

    class Meta:
        db_table = "blog_article_authors"  # the table of the plain many-to-many it replaced
        verbose_name = _("author")
        verbose_name_plural = _("authors")
        ordering = ["position", "id"]
        unique_together = [("article", "user")]

    def __str__(self):
        return str(self.user)


class Autosave(models.Model):
    """The unsaved changes of one person's edit form, kept every ~30 seconds.

    Never published: it is offered back when the same person opens the same article (or a new
    article) again, and removed when they save or discard it.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    article = models.ForeignKey(Article, null=True, blank=True, on_delete=models.CASCADE)
    fields = models.JSONField(default=dict, help_text=_("Form field name → text."))
    saved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("autosave")
        verbose_name_plural = _("autosaves")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "article"],
                name="autosave_once_per_article",
                violation_error_message=_("This person already has an autosave of the article."),
            ),
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(article=None),
                name="autosave_once_per_new_article",
                violation_error_message=_("This person already has an autosave of a new article."),
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.article or _('new article')}"


class Like(models.Model):
    """One reader's like: a signed-in user, or an anonymous visitor known by a cookie."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="likes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE
    )
    visitor = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["article", "user"],
                condition=Q(user__isnull=False),
                name="like_once_user",
                violation_error_message=_("This reader already likes the article."),
            ),
            models.UniqueConstraint(
                fields=["article", "visitor"],
                condition=~Q(visitor=""),
                name="like_once_visitor",
                violation_error_message=_("This visitor already likes the article."),
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(visitor=""),
                name="like_has_reader",
                violation_error_message=_("A like is from a signed-in reader or a visitor."),
            ),
        ]

    def __str__(self):
        return f"{self.user or self.visitor[:8]} likes {self.article_id}"


def page_address_free(slug: str) -> bool:
    """Whether /<slug>/ reaches the page view, not a feed, an archive, the admin or any other
    address of the site (the page route comes last, so a page there would never be seen)."""
    try:
        return resolve(f"/{slug}/").view_name == "blog:page"
    except Resolver404:
        return False


class Page(models.Model):
    """A static page such as About or Privacy, served at /<slug>/."""

    title = models.CharField(_("title"), max_length=300)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    body = models.TextField(_("body"), help_text=_("Unsafe HTML is removed on save."))
    is_published = models.BooleanField(_("published"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("page")
        verbose_name_plural = _("pages")
        ordering = ["title"]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.body = sanitize_html(self.body)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("blog:page", kwargs={"slug": self.slug})

    @cached_property
    def summary(self):
        return plain_words(self.body, 40)

    def clean(self):
        if self.slug and not page_address_free(self.slug):
            raise ValidationError(
                {
                    "slug": _(
                        "The site already uses the address /%(slug)s/ for something else: "
                        "choose another slug."
                    )
                    % {"slug": self.slug}
                }
            )
