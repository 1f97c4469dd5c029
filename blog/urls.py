from django.urls import path

from . import converters, feeds, views  # noqa: F401 (converters registers the URL converters)

app_name = "blog"


def listing(route, view, name, feed=None):
    """A list page, its `page/N/` pages and, when given, its feed."""
    # The page and feed routes come first: a category path would also match their endings.
    patterns = [path(f"{route}page/<int:page>/", view, name=name)]
    if feed:
        patterns.append(path(f"{route}feed/", feed, name=f"{name}_feed"))
    return [*patterns, path(route, view, name=name)]


article = "<yyyy:year>/<mm:month>/<mm:day>/<uslug:slug>/"

urlpatterns = [
    path("feed/", feeds.LatestArticlesFeed(), name="feed"),
    path("feed/atom/", feeds.LatestArticlesAtomFeed(), name="feed_atom"),
    *listing("", views.home, "home"),
    *listing(
        "category/<catpath:path>/", views.CategoryView.as_view(), "category", feeds.CategoryFeed()
    ),
    *listing("tag/<uslug:slug>/", views.TagView.as_view(), "tag", feeds.TagFeed()),
    *listing(
        "author/<username:username>/", views.AuthorView.as_view(), "author", feeds.AuthorFeed()
    ),
    path(article, views.ArticleView.as_view(), name="article"),
    path(f"{article}like/", views.like, name="like"),
    *listing("<yyyy:year>/<mm:month>/<mm:day>/", views.DateArchiveView.as_view(), "day"),
    *listing("<yyyy:year>/<mm:month>/", views.DateArchiveView.as_view(), "month"),
    *listing("<yyyy:year>/", views.DateArchiveView.as_view(), "year"),
    path("<slug:slug>/", views.PageView.as_view(), name="page"),
]
