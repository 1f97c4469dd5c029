from django.urls import path

from config.urls import urlpatterns as site_urlpatterns

from . import views

urlpatterns = [
    path("_bench/minimal/", views.minimal, name="bench_minimal"),
    path("_bench/orm/<int:count>/", views.orm, name="bench_orm"),
    *site_urlpatterns,
]
