"""Documents through the API, under the same rules as the pages (documents/targets.py):

- `GET /api/v1/documents/{id}/` (metadata) and `/download/` (the file, once scanned clean): a
  document is seen by exactly those who can see its record;
- `GET`/`POST /api/v1/contacts/{id}/documents/` and `/enquiries/{id}/documents/`: hub staff;
- `GET`/`POST /api/v1/information-requests/{id}/documents/`: the documents on the request's
  returns, to hub staff and the agency holding the request; the agency uploads to its latest
  return or addendum.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from agencies.roles import AGENCY_ROLES, HUB_ROLES
from mash.api.pagination import DefaultCursorPagination
from mash.api.serializers import ErrorSerializer
from mash.api.views import VisibleViewSetMixin
from mash.errors import ConflictError

from .. import services
from ..models import Document
from ..multipart import sent_file, sent_name
from ..selectors import documents_visible_to, on_record
from ..targets import readable_record, upload_target
from ..views import StoreUnavailable, serve
from .parsers import NameKeepingMultiPartParser
from .serializers import DocumentSerializer, DocumentUploadSerializer


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
            503: OpenApiResponse(description="The file store cannot be reached just now."),
        }
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        document = self.get_object()
        if not document.is_downloadable:
            raise NotFound(
                f"This document cannot be downloaded: {document.get_scan_state_display()}."
            )
        try:
            return serve(document)
        except StoreUnavailable as down:
            raise StoreDown(str(down)) from down


class StoreDown(APIException):
    status_code = 503
    default_detail = "The file store cannot be reached just now."
    default_code = "store_unavailable"


# --- A record's documents ------------------------------------------------------------------


class DocumentCursorPagination(DefaultCursorPagination):
    """Newest first."""

    ordering = ("-uploaded_at", "-id")


class _RecordDocumentsViewSet(
    VisibleViewSetMixin, mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """A record's documents: list them (newest first) and upload one (`multipart/form-data`,
    one file as `file`).

    An upload is stored at once and scanned for viruses by a worker: it answers 201 with
    `scan_state` "pending" and `download_url` null until the file is found clean. A missing,
    empty or too big file, a type not allowed (found from the content, never the name), a name
    with a path separator or control character, or more than one file is a 400 naming `file`,
    and nothing is stored. A record outside the caller's view, and every role that may not see
    it, gets 404. Each page listed is recorded in the audit trail (`records.listed`), each
    upload too (`document.uploaded`)."""

    serializer_class = DocumentSerializer
    visible_to = staticmethod(documents_visible_to)
    allowed_roles = HUB_ROLES
    audit_reads = True
    pagination_class = DocumentCursorPagination
    parser_classes = [NameKeepingMultiPartParser]
    #: The record kind of documents/targets.py, and the path's name for its id.
    record_kind = ""
    record_kwarg = ""

    def get_record(self):
        """The record in the path, if the caller may list its documents (else 404)."""
        if not hasattr(self, "_record"):
            self._record = readable_record(
                self.request.user, self.record_kind, self.kwargs[self.record_kwarg]
            )
        return self._record

    def get_queryset(self):
        """The record's documents with their uploaders (visibility is applied by
        filter_queryset)."""
        if getattr(self, "swagger_fake_view", False):
            return Document.objects.none()
        return Document.objects.filter(on_record(self.get_record())).select_related("uploaded_by")

    def create(self, request: Request, *args, **kwargs) -> Response:
        target = upload_target(request.user, self.record_kind, self.kwargs[self.record_kwarg])
        if target.closed:
            raise ConflictError(target.closed)
        upload = sent_file(request.FILES)
        with services.files_follow_rows():
            document = services.document_upload(
                record=target.record,
                upload=upload,
                name=sent_name(upload),
                uploaded_by=request.user,
            )
        return Response(DocumentSerializer(document).data, status=status.HTTP_201_CREATED)


def _path_id(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(name, OpenApiTypes.INT, OpenApiParameter.PATH, description=description)


LIST_RESPONSES = {200: DocumentSerializer(many=True), 404: ErrorSerializer}
CREATE_RESPONSES = {
    201: DocumentSerializer,
    400: ErrorSerializer,
    404: ErrorSerializer,
    409: ErrorSerializer,
}
UPLOAD_REQUEST = {"multipart/form-data": DocumentUploadSerializer}
CHECKS = (
    "A missing, empty or too big file, a type not allowed, a name with a path separator or "
    "control character, or more than one file is a 400 naming `file`; nothing is stored on an "
    'error. The answer\'s `scan_state` is "pending" until the virus scan.'
)


def _documented(noun: str, *, listed: str, uploaded: str, who: str):
    return extend_schema_view(
        list=extend_schema(
            summary=f"{noun}'s documents",
            description=f"{listed} Newest first, cursor-paginated. {who}",
            responses=LIST_RESPONSES,
        ),
        create=extend_schema(
            summary=f"Upload a document to {noun.lower()}",
            description=f"{uploaded} {CHECKS} {who}",
            request=UPLOAD_REQUEST,
            responses=CREATE_RESPONSES,
        ),
    )


HUB_ONLY = "Hub staff only: everyone else gets 404."


@extend_schema(parameters=[_path_id("contact_id", "The contact's id.")])
@_documented(
    "A contact",
    listed="The contact's documents, with those the referrer attached to its MARF.",
    uploaded="Attach one file to the contact.",
    who=HUB_ONLY,
)
class ContactDocumentViewSet(_RecordDocumentsViewSet):
    __doc__ = _RecordDocumentsViewSet.__doc__
    record_kind = "contact"
    record_kwarg = "contact_id"


@extend_schema(parameters=[_path_id("enquiry_id", "The enquiry's id.")])
@_documented(
    "An enquiry",
    listed="The enquiry's own documents (those on agencies' returns are listed by request).",
    uploaded="Attach one file to the enquiry.",
    who=HUB_ONLY,
)
class EnquiryDocumentViewSet(_RecordDocumentsViewSet):
    __doc__ = _RecordDocumentsViewSet.__doc__
    record_kind = "enquiry"
    record_kwarg = "enquiry_id"


@extend_schema(parameters=[_path_id("request_id", "The information request's id.")])
@_documented(
    "An information request",
    listed="The documents on the request's returns and addenda.",
    uploaded=(
        "Attach one file to the agency's latest return or addendum to the request. Before the "
        "agency has sent a return there is nothing to attach to (400 naming `file`); once the "
        "hub has closed the enquiry no more files can be attached (409)."
    ),
    who=(
        "Hub staff and the agency holding the request list them; only that agency's "
        "researchers and supervisors upload. Anyone else, another agency, and the agency once "
        "the request is withdrawn, get 404."
    ),
)
class InformationRequestDocumentViewSet(_RecordDocumentsViewSet):
    __doc__ = _RecordDocumentsViewSet.__doc__
    allowed_roles = HUB_ROLES | AGENCY_ROLES  # who does what: documents/targets.py
    record_kind = "request"
    record_kwarg = "request_id"
