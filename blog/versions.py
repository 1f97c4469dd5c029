"""The cache versions blog pages are built on, besides the site's `content` (core/caching.py)."""


def likes(article_id: int) -> str:
    """Changes whenever the article is liked: its page shows the count."""
    return f"likes:{article_id}"
