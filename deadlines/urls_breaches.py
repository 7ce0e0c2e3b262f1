"""The managers' live breach list (mounted at /breaches/)."""

from django.urls import path

from . import views_breaches

app_name = "breaches"

urlpatterns = [
    path("", views_breaches.breach_list, name="list"),
]
