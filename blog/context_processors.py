from django.conf import settings

from .models import Category


def site(request):
    """What every page's masthead and footer show."""
    return {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
        "nav_categories": Category.objects.filter(parent=None).only("name", "path"),
    }
