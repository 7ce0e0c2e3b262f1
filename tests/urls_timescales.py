"""The product's URLs plus the timescale settings pages, where mash/urls.py mounts them."""

from django.urls import include, path

from mash.urls import handler400, handler403, handler404, handler500  # noqa: F401
from mash.urls import urlpatterns as product_urlpatterns

urlpatterns = [
    path("settings/timescales/", include("mash.deadlines.urls_settings")),
    *product_urlpatterns,
]
