"""Mounted at the site's root: /account/keep-alive/."""

from django.urls import path

from . import views

app_name = "drafts"

urlpatterns = [
    path("account/keep-alive/", views.keep_alive, name="keep_alive"),
]
