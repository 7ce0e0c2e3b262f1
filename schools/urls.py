from django.urls import path

from . import views

app_name = "schools"

urlpatterns = [
    path("", views.school_list, name="list"),
    path("new/", views.school_edit, name="create"),
    path("import/", views.school_import, name="import"),
    path("holidays/", views.holiday_list, name="holidays"),
    path("holidays/<int:pk>/remove/", views.holiday_remove, name="holiday_remove"),
    path("<int:pk>/", views.school_edit, name="edit"),
]
