from django.urls import path

from . import views

app_name = "domestic_abuse"

urlpatterns = [
    path("new/", views.record_da_notification, name="record"),
]
