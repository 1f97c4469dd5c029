from django.contrib.syndication.views import Feed


class LatestCommentsFeed(Feed):
    title = link = description = ""

    def items(self):
        return []


class ArticleCommentsFeed(LatestCommentsFeed):
    def get_object(self, request, **kwargs):
        return None
