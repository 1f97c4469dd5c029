"""The cache versions blog pages are built on (core/caching.py): a page depends on what it shows.

Every reader page shows `caching.CONTENT` (navigation, category and tag names, disclaimers,
promotions, pages, images), which changes rarely. Besides it, an article page shows its
article, which articles come before and after it (`around`), those articles and its related
articles (each by `article`: their titles), and the related lists of its tags (`related`); a
list page shows its list. blog/signals.py bumps
exactly these when something changes, so an editor publishing an article makes the lists it
enters and its neighbours' pages stale, and leaves the long tail of the site cached.
"""

# The site-wide lists: home, search, date archives, feeds, the sitemap.
ARTICLES = "articles"


def article(article_id: int) -> str:
    """One public article, wherever it is shown whole or linked by title: its page, and its
    neighbours' and related articles' pages."""
    return f"article:{article_id}"


def around(article_id: int) -> str:
    """Which public articles come just before and after the article: its page links to them."""
    return f"around:{article_id}"


def related(tag_id: int) -> str:
    """Which earlier articles share this tag: the related lists of the articles tagged with it."""
    return f"related:{tag_id}"


def category_list(path: str) -> str:
    """The public articles in the category at `path` and below it."""
    return f"list:category:{path}"


def tag_list(tag_id: int) -> str:
    return f"list:tag:{tag_id}"


def author_list(user_id: int) -> str:
    return f"list:author:{user_id}"


def categories_and_parents(paths) -> set[str]:
    """The lists an article in the categories at `paths` is on: each category's, and its
    parents' (a category's page lists its subcategories' articles too)."""
    lists = set()
    for path in paths:
        parts = path.split("/")
        lists.update(category_list("/".join(parts[: i + 1])) for i in range(len(parts)))
    return lists


def likes(article_id: int) -> str:
    """Changes whenever the article is liked: its page shows the count."""
    return f"likes:{article_id}"
