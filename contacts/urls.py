from django.urls import path

from . import views

app_name = "contacts"

urlpatterns = [
    path("people/", views.person_list, name="person_list"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
]
