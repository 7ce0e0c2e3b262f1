"""Routes of the backlog pages."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
