from django.urls import path

from . import views

app_name = "encompass"

urlpatterns = [
    path("notices/<int:pk>/", views.notice_detail, name="notice"),
    path("notices/<int:pk>/acknowledge/", views.notice_acknowledge_view, name="acknowledge"),
    path("unresolved/", views.unresolved_list, name="unresolved"),
    path("unresolved/<int:pk>/", views.resolve_child, name="resolve"),
]
