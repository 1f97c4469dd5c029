"""Article search behind one function: PostgreSQL full-text search, or a simple LIKE search."""

from django.db import connection
from django.db.models import Case, F, IntegerField, Q, Value, When

from .text import clean_line

# Long or hostile queries are answered, not refused: only this much of them is used.
MAX_QUERY_LENGTH = 200
MAX_TERMS = 10


def clean_query(query: str) -> str:
    """The query as it is looked up and as the page shows it: one clean line (blog/text.py:
    no control character, which a page may not hold and PostgreSQL refuses as NUL), its spaces
    collapsed, and no longer than MAX_QUERY_LENGTH."""
    return " ".join(clean_line(query).split())[:MAX_QUERY_LENGTH]


def search_articles(queryset, query: str):
    """Filter `queryset` to articles matching `query`, best first (title > excerpt > body)."""
    query = clean_query(query)
    if not query:
        return queryset.none()
    if connection.vendor == "postgresql":
        return _postgres_search(queryset, query)
    return _simple_search(queryset, query)


def _postgres_search(queryset, query):
    from django.contrib.postgres.search import SearchQuery, SearchRank

    # The weighted vector (title A, excerpt B, body C) is kept by a trigger: migration 0003.
    search_query = SearchQuery(query, config="english", search_type="websearch")
    return (
        queryset.filter(search_vector=search_query)
        .annotate(rank=SearchRank(F("search_vector"), search_query))
        .order_by("-rank", "-published_at")
    )


def _simple_search(queryset, query):
    terms = query.split()[:MAX_TERMS]
    matches = Q()
    rank = Value(0)
    for term in terms:
        matches &= Q(title__icontains=term) | Q(excerpt__icontains=term) | Q(body__icontains=term)
        for field, weight in (("title", 100), ("excerpt", 10), ("body", 1)):
            rank = rank + Case(
                When(**{f"{field}__icontains": term}, then=Value(weight)),
                default=Value(0),
                output_field=IntegerField(),
            )
    return queryset.filter(matches).annotate(rank=rank).order_by(F("rank").desc(), "-published_at")
