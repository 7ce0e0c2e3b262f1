"""The chronology endpoint, included by mash/api/urls.py under /api/v1/."""

from django.urls import path

from .views import PersonChronologyView

urlpatterns = [
    path("people/<int:pk>/chronology/", PersonChronologyView.as_view(), name="person-chronology"),
]
