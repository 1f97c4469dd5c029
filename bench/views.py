from django.http import HttpResponse


def minimal(request):
    """The floor: the same server and middleware as every page, with no query and no template."""
    return HttpResponse("ok", content_type="text/plain")
