"""The documents endpoints under /api/v1/, included (in the `documents` namespace) by
documents/urls.py. A record's documents are a list and an upload only: one document is read at
`documents/<id>/`, whatever its record (so no router, which would add a second way in)."""

from django.urls import path

from .views import (
    ContactDocumentViewSet,
    DocumentViewSet,
    EnquiryDocumentViewSet,
    InformationRequestDocumentViewSet,
)

LIST_CREATE = {"get": "list", "post": "create"}

urlpatterns = [
    path(
        "documents/<int:pk>/",
        DocumentViewSet.as_view({"get": "retrieve"}),
        name="api-document",
    ),
    path(
        "documents/<int:pk>/download/",
        DocumentViewSet.as_view({"get": "download"}),
        name="api-document-download",
    ),
    path(
        "contacts/<int:contact_id>/documents/",
        ContactDocumentViewSet.as_view(LIST_CREATE),
        name="contact-document-list",
    ),
    path(
        "enquiries/<int:enquiry_id>/documents/",
        EnquiryDocumentViewSet.as_view(LIST_CREATE),
        name="enquiry-document-list",
    ),
    path(
        "information-requests/<int:request_id>/documents/",
        InformationRequestDocumentViewSet.as_view(LIST_CREATE),
        name="information-request-document-list",
    ),
]
