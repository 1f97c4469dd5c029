"""Old WordPress links keep working after `manage.py import_wxr`: each answers with a 301.

`/?p=<id>`, `/?page_id=<id>` and `/?cat=<id>` are looked up by WordPress ID; any other
address is looked up among the imported permalinks only once it has answered 404, so pages
that exist pay nothing.
"""

from django.db.models import Q
from django.http import HttpResponsePermanentRedirect

from .models import WordPressItem

# Query key → the kinds of imported item its ID can be.
QUERY_KINDS = {"p": ["post", "page"], "page_id": ["page"], "cat": ["category"]}


class WordPressLinksMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD") and request.path == "/":
            for key, kinds in QUERY_KINDS.items():
                value = request.GET.get(key, "")
                if value.isdigit() and len(value) < 19:  # a bigint, not an error
                    target = self.new_url(Q(kind__in=kinds, wp_id=int(value)))
                    if target:
                        return HttpResponsePermanentRedirect(target)
        response = self.get_response(request)
        # A path with a NUL byte was never a WordPress permalink (and PostgreSQL refuses it).
        if (
            response.status_code == 404
            and request.method in ("GET", "HEAD")
            and "\x00" not in request.path
        ):
            path = request.path
            other = path[:-1] if path.endswith("/") else f"{path}/"
            # `~Q(old_url="")` repeats the partial index's condition, which SQLite needs to use it.
            target = self.new_url(Q(old_url__in=[path, other]) & ~Q(old_url=""))
            if target and target != path:
                return HttpResponsePermanentRedirect(target)
        return response

    @staticmethod
    def new_url(condition) -> str | None:
        """The address of the public article, page or category imported as `condition`."""
        items = WordPressItem.objects.filter(condition).select_related(
            "article", "page", "category"
        )
        for item in items.order_by("-pk"):
            target = item.target  # drafts and unpublished pages are not given away
            if getattr(target, "is_published", True):
                return target.get_absolute_url()
        return None
