"""The chronology page, mounted at the root (hub roles only; anyone else gets 404)."""

from django.urls import path

from . import views

app_name = "chronology"

urlpatterns = [
    path("people/<int:pk>/chronology/", views.person_chronology, name="person_chronology"),
]
