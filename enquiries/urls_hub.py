from django.urls import path  # noqa: F401

app_name = "enquiries_hub"

urlpatterns: list = []
