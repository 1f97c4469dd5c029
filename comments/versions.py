"""The cache versions comment sections and feeds are built on (see core/caching.py)."""

# Changes whenever any comment does: the site-wide comments feed.
COMMENTS = "comments"


def thread(article_id: int) -> str:
    """Changes whenever a comment on the article does: its comment section and feed."""
    return f"comments:{article_id}"
