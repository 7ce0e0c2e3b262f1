"""My work and allocation through the API (included by mash/api/urls.py under /api/v1/).

- ``GET my-work/``: the caller's own open work, the same lists as the My work page. Hub and
  agency staff; everyone else 404. An agency's rows say how many people a request checks,
  never who (its request shows them).
- ``POST allocations/``: a hub manager allocates (or reassigns) contacts and enquiries to a
  member of the hub team, all or nothing. Everyone else 404; a bad assignee, a decided contact
  or a closed enquiry is a 400 naming the field and the record; a record changed since the
  caller saw it (``versions``) is a 409.
"""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.roles import AGENCY_ROLES, HUB_ROLES, Role
from mash import limits
from mash.api.serializers import ErrorSerializer
from mash.audit.context import bind_actor
from mash.audit.events import record_event
from mash.templatetags import is_overdue, time_left

from .rows import Kind, WorkRow
from .selectors import hub_member, my_work
from .services import MAX_ID, MAX_RECORDS, work_allocate

_MODEL_LABELS = {
    Kind.CONTACT: "contacts.contact",
    Kind.ENQUIRY: "enquiries.enquiry",
    Kind.REQUEST: "enquiries.informationrequest",
}

# --- Shapes ----------------------------------------------------------------------------------


class SubjectSerializer(serializers.Serializer):
    name = serializers.CharField(read_only=True)
    age_label = serializers.CharField(
        read_only=True, help_text='"Age 7", "Unborn" or "Age not known".'
    )


class WorkRowSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[Kind.CONTACT, Kind.ENQUIRY, Kind.REQUEST])
    id = serializers.IntegerField(source="pk")
    reference = serializers.CharField(read_only=True)
    url = serializers.CharField(read_only=True, help_text="The record's page.")
    due_at = serializers.DateTimeField(source="due")
    time_left = serializers.SerializerMethodField(
        help_text='"2 hours 10 minutes left" or "Overdue by 1 day".'
    )
    overdue = serializers.SerializerMethodField()
    breached = serializers.BooleanField(source="is_breached")
    rag = serializers.CharField(
        read_only=True, help_text="RED, AMBER, GREEN, or blank when not yet rated."
    )
    state = serializers.CharField(read_only=True)
    subjects = SubjectSerializer(
        many=True, source="who", help_text="Hub staff only: the subjects. Empty for an agency."
    )
    people_to_check = serializers.IntegerField(
        source="people_count",
        allow_null=True,
        help_text="Agency staff only: how many people the request checks. Null for the hub.",
    )

    def get_time_left(self, row: WorkRow) -> str:
        return time_left(row.due)

    def get_overdue(self, row: WorkRow) -> bool:
        return is_overdue(row.due)


class WorkListSerializer(serializers.Serializer):
    key = serializers.ChoiceField(
        choices=["contacts", "enquiries", "requests", "unassigned_requests"]
    )
    title = serializers.CharField(read_only=True)
    rows = WorkRowSerializer(many=True, help_text="The soonest due first, at most 100.")
    more = serializers.BooleanField(help_text="True when there are more than the rows shown.")


class MyWorkSerializer(serializers.Serializer):
    lists = WorkListSerializer(many=True)
    awaiting_decision = serializers.IntegerField(
        allow_null=True,
        help_text="Managers: contacts and enquiries awaiting their decision. Null otherwise.",
    )


class AllocationRequestSerializer(serializers.Serializer):
    contacts = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        default=list,
        max_length=MAX_RECORDS,
        help_text="Ids of undecided contacts.",
    )
    enquiries = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        default=list,
        max_length=MAX_RECORDS,
        help_text="Ids of open enquiries.",
    )
    assignee = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="The id of an active hub worker or manager."
    )
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=limits.AUDIT_REASON.input_length,
    )
    versions = serializers.DictField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        default=dict,
        help_text="Optional: the version of each record as you saw it, by reference "
        '({"C000012": 3}). A record changed since is a 409 and nothing is allocated.',
    )


class RecordSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    reference = serializers.CharField(read_only=True)
    version = serializers.IntegerField()


class AssigneeSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField(source="display_name", read_only=True)


class AllocationSerializer(serializers.Serializer):
    assignee = AssigneeSerializer()
    contacts = RecordSerializer(many=True, help_text="Contacts now with the assignee.")
    enquiries = RecordSerializer(many=True, help_text="Enquiries now with the assignee.")
    unchanged = serializers.SerializerMethodField(
        help_text="References of records that were already with the assignee."
    )

    def get_unchanged(self, allocation) -> list[str]:
        return [record.reference for record in allocation.unchanged]


# --- Views -----------------------------------------------------------------------------------


class _WorkAPIView(APIView):
    pagination_class = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        bind_actor(request.user)


def _record_listed(rows: list[WorkRow]) -> None:
    """One listing entry per kind of record shown (the audit of reads that identify people)."""
    by_kind: dict[str, list[int]] = {}
    for row in rows:
        by_kind.setdefault(row.kind, []).append(row.pk)
    for kind, ids in by_kind.items():
        record_event("records.listed", data={"model": _MODEL_LABELS[kind], "ids": ids})


class MyWorkView(_WorkAPIView):
    """The caller's own open work, each list the soonest due first, with the time left."""

    allowed_roles = HUB_ROLES | AGENCY_ROLES

    @extend_schema(
        operation_id="my_work",
        responses={200: MyWorkSerializer, 401: ErrorSerializer, 404: ErrorSerializer},
    )
    def get(self, request: Request) -> Response:
        work = my_work(request.user)
        _record_listed(work.rows)
        return Response(MyWorkSerializer(work).data)


class AllocationsView(_WorkAPIView):
    """Allocate contacts and enquiries to a member of the hub team (hub managers)."""

    allowed_roles = frozenset({Role.HUB_MANAGER})

    @extend_schema(
        operation_id="allocations_create",
        request=AllocationRequestSerializer,
        responses={
            200: AllocationSerializer,
            400: ErrorSerializer,
            401: ErrorSerializer,
            404: ErrorSerializer,
            409: ErrorSerializer,
        },
    )
    def post(self, request: Request) -> Response:
        form = AllocationRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        values = form.validated_data
        allocation = work_allocate(
            allocated_by=request.user,
            assignee=hub_member(values["assignee"]),
            contact_ids=values["contacts"],
            enquiry_ids=values["enquiries"],
            reason=values["reason"],
            versions=values["versions"],
        )
        return Response(AllocationSerializer(allocation).data)


urlpatterns = [
    path("my-work/", MyWorkView.as_view(), name="my-work"),
    path("allocations/", AllocationsView.as_view(), name="allocations"),
]
