"""The sample site the browser tests read: every kind of public page, with something on it."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from comments.models import Comment
from tests.factories import (
    default_author,
    make_article,
    make_category,
    make_disclaimer,
    make_image,
    make_page,
    make_promotion,
)

# Long enough that the body wraps over several lines at every width, as real columns do.
PARAGRAPH = (
    "Cities that planned for cars are learning, slowly and at great expense, to plan for people "
    "again. The change is not only a matter of bicycle lanes and wider pavements; it is a change "
    "in who the street is understood to belong to, and in what the council is for. Ask anyone "
    "who has tried to cross a six-lane road with a pram, and you will hear the whole argument."
)
BODY = "".join(
    [
        f"<p>{PARAGRAPH}</p>",
        "<h2>What the numbers say</h2>",
        f"<p>{PARAGRAPH}</p>",
        "<blockquote><p>A street is a room by agreement.</p></blockquote>",
        "<ul><li>Fewer crossings</li><li>Slower traffic</li><li>More trees</li></ul>",
        f"<p>{PARAGRAPH}</p>",
    ]
)


@dataclass
class SampleSite:
    article: object
    other: object
    comments: list = field(default_factory=list)
    pages: dict = field(default_factory=dict)  # name → path, one per kind of public page


def approved_comment(article, name, content, *, parent=None):
    return Comment.objects.create(
        article=article,
        parent=parent,
        author_name=name,
        author_email=f"{name.split()[0].lower()}@example.com",
        content=content,
        status=Comment.Status.APPROVED,
        verdict=Comment.Verdict.HAM,
        reason="Akismet: not spam; returning commenter",
        submitted_at=timezone.now() - timedelta(minutes=30),
    )


def build_site() -> SampleSite:
    """Two articles (one with a featured image, a thread of comments, a disclaimer and a
    promotion), a category with a sub-category, tags, an author and an About page."""
    author = default_author()
    city = make_category("Cities", description="How we live together.")
    transport = make_category("Transport", parent=city)
    opinion = make_category("Opinion")
    make_disclaimer(is_default=True)
    make_promotion()
    other = make_article(
        "The quiet return of the tram",
        categories=[city],
        tags=["trams", "urbanism"],
        published_at=timezone.now() - timedelta(days=2),
    )
    article = make_article(
        "Streets are for people",
        excerpt="A city's roads tell you who it thinks it is for.",
        categories=[transport, opinion],
        tags=["urbanism", "walking", "councils"],
        featured_image=make_image("A wide pavement lined with young trees"),
        body=BODY,
    )
    grace = approved_comment(article, "Grace Hopper", "A fine argument, well made.")
    reply = approved_comment(article, "Alan Turing", "I am not so sure.", parent=grace)
    ada = approved_comment(article, "Ada Byron", "More trees, always.")
    about = make_page("About", body=f"<p>{PARAGRAPH}</p>", is_published=True)
    year = timezone.localtime(article.published_at).year
    return SampleSite(
        article=article,
        other=other,
        comments=[grace, reply, ada],
        pages={
            "home": "/",
            "article": article.get_absolute_url(),
            "category": transport.get_absolute_url(),
            "tag": "/tag/urbanism/",
            "author": f"/author/{author.username}/",
            "archive": f"/{year}/",
            "search": "/?s=streets",
            "page": about.get_absolute_url(),
            "404": "/no-such-page/",
        },
    )
