import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .text import comment_html

MAX_NAME, MAX_EMAIL, MAX_URL, MAX_CONTENT = 245, 100, 200, 65525
# A comment still unchecked after this long lost its check task; the recheck picks it up.
UNCHECKED_GRACE = datetime.timedelta(minutes=5)


class CommentQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(status=Comment.Status.APPROVED)

    def held(self):
        return self.filter(status=Comment.Status.HELD)

    def spam(self):
        return self.filter(status=Comment.Status.SPAM)

    def due_for_recheck(self, now=None):
        """Held comments whose Akismet check failed and whose next try has come, and those
        whose first check never ran (a worker that died, a task that crashed)."""
        now = now or timezone.now()
        failed = Q(verdict=Comment.Verdict.ERROR, next_check_at__lte=now)
        never_checked = Q(
            verdict=Comment.Verdict.UNCHECKED,
            submitted_at__lte=now - UNCHECKED_GRACE,
            decided_by=None,
        )
        return self.held().filter(failed | never_checked)

    def reports_due(self, now=None):
        """Moderators' spam and not-spam reports due to be sent: those that failed and whose next
        try has come, and those whose task never ran (a worker that died, a task lost)."""
        return self.exclude(report_pending="").filter(next_report_at__lte=now or timezone.now())


class Comment(models.Model):
    class Status(models.TextChoices):
        HELD = "held", _("Held for review")
        APPROVED = "approved", _("Approved")
        SPAM = "spam", _("Spam")
        TRASH = "trash", _("Trash")

    class Verdict(models.TextChoices):
        UNCHECKED = "unchecked", _("Not checked yet")
        HAM = "ham", _("Akismet: not spam")
        SPAM = "spam", _("Akismet: spam")
        DISCARD = "discard", _("Akismet: blatant spam")
        ERROR = "error", _("Akismet unreachable")
        SKIPPED = "skipped", _("Not sent to Akismet")

    class Kind(models.TextChoices):
        COMMENT = "comment", _("Comment")
        PINGBACK = "pingback", _("Pingback")
        TRACKBACK = "trackback", _("Trackback")

    # Indexed by comment_thread (Meta.indexes), which starts with the article.
    article = models.ForeignKey(
        "blog.Article",
        verbose_name=_("article"),
        on_delete=models.CASCADE,
        related_name="comments",
        db_index=False,
    )
    # Replies outlive their parent: a comment with replies is kept as a placeholder
    # (services.delete), never deleted alone; deleting the whole article takes the thread.
    parent = models.ForeignKey(
        "self",
        verbose_name=_("in reply to"),
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
        related_name="replies",
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.COMMENT)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="comments",
    )
    author_name = models.CharField(_("name"), max_length=MAX_NAME)
    author_email = models.EmailField(_("email"), max_length=MAX_EMAIL, blank=True)
    author_url = models.URLField(_("website"), max_length=MAX_URL, blank=True)
    author_ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.TextField(_("user agent"), blank=True)
    referrer = models.TextField(_("referrer"), blank=True)
    content = models.TextField(_("comment"))
    # `content` as readers see it (comments.text.comment_html), rendered when it is saved so
    # that no page links URLs again on every render. Kept by save(); bulk inserts set it too.
    html = models.TextField(blank=True, editable=False)
    # Indexed only with the article or the status (Meta.indexes): every index slows imports.
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)

    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.HELD
    )
    verdict = models.CharField(
        _("verdict"), max_length=20, choices=Verdict.choices, default=Verdict.UNCHECKED
    )
    reason = models.CharField(
        _("reason"), max_length=300, blank=True, help_text=_("Why the comment has its status.")
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The moderator whose decision automatic checks must not override."),
    )
    akismet_payload = models.JSONField(
        _("Akismet payload"),
        null=True,
        blank=True,
        help_text=_("What was sent to Akismet, resent as is with spam and ham reports."),
    )
    check_attempts = models.PositiveSmallIntegerField(_("Akismet attempts"), default=0)
    next_check_at = models.DateTimeField(_("next Akismet try"), null=True, blank=True)
    moderators_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    # When it last became approved: follow-up emails tell readers of comments approved since.
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True, editable=False)
    # A moderator's decision still to be reported to Akismet ("spam" or "ham"), and when to try
    # again after a failed report.
    report_pending = models.CharField(
        _("report to Akismet"), max_length=4, blank=True, default="", editable=False,
        choices=[("spam", _("spam")), ("ham", _("not spam"))],
    )  # fmt: skip
    report_attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    next_report_at = models.DateTimeField(
        _("next report try"), null=True, blank=True, editable=False
    )
    is_removed = models.BooleanField(
        _("removed"),
        default=False,
        editable=False,
        help_text=_("Deleted while it had replies: shown as a placeholder, its text gone."),
    )

    objects = CommentQuerySet.as_manager()

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["submitted_at", "id"]
        permissions = [("moderate_comment", _("Can moderate comments"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["held", "approved", "spam", "trash"]),
                name="comment_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(
                    verdict__in=["unchecked", "ham", "spam", "discard", "error", "skipped"]
                ),
                name="comment_verdict_valid",
            ),
            models.CheckConstraint(
                condition=Q(report_pending__in=["", "spam", "ham"]),
                name="comment_report_pending_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["article", "status", "submitted_at"], name="comment_thread"),
            # Reports to retry: only the few that failed are in it.
            models.Index(
                fields=["next_report_at"],
                condition=Q(next_report_at__isnull=False),
                name="comment_report_retry",
            ),
            models.Index(fields=["status", "-submitted_at"], name="comment_queue"),
            models.Index(fields=["status", "next_check_at"], name="comment_recheck"),
            # The other half of due_for_recheck(): comments whose first check never ran. Only
            # the few waiting for that check are in it; imported comments never are.
            models.Index(
                fields=["submitted_at"],
                condition=Q(status="held", verdict="unchecked"),
                name="comment_unchecked",
            ),
            # The moderators' digest: when they were last told (most comments never are).
            models.Index(
                fields=["moderators_notified_at"],
                condition=Q(moderators_notified_at__isnull=False),
                name="comment_notified",
            ),
            # Returning commenters, by email in any case (as WordPress on MySQL matches them),
            # and the moderators' record of a commenter: counts and first seen, from the index.
            models.Index(
                Upper("author_email"), "status", "submitted_at", name="comment_author_record"
            ),
        ]

    def __str__(self):
        return f"{self.author_name}: {self.content[:60]}"

    def save(self, *args, update_fields=None, **kwargs):
        if update_fields is None or "content" in update_fields:
            self.html = comment_html(self.content)
            if update_fields is not None:
                update_fields = {*update_fields, "html"}
        super().save(*args, update_fields=update_fields, **kwargs)

    def get_absolute_url(self):
        return reverse("comments:permalink", kwargs={"pk": self.pk})

    @property
    def is_reply(self):
        return self.parent_id is not None


