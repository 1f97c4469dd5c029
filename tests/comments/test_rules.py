"""The site's own moderation rules: through posting a comment, through the admin form that
edits them, and as the pure functions of comments/moderation.py."""

import datetime
from types import SimpleNamespace

import pytest

from comments import moderation
from comments.models import Comment, ModerationSettings
from tests.comments.conftest import posted
from tests.factories import make_moderator

SETTINGS_URL = "/admin/comments/moderationsettings/1/change/"


def set_rules(**values):
    rules = ModerationSettings.load()
    for name, value in values.items():
        setattr(rules, name, value)
    rules.save()


# Through posting ---------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("word", "typed"),
    [
        ("viagra", {"name": "Viagra Seller"}),
        ("viagra", {"email": "viagra@example.com"}),
        ("viagra", {"url": "https://VIAGRA.example/"}),
        ("viagra", {"content": "Cheap Viagra here"}),
        ("203.0.113.66", {"ip": "203.0.113.66"}),
        ("evilbot", {"user_agent": "Mozilla/5.0 (compatible; EvilBot/2.1)"}),
    ],
    ids=["name", "email", "url", "text", "ip", "user-agent"],
)
def test_disallowed_word_makes_spam_without_asking_akismet(
    akismet, post, article, ada_returns, word, typed
):
    set_rules(disallowed_words=f"something else\n{word}\n")

    comment = posted(post(article, **typed))

    assert (comment.status, comment.verdict) == (Comment.Status.SPAM, Comment.Verdict.SKIPPED)
    assert comment.reason == f"disallowed word '{word}'"
    assert akismet.requests == []


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["name", "email", "url", "content"])
def test_moderation_word_holds_a_returning_commenter(akismet, post, article, field):
    set_rules(moderation_words="casino")
    value = {
        "name": "Casino Fan",
        "email": "casino@example.com",
        "url": "https://casino.example/",
        "content": "I won at the CASINO",
    }[field]
    # Ada is known under the name and email she posts with.
    Comment.objects.create(
        article=article,
        status=Comment.Status.APPROVED,
        author_name=value if field == "name" else "Ada Lovelace",
        author_email=value if field == "email" else "ada@example.com",
        content="Earlier.",
    )

    comment = posted(post(article, **{field: value}))

    assert comment.status == Comment.Status.HELD
    assert comment.reason == "moderation word 'casino'"
    assert len(akismet.received("comment-check")) == 1


@pytest.mark.django_db
def test_two_links_hold_a_comment(post, article, ada_returns):
    comment = posted(post(article, content="See https://a.example and www.b.example"))

    assert comment.status == Comment.Status.HELD
    assert comment.reason == "2 links (limit 2)"


@pytest.mark.django_db
def test_one_link_is_fine(post, article, ada_returns):
    comment = posted(post(article, content="See https://a.example"))

    assert comment.status == Comment.Status.APPROVED


@pytest.mark.django_db
def test_link_limit_zero_turns_the_rule_off(post, article, ada_returns):
    set_rules(link_limit=0)

    comment = posted(post(article, content=" ".join(f"https://{n}.example" for n in range(9))))

    assert comment.status == Comment.Status.APPROVED


@pytest.mark.django_db
def test_hold_all_holds_even_returning_commenters(post, article, ada_returns):
    set_rules(hold_all=True)

    comment = posted(post(article))

    assert (comment.status, comment.reason) == (
        Comment.Status.HELD,
        "every comment is held for review",
    )


@pytest.mark.django_db
def test_first_time_commenter_is_held_and_returning_one_approved(post, article, time_passes):
    first = posted(post(article, content="Hello."))
    assert (first.status, first.reason) == (Comment.Status.HELD, "first-time commenter")
    time_passes()
    assert posted(post(article, content="Again.")).status == Comment.Status.HELD

    Comment.objects.filter(pk=first.pk).update(status=Comment.Status.APPROVED)
    time_passes()
    again = posted(post(article, content="Back again.", email="ADA@example.com"))

    assert (again.status, again.reason) == (
        Comment.Status.APPROVED,
        "site rules; returning commenter",
    )


