from django.apps import AppConfig


class DemoConfig(AppConfig):
    """`manage.py demo` and `manage.py generate_content`: content to try the site with.

    No models, no URLs: a production site may leave it out of INSTALLED_APPS.
    """

    name = "demo"
    verbose_name = "Demo content"
