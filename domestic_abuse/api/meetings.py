"""The daily triage meeting through the API, under the pages' rules (meeting_selectors)."""

from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from agencies.models import Agency
from agencies.roles import AGENCY_ROLES, HUB_ROLES, Role
from contacts.codes import Outcome, Rag
from mash import limits
from mash.api.serializers import ErrorSerializer
from mash.api.views import VisibleViewSetMixin
from mash.audit.events import record_event

from .. import meeting_selectors as selectors
from ..meeting_services import (
    OutcomeInput,
    attendee_add,
    attendee_remove,
    meeting_confirm,
    meeting_start,
    outcome_record,
)
from ..models import TriageMeeting

# --- What the API answers --------------------------------------------------------------------


class MeetingSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    date = serializers.DateField(read_only=True)
    state = serializers.CharField(
        read_only=True, help_text='"running", or "confirmed" (read-only).'
    )
    confirmed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    notifications = serializers.IntegerField(
        read_only=True, help_text="How many notifications it holds."
    )


class AttendeeSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    agency = serializers.IntegerField(read_only=True, source="agency_id")
    agency_name = serializers.CharField(read_only=True, source="agency.name")
    name = serializers.CharField(read_only=True)


class MeetingChildSerializer(serializers.Serializer):
    name = serializers.CharField(read_only=True, source="person.full_name")
    present = serializers.BooleanField(
        read_only=True, help_text="Present at (witnessed) the incident."
    )


class OpenWorkSerializer(serializers.Serializer):
    person = serializers.IntegerField(read_only=True, source="person.pk")
    name = serializers.CharField(read_only=True, source="person.full_name")
    role = serializers.CharField(read_only=True)
    contacts = serializers.SerializerMethodField(help_text="Other undecided contacts.")
    enquiries = serializers.SerializerMethodField(help_text="Open enquiries checking them.")

    def get_contacts(self, row) -> list[str]:
        return [contact.reference for contact in row.work.contacts]

    def get_enquiries(self, row) -> list[str]:
        return [enquiry.reference for enquiry in row.work.enquiries]


class EarlierNotificationSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True, source="pk")
    contact = serializers.IntegerField(read_only=True, source="contact_id")
    reference = serializers.CharField(read_only=True)
    received_at = serializers.DateTimeField(read_only=True)
    dash_risk = serializers.CharField(read_only=True)


class MeetingNotificationSerializer(serializers.Serializer):
    """A notification as the meeting shows it. `contact`, `reference`, `people` (open work) and
    `earlier` are for hub staff only: police and education members get the household, the
    incident and the outcomes agreed so far, nothing else."""

    id = serializers.IntegerField(read_only=True, source="notification.pk")
    contact = serializers.IntegerField(read_only=True, source="notification.contact_id")
    reference = serializers.CharField(read_only=True, source="notification.contact.reference")
    occurrence_reference = serializers.CharField(
        read_only=True, source="notification.occurrence_reference"
    )
    police_agency = serializers.CharField(read_only=True, source="notification.police_agency.name")
    incident_at = serializers.DateTimeField(read_only=True, source="notification.incident_at")
    received_at = serializers.DateTimeField(
        read_only=True, source="notification.contact.received_at"
    )
    dash_risk = serializers.CharField(read_only=True, source="notification.dash_risk")
    children = MeetingChildSerializer(read_only=True, source="notification.children.all", many=True)
    victim = serializers.CharField(read_only=True, source="notification.victim.full_name")
    perpetrator = serializers.CharField(
        read_only=True, source="notification.perpetrator.full_name", allow_null=True, default=None
    )
    agreed_outcome = serializers.CharField(read_only=True, source="notification.agreed_outcome")
    agreed_rag = serializers.CharField(read_only=True, source="notification.agreed_rag")
    marac_referral = serializers.BooleanField(read_only=True, source="notification.marac_referral")
    rationale = serializers.CharField(read_only=True, source="notification.agreed_rationale")
    agreed = serializers.BooleanField(read_only=True, source="is_agreed")
    still_needs = serializers.ListField(
        read_only=True, source="needs", child=serializers.CharField()
    )
    people = OpenWorkSerializer(read_only=True, many=True)
    earlier = EarlierNotificationSerializer(read_only=True, many=True)

    def to_representation(self, item):
        data = super().to_representation(item)
        if not self.context.get("hub"):
            for name in ("contact", "reference", "people", "earlier"):
                data.pop(name, None)
        return data


class MeetingSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True, source="meeting.pk")
    date = serializers.DateField(read_only=True, source="meeting.date")
    state = serializers.CharField(
        read_only=True, help_text='"running", or "confirmed" (read-only).'
    )
    confirmed_at = serializers.DateTimeField(
        read_only=True, source="meeting.confirmed_at", allow_null=True
    )
    chair = serializers.CharField(
        read_only=True,
        source="meeting.chair.display_name",
        help_text="Hub staff only.",
    )
    agreed = serializers.IntegerField(read_only=True)
    total = serializers.IntegerField(read_only=True)
    attendees = AttendeeSerializer(read_only=True, many=True, help_text="Hub staff only.")
    notifications = MeetingNotificationSerializer(read_only=True, many=True, source="items")

    def to_representation(self, value):
        data = super().to_representation(value)
        if not self.context.get("hub"):
            data.pop("chair", None)
            data.pop("attendees", None)
        return data


# --- What the API takes ----------------------------------------------------------------------


class AttendeeInputSerializer(serializers.Serializer):
    agency = serializers.IntegerField(help_text="The id of the agency they attended for.")
    name = serializers.CharField(max_length=limits.REFERRER_NAME.max_length, allow_blank=True)


class OutcomeInputSerializer(serializers.Serializer):
    notification = serializers.IntegerField(
        help_text="The id of one of the meeting's notifications."
    )
    outcome = serializers.ChoiceField(
        choices=Outcome.choices, allow_blank=True, default="", help_text="Blank: not agreed yet."
    )
    marac_referral = serializers.BooleanField(
        default=False, help_text="Refer to MARAC: high risk notifications only."
    )
    rationale = serializers.CharField(
        max_length=limits.RATIONALE.max_length, allow_blank=True, default=""
    )
    rag = serializers.ChoiceField(
        choices=Rag.choices,
        allow_blank=True,
        default="",
        help_text="The initial RAG rating: only with MASH_ENQUIRY (and needed before confirming).",
    )


ERRORS = {400: ErrorSerializer, 404: ErrorSerializer, 409: ErrorSerializer}


