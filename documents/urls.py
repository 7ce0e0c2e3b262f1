from django.urls import path

from . import views
from .api import DocumentViewSet

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
    path(
        "api/v1/documents/<int:pk>/",
        DocumentViewSet.as_view({"get": "retrieve"}),
        name="api-document",
    ),
    path(
        "api/v1/documents/<int:pk>/download/",
        DocumentViewSet.as_view({"get": "download"}),
        name="api-document-download",
    ),
]
