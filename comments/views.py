from django.http import Http404


def post_comment(request):
    raise Http404


def permalink(request, pk):
    raise Http404
