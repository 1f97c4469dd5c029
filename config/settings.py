"""Broadsheet settings: one file, driven by the environment.

Every variable read here is listed, with its default, in README.md and .env.example.
"""

import json
import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name, default=""):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG")

SECRET_KEY = env("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it to a long random string, "
            "or set DJANGO_DEBUG=1 for local development."
        )
    # Only ever used with DEBUG on, never in production.
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"

SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = env("SITE_NAME", "Broadsheet")
_site = urlsplit(SITE_URL)

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
if _site.hostname and _site.hostname not in ALLOWED_HOSTS:
    ALLOWED_HOSTS.append(_site.hostname)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "taggit",
    "reversion",
    "django_prose_editor",
    # Readers sign in to comment with an account they already have (comments/accounts.py).
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.github",
    "allauth.socialaccount.providers.google",
    "allauth.socialaccount.providers.facebook",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "core",
    "blog",
    "comments",
    "wordpress",
    # `manage.py demo` and `generate_content`; no models or URLs, not needed in production.
    "demo",
]

MIDDLEWARE = [
    "config.request_log.RequestLogMiddleware",
    # An anonymous reader's page from the cache, with the headers the middleware below gave it
    # when it was drawn: a cached page skips them all.
    "core.page_cache.PageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # ETag on every response; an unchanged feed or page answers 304 Not Modified.
    "django.middleware.http.ConditionalGetMiddleware",
    "csp.middleware.CSPMiddleware",
    "comments.accounts.SignInPagesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so it sees a 404 before CommonMiddleware's slash redirect: old WordPress links.
    "wordpress.middleware.WordPressLinksMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "blog.context_processors.site",
            ],
        },
    },
    {
        # Only where asked for by name (`using="jinja2"`): see config/jinja2.py.
        "NAME": "jinja2",
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "config.jinja2.environment"},
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(env("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers wait for each other instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "config.redis_cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", "broadsheet"),
        }
    }
else:
    # One box: a SQLite-backed cache on disk that every process on it shares (gunicorn workers,
    # db_worker), so a change seen by one is seen by all. Its add() and incr() are atomic and
    # it never evicts a live key: flood windows, sign-in failures and cache versions hold until
    # they expire. Expired entries are dropped as new ones are written.
    CACHES = {
        "default": {
            "BACKEND": "config.disk_cache.DiskCache",
            "LOCATION": env("CACHE_DIR", str(BASE_DIR / ".cache")),
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", "broadsheet"),
            "SHARDS": 4,
            # Seconds a process waits for another's write before a read counts as a miss.
            "DATABASE_TIMEOUT": 1.0,
            "OPTIONS": {"eviction_policy": "none"},
        }
    }

# Anonymous reader pages: kept whole in the cache above for this many seconds at most (0: off),
# though any change to what a page shows replaces it at once (core/page_cache.py). HTTP caches
# in front may keep them PAGE_CACHE_SHARED_SECONDS, and serve them stale while they refresh.
PAGE_CACHE_SECONDS = int(env("PAGE_CACHE_SECONDS", "300"))
# A page an app server served lately is checked against the shared versions at most this often:
# a change made on another server shows there within this time (on the same server, at once).
PAGE_CACHE_RECHECK_SECONDS = float(env("PAGE_CACHE_RECHECK_SECONDS", "0.5"))
# A like shows on its article's cached page within this many seconds (at most one redraw per
# article per window, however many readers press the button); the liker sees it at once.
PAGE_CACHE_LIKES_SECONDS = float(env("PAGE_CACHE_LIKES_SECONDS", "10"))
# Likes from one address (core/client.py) in a minute, across all articles.
LIKES_PER_MINUTE = int(env("LIKES_PER_MINUTE", "30"))
# How often the article edit form keeps a copy of unsaved changes (blog/static/blog/editor.js).
ARTICLE_AUTOSAVE_SECONDS = int(env("ARTICLE_AUTOSAVE_SECONDS", "30"))
PAGE_CACHE_SHARED_SECONDS = int(env("PAGE_CACHE_SHARED_SECONDS", "60"))
PAGE_CACHE_STALE_SECONDS = int(env("PAGE_CACHE_STALE_SECONDS", "300"))

TASKS = {
    "default": {
        "BACKEND": env("TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend"),
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = env("LANGUAGE_CODE", "en-us")
TIME_ZONE = env("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": env("STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage")},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))
# Let Django serve uploaded media (one-box sites); turn off when the web server or a CDN does.
SERVE_MEDIA = env_bool("SERVE_MEDIA", True)

# Uploaded images: refuse files larger than this many bytes or pixels (decompression bombs).
IMAGE_MAX_BYTES = int(env("IMAGE_MAX_BYTES", str(10 * 1024 * 1024)))
IMAGE_MAX_PIXELS = int(env("IMAGE_MAX_PIXELS", str(40_000_000)))
DATA_UPLOAD_MAX_MEMORY_SIZE = IMAGE_MAX_BYTES + 1024 * 1024

