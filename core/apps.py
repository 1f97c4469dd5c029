from django.apps import AppConfig


class CoreConfig(AppConfig):
    """What every app of the site shares: versioned caching and the whole-page cache.

    It knows no app above it: the apps tell it what changes by the clock
    (`caching.schedule`) and what makes a page personal (`page_cache.personal_cookie`).
    """

    name = "core"
    verbose_name = "Core"
