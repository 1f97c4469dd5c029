from django.urls import path, register_converter

import blog.converters  # noqa: F401 (registers the URL converters)
from core.page_cache import reader_page

from . import accounts, feeds, views


class Hex32:
    regex = "[0-9a-f]{32}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(Hex32, "hex32")

app_name = "comments"

article = "<yyyy:year>/<mm:month>/<mm:day>/<uslug:slug>/"

urlpatterns = [
    path("comments/post/", views.post_comment, name="post"),
    path("comments/<int:pk>/", views.permalink, name="permalink"),
    path("comments/follow/", views.follow, name="follow"),
    path("comments/avatar/<hex32:key>.svg", views.avatar, name="avatar"),
    path("comments/follow/<str:token>/", views.follow_confirm, name="follow_confirm"),
    path("comments/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("accounts/email-link/", accounts.email_link, name="email_link"),
    path("accounts/email-link/<str:token>/", accounts.email_link_signin, name="email_link_signin"),
    path("your-data/", views.privacy_request, name="privacy"),
    path("your-data/<str:token>/", views.privacy_confirm, name="privacy_confirm"),
    path(
        "your-data/<str:token>/export.<str:kind>",
        views.privacy_download,
        name="privacy_download",
    ),
    path("comments/feed/", reader_page(feeds.LatestCommentsFeed()), name="feed"),
    path(f"{article}feed/", reader_page(feeds.ArticleCommentsFeed()), name="article_feed"),
]