# Security: secure by default whenever DEBUG is off; each switch can be turned off on its own.
_https = _site.scheme == "https"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", _https and not DEBUG)
# A load balancer checks health over plain http, straight to the app server.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "31536000" if _https and not DEBUG else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", SECURE_HSTS_SECONDS > 0)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", _https and not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", _https and not DEBUG)
if env_bool("SECURE_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# The proxies in front (nginx, a load balancer): IP addresses or networks, comma-separated.
# A request from one of them is from the address it puts in X-Forwarded-For; any other request
# is from its own peer address, whatever headers it sends (core/client.py). None by default,
# so a site reached directly cannot be fooled by a forged header.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")

# Akismet (see comments/spam.py). Without a key, Akismet is off and the site rules decide.
AKISMET_API_KEY = env("AKISMET_API_KEY")
AKISMET_SITE_URL = env("AKISMET_SITE_URL", SITE_URL)
AKISMET_API_URL = env("AKISMET_API_URL", "https://rest.akismet.com")
AKISMET_TIMEOUT = float(env("AKISMET_TIMEOUT", "5"))
AKISMET_IS_TEST = env_bool("AKISMET_IS_TEST")

# Comments: the flood window, and how long spam, trash and Akismet payloads are kept.
COMMENTS_FLOOD_SECONDS = int(env("COMMENTS_FLOOD_SECONDS", "15"))
COMMENTS_SPAM_DAYS = int(env("COMMENTS_SPAM_DAYS", "15"))
COMMENTS_TRASH_DAYS = int(env("COMMENTS_TRASH_DAYS", "30"))
COMMENTS_PAYLOAD_DAYS = int(env("COMMENTS_PAYLOAD_DAYS", "15"))
# Moderators get at most one email about held comments in this many minutes.
COMMENTS_NOTIFY_MINUTES = int(env("COMMENTS_NOTIFY_MINUTES", "10"))
# Readers' sign-in (django-allauth): no provider is on unless configured here. Readers never
# get a password (no local sign-up); they use a provider or a one-time link by email.
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
ACCOUNT_ADAPTER = "comments.accounts.ReaderAccountAdapter"
SOCIALACCOUNT_ADAPTER = "comments.accounts.ReaderSocialAccountAdapter"
# Social accounts only: allauth's own sign-in (by password or by a code emailed), password reset,
# sign-up form and email management are not served at all (/accounts/login/ only lists the
# providers). Readers' one-time links are the site's own (/accounts/email-link/), never for staff.
SOCIALACCOUNT_ONLY = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = False
# A signed-in reader who follows "Change" sees the ways in, to sign in another way.
ACCOUNT_AUTHENTICATED_LOGIN_REDIRECTS = False
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https") else "http"
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # an email match never signs anyone in
SOCIALACCOUNT_LOGIN_ON_GET = False  # a provider button leads to a page that POSTs (no login CSRF)
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_PROVIDERS = {}
# Any standard OpenID Connect issuer, as JSON: [{"id": "wpcom", "name": "WordPress.com",
# "server_url": "https://…", "client_id": "…", "secret": "…"}].
_oidc = json.loads(env("OIDC_PROVIDERS", "[]") or "[]")
if _oidc:
    SOCIALACCOUNT_PROVIDERS["openid_connect"] = {
        "OAUTH_PKCE_ENABLED": True,
        "APPS": [
            {
                "provider_id": p["id"],
                "name": p["name"],
                "client_id": p["client_id"],
                "secret": p.get("secret", ""),
                "settings": {"server_url": p["server_url"], "oauth_pkce_enabled": True},
            }
            for p in _oidc
        ],
    }
for _name in ("github", "google", "facebook"):
    if env(f"{_name.upper()}_CLIENT_ID"):
        SOCIALACCOUNT_PROVIDERS[_name] = {
            "APPS": [
                {
                    "client_id": env(f"{_name.upper()}_CLIENT_ID"),
                    "secret": env(f"{_name.upper()}_SECRET", ""),
                }
            ]
        }
# A one-time sign-in link by email works for this many minutes.
EMAIL_LINK_MINUTES = int(env("EMAIL_LINK_MINUTES", "15"))

# Commenters' faces: "identicon" (drawn here, no third party) or "gravatar" (opt-in).
AVATARS = env("AVATARS", "identicon")
# A follower of a discussion gets at most one email about it in this window.
COMMENTS_FOLLOW_UP_MINUTES = int(env("COMMENTS_FOLLOW_UP_MINUTES", "15"))
# Requests to follow (from the comment form or the follow form) one address may make an hour.
FOLLOW_REQUESTS_PER_HOUR = int(env("FOLLOW_REQUESTS_PER_HOUR", "20"))

EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", f"noreply@{_site.hostname or 'localhost'}")
# The SMTP relay (with the SMTP backend).
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
EMAIL_TIMEOUT = int(env("EMAIL_TIMEOUT", "10"))

# Sign-in to the admin: this many failures per IP or per username within the window lock it.
LOGIN_FAILURE_LIMIT = int(env("LOGIN_FAILURE_LIMIT", "5"))
LOGIN_FAILURE_WINDOW = int(env("LOGIN_FAILURE_WINDOW", "900"))

# Reader pages run no inline script or style; the admin keeps Django's own defaults.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/admin/"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "https:"],
        "frame-src": [
            "https://www.youtube.com",
            "https://www.youtube-nocookie.com",
            "https://player.vimeo.com",
            "https://w.soundcloud.com",
            "https://open.spotify.com",
        ],  # fmt: skip
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "config.request_log.RequestIdFilter"}},
    "formatters": {
        "line": {"format": "{asctime} {levelname} {name} [{request_id}] {message}", "style": "{"}
    },
    "handlers": {
        "stdout": {"class": "logging.StreamHandler", "formatter": "line", "filters": ["request_id"]}
    },
    "root": {"handlers": ["stdout"], "level": env("LOG_LEVEL", "INFO")},
    # Django logs every 4xx; our request log has one line a request already.
    "loggers": {"django.request": {"level": "ERROR"}, "httpx": {"level": "WARNING"}},
}
