"""Who may do what in the admin: every staff role against every action of the newsroom.

TABLE below is the permissions table a newsroom checks, in code: one row per action, one column
per role (Writers, Editors, Moderators, as the data migrations create them). Each test signs in
as one role, performs the action with real requests through the admin, and names what happened
from the answer *and* the database (was the article saved, the image stored, the comment
approved?). The test asserts that this is what the table promises, so a row fails if a refusal
still changes data, or if an allowed action answers well but changes nothing.

The outcomes:
    ✓               done: the answer a browser expects (redirect, page, JSON) and the data
                    changed, or (for a page or a lookup) it shows what was asked for
    own only        the article list shows the person's own articles, not anyone else's
    ✗ 403           refused with "403 Forbidden", nothing changed
    ✗ not found     the admin says the article doesn't exist (redirect to the admin index, as
                    Django does for objects outside the person's queryset), nothing changed
    ✗ 404           a desk view (revisions, autosave) answers "404 Not Found", nothing changed
    ✗ form error    the form comes back with an error, nothing changed
    ✗ not offered   the menu (list action, status choice) doesn't offer it; posting it anyway
                    changes nothing
    ✗ read-only     the form saves, but the field is shown read-only and keeps its value
    ✗ protected     the delete confirmation lists what protects it; the image stays
"""

from dataclasses import dataclass
from datetime import timedelta

import pytest
import reversion
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from blog.models import Article, Autosave, Category, Image
from comments.models import Comment
from tests.factories import (
    image_bytes,
    make_article,
    make_draft,
    make_editor,
    make_image,
    make_moderator,
    make_page,
    make_writer,
)

pytestmark = pytest.mark.django_db

YES = "✓"
OWN_ONLY = "own only"
FORBIDDEN = "✗ 403"
HIDDEN = "✗ not found"
NOT_FOUND = "✗ 404"
FORM_ERROR = "✗ form error"
NOT_OFFERED = "✗ not offered"
READ_ONLY = "✗ read-only"
PROTECTED = "✗ protected"

ROLES = ["writer", "editor", "moderator"]
ARTICLES = "/admin/blog/article/"
IMAGES = "/admin/blog/image/"


# The newsroom ------------------------------------------------------------------------------


@dataclass
class Newsroom:
    """The person signed in (`me`, in the role under test) and what exists around them."""

    me: object
    rival: object  # another writer, with work of their own
    own_draft: Article
    own_pending: Article
    own_published: Article
    rival_draft: Article
    rival_published: Article
    image_in_body: Image  # shown in rival_published's text
    unused_image: Image
    image_in_page: Image  # shown in a page's text (pages render library figures as articles do)
    held_comment: Comment


SIGN_IN = {"writer": make_writer, "editor": make_editor, "moderator": make_moderator}


def with_two_revisions(article, user):
    """Keep the article as it is ("First words"), then retitled (" revised", "Second thoughts")."""
    with reversion.create_revision():
        article.save()
        reversion.set_user(user)
        reversion.set_comment("First words")
    with reversion.create_revision():
        article.title = f"{article.title} revised"
        article.body = "<p>Second thoughts, written again.</p>"
        article.save()
        reversion.set_user(user)
        reversion.set_comment("Second thoughts")
    return article


def versions(article):
    """The article's revisions, oldest first."""
    return list(Version.objects.get_for_object(article).order_by("pk"))


