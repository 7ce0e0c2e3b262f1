from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path(
        "contacts/<int:pk>/upload/",
        views.upload,
        {"record_kind": "contact"},
        name="upload_contact",
    ),
    path(
        "enquiries/<int:pk>/upload/",
        views.upload,
        {"record_kind": "enquiry"},
        name="upload_enquiry",
    ),
    path("<int:pk>/download/", views.download, name="download"),
]
