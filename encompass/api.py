"""Operation Encompass notices through the API.

- ``GET /api/v1/encompass-notices/``: a school key adult lists their own school's notices (those
  still to acknowledge first, then newest first); hub staff list every notice. Anyone else: 404.
- ``GET /api/v1/encompass-notices/{id}/``: one notice (a key adult's first read is recorded as
  the notice opened, as on the page).
- ``POST /api/v1/encompass-notices/{id}/acknowledge/``: a key adult of the notice's school
  acknowledges it (again: 200, the first acknowledgement stands). Another school's key adult, and
  anyone who cannot see the notice: 404; hub staff: 403 (they see it, the school acknowledges).
"""

from django.db.models import QuerySet
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from agencies.roles import HUB_ROLES, SCHOOL_ROLES, Role
from mash.api.pagination import DefaultCursorPagination
from mash.api.serializers import ErrorSerializer
from mash.api.views import VisibleViewSetMixin

from .models import EncompassNotice
from .selectors import notices_visible_to, with_details
from .services import notice_acknowledge, notice_opened


class NoticeSchoolSerializer(serializers.Serializer):
    urn = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)


class EncompassNoticeSerializer(serializers.ModelSerializer):
    """A notice as its school's key adult sees it: the child's name, when the incident was,
    that police attended and whether the child was present, and the notice's own times."""

    school = NoticeSchoolSerializer(read_only=True)
    child_name = serializers.CharField(source="child.full_name", read_only=True)
    incident_at = serializers.DateTimeField(source="notification.incident_at", read_only=True)
    police_attended = serializers.SerializerMethodField()

    class Meta:
        model = EncompassNotice
        fields = [
            "id",
            "school",
            "child_name",
            "incident_at",
            "police_attended",
            "present",
            "available_at",
            "due_by",
            "acknowledge_by",
            "opened_at",
            "acknowledged_at",
        ]
        read_only_fields = fields

    def get_police_attended(self, notice) -> bool:
        """Always true: a notice follows an incident the police attended."""
        return True


class HubEncompassNoticeSerializer(EncompassNoticeSerializer):
    """A notice as hub staff see it: also the child's person record, the DA notification's
    contact, who acknowledged it and when it was escalated."""

    child = serializers.IntegerField(source="child_id", read_only=True)
    contact = serializers.IntegerField(source="notification.contact_id", read_only=True)
    acknowledged_by = serializers.CharField(
        source="acknowledged_by.display_name", read_only=True, default=None
    )

    class Meta(EncompassNoticeSerializer.Meta):
        fields = [
            *EncompassNoticeSerializer.Meta.fields,
            "child",
            "contact",
            "acknowledged_by",
            "escalated_at",
        ]
        read_only_fields = fields


NOTICE = PolymorphicProxySerializer(
    component_name="EncompassNoticeForUser",
    serializers=[EncompassNoticeSerializer, HubEncompassNoticeSerializer],
    resource_type_field_name=None,
)
NOTICES = PolymorphicProxySerializer(
    component_name="EncompassNoticeListForUser",
    serializers=[EncompassNoticeSerializer, HubEncompassNoticeSerializer],
    resource_type_field_name=None,
    many=True,
)


class EncompassNoticePagination(DefaultCursorPagination):
    ordering = ("-available_at", "-id")


@extend_schema_view(
    list=extend_schema(
        responses={200: NOTICES, 404: ErrorSerializer},
        description="A key adult: their own school's notices (key adult fields only). Hub "
        "staff: every notice (with the hub's fields). Newest first; anyone else 404.",
    ),
    retrieve=extend_schema(responses={200: NOTICE, 404: ErrorSerializer}),
)
class EncompassNoticeViewSet(
    VisibleViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Operation Encompass notices: after police attend a domestic abuse incident, each child's
    school is told before the next school day starts, and its key adult acknowledges the notice
    by 10:00 that day (after which the hub is told)."""

    visible_to = staticmethod(notices_visible_to)
    allowed_roles = HUB_ROLES | SCHOOL_ROLES
    audit_reads = True
    pagination_class = EncompassNoticePagination
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[EncompassNotice]:
        if getattr(self, "swagger_fake_view", False):
            return EncompassNotice.objects.none()
        return with_details(EncompassNotice.objects.all())

    def get_serializer_class(self):
        user = getattr(self.request, "user", None)
        if getattr(user, "role", None) in HUB_ROLES:
            return HubEncompassNoticeSerializer
        return EncompassNoticeSerializer

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        """One notice. A key adult's first read marks it opened (and is audited as the
        disclosure reaching the school); every read is recorded in the audit trail."""
        notice = self.get_object()
        if request.user.role == Role.SCHOOL_KEY_ADULT:
            notice = notice_opened(notice=notice, user=request.user)
        from mash.audit.events import record_access

        record_access(notice)
        return Response(self.get_serializer(notice).data)

    @extend_schema(
        request=None,
        responses={200: EncompassNoticeSerializer, 403: ErrorSerializer, 404: ErrorSerializer},
    )
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk=None) -> Response:
        """Acknowledge the notice as a key adult of its school: who and when are recorded. Again
        is harmless (200, the first acknowledgement stands). Hub staff 403; anyone else 404."""
        notice = self.get_object()
        if request.user.role != Role.SCHOOL_KEY_ADULT:
            raise exceptions.PermissionDenied(
                "Only the school's key adults acknowledge its notices."
            )
        try:
            notice, _now = notice_acknowledge(notice=notice, acknowledged_by=request.user)
        except EncompassNotice.DoesNotExist as missing:
            raise exceptions.NotFound() from missing
        notice = self.get_queryset().get(pk=notice.pk)
        return Response(EncompassNoticeSerializer(notice).data)
