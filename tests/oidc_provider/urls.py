import io

from django.contrib.auth.views import LoginView
from django.http import HttpResponse
from django.urls import include, path
from PIL import Image


def picture(request):
    """Pat's picture: a 200 × 160 image with camera data, as a provider serves one."""
    image = Image.new("RGB", (200, 160), (30, 120, 200))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG")
    return HttpResponse(buffer.getvalue(), content_type="image/jpeg")


urlpatterns = [
    path("picture.png", picture),
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    path("login/", LoginView.as_view(), name="login"),
]