@pytest.fixture
def newsroom_for():
    def build(role):
        me = SIGN_IN[role]()
        rival = make_writer("rival", first_name="Rita", last_name="Rival")
        image_in_body, unused_image = make_image("A cartoon"), make_image("A portrait")
        rival_published = make_article(
            "Rival published",
            authors=[rival],
            body=(
                f'<figure><img src="/media/x.png" alt="A cartoon" data-file="{image_in_body.pk}">'
                "</figure><p>Look.</p>"
            ),
        )
        assert f'data-file="{image_in_body.pk}"' in rival_published.body  # kept by sanitising
        image_in_page = make_image("A map")
        make_page(
            "Where we are",
            body=f'<figure><img src="/media/m.png" alt="A map" data-file="{image_in_page.pk}">'
            "</figure>",
        )
        held = Comment.objects.create(
            article=rival_published,
            status=Comment.Status.HELD,
            author_name="A Reader",
            author_email="reader@example.com",
            author_ip="10.0.0.1",
            content="Held for a moderator to read.",
        )
        return Newsroom(
            me=me,
            rival=rival,
            own_draft=with_two_revisions(make_draft("Own draft", authors=[me]), me),
            own_pending=make_article("Own pending", status=Article.Status.PENDING, authors=[me]),
            own_published=with_two_revisions(make_article("Own published", authors=[me]), me),
            rival_draft=with_two_revisions(make_draft("Rival draft", authors=[rival]), rival),
            rival_published=rival_published,
            image_in_body=image_in_body,
            unused_image=unused_image,
            image_in_page=image_in_page,
            held_comment=held,
        )

    return build


# Reading what happened ---------------------------------------------------------------------


def outcome(response, *, done, ok_status=302):
    """The table's word for one answer: `done` is whether the data (or the page) shows it."""
    status = response.status_code
    if done:
        return YES if status == ok_status else f"done, but answered {status}"
    if status == 403:
        return FORBIDDEN
    if status == 404:
        return NOT_FOUND
    if status == 302 and response.url == reverse("admin:index"):
        said = " ".join(str(m) for m in get_messages(response.wsgi_request))
        if "exist" in said:
            return HIDDEN
    context = response.context
    if status == 200 and context is not None:
        if context.get("protected"):
            return PROTECTED
        adminform = context.get("adminform")
        if adminform is not None and adminform.form.errors:
            return FORM_ERROR
    return f"nothing done, answered {status}"


def fresh(obj):
    return type(obj).objects.filter(pk=obj.pk).first()


def change_url(article):
    return f"{ARTICLES}{article.pk}/change/"


