"""Routes of the downloads pages."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
