from django.urls import path

from . import views

app_name = "deadlines"

urlpatterns = [
    path("", views.notification_list, name="notifications"),
    path("<int:pk>/", views.notification_detail, name="notification"),
    path("preferences/", views.preferences, name="preferences"),
]
