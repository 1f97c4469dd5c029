from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve

from blog.sitemaps import sitemap, sitemaps
from blog.views import robots_txt
from config.health import healthz
from config.login import RateLimitedAuthenticationForm
from core.page_cache import reader_page

admin.site.login_form = RateLimitedAuthenticationForm

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("sitemap.xml", reader_page(sitemap), {"sitemaps": sitemaps}, name="sitemap"),
    path("robots.txt", reader_page(robots_txt), name="robots"),
    path("accounts/", include("allauth.urls")),
    path("", include("comments.urls")),
    path("", include("blog.urls")),
]

if settings.DEBUG or settings.SERVE_MEDIA:
    # Uploaded media from the filesystem; a real deployment lets the web server do this.
    urlpatterns.insert(
        0,
        path(
            f"{settings.MEDIA_URL.lstrip('/')}<path:path>",
            serve,
            {"document_root": settings.MEDIA_ROOT},
        ),
    )
