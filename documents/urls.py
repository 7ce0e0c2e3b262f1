from django.urls import include, path

from . import views

app_name = "documents"

urlpatterns = [
    path(
        "documents/contacts/<int:pk>/upload/",
        views.upload,
        {"record_kind": "contact"},
        name="upload_contact",
    ),
    path(
        "documents/enquiries/<int:pk>/upload/",
        views.upload,
        {"record_kind": "enquiry"},
        name="upload_enquiry",
    ),
    path(
        "documents/marfs/<int:pk>/upload/",
        views.upload,
        {"record_kind": "marf"},
        name="upload_marf",
    ),
    path(
        "documents/returns/<int:pk>/upload/",
        views.upload,
        {"record_kind": "return"},
        name="upload_return",
    ),
    path("documents/<int:pk>/download/", views.download, name="download"),
    # api/v1/documents/<pk>/ (and download/), api/v1/{contacts,enquiries,
    # information-requests}/<id>/documents/: documents/api/urls.py
    path("api/v1/", include("documents.api.urls")),
]