@pytest.mark.django_db
def test_akismet_ham_approves_a_returning_commenter(akismet, post, article, ada_returns):
    comment = posted(post(article))

    assert (comment.status, comment.verdict, comment.reason) == (
        Comment.Status.APPROVED,
        Comment.Verdict.HAM,
        "Akismet: not spam; returning commenter",
    )


@pytest.mark.django_db
def test_akismet_spam_beats_a_returning_commenter(akismet, post, article):
    Comment.objects.create(
        article=article,
        status=Comment.Status.APPROVED,
        author_name="akismet-guaranteed-spam",
        author_email="ada@example.com",
        content="Earlier.",
    )

    comment = posted(post(article, name="akismet-guaranteed-spam"))

    assert (comment.status, comment.reason) == (Comment.Status.SPAM, "Akismet: spam")


@pytest.mark.django_db
def test_without_hold_first_time_a_newcomer_is_approved(post, article):
    set_rules(hold_first_time=False)

    comment = posted(post(article))

    assert (comment.status, comment.reason) == (Comment.Status.APPROVED, "site rules")


# Through the admin -------------------------------------------------------------------------


@pytest.fixture
def moderator_client(client, rules):
    client.force_login(make_moderator())
    return client


def settings_form(**changes):
    """The moderation settings form as the admin shows it by default, with `changes`."""
    data = {
        "disallowed_words": "",
        "moderation_words": "",
        "link_limit": 2,
        "hold_first_time": "on",
        "close_after_days": "",
        "thread_depth": 5,
        "per_page": 50,
        "notify_moderators": "on",
        "notify_authors": "on",
        "_save": "Save",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not False}


@pytest.mark.django_db
def test_moderator_opens_the_settings_from_the_admin(moderator_client):
    response = moderator_client.get("/admin/comments/moderationsettings/", follow=True)

    assert response.redirect_chain[-1][0] == SETTINGS_URL
    assert response.status_code == 200


@pytest.mark.django_db
def test_rules_saved_in_the_admin_take_effect(
    moderator_client, post, stranger, article, ada_returns
):
    response = moderator_client.post(
        SETTINGS_URL, settings_form(moderation_words="casino\npoker", disallowed_words="viagra")
    )
    assert response.status_code == 302

    held = posted(post(article, browser=stranger, content="Poker night?"))
    spam = posted(post(article, browser=stranger, content="viagra!", email="v@example.com"))

    assert (held.status, held.reason) == (Comment.Status.HELD, "moderation word 'poker'")
    assert (spam.status, spam.reason) == (Comment.Status.SPAM, "disallowed word 'viagra'")


@pytest.mark.django_db
def test_hold_first_time_unticked_in_the_admin_approves_newcomers(
    moderator_client, post, stranger, article
):
    moderator_client.post(SETTINGS_URL, settings_form(hold_first_time=False))

    assert posted(post(article, browser=stranger)).status == Comment.Status.APPROVED


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("depth", "error"),
    [
        (1, "Ensure this value is greater than or equal to 2."),
        (11, "Ensure this value is less than or equal to 10."),
    ],
)
def test_thread_depth_outside_2_to_10_is_refused(moderator_client, depth, error):
    response = moderator_client.post(SETTINGS_URL, settings_form(thread_depth=depth))

    assert response.status_code == 200
    assert error in response.content.decode()
    assert ModerationSettings.load().thread_depth == 5


# The pure rules ----------------------------------------------------------------------------


def rules_like(**values):
    """The rules as moderation.py reads them, without a database."""
    return ModerationSettings(**values)


def fields(**values):
    return {"name": "Ada", "email": "ada@example.com", "url": "", "content": "Hi", **values}


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("no links", 0),
        ("https://a.example", 1),
        ("http://a.example and WWW.b.example", 2),
        ('<a href="x">x</a>', 1),
        ("https://a.example/?next=https://b.example", 1),
    ],
)
def test_count_links(text, count):
    assert moderation.count_links(text) == count


