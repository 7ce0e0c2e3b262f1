"""My work and the allocation page (the Decisions queue keeps its address: contacts/urls.py)."""

from django.urls import path

from . import views

app_name = "work"

urlpatterns = [
    path("my-work/", views.my_work_page, name="my_work"),
    path("allocation/", views.allocation_page, name="allocation"),
]
