"""A contact's or an enquiry's case notes: list (newest first) and add. Hub staff only."""

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from agencies.roles import HUB_ROLES
from contacts.models import Contact
from contacts.selectors import contacts_visible_to
from enquiries.selectors import enquiries_visible_to
from mash.api.pagination import DefaultCursorPagination
from mash.api.serializers import ErrorSerializer
from mash.api.views import VisibleViewSetMixin

from ..models import CaseNote
from ..selectors import notes_on, notes_visible_to
from ..services import note_add
from .serializers import CaseNoteCreateSerializer, CaseNoteSerializer

CONTACT_ID = OpenApiParameter(
    "contact_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The contact's id."
)
ENQUIRY_ID = OpenApiParameter(
    "enquiry_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The enquiry's id."
)


class NoteCursorPagination(DefaultCursorPagination):
    """Newest first."""

    ordering = ("-created_at", "-id")


class _RecordNotesViewSet(
    VisibleViewSetMixin, mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Case notes are the hub's own: hub staff list and add the notes on the records they can
    see; everyone else (partner agencies, referrers, board members, administrators) gets 404, as
    for a record outside one's view. A note is never changed or deleted: a correction is a new
    note. Each page listed is recorded in the audit trail (`records.listed`), each note added
    too (`note.added`)."""

    serializer_class = CaseNoteSerializer
    visible_to = staticmethod(notes_visible_to)
    allowed_roles = HUB_ROLES
    audit_reads = True
    pagination_class = NoteCursorPagination
    record_kwarg = ""

    def visible_records(self):
        raise NotImplementedError

    def get_record(self):
        """The contact or enquiry in the path, if the caller may see it (else 404)."""
        if not hasattr(self, "_record"):
            pk = self.kwargs[self.record_kwarg]
            self._record = get_object_or_404(self.visible_records(), pk=pk)
        return self._record

    def get_queryset(self):
        """The record's notes with their authors (visibility is applied by filter_queryset)."""
        if getattr(self, "swagger_fake_view", False):
            return CaseNote.objects.none()
        record = self.get_record()
        on = {"contact": record} if isinstance(record, Contact) else {"enquiry": record}
        return CaseNote.objects.filter(**on).select_related("author")

    def create(self, request: Request, *args, **kwargs) -> Response:
        record = self.get_record()
        form = CaseNoteCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        on = {"contact": record} if isinstance(record, Contact) else {"enquiry": record}
        note = note_add(user=request.user, **on, **form.validated_data)
        note = notes_on(request.user, record).get(pk=note.pk)
        return Response(CaseNoteSerializer(note).data, status=status.HTTP_201_CREATED)


LIST_RESPONSES = {200: CaseNoteSerializer(many=True), 404: ErrorSerializer}
CREATE_RESPONSES = {
    201: CaseNoteSerializer,
    400: ErrorSerializer,
    404: ErrorSerializer,
    409: ErrorSerializer,
}


@extend_schema(parameters=[CONTACT_ID])
@extend_schema_view(
    list=extend_schema(
        summary="A contact's case notes",
        description="The contact's case notes, newest first. Cursor-paginated.",
        responses=LIST_RESPONSES,
    ),
    create=extend_schema(
        summary="Add a case note to a contact",
        description=(
            "Add a note (kind, text, significant) to the contact. A bad kind, an empty text or "
            "one over the limit is a 400 naming the field; a decided contact takes no more "
            "notes (409). Nothing is stored on an error."
        ),
        request=CaseNoteCreateSerializer,
        responses=CREATE_RESPONSES,
    ),
)
class ContactNoteViewSet(_RecordNotesViewSet):
    __doc__ = _RecordNotesViewSet.__doc__
    record_kwarg = "contact_id"

    def visible_records(self):
        return contacts_visible_to(self.request.user)


@extend_schema(parameters=[ENQUIRY_ID])
@extend_schema_view(
    list=extend_schema(
        summary="An enquiry's case notes",
        description="The enquiry's case notes, newest first. Cursor-paginated.",
        responses=LIST_RESPONSES,
    ),
    create=extend_schema(
        summary="Add a case note to an enquiry",
        description=(
            "Add a note (kind, text, significant) to the enquiry. A bad kind, an empty text or "
            "one over the limit is a 400 naming the field; a closed enquiry takes no more "
            "notes (409). Nothing is stored on an error."
        ),
        request=CaseNoteCreateSerializer,
        responses=CREATE_RESPONSES,
    ),
)
class EnquiryNoteViewSet(_RecordNotesViewSet):
    __doc__ = _RecordNotesViewSet.__doc__
    record_kwarg = "enquiry_id"

    def visible_records(self):
        return enquiries_visible_to(self.request.user)