def article_form(article, **changes):
    """What the change form of `article` posts when it is saved as opened; `changes` override.
    A value of None leaves the field out (an unticked box)."""
    when = timezone.localtime(article.published_at) if article.published_at else None
    data = {
        "title": article.title,
        "slug": article.slug,
        "byline_authors": [
            str(pk)
            for pk in article.authorships.order_by("position").values_list("user", flat=True)
        ],
        "byline": article.byline,
        "body": article.body,
        "excerpt": article.excerpt,
        "opened_version": str(article.lock_version),
        "status": article.status,
        "published_at_0": when.strftime("%Y-%m-%d") if when else "",
        "published_at_1": when.strftime("%H:%M:%S") if when else "",
        "is_sticky": "on" if article.is_sticky else None,
        "comments_open": "on" if article.comments_open else None,
        "categories": [],
        "tags": ", ".join(article.tags.names()),
        "featured_image": "",
        "disclaimer": "",
        "promotion": "",
        "seo_description": article.seo_description,
        "_save": "Save",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def add_form(me, **changes):
    """What the add form posts: a new article bylined to `me`; `changes` override."""
    data = {
        "title": "A new column",
        "slug": "a-new-column",
        "byline_authors": [str(me.pk)],
        "byline": "",
        "body": "<p>New.</p>",
        "excerpt": "",
        "opened_version": "",
        "status": "draft",
        "published_at_0": "",
        "published_at_1": "",
        "comments_open": "on",
        "categories": [],
        "tags": "",
        "featured_image": "",
        "disclaimer": "",
        "promotion": "",
        "seo_description": "",
        "_save": "Save",
    }
    data.update(changes)
    return data


def save_change(client, article, **changes):
    return client.post(change_url(article), article_form(article, **changes))


# The actions: each performs one through the admin and says what happened -------------------


def see_article_list(client, n):
    response = client.get(ARTICLES)
    if response.status_code != 200:
        return outcome(response, done=False)
    listed = response.content.decode()
    own = n.own_draft.title in listed
    others = n.rival_draft.title in listed and n.rival_published.title in listed
    if own and others:
        return YES
    if own and n.rival_draft.title not in listed and n.rival_published.title not in listed:
        return OWN_ONLY
    return f"lists own: {own}, others': {others}"


def add_article(client, n):
    response = client.post(f"{ARTICLES}add/", add_form(n.me))
    done = Article.objects.filter(slug="a-new-column", authors=n.me).exists()
    return outcome(response, done=done)


def add_published_article(client, n):
    response = client.post(
        f"{ARTICLES}add/",
        add_form(n.me, title="Straight out", slug="straight-out", status="published"),
    )
    done = Article.objects.filter(slug="straight-out", status="published").exists()
    return outcome(response, done=done)


def open_rival_draft(client, n):
    response = client.get(change_url(n.rival_draft))
    return outcome(
        response,
        done=response.status_code == 200 and n.rival_draft.title in response.content.decode(),
        ok_status=200,
    )


def _retitle(client, article):
    response = save_change(client, article, title="Retitled by the desk")
    return outcome(response, done=fresh(article).title == "Retitled by the desk")


def change_own_draft(client, n):
    return _retitle(client, n.own_draft)


def change_rival_draft(client, n):
    return _retitle(client, n.rival_draft)


def change_own_published(client, n):
    return _retitle(client, n.own_published)


def submit_own_draft_for_review(client, n):
    response = save_change(client, n.own_draft, status="pending")
    return outcome(response, done=fresh(n.own_draft).status == Article.Status.PENDING)


def status_menu_offers_published(client, n):
    response = client.get(change_url(n.own_draft))
    if response.status_code != 200:
        return outcome(response, done=False)
    offered = '<option value="published"' in response.content.decode()
    return YES if offered else NOT_OFFERED


def publish_own_draft_via_form(client, n):
    response = save_change(client, n.own_draft, status="published")
    article = fresh(n.own_draft)
    done = article.status == Article.Status.PUBLISHED and article.published_at is not None
    return outcome(response, done=done)


def _read_only_field(client, article, done, **changes):
    before = article.lock_version
    response = save_change(client, article, **changes)
    if done():
        return outcome(response, done=True)
    saved = fresh(article).lock_version > before
    if response.status_code == 302 and saved:
        return READ_ONLY
    return outcome(response, done=False)


def make_own_draft_sticky(client, n):
    return _read_only_field(
        client, n.own_draft, lambda: fresh(n.own_draft).is_sticky, is_sticky="on"
    )


def set_own_draft_publication_time(client, n):
    tomorrow = timezone.localtime() + timedelta(days=1)
    return _read_only_field(
        client,
        n.own_draft,
        lambda: fresh(n.own_draft).published_at is not None,
        published_at_0=tomorrow.strftime("%Y-%m-%d"),
        published_at_1="09:00:00",
    )


def _list_action(client, list_url, action, selected, done, **extra):
    """Choose `action` for `selected` in a changelist, as the menu above the list does."""
    page = client.get(list_url)
    action_form = page.context.get("action_form") if page.status_code == 200 else None
    offered = action_form is not None and action in dict(action_form.fields["action"].choices)
    response = client.post(
        list_url,
        {"action": action, "_selected_action": [selected.pk], "index": "0", **extra},
    )
    if done():
        return outcome(response, done=True) if offered else "done, though not offered"
    if page.status_code == 200 and not offered:
        return NOT_OFFERED
    return outcome(response, done=False)


def publish_via_action(client, n):
    return _list_action(
        client,
        ARTICLES,
        "publish",
        n.own_pending,
        lambda: fresh(n.own_pending).status == Article.Status.PUBLISHED,
    )


def unpublish_via_action(client, n):
    return _list_action(
        client,
        ARTICLES,
        "unpublish",
        n.own_published,
        lambda: fresh(n.own_published).status != Article.Status.PUBLISHED,
    )


def _delete(client, url, obj):
    response = client.post(url, {"post": "yes"})
    return outcome(response, done=fresh(obj) is None)


def delete_own_draft(client, n):
    return _delete(client, f"{ARTICLES}{n.own_draft.pk}/delete/", n.own_draft)


def delete_rival_draft(client, n):
    return _delete(client, f"{ARTICLES}{n.rival_draft.pk}/delete/", n.rival_draft)


def _see_revisions(client, article):
    response = client.get(f"{ARTICLES}{article.pk}/revisions/")
    page = response.content.decode()
    done = response.status_code == 200 and "First words" in page and "Second thoughts" in page
    return outcome(response, done=done, ok_status=200)


def see_own_draft_revisions(client, n):
    return _see_revisions(client, n.own_draft)


def see_rival_draft_revisions(client, n):
    return _see_revisions(client, n.rival_draft)


def see_own_published_revisions(client, n):
    return _see_revisions(client, n.own_published)


def _compare(client, article):
    older, newer = versions(article)
    response = client.get(
        f"{ARTICLES}{article.pk}/revisions/compare/", {"from": older.pk, "to": newer.pk}
    )
    done = response.status_code == 200 and "revised</ins>" in response.content.decode()
    return outcome(response, done=done, ok_status=200)


def compare_own_draft_revisions(client, n):
    return _compare(client, n.own_draft)


def compare_rival_draft_revisions(client, n):
    return _compare(client, n.rival_draft)


def _restore_first(client, article):
    first = versions(article)[0]
    original_title = first.field_dict["title"]
    assert fresh(article).title != original_title
    response = client.post(f"{ARTICLES}{article.pk}/revisions/{first.pk}/restore/")
    return outcome(response, done=fresh(article).title == original_title)


def restore_own_draft_revision(client, n):
    return _restore_first(client, n.own_draft)


def restore_rival_draft_revision(client, n):
    return _restore_first(client, n.rival_draft)


def restore_own_published_revision(client, n):
    return _restore_first(client, n.own_published)


def restore_rival_revision_onto_own_draft(client, n):
    """A revision of another article, restored through one's own: it would copy their text."""
    theirs = versions(n.rival_draft)[0]
    response = client.post(f"{ARTICLES}{n.own_draft.pk}/revisions/{theirs.pk}/restore/")
    return outcome(response, done=fresh(n.own_draft).title == theirs.field_dict["title"])


def author_autocomplete(client, n):
    response = client.get(f"{ARTICLES}authors/", {"term": "Rival"})
    done = response.status_code == 200 and response.json() == {
        "results": [{"id": str(n.rival.pk), "text": "Rita Rival"}],
        "pagination": {"more": False},
    }
    return outcome(response, done=done, ok_status=200)


def _autosave(client, n, key, article):
    response = client.post(
        f"{ARTICLES}{key}/autosave/", {"title": "Half a thought", "body": "<p>Half.</p>"}
    )
    kept = Autosave.objects.filter(user=n.me, article=article).first()
    done = (
        kept is not None
        and kept.fields["title"] == "Half a thought"
        and "saved_at" in response.json()
    )
    return outcome(response, done=done, ok_status=200)


def autosave_new_article(client, n):
    return _autosave(client, n, "new", None)


def autosave_own_draft(client, n):
    return _autosave(client, n, n.own_draft.pk, n.own_draft)


def autosave_rival_draft(client, n):
    return _autosave(client, n, n.rival_draft.pk, n.rival_draft)


def upload_image(client, n):
    before = set(Image.objects.values_list("pk", flat=True))
    upload = SimpleUploadedFile("snap.png", image_bytes(size=(300, 200)), "image/png")
    response = client.post(f"{IMAGES}upload/", {"file": upload, "alt_text": "A snap"})
    added = set(Image.objects.values_list("pk", flat=True)) - before
    done = bool(added)
    if done:
        answer = response.json()
        done = set(answer) == {"id", "src", "alt"} and {answer["id"]} == added
    return outcome(response, done=done, ok_status=201)


def open_image_picker(client, n):
    response = client.get(f"{IMAGES}picker/")
    done = response.status_code == 200 and n.unused_image.alt_text in response.content.decode()
    return outcome(response, done=done, ok_status=200)


def delete_image_used_in_body(client, n):
    result = _delete(client, f"{IMAGES}{n.image_in_body.pk}/delete/", n.image_in_body)
    assert f'data-file="{n.image_in_body.pk}"' in fresh(n.rival_published).body
    return result


def delete_image_used_in_body_via_action(client, n):
    return _list_action(
        client,
        IMAGES,
        "delete_selected",
        n.image_in_body,
        lambda: fresh(n.image_in_body) is None,
        post="yes",
    )


def delete_image_used_in_page(client, n):
    return _delete(client, f"{IMAGES}{n.image_in_page.pk}/delete/", n.image_in_page)


def delete_unused_image(client, n):
    return _delete(client, f"{IMAGES}{n.unused_image.pk}/delete/", n.unused_image)


def change_image_shown_in_an_article(client, n):
    image = n.image_in_body
    response = client.post(f"{IMAGES}{image.pk}/change/",
                           {"alt_text": "Replaced", "caption": "", "credit": ""})  # fmt: skip
    return outcome(response, done=fresh(image).alt_text == "Replaced")


def add_category(client, n):
    response = client.post(
        "/admin/blog/category/add/",
        {"name": "Housing", "slug": "housing", "parent": "", "description": ""},
    )
    return outcome(response, done=Category.objects.filter(slug="housing").exists())


def see_moderation_queue(client, n):
    response = client.get("/admin/comments/comment/", follow=True)
    done = response.status_code == 200 and n.held_comment.content in response.content.decode()
    return outcome(response, done=done, ok_status=200)


def approve_held_comment(client, n):
    response = client.post(f"/admin/comments/comment/{n.held_comment.pk}/decide/approve/")
    return outcome(response, done=fresh(n.held_comment).status == Comment.Status.APPROVED)


# The table -------------------------------------------------------------------------------

TABLE = [
    # action, how                                           Writer       Editor     Moderator
    ("See the article list", see_article_list,              OWN_ONLY,    YES,       YES),
    ("Add an article (draft)", add_article,                 YES,         YES,       FORBIDDEN),
    ("Add an article as published", add_published_article,  FORM_ERROR,  YES,       FORBIDDEN),
    ("Open another writer's draft", open_rival_draft,       HIDDEN,      YES,       YES),
    ("Change own draft", change_own_draft,                  YES,         YES,       FORBIDDEN),
    ("Change another writer's draft", change_rival_draft,   HIDDEN,      YES,       FORBIDDEN),
    ("Change own published article", change_own_published,  FORBIDDEN,   YES,       FORBIDDEN),
    ("Submit own draft for review", submit_own_draft_for_review,
                                                            YES,         YES,       FORBIDDEN),
    ("Status menu offers “Published”", status_menu_offers_published,
                                                            NOT_OFFERED, YES,       NOT_OFFERED),
    ("Publish own draft via the form", publish_own_draft_via_form,
                                                            FORM_ERROR,  YES,       FORBIDDEN),
    ("Set the publication time", set_own_draft_publication_time,
                                                            READ_ONLY,   YES,       FORBIDDEN),
    ("Make an article sticky", make_own_draft_sticky,       READ_ONLY,   YES,       FORBIDDEN),
    ("Publish via the list action", publish_via_action,     NOT_OFFERED, YES,       NOT_OFFERED),
    ("Unpublish via the list action", unpublish_via_action, NOT_OFFERED, YES,       NOT_OFFERED),
    ("Delete own draft", delete_own_draft,                  FORBIDDEN,   YES,       FORBIDDEN),
    ("Delete another writer's draft", delete_rival_draft,   FORBIDDEN,   YES,       FORBIDDEN),
    ("See revisions of own draft", see_own_draft_revisions, YES,         YES,       FORBIDDEN),
    ("See revisions of another's draft", see_rival_draft_revisions,
                                                            NOT_FOUND,   YES,       FORBIDDEN),
    ("See revisions of own published article", see_own_published_revisions,
                                                            FORBIDDEN,   YES,       FORBIDDEN),
    ("Compare revisions of own draft", compare_own_draft_revisions,
                                                            YES,         YES,       FORBIDDEN),
    ("Compare revisions of another's draft", compare_rival_draft_revisions,
                                                            NOT_FOUND,   YES,       FORBIDDEN),
    ("Restore a revision of own draft", restore_own_draft_revision,
                                                            YES,         YES,       FORBIDDEN),
    ("Restore a revision of another's draft", restore_rival_draft_revision,
                                                            NOT_FOUND,   YES,       FORBIDDEN),
    ("Restore a revision of own published article", restore_own_published_revision,
                                                            FORBIDDEN,   YES,       FORBIDDEN),
    ("Restore another article's revision onto own draft", restore_rival_revision_onto_own_draft,
                                                            NOT_FOUND,   NOT_FOUND, FORBIDDEN),
    ("Author autocomplete", author_autocomplete,            YES,         YES,       FORBIDDEN),
    ("Autosave a new article", autosave_new_article,        YES,         YES,       FORBIDDEN),
    ("Autosave own draft", autosave_own_draft,              YES,         YES,       FORBIDDEN),
    ("Autosave another writer's draft", autosave_rival_draft,
                                                            NOT_FOUND,   YES,       FORBIDDEN),
    ("Upload an image (editor's JSON endpoint)", upload_image,
                                                            YES,         YES,       FORBIDDEN),
    ("Open the image picker", open_image_picker,            YES,         YES,       FORBIDDEN),
    ("Delete an unused image", delete_unused_image,         FORBIDDEN,   YES,       FORBIDDEN),
    ("Delete an image shown in an article", delete_image_used_in_body,
                                                            FORBIDDEN,   PROTECTED, FORBIDDEN),
    ("Delete an image shown in an article, via the list action",
        delete_image_used_in_body_via_action,
                                                            NOT_OFFERED, PROTECTED, FORBIDDEN),
    ("Delete an image shown in a page", delete_image_used_in_page,
                                                            FORBIDDEN,   PROTECTED, FORBIDDEN),
    ("Change an image shown in another's article", change_image_shown_in_an_article,
                                                            FORBIDDEN,   YES,       FORBIDDEN),
    ("Add a category", add_category,                        FORBIDDEN,   YES,       FORBIDDEN),
    ("See the comment moderation queue", see_moderation_queue,
                                                            FORBIDDEN,   FORBIDDEN, YES),
    ("Approve a held comment", approve_held_comment,        FORBIDDEN,   FORBIDDEN, YES),
]  # fmt: skip


def _cases():
    cases = []
    for action, perform, *expected in TABLE:
        for role, promised in zip(ROLES, expected, strict=True):
            cases.append(pytest.param(role, perform, promised, id=f"{action} [{role}]"))
    return cases


@pytest.mark.parametrize(("role", "perform", "promised"), _cases())
def test_permissions_table(client, newsroom_for, role, perform, promised):
    newsroom = newsroom_for(role)
    client.force_login(newsroom.me)

    assert perform(client, newsroom) == promised


def test_the_table_covers_every_role_for_every_action():
    names = [action for action, *_ in TABLE]
    assert len(names) == len(set(names))
    assert all(len(row) == 2 + len(ROLES) for row in TABLE)
