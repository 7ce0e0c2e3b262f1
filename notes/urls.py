"""The hub's case notes pages, mounted at the root (hub roles only; anyone else gets 404)."""

from django.urls import path

from . import views

app_name = "notes"

urlpatterns = [
    path("contacts/<int:pk>/notes/", views.contact_notes, name="contact_notes"),
    path("enquiries/<int:pk>/notes/", views.enquiry_notes, name="enquiry_notes"),
]
