"""`manage.py demo`: create the database, load a demo site, add staff accounts and serve it.

The README's first command. Safe to run again: everything is keyed on slugs, titles and
usernames, so a second run creates nothing twice and leaves editors' changes alone. The content,
written for the demo, is in demo/content.py.
"""

import datetime
import io
import os
import random
import secrets

import reversion
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import FieldError
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import DatabaseError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from PIL import Image as PILImage
from PIL import ImageDraw, ImageFilter, ImageOps

from blog.images import process_image
from blog.models import Article, Category, Disclaimer, Image, Page, Promotion
from demo.content import (
    ARTICLES,
    AUTHORS,
    CATEGORIES,
    COMMENTS,
    QUEUE,
    about_page,
    html,
    privacy_page,
)

PICTURE_SIZE = (1600, 900)
PLURALS = {"category": "categories"}

# (username, group created by the roles migrations: blog 0006, comments 0002)
STAFF_ACCOUNTS = [("editor", "Editors"), ("writer", "Writers"), ("moderator", "Moderators")]
# The article that shows the writing desk: an inline figure, added in a second revision.
DESK_ARTICLE = "the-quiet-return-of-industrial-policy"
DESK_PICTURE = ("teal", "#0a9396", "sand", "#e9d8a6", "squares")


def demo_picture(seed: str, start: str, end: str, shapes: str) -> ContentFile:
    """A 1600×900 abstract JPEG: a diagonal gradient under translucent shapes, fixed per seed."""
    rng = random.Random(seed)
    width, height = PICTURE_SIZE
    across = PILImage.linear_gradient("L").rotate(90).resize(PICTURE_SIZE)
    down = PILImage.linear_gradient("L").resize(PICTURE_SIZE)
    if rng.random() < 0.5:
        across = ImageOps.mirror(across)
    gradient = PILImage.blend(across, down, rng.uniform(0.3, 0.7))
    picture = ImageOps.colorize(gradient, start, end).convert("RGBA")

    layer = PILImage.new("RGBA", PICTURE_SIZE, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)

    def tint():
        return (255, 255, 255, rng.randint(35, 90)) if rng.random() < 0.6 else (0, 0, 0, 45)

    if shapes == "circles":
        for _ in range(rng.randint(5, 9)):
            x, y, r = rng.randint(0, width), rng.randint(0, height), rng.randint(80, 380)
            draw.ellipse((x - r, y - r, x + r, y + r), fill=tint())
    elif shapes == "rings":
        for _ in range(2):
            x, y = rng.randint(width // 4, width), rng.randint(0, height)
            for r in range(60, 900, rng.randint(70, 110)):
                draw.ellipse((x - r, y - r, x + r, y + r), outline=tint(), width=rng.randint(8, 24))
    elif shapes == "bands":
        for _ in range(rng.randint(4, 7)):
            x, w, lean = rng.randint(-400, width), rng.randint(60, 260), rng.randint(300, 700)
            draw.polygon([(x, 0), (x + w, 0), (x + w + lean, height), (x + lean, height)], tint())
    else:  # blocks
        step = rng.choice([100, 150, 225])
        for x in range(0, width, step):
            for y in range(0, height, step):
                if rng.random() < 0.35:
                    draw.rectangle((x + 8, y + 8, x + step - 8, y + step - 8), fill=tint())
    layer = layer.filter(ImageFilter.GaussianBlur(2))
    picture = PILImage.alpha_composite(picture, layer).convert("RGB")

    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=90)
    return ContentFile(buffer.getvalue(), name=f"{seed}.jpg")


def create_image(seed, picture) -> Image:
    """A featured image with renditions, described for readers who cannot see it."""
    start_name, start, end_name, end, shapes = picture
    alt = f"Abstract illustration: translucent {shapes} over a {start_name} to {end_name} gradient"
    image = Image(alt_text=alt)
    process_image(image, demo_picture(seed, start, end, shapes))
    return image


