from django.http import HttpResponse

from blog.models import Article


def minimal(request):
    """The floor: the same server and middleware as every page, with no query and no template."""
    return HttpResponse("ok", content_type="text/plain")


def orm(request, count):
    """The minimal view and `count` ORM queries of one article's row, with no template: what
    a page pays for its queries alone (the cold suite shows a cold page beside it)."""
    for _ in range(count):
        Article.objects.order_by("pk").first()
    return HttpResponse("ok", content_type="text/plain")
