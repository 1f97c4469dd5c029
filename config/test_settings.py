"""Settings for the test suite: production's, with only what a test run needs changed.

Every test run gets its own database, cache directory and cache key prefix, so two runs on one
machine (or one PostgreSQL and Redis) never meet. The cache backend is production's: the disk
cache without REDIS_URL, Redis with it. Nothing here depends on pytest being loaded.
"""

import os
import tempfile
from pathlib import Path

_run = f"broadsheet-test-{os.getpid()}"
os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-" + "x" * 50)
os.environ.setdefault("CACHE_DIR", str(Path(tempfile.gettempdir()) / f"{_run}-cache"))
os.environ.setdefault("CACHE_KEY_PREFIX", _run)

from .settings import *  # noqa: E402, F403
from .settings import DATABASES, STORAGES  # noqa: E402

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not shared-cache memory, so tests against a live server lock like production.
    DATABASES["default"]["TEST"] = {"NAME": str(Path(tempfile.gettempdir()) / f"{_run}.sqlite3")}
else:
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{os.getpid()}"}

# Tests render templates without running collectstatic first.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
