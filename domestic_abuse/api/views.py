"""DA notifications through the API: police systems send them (one or a batch); hub staff send,
list and read them."""

from django.db import transaction
from django.db.models import QuerySet
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from agencies.models import AgencyKind
from agencies.roles import AGENCY_ROLES, HUB_ROLES
from mash.api.pagination import DefaultCursorPagination
from mash.api.serializers import ErrorSerializer
from mash.api.views import VisibleViewSetMixin
from mash.audit.events import record_access

from ..models import DaNotification
from ..selectors import da_notifications_visible_to, with_people
from ..services import da_notification_batch, da_notification_create
from .serializers import (
    DaBatchResultsSerializer,
    DaNotificationBatchSerializer,
    DaNotificationIntakeSerializer,
    DaNotificationReceiptSerializer,
    DaNotificationSerializer,
)

# Who may send notifications: hub staff, and the accounts of police forces' systems.
INTAKE_ROLES = HUB_ROLES | AGENCY_ROLES

INTAKE_RESULT = PolymorphicProxySerializer(
    component_name="DaNotificationIntakeResult",
    serializers=[DaNotificationSerializer, DaNotificationReceiptSerializer],
    resource_type_field_name=None,
)
ERRORS = {400: ErrorSerializer, 404: ErrorSerializer}
INTAKE_RESPONSES = {201: INTAKE_RESULT, 200: INTAKE_RESULT, **ERRORS, 409: ErrorSerializer}


class DaNotificationPagination(DefaultCursorPagination):
    ordering = ("-created_at", "-id")


@extend_schema_view(
    list=extend_schema(responses={200: DaNotificationSerializer(many=True), **ERRORS}),
    retrieve=extend_schema(responses={200: DaNotificationSerializer, 404: ErrorSerializer}),
)
class DaNotificationViewSet(
    VisibleViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Domestic abuse notifications: police notify the hub of every domestic abuse incident
    where a child lives or was present.

    Each is a contact (source 6, police notification, domestic abuse) about the children, naming
    the victim and the alleged perpetrator. Standard risk ones go to the ordinary triage queue;
    medium and high risk ones wait for the daily triage meeting and are due by the end of the
    next working day after receipt.

    Who may do what:
    - Hub staff send, list and read them.
    - Police forces' systems (agency researcher or supervisor accounts of a police agency) may
      only **send**, as their own force; the answer is a receipt, never the record.
    - Everyone else (other agencies, referrers, board members, administrators) gets 404.

    Intake is idempotent on the occurrence reference: the same notification sent again answers
    200 with the one made the first time; the same reference with different content is a 409.
    """

    serializer_class = DaNotificationSerializer
    visible_to = staticmethod(da_notifications_visible_to)
    audit_reads = True
    pagination_class = DaNotificationPagination
    lookup_value_regex = r"\d+"

    @property
    def allowed_roles(self) -> frozenset[str]:  # type: ignore[override]
        if self.action in ("create", "batch"):
            return INTAKE_ROLES
        return HUB_ROLES

    def check_permissions(self, request: Request) -> None:
        super().check_permissions(request)
        user = request.user
        if user.role in AGENCY_ROLES and getattr(user.agency, "kind", None) != AgencyKind.POLICE:
            raise exceptions.NotFound()

    def get_queryset(self) -> QuerySet[DaNotification]:
        if getattr(self, "swagger_fake_view", False):
            return DaNotification.objects.none()
        return with_people(DaNotification.objects.all())

    def _is_agency_caller(self) -> bool:
        return self.request.user.role in AGENCY_ROLES

    def list(self, request: Request, *args, **kwargs) -> Response:
        """Every notification, newest first (cursor-paginated), with its people and children.
        The listing is recorded in the audit trail."""
        return super().list(request, *args, **kwargs)

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        """One notification, in full. The read is recorded in the audit trail."""
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(request=DaNotificationIntakeSerializer, responses=INTAKE_RESPONSES)
    def create(self, request: Request, *args, **kwargs) -> Response:
        """Send one notification. 201 with the new notification, or 200 with the existing one
        when the same occurrence reference was sent before with the same content (409 when the
        content differs). Police systems get a receipt. Bad input is a 400 naming the field
        (e.g. `children[0].given_name`) and nothing is stored."""
        serializer = DaNotificationIntakeSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        notification, created = da_notification_create(
            data=serializer.validated_data, created_by=request.user
        )
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        if self._is_agency_caller():
            contact = notification.contact
            receipt = {
                "id": notification.pk,
                "reference": contact.reference,
                "occurrence_reference": notification.occurrence_reference,
                "received_at": contact.received_at,
                "created": created,
            }
            return Response(DaNotificationReceiptSerializer(receipt).data, status=code)
        notification = self.get_queryset().get(pk=notification.pk)
        if not created:
            record_access(notification)
        return Response(DaNotificationSerializer(notification).data, status=code)

    @extend_schema(
        request=DaNotificationBatchSerializer,
        responses={
            201: DaBatchResultsSerializer,
            200: DaBatchResultsSerializer,
            **ERRORS,
            409: ErrorSerializer,
        },
    )
    @action(detail=False, methods=["post"], pagination_class=None)
    def batch(self, request: Request) -> Response:
        """Send up to 500 notifications. Every item is checked first: if any is invalid, the
        answer is 400 with errors named like `items[3].children[0].given_name` and nothing is
        stored. Otherwise all are stored in one transaction, each idempotently; 201 when any was
        new, 200 when every item had been sent before."""
        serializer = DaNotificationBatchSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            stored = da_notification_batch(
                items=serializer.validated_data["items"], created_by=request.user
            )
        results = [
            {
                "index": index,
                "id": notification.pk,
                "reference": notification.contact.reference,
                "occurrence_reference": notification.occurrence_reference,
                "created": created,
            }
            for index, (notification, created) in enumerate(stored)
        ]
        code = status.HTTP_201_CREATED if any(row["created"] for row in results) else 200
        return Response(DaBatchResultsSerializer({"results": results}).data, status=code)