class Command(BaseCommand):
    help = (
        "Create the database, load a demo site with editor, writer and moderator accounts, "
        "and serve it at http://127.0.0.1:8000/. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-serve", action="store_true", help="Load the demo, then stop without serving."
        )
        parser.add_argument(
            "--addrport",
            default="127.0.0.1:8000",
            help="Address and port to serve on (default: 127.0.0.1:8000).",
        )

    def handle(self, *args, no_serve, addrport, verbosity, **options):
        if not no_serve and os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
            # runserver's autoreloader runs this command again in a child process (and again on
            # every code change); the parent has already migrated and loaded the demo.
            call_command("runserver", addrport)
            return

        # The raw stream, not self.stdout: migrate writes "Applying…" and "OK" on one line.
        call_command(
            "migrate", interactive=False, verbosity=verbosity, stdout=options.get("stdout")
        )
        self.now = timezone.now()
        self.created = {}
        self.accounts = []
        with transaction.atomic():
            self.load()
        self.report()

        if not no_serve:
            url = f"http://{addrport if ':' in addrport else f'127.0.0.1:{addrport}'}/"
            self.stdout.write(
                f"Serving the demo at {url} (editors and moderators sign in at {url}admin/)."
            )
            call_command("runserver", addrport)

    def load(self):
        User = get_user_model()
        self.authors = {}
        for author in AUTHORS:
            user, created = User.objects.get_or_create(
                username=author["username"],
                defaults={
                    "first_name": author["first_name"],
                    "last_name": author["last_name"],
                    "email": f"{author['username']}@example.com",
                },
            )
            if created:
                user.set_unusable_password()  # Authors appear in bylines; they do not sign in.
                user.save(update_fields=["password"])
            self.count("author", created)
            self.authors[user.username] = user
        for username, group in STAFF_ACCOUNTS:
            self.load_staff_account(username, group)

        categories = {}
        for path, name, description in CATEGORIES:
            parent_path, _, slug = path.rpartition("/")
            category, created = Category.objects.get_or_create(
                parent=categories.get(parent_path),
                slug=slug,
                defaults={"name": name, "description": description},
            )
            self.count("category", created)
            categories[path] = category

        self.load_disclaimers()
        self.load_promotion()
        self.new_articles = set()
        articles = {spec["slug"]: self.load_article(spec, categories) for spec in ARTICLES}
        self.load_desk(articles)
        for slug, title, body in [
            ("about", "About us", about_page()),
            ("privacy", "Privacy", privacy_page()),
        ]:
            _page, created = Page.objects.get_or_create(
                slug=slug, defaults={"title": title, "body": body}
            )
            self.count("page", created)
        self.load_comments(articles)

    def load_staff_account(self, username, group_name):
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            self.accounts.append(
                f"The {username} account already exists. To set a new password, run: "
                f"uv run manage.py changepassword {username}"
            )
            return
        password = secrets.token_urlsafe(12)
        user = User.objects.create_user(
            username=username,
            email=f"{username}@example.com",
            password=password,
            is_staff=True,
            first_name="Demo",
            last_name=username.capitalize(),
        )
        user.groups.add(Group.objects.get(name=group_name))
        self.count("staff account", True)
        self.accounts.append(
            f"Created the {username} account (staff, {group_name}): "
            f"username {username}, password {password}\n"
            f"  The password is shown only this once; keep it somewhere safe."
        )

    def load_disclaimers(self):
        own_views = (
            "The views expressed in this article are the author's own and do not necessarily "
            f"reflect the editorial policy of {settings.SITE_NAME}."
        )
        if not Disclaimer.objects.filter(is_default=True).exists():
            _disclaimer, created = Disclaimer.objects.get_or_create(
                name="Author's own views", defaults={"text": own_views, "is_default": True}
            )
            self.count("disclaimer", created)
        self.guest_disclaimer, created = Disclaimer.objects.get_or_create(
            name="Guest column",
            defaults={
                "text": "This is a guest column by a contributor who is not on our staff. "
                + own_views
            },
        )
        self.count("disclaimer", created)

    def load_promotion(self):
        about = reverse("blog:page", kwargs={"slug": "about"})
        promotion, created = Promotion.objects.get_or_create(
            title="The Morning Briefing",
            defaults={
                "text": "Five pieces worth your time, in your inbox before breakfast. "
                "Free, every weekday, and easy to leave.",
                "link_url": f"{settings.SITE_URL}{about}#newsletter",
                "link_label": "Sign up free",
                "active_from": self.now - datetime.timedelta(days=120),
            },
        )
        if created:
            promotion.image = create_image(
                "the-morning-briefing", ("mustard", "#ffb703", "tangerine", "#fb8500", "circles")
            )
            promotion.save(update_fields=["image"])
        self.count("promotion", created)

    def load_article(self, spec, categories):
        days_ago = spec["days_ago"]
        if days_ago is None:
            status, published_at = Article.Status.DRAFT, None
        else:
            status = Article.Status.PUBLISHED
            published_at = (self.now - datetime.timedelta(days=days_ago)).replace(
                hour=7, minute=30, second=0, microsecond=0
            )
        article, created = Article.objects.get_or_create(
            slug=spec["slug"],
            defaults={
                "title": spec["title"],
                "body": html(spec["body"]),
                "excerpt": spec["excerpt"],
                "byline": spec.get("byline", ""),
                "status": status,
                "published_at": published_at,
                "is_sticky": spec.get("sticky", False),
                "disclaimer": self.guest_disclaimer if spec.get("guest") else None,
            },
        )
        self.count("article", created)
        if created:
            self.new_articles.add(article.slug)
            # Related rows only for a new article, so an editor's later changes stay.
            article.authors.set([self.authors[spec["author"]]])
            article.categories.set([categories[path] for path in spec["categories"]])
            article.tags.add(*spec["tags"])
            if "picture" in spec:
                article.featured_image = create_image(spec["slug"], spec["picture"])
                article.save(update_fields=["featured_image"])
        return article

    def load_desk(self, articles):
        """What editors see on day one: an article with two revisions, the second adding an
        inline figure with a caption and credit; the draft as the writer's, pending review."""
        article = articles.get(DESK_ARTICLE)
        if article is not None and article.slug in self.new_articles:
            with reversion.create_revision():
                reversion.set_comment("Created.")
                article.save()
            figure = create_image(f"{DESK_ARTICLE}-inline", DESK_PICTURE)
            figure.caption = "Battery, chip and steel plants announced since 2021"
            figure.credit = "Illustration: Broadsheet demo"
            figure.save()
            paragraphs = article.body.split("</p>", 2)
            inline = (
                f'<figure class="figure"><img src="{figure.rendition_url("medium")}" '
                f'alt="{figure.alt_text}" data-file="{figure.pk}">'
                f"<figcaption>{figure.caption}</figcaption></figure>"
            )
            article.body = "</p>".join(paragraphs[:2]) + "</p>" + inline + paragraphs[2]
            article.lock_version += 1
            with reversion.create_revision():
                reversion.set_comment("Changed Body: added a figure.")
                article.save()
        writer = get_user_model().objects.filter(username="writer").first()
        for spec in ARTICLES:
            draft = articles[spec["slug"]]
            if spec["days_ago"] is None and draft.slug in self.new_articles and writer:
                draft.status = Article.Status.PENDING
                draft.save(update_fields=["status"])
                draft.authorships.create(user=writer, position=1)

    def load_comments(self, articles):
        """A few approved comments and replies. The comments app is young: on a mismatch with
        its models, warn and carry on rather than lose the rest of the demo."""
        try:
            with transaction.atomic():
                self.create_comments(articles)
        except (ImportError, FieldError, TypeError, ValueError, DatabaseError) as exc:
            self.stderr.write(f"Skipped the demo comments: {exc}")

    def create_comments(self, articles):
        from comments.models import Comment

        for slug, thread in COMMENTS.items():
            article = articles[slug]
            if Comment.objects.filter(article=article, reason="demo content").exists():
                continue
            when = article.published_at or self.now
            for name, text, replies in thread:
                when += datetime.timedelta(hours=3, minutes=17)
                parent = self.create_comment(Comment, article, name, text, when)
                for reply_name, reply_text in replies:
                    when += datetime.timedelta(hours=1, minutes=42)
                    self.create_comment(Comment, article, reply_name, reply_text, when, parent)

        self.create_queue(Comment, articles)

    def create_queue(self, Comment, articles):
        """Held, spam, unchecked and trashed comments: the moderator's queue shows each state."""
        from comments.models import Event

        for slug, name, email, text, status, verdict, reason in QUEUE:
            article = articles.get(slug)
            if article is None or Comment.objects.filter(article=article, content=text).exists():
                continue
            comment = Comment.objects.create(
                article=article, author_name=name, author_email=email, content=text,
                author_ip=f"192.0.2.{len(name) + 10}", status=status, verdict=verdict,
                reason=reason, submitted_at=self.now - datetime.timedelta(minutes=len(text)),
                next_check_at=self.now + datetime.timedelta(minutes=1) if verdict == "error"
                else None,
                check_attempts=1 if verdict == "error" else 0,
                # Demo content: no email to the moderators about it.
                moderators_notified_at=self.now,
            )  # fmt: skip
            Event.objects.create(comment=comment, message="Comment submitted.")
            Event.objects.create(comment=comment, message=f"Demo: {reason}.")
            self.count("comment", True)

    def create_comment(self, Comment, article, name, text, when, parent=None):
        user = self.authors.get(name)
        comment = Comment.objects.create(
            article=article,
            parent=parent,
            user=user,
            author_name=user.get_full_name() if user else name,
            author_email=user.email if user else f"{name.split()[0].lower()}@example.com",
            content=text,
            submitted_at=min(when, self.now),
            status=Comment.Status.APPROVED,
            verdict=Comment.Verdict.SKIPPED,
            reason="demo content",
        )
        self.count("comment", True)
        return comment

    def count(self, kind, created):
        if created:
            self.created[kind] = self.created.get(kind, 0) + 1

    def report(self):
        if self.created:
            made = ", ".join(
                f"{n} {kind if n == 1 else PLURALS.get(kind, kind + 's')}"
                for kind, n in self.created.items()
            )
            self.stdout.write(self.style.SUCCESS(f"Demo site loaded. Created: {made}."))
        else:
            self.stdout.write("The demo site was already loaded; nothing new was created.")
        for line in self.accounts:
            self.stdout.write(line)


# The demo content, in our own words.
