"""The real settings, plus a URL conf with a minimal view to measure the page costs against."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
