from django.conf import settings
from django.core.checks import Info, register


@register()
def akismet_configured(app_configs, **kwargs):
    if settings.AKISMET_API_KEY:
        return []
    return [
        Info(
            "AKISMET_API_KEY is not set: Akismet is off and only the site's own moderation "
            "rules screen comments.",
            hint="Get a key at akismet.com and set AKISMET_API_KEY.",
            id="comments.I001",
        )
    ]