@extend_schema_view(
    list=extend_schema(responses={200: MeetingSummarySerializer(many=True), 404: ErrorSerializer}),
    retrieve=extend_schema(responses={200: MeetingSerializer, 404: ErrorSerializer}),
)
class TriageMeetingViewSet(
    VisibleViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The daily multi-agency meeting that triages medium and high risk domestic abuse
    notifications (DOMAIN.md, "Domestic abuse notifications and Operation Encompass").

    Who may do what:
    - Hub managers start the day's meeting, record attendees, save each notification's agreed
      outcome and confirm the meeting; other hub staff read meetings.
    - Police and education researchers and supervisors read a meeting while it runs, and only
      once their agency is recorded as attending: its notifications (names, DASH, incident, the
      outcomes agreed so far) and nothing else. Once the meeting is confirmed: 404.
    - Everyone else (other agencies, referrers, board members, administrators, school key
      adults) gets 404.
    """

    visible_to = staticmethod(selectors.meetings_visible_to)
    pagination_class = None
    lookup_value_regex = r"\d+"
    serializer_class = MeetingSerializer

    @property
    def allowed_roles(self) -> frozenset[str]:  # type: ignore[override]
        if self.action in ("list", "retrieve"):
            return HUB_ROLES | AGENCY_ROLES
        return frozenset({Role.HUB_MANAGER})

    def check_permissions(self, request: Request) -> None:
        super().check_permissions(request)
        user = request.user
        if user.role in AGENCY_ROLES and not selectors.is_meeting_member(user):
            raise exceptions.NotFound()

    def get_queryset(self) -> QuerySet[TriageMeeting]:
        if getattr(self, "swagger_fake_view", False):
            return TriageMeeting.objects.none()
        return TriageMeeting.objects.select_related("chair")

    def _hub(self) -> bool:
        return selectors.is_hub(self.request.user)

    def _body(self, meeting: TriageMeeting) -> dict:
        hub = self._hub()
        items = selectors.meeting_items(self.request.user, meeting, with_history=hub)
        agreed, total = selectors.progress(items)
        value = {
            "meeting": meeting,
            "state": "confirmed" if meeting.is_confirmed else "running",
            "agreed": agreed,
            "total": total,
            "attendees": selectors.attendees_of(meeting) if hub else [],
            "items": items,
        }
        return MeetingSerializer(value, context={"hub": hub}).data

    def list(self, request: Request, *args, **kwargs) -> Response:
        """The meetings the caller may open, newest first (the latest 60)."""
        meetings = (
            self.filter_queryset(self.get_queryset())
            .annotate(count=Count("notifications"))
            .order_by("-date", "-id")[:60]
        )
        rows = [
            {
                "id": meeting.pk,
                "date": meeting.date,
                "state": "confirmed" if meeting.is_confirmed else "running",
                "confirmed_at": meeting.confirmed_at,
                "notifications": meeting.count,
            }
            for meeting in meetings
        ]
        return Response(MeetingSummarySerializer(rows, many=True).data)

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        """One meeting with its notifications, oldest first. Hub staff get each person's open
        work and the earlier notifications about the same people; attending police and
        education members get the household, the incident and the outcomes agreed so far."""
        meeting = self.get_object()
        body = self._body(meeting)
        if not self._hub():
            record_event(
                "meeting.viewed_by_member",
                target=meeting,
                actor=request.user,
                data={"notifications": [row["id"] for row in body["notifications"]]},
            )
        return Response(body)

    @extend_schema(
        request=None,
        responses={201: MeetingSerializer, 200: MeetingSerializer, **ERRORS},
    )
    def create(self, request: Request, *args, **kwargs) -> Response:
        """Start today's meeting (201), or answer the one already started today (200). It takes
        every medium and high risk notification waiting for the meeting, oldest first. 409 while
        an earlier meeting is unconfirmed. It takes no fields, but a body that cannot be read
        (not JSON, nested too deeply) is still a 400, as on every other endpoint."""
        request.data  # noqa: B018 - parsed, so that an unreadable body is refused
        meeting, created = meeting_start(chair=request.user)
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(self._body(meeting), status=code)

    @extend_schema(request=AttendeeInputSerializer, responses={201: MeetingSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def attendees(self, request: Request, pk=None) -> Response:
        """Record someone who attended, for their agency. Police and education members see the
        running meeting once their agency is recorded."""
        meeting = self.get_object()
        serializer = AttendeeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        agency = Agency.objects.filter(pk=serializer.validated_data["agency"]).first()
        attendee_add(
            meeting=meeting, agency=agency, name=serializer.validated_data["name"], by=request.user
        )
        return Response(self._body(meeting), status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={204: OpenApiResponse(description="Removed."), **ERRORS},
    )
    @action(detail=True, methods=["delete"], url_path=r"attendees/(?P<attendee_id>\d+)")
    def remove_attendee(self, request: Request, pk=None, attendee_id=None) -> Response:
        """Take an attendee off the meeting (recorded by mistake)."""
        meeting = self.get_object()
        if not meeting.attendees.filter(pk=attendee_id).exists():
            raise exceptions.NotFound()
        attendee_remove(meeting=meeting, attendee_id=int(attendee_id), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=OutcomeInputSerializer, responses={200: MeetingSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def outcomes(self, request: Request, pk=None) -> Response:
        """Save what the meeting agreed for one of its notifications, as typed so far (nothing
        is decided until the meeting is confirmed). A MARAC referral for a notification that is
        not high risk, or a RAG rating with any outcome but MASH_ENQUIRY, is a 400 naming the
        field; a notification not in this meeting is a 404; a confirmed meeting a 409."""
        meeting = self.get_object()
        serializer = OutcomeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        notification = get_object_or_404(
            selectors.meeting_notifications(meeting), pk=data["notification"]
        )
        outcome_record(
            meeting=meeting,
            notification=notification,
            data=OutcomeInput(
                outcome=data["outcome"],
                marac_referral=data["marac_referral"],
                rationale=data["rationale"],
                rag=data["rag"],
            ),
            by=request.user,
        )
        return Response(self._body(meeting))

    @extend_schema(request=None, responses={200: MeetingSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk=None) -> Response:
        """Confirm the meeting: each agreed outcome becomes its contact's decision, all or
        nothing (a MASH enquiry opens or joins the child's open enquiry, the referrer is told).
        400 naming each notification without an outcome, rationale or RAG (`notifications`), or
        when no attendee is recorded (`attendees`); 409 when a decision fails (the error names
        the notification; nothing is stored) or the meeting was already confirmed."""
        meeting = self.get_object()
        meeting = meeting_confirm(meeting=meeting, by=request.user)
        return Response(self._body(meeting))
