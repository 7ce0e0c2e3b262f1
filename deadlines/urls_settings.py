"""The administrator's timescale pages (mounted at settings/timescales/)."""

from django.urls import path

from . import views_settings as views

app_name = "timescales"

urlpatterns = [
    path("", views.timescale_list, name="list"),
    path("closures/", views.closure_add, name="closure_add"),
    path("closures/<int:pk>/remove/", views.closure_remove, name="closure_remove"),
    path("<slug:kind>/", views.timescale_change, name="change"),
    path("<slug:kind>/<slug:rag>/", views.timescale_change, name="change"),
]
