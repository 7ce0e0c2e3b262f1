"""`GET /api/v1/documents/{id}/` (metadata) and `/download/` (the file, once clean), under the
same visibility as the pages: a document is seen by exactly those who can see its record."""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound

from mash.api.views import VisibleViewSetMixin

from .models import Document
from .selectors import documents_visible_to
from .views import serve


class DocumentSerializer(serializers.ModelSerializer):
    uploaded_by = serializers.CharField(source="uploaded_by.display_name", default=None)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = [
            "id",
            "contact",
            "enquiry",
            "marf",
            "information_return",
            "original_name",
            "kind",
            "content_type",
            "size",
            "sha256",
            "uploaded_by",
            "uploaded_at",
            "scan_state",
            "scanned_at",
            "scan_result",
            "quarantined",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, document: Document) -> str | None:
        if not document.is_downloadable:
            return None
        return reverse("documents:api-document-download", kwargs={"pk": document.pk})


class DocumentViewSet(VisibleViewSetMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """A document's metadata; `download/` serves the file only once it has been scanned clean."""

    queryset = Document.objects.select_related("uploaded_by")
    serializer_class = DocumentSerializer
    visible_to = staticmethod(documents_visible_to)
    pagination_class = None

    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The file, as an attachment."
            ),
            404: OpenApiResponse(description="Not visible, or not (yet) scanned clean."),
        }
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        document = self.get_object()
        if not document.is_downloadable:
            raise NotFound(
                f"This document cannot be downloaded: {document.get_scan_state_display()}."
            )
        return serve(document)
