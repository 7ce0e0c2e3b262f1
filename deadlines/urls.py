from django.urls import path

from . import views

app_name = "deadlines"

urlpatterns = [
    path("", views.notification_list, name="notifications"),
    path("read/", views.mark_all_read, name="mark_all_read"),
    path("preferences/", views.preferences, name="preferences"),
    path("<int:pk>/", views.notification_detail, name="notification"),
    path("<int:pk>/read/", views.mark_read, name="mark_read"),
]
