from django.urls import path

from core.page_cache import reader_page

from . import converters, feeds, views  # noqa: F401 (converters registers the URL converters)

app_name = "blog"


def listing(route, view, name, feed=None):
    """A list page, its `page/N/` pages and, when given, its feed."""
    view = reader_page(view)
    # The page and feed routes come first: a category path would also match their endings.
    patterns = [path(f"{route}page/<int:page>/", view, name=name)]
    if feed:
        patterns.append(path(f"{route}feed/", reader_page(feed), name=f"{name}_feed"))
    return [*patterns, path(route, view, name=name)]


article = "<yyyy:year>/<mm:month>/<mm:day>/<uslug:slug>/"

urlpatterns = [
    path("feed/", reader_page(feeds.LatestArticlesFeed()), name="feed"),
    path("feed/atom/", reader_page(feeds.LatestArticlesAtomFeed()), name="feed_atom"),
    *listing("", views.home, "home"),
    *listing(
        "category/<catpath:path>/", views.CategoryView.as_view(), "category", feeds.CategoryFeed()
    ),
    *listing("tag/<uslug:slug>/", views.TagView.as_view(), "tag", feeds.TagFeed()),
    *listing(
        "author/<username:username>/", views.AuthorView.as_view(), "author", feeds.AuthorFeed()
    ),
    path(article, reader_page(views.ArticleView.as_view()), name="article"),
    path(f"{article}like/", views.like, name="like"),
    *listing("<yyyy:year>/<mm:month>/<mm:day>/", views.DateArchiveView.as_view(), "day"),
    *listing("<yyyy:year>/<mm:month>/", views.DateArchiveView.as_view(), "month"),
    *listing("<yyyy:year>/", views.DateArchiveView.as_view(), "year"),
    path("<slug:slug>/", reader_page(views.PageView.as_view()), name="page"),
]