def test_find_word_is_case_insensitive_and_looks_in_every_field():
    rules = rules_like(moderation_words="  Casino \n\npoker\n")

    assert rules.moderated == ["casino", "poker"]
    assert moderation.find_word(rules.moderated, "ada", "I like POKER") == "poker"
    assert moderation.find_word(rules.moderated, "ada", "chess") is None


@pytest.mark.parametrize(
    ("verdict", "rules", "approved_before", "expected"),
    [
        ("spam", {}, True, ("spam", "Akismet: spam")),
        ("discard", {}, True, ("spam", "Akismet: blatant spam (discard)")),
        ("ham", {"moderation_words": "hi"}, True, ("held", "moderation word 'hi'")),
        ("ham", {"hold_all": True}, True, ("held", "every comment is held for review")),
        ("ham", {}, False, ("held", "first-time commenter")),
        ("ham", {}, True, ("approved", "Akismet: not spam; returning commenter")),
        ("skipped", {"hold_first_time": False}, False, ("approved", "site rules")),
    ],
)
def test_decide(verdict, rules, approved_before, expected):
    decision = moderation.decide(
        fields(), rules_like(**rules), verdict=verdict, approved_before=approved_before
    )

    assert (decision.status, decision.reason) == expected


def test_screen_checks_ip_and_browser_too():
    rules = rules_like(disallowed_words="192.0.2.9\nbadbot")

    assert moderation.screen(fields(ip="192.0.2.9"), rules).status == "spam"
    assert moderation.screen(fields(user_agent="BadBot/1"), rules).status == "spam"
    assert moderation.screen(fields(), rules) is None


NOW = datetime.datetime(2025, 6, 1, 12, 0, tzinfo=datetime.UTC)
MINUTE = datetime.timedelta(minutes=1)


@pytest.mark.parametrize(("attempts", "minutes"), [(1, 1), (2, 5), (3, 20), (4, 20), (40, 20)])
def test_next_retry_backs_off(attempts, minutes):
    assert moderation.next_retry(attempts=attempts, submitted_at=NOW, now=NOW) == NOW + (
        minutes * MINUTE
    )


def test_next_retry_gives_up_after_15_days():
    submitted = NOW - datetime.timedelta(days=15) + 30 * MINUTE

    assert moderation.next_retry(attempts=9, submitted_at=submitted, now=NOW) == NOW + 20 * MINUTE
    assert moderation.next_retry(attempts=9, submitted_at=submitted, now=NOW + 11 * MINUTE) is None


def public_article(**values):
    defaults = {"pk": 1, "is_published": True, "comments_open": True,
                "published_at": NOW - datetime.timedelta(days=3)}  # fmt: skip
    return SimpleNamespace(**{**defaults, **values})


@pytest.mark.parametrize(
    ("article", "rules", "refused"),
    [
        (public_article(), {}, False),
        (public_article(comments_open=False), {}, True),
        (public_article(), {"close_after_days": 2}, True),
        (public_article(), {"close_after_days": 3}, False),
    ],
)
def test_comments_closed(article, rules, refused):
    assert moderation.comments_closed(article, rules_like(**rules), NOW) is refused


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({}, None),
        ({"article": public_article(is_published=False)}, 404),
        ({"article": public_article(comments_open=False)}, 403),
        ({"honeypot": "x"}, 400),
        ({"signed_age": None}, 400),
        ({"signed_age": datetime.timedelta(hours=2, seconds=1)}, 400),
        ({"parent": SimpleNamespace(article_id=2, status="approved")}, 400),
        ({"parent": SimpleNamespace(article_id=1, status="held")}, 400),
        ({"parent": SimpleNamespace(article_id=1, status="approved")}, None),
    ],
)
def test_refusal(change, status):
    arguments = {
        "article": public_article(),
        "rules": rules_like(),
        "now": NOW,
        "honeypot": "",
        "signed_age": datetime.timedelta(minutes=5),
        "parent": None,
        **change,
    }

    refused = moderation.refusal(**arguments)

    assert (refused.status if refused else None) == status
