from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WordPressConfig(AppConfig):
    """Moving a WordPress site in: `manage.py import_wxr` and the old links that keep working.

    Used once per site to import, then only for the redirects of the old addresses.
    """

    default_auto_field = "django.db.models.BigAutoField"
    name = "wordpress"
    verbose_name = _("WordPress import")