class Event(models.Model):
    """One line of a comment's history: a check, a verdict, a decision or a report."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Text, not a bounded string: an edit keeps the whole text it replaced (services.edit).
    message = models.TextField()

    class Meta:
        verbose_name = _("history entry")
        verbose_name_plural = _("history")
        ordering = ["at", "id"]

    def __str__(self):
        return self.message


class ModerationSettings(models.Model):
    """The site's own moderation rules, edited in the admin. There is exactly one row."""

    disallowed_words = models.TextField(
        _("disallowed words"),
        blank=True,
        help_text=_(
            "One word or IP per line. A comment containing one in its name, email, website, "
            "text, IP or browser is marked as spam without asking Akismet."
        ),
    )
    moderation_words = models.TextField(
        _("moderation words"),
        blank=True,
        help_text=_("One per line. A comment containing one is held for review."),
    )
    link_limit = models.PositiveSmallIntegerField(
        _("link limit"),
        default=2,
        help_text=_("Hold a comment with this many links or more. 0 turns the rule off."),
    )
    hold_all = models.BooleanField(
        _("hold every comment"), default=False, help_text=_("Every comment waits for review.")
    )
    hold_first_time = models.BooleanField(
        _("hold first-time commenters"),
        default=True,
        help_text=_("Approve commenters who already have an approved comment; hold the rest."),
    )
    close_after_days = models.PositiveSmallIntegerField(
        _("close comments after (days)"),
        null=True,
        blank=True,
        help_text=_("Close comments on articles older than this. Empty: never (WordPress: 14)."),
    )
    thread_depth = models.PositiveSmallIntegerField(
        _("thread depth"),
        default=5,
        validators=[MinValueValidator(2), MaxValueValidator(10)],
        help_text=_("How deep replies nest, from 2 to 10."),
    )
    per_page = models.PositiveSmallIntegerField(
        _("top-level comments per page"), default=50, validators=[MinValueValidator(1)]
    )
    notify_moderators = models.BooleanField(_("email moderators about held comments"), default=True)
    notify_authors = models.BooleanField(_("email authors about approved comments"), default=True)
    invalid_key_alerted_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("moderation settings")
        verbose_name_plural = _("moderation settings")
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="one_moderation_settings_row"),
            models.CheckConstraint(
                condition=Q(thread_depth__gte=2, thread_depth__lte=10), name="thread_depth_2_to_10"
            ),
        ]

    def __str__(self):
        return str(_("Moderation settings"))

    @classmethod
    def load(cls):
        """The settings row, from the cache when it can (comments.signals clears it on save)."""
        from django.core.cache import cache

        from .signals import SETTINGS_KEY

        rules = cache.get(SETTINGS_KEY)
        if rules is None:
            rules = cls.objects.get_or_create(pk=1)[0]
            # Bounded, so a read racing an admin save cannot keep old rules for long.
            cache.set(SETTINGS_KEY, rules, timeout=300)
        return rules

    @staticmethod
    def _lines(text):
        return [line.strip().lower() for line in text.splitlines() if line.strip()]

    @property
    def disallowed(self):
        return self._lines(self.disallowed_words)

    @property
    def moderated(self):
        return self._lines(self.moderation_words)


class SubscriptionQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(confirmed_at__isnull=False)

    def for_email(self, email: str):
        return self.filter(email=normalise_email(email))


def normalise_email(email: str) -> str:
    """One spelling per mailbox for matching: the address lowercased, spaces trimmed."""
    return (email or "").strip().lower()


class Subscription(models.Model):
    """A reader's wish to hear by email: of follow-up comments on an article, or of new posts.

    Nothing is sent but the confirmation until the reader follows its link (double opt-in), and
    every email carries a one-click unsubscribe.
    """

    class Kind(models.TextChoices):
        REPLIES = "replies", _("Follow-up comments")
        POSTS = "posts", _("New posts")

    email = models.EmailField(_("email"), max_length=MAX_EMAIL)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    article = models.ForeignKey(
        "blog.Article",
        verbose_name=_("article"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    created_at = models.DateTimeField(_("asked for at"), default=timezone.now)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    # Follow-ups already told of: comments approved up to this time; and when the last email
    # went, so a busy thread gives one email per COMMENTS_FOLLOW_UP_MINUTES at most.
    told_up_to = models.DateTimeField(null=True, blank=True, editable=False)
    last_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["email", "kind", "article"], name="subscription_once"),
            models.UniqueConstraint(
                fields=["email", "kind"], condition=Q(article=None), name="subscription_posts_once"
            ),
            models.CheckConstraint(
                condition=Q(kind="replies", article__isnull=False)
                | Q(kind="posts", article__isnull=True),
                name="subscription_kind_matches_article",
            ),
        ]
        indexes = [models.Index(fields=["article", "kind"], name="subscription_thread")]

    def __str__(self):
        return f"{self.email}: {self.get_kind_display()}"

    def save(self, *args, **kwargs):
        self.email = normalise_email(self.email)
        super().save(*args, **kwargs)


class PrivacyRequest(models.Model):
    """A reader's request, by email, for what the site holds under an address, or to erase it.

    Confirmed by the reader from an email first; an erasure then waits for a moderator, and
    `log` says what was done.
    """

    class Kind(models.TextChoices):
        EXPORT = "export", _("Export")
        ERASE = "erase", _("Erase")

    class Status(models.TextChoices):
        UNCONFIRMED = "unconfirmed", _("Waiting for the reader to confirm")
        CONFIRMED = "confirmed", _("Confirmed by the reader")
        DONE = "done", _("Done")
        DECLINED = "declined", _("Declined")

    email = models.EmailField(_("email"), max_length=MAX_EMAIL)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.UNCONFIRMED
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    log = models.TextField(_("what was done"), blank=True)

    class Meta:
        verbose_name = _("privacy request")
        verbose_name_plural = _("privacy requests")
        ordering = ["-requested_at"]
        permissions = [("erase_personal_data", _("Can erase a reader's personal data"))]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.email}"

    def save(self, *args, **kwargs):
        self.email = normalise_email(self.email)
        super().save(*args, **kwargs)


class ReaderPicture(models.Model):
    """A signed-in reader's picture from their provider, fetched once and served from here."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="reader_picture",
    )
    file = models.ImageField(upload_to="avatars/readers/")
    fetched_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("reader picture")
        verbose_name_plural = _("reader pictures")

    def __str__(self):
        return str(self.user)
