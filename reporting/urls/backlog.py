"""Routes of the backlog pages."""

from django.urls import URLPattern, path

from ..views import backlog

urlpatterns: list[URLPattern] = [
    path("backlog/", backlog.backlog, name="backlog"),
]
