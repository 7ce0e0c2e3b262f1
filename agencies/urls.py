from django.urls import path

from . import views

app_name = "agencies"

urlpatterns = [
    path("users/", views.staff_user_list, name="staff_user_list"),
    path("users/new/", views.staff_user_create, name="staff_user_create"),
    path("users/<int:pk>/", views.staff_user_edit, name="staff_user_edit"),
    path("users/<int:pk>/deactivate/", views.staff_user_deactivate, name="staff_user_deactivate"),
    path("agencies/", views.staff_agency_list, name="staff_agency_list"),
    path("agencies/new/", views.staff_agency_edit, name="staff_agency_create"),
    path("agencies/<int:pk>/", views.staff_agency_edit, name="staff_agency_edit"),
]
