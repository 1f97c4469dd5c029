from django.conf import settings
from django.utils.functional import SimpleLazyObject

from core import caching

from .models import Category


def _top_level_categories():
    return list(Category.objects.filter(parent=None).only("name", "path"))


def site(request):
    """What every page's masthead and footer show; the sections change rarely, so cached."""
    return {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
        "nav_categories": SimpleLazyObject(lambda: caching.cached(("nav",), _top_level_categories)),
    }
