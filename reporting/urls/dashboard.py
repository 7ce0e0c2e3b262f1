"""Routes of the dashboard pages."""

from django.urls import URLPattern, path

from ..views import dashboard

urlpatterns: list[URLPattern] = [
    path("", dashboard.dashboard, name="dashboard"),
]
