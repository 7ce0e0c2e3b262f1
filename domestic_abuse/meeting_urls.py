"""The daily triage meeting's pages, at /da-meetings/ (mash/urls.py)."""

from django.urls import path

from . import meeting_views as views

app_name = "da_meetings"

urlpatterns = [
    path("", views.meeting_index, name="index"),
    path("start/", views.meeting_start_view, name="start"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/attendees/", views.attendee_add_view, name="attendee_add"),
    path(
        "<int:pk>/attendees/<int:attendee_pk>/remove/",
        views.attendee_remove_view,
        name="attendee_remove",
    ),
    path(
        "<int:pk>/notifications/<int:notification_pk>/",
        views.outcome_save,
        name="outcome_save",
    ),
    path("<int:pk>/add-new/", views.take_new_view, name="take_new"),
    path("<int:pk>/confirm/", views.confirm_view, name="confirm"),
]
