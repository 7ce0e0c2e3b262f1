"""The enquiries API's shapes.

Two audiences, two sets of shapes:
- the hub (front-door workers and managers) sees enquiries in full, and every request with all
  its returns;
- a partner agency sees its own requests only through `AgencyInformationRequest*`: the people to
  check (names, aliases, dates of birth, addresses, identifiers), the question, the RAG rating,
  the due time and its own returns. Never the enquiry, the contact, the referrer, the narrative,
  the hub's notes or names, nor another agency's request or return (DOMAIN.md, "Who sees what").

Inputs check shapes and choices only; every domain rule is the services' (a reason for a RAG
change, one open request per agency, people from the enquiry, ...), so the API and the pages
refuse the same things with the same messages.
"""

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agencies.models import Agency, User
from agencies.roles import AGENCY_ROLES
from agencies.selectors import agencies_visible_to
from contacts.api.serializers import ErrorSerializer
from contacts.codes import Rag
from contacts.models import Person, PersonAlias
from mash import limits

from ..models import (
    Enquiry,
    EnquiryContact,
    EnquiryPerson,
    EnquiryState,
    HandlingMarking,
    InformationRequest,
    InformationReturn,
    RagChange,
    RequestState,
)
from ..models.enquiries import ENQUIRY_OUTCOMES
from ..services import ReturnInput
from .fields import IdListField, NamedChoiceField


def _rag(**kwargs) -> NamedChoiceField:
    return NamedChoiceField(Rag.choices, enum_name="Rag", **kwargs)


def _outcome(**kwargs) -> NamedChoiceField:
    return NamedChoiceField(ENQUIRY_OUTCOMES, enum_name="EnquiryOutcome", **kwargs)


def _request_state(**kwargs) -> NamedChoiceField:
    return NamedChoiceField(RequestState.choices, enum_name="InformationRequestState", **kwargs)


def _version() -> serializers.IntegerField:
    return serializers.IntegerField(
        min_value=1,
        allow_null=True,
        default=None,
        help_text="The enquiry's version you saw: if someone changed it since, the answer is 409 "
        "with its current state. Leave out to skip the check.",
    )


def _name(user: User | None) -> str | None:
    return user.display_name if user is not None else None


def _is_overdue(request: InformationRequest) -> bool:
    return request.state == RequestState.OPEN and request.due_at < timezone.now()


# --- Returns -------------------------------------------------------------------------------


class InformationReturnReadSerializer(serializers.ModelSerializer):
    """One return (or addendum) as submitted: read-only for good."""

    handling = NamedChoiceField(HandlingMarking.choices, enum_name="HandlingMarking")
    submitted_by_name = serializers.SerializerMethodField()

    class Meta:
        model = InformationReturn
        fields = [
            "id",
            "information_held",
            "summary",
            "risk_indicators",
            "systems_checked",
            "handling",
            "is_addendum",
            "submitted_by",
            "submitted_by_name",
            "submitted_at",
        ]
        read_only_fields = fields

    def get_submitted_by_name(self, information_return: InformationReturn) -> str | None:
        return _name(information_return.submitted_by)


class InformationReturnInputSerializer(serializers.Serializer):
    """An agency's return. A second one on the same request is kept as an addendum."""

    information_held = serializers.BooleanField(
        help_text="Whether your agency holds information about any of the people."
    )
    summary = serializers.CharField(
        allow_blank=True,
        default="",
        max_length=limits.RETURN_SUMMARY.input_length,
        help_text="The relevant information held; needed when information is held.",
    )
    risk_indicators = serializers.CharField(
        allow_blank=True, default="", max_length=limits.RISK_INDICATORS.input_length
    )
    systems_checked = serializers.CharField(
        allow_blank=True,
        max_length=limits.SYSTEMS_CHECKED.input_length,
        help_text="The systems you searched.",
    )
    handling = NamedChoiceField(
        HandlingMarking.choices,
        enum_name="HandlingMarking",
        default=HandlingMarking.NONE,
        help_text="How the hub must handle what you share.",
    )

    def validate(self, attrs: dict) -> ReturnInput:
        return ReturnInput(**attrs)


# --- People ------------------------------------------------------------------------------


class PersonAliasReadSerializer(serializers.ModelSerializer):
    """Another name a person goes by."""

    class Meta:
        model = PersonAlias
        fields = ["given_name", "family_name"]


class PersonToCheckSerializer(serializers.ModelSerializer):
    """A person an agency is asked to check: what it needs to find them in its systems."""

    aliases = PersonAliasReadSerializer(many=True, read_only=True)

    class Meta:
        model = Person
        fields = [
            "id",
            "given_name",
            "family_name",
            "aliases",
            "date_of_birth",
            "expected_date_of_delivery",
            "nhs_number",
            "upn",
            "address",
            "postcode",
        ]
        read_only_fields = fields


class RequestPersonSerializer(serializers.ModelSerializer):
    """A person a request asks about, as the hub lists it."""

    class Meta:
        model = Person
        fields = ["id", "given_name", "family_name", "date_of_birth"]
        read_only_fields = fields


class EnquiryPersonSerializer(serializers.ModelSerializer):
    """A person the enquiry checks: a subject of the contact, or a member of their household."""

    id = serializers.IntegerField(source="person.id", read_only=True)
    given_name = serializers.CharField(source="person.given_name", read_only=True)
    family_name = serializers.CharField(source="person.family_name", read_only=True)
    date_of_birth = serializers.DateField(source="person.date_of_birth", read_only=True)
    expected_date_of_delivery = serializers.DateField(
        source="person.expected_date_of_delivery", read_only=True
    )

    class Meta:
        model = EnquiryPerson
        fields = [
            "id",
            "given_name",
            "family_name",
            "date_of_birth",
            "expected_date_of_delivery",
            "is_subject",
            "relationship",
        ]
        read_only_fields = fields


# --- Information requests: the hub's side -----------------------------------------------------


class EnquiryRequestSummarySerializer(serializers.ModelSerializer):
    """A request as the enquiry lists it: which agency, and whether it has answered in time."""

    reference = serializers.CharField(read_only=True)
    agency = serializers.SlugRelatedField(slug_field="code", read_only=True)
    agency_name = serializers.CharField(source="agency.name", read_only=True)
    state = _request_state(read_only=True)
    is_overdue = serializers.SerializerMethodField()
    returned_on_time = serializers.BooleanField(read_only=True, allow_null=True)

    class Meta:
        model = InformationRequest
        fields = [
            "id",
            "reference",
            "agency",
            "agency_name",
            "state",
            "requested_at",
            "due_at",
            "is_overdue",
            "returned_at",
            "returned_on_time",
        ]
        read_only_fields = fields

    def get_is_overdue(self, request: InformationRequest) -> bool:
        return _is_overdue(request)


class HubInformationRequestSerializer(EnquiryRequestSummarySerializer):
    """A request in full, with every return on it, as the hub sees it."""

    people = RequestPersonSerializer(many=True, read_only=True)
    requested_by_name = serializers.SerializerMethodField()
    withdrawn_by_name = serializers.SerializerMethodField()
    returns = InformationReturnReadSerializer(many=True, read_only=True)

    class Meta(EnquiryRequestSummarySerializer.Meta):
        fields = [
            *EnquiryRequestSummarySerializer.Meta.fields,
            "question",
            "people",
            "requested_by",
            "requested_by_name",
            "withdrawn_at",
            "withdrawn_reason",
            "withdrawn_by_name",
            "returns",
        ]
        read_only_fields = fields

    def get_requested_by_name(self, request: InformationRequest) -> str | None:
        return _name(request.requested_by)

    def get_withdrawn_by_name(self, request: InformationRequest) -> str | None:
        return _name(request.withdrawn_by)


class HubInformationRequestConflictSerializer(ErrorSerializer):
    """The request changed first (returned or withdrawn already): here is how it stands."""

    current = HubInformationRequestSerializer()


class InformationRequestCreateSerializer(serializers.Serializer):
    """A new request to one agency: the question, and which of the enquiry's people to check."""

    agency = serializers.CharField(
        max_length=limits.AGENCY_CODE.input_length, help_text="The agency's code, e.g. `police`."
    )
    question = serializers.CharField(allow_blank=True, max_length=limits.QUESTION.input_length)
    people = IdListField(
        max_length=200,
        help_text="Ids of the enquiry's people the agency should check (subjects and household).",
    )

    def validate_agency(self, value: str) -> Agency:
        user = getattr(self.context.get("request"), "user", None)
        agency = agencies_visible_to(user).filter(code=value).first()
        if agency is None:
            raise serializers.ValidationError("There is no partner agency with this code.")
        return agency


class WithdrawSerializer(serializers.Serializer):
    """Why the request is no longer needed (the agency loses sight of it at once)."""

    reason = serializers.CharField(
        allow_blank=True, max_length=limits.WITHDRAWN_REASON.input_length
    )


# --- Information requests: the agency's side ---------------------------------------------------


AGENCY_REQUEST_FIELDS = [
    "id",
    "reference",
    "state",
    "rag",
    "question",
    "requested_at",
    "due_at",
    "is_overdue",
    "assignee",
    "assignee_name",
    "returned_at",
]


class AgencyInformationRequestSummarySerializer(serializers.ModelSerializer):
    """A request in the agency's queue: no people's details, no enquiry beyond its RAG."""

    reference = serializers.CharField(read_only=True)
    state = _request_state(read_only=True)
    rag = _rag(source="enquiry.rag", read_only=True, help_text="The enquiry's current rating.")
    is_overdue = serializers.SerializerMethodField()
    assignee_name = serializers.SerializerMethodField()
    people_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = InformationRequest
        fields = [*AGENCY_REQUEST_FIELDS, "people_count"]
        read_only_fields = fields

    def get_is_overdue(self, request: InformationRequest) -> bool:
        return _is_overdue(request)

    def get_assignee_name(self, request: InformationRequest) -> str | None:
        return _name(request.assignee)


class AgencyInformationRequestSerializer(AgencyInformationRequestSummarySerializer):
    """A request as its agency sees it: who to check, the question, the RAG, when it is due, and
    the agency's own returns."""

    people = PersonToCheckSerializer(many=True, read_only=True)
    returns = InformationReturnReadSerializer(many=True, read_only=True)

    class Meta(AgencyInformationRequestSummarySerializer.Meta):
        fields = [*AGENCY_REQUEST_FIELDS, "people", "returns"]
        read_only_fields = fields


class AgencyInformationRequestConflictSerializer(ErrorSerializer):
    """The request or its enquiry changed first: here is how the request stands."""

    current = AgencyInformationRequestSerializer()


class AgencyRequestFilterSerializer(serializers.Serializer):
    """The agency queue's filters, as query parameters."""

    state = NamedChoiceField(
        [(RequestState.OPEN, "Open"), (RequestState.RETURNED, "Returned")],
        enum_name="AgencyRequestStateFilter",
        required=False,
        allow_blank=True,
        help_text="Only open or only returned requests (both by default).",
    )
    mine = serializers.BooleanField(required=False, help_text="Only those assigned to me.")


class AssignSerializer(serializers.Serializer):
    """Who in the agency should work on the request (supervisors only)."""

    assignee = serializers.IntegerField(min_value=1, help_text="The researcher's user id.")

    def validate_assignee(self, value: int) -> User:
        user = getattr(self.context.get("request"), "user", None)
        researcher = User.objects.filter(
            pk=value, agency_id=getattr(user, "agency_id", None), role__in=AGENCY_ROLES
        ).first()
        if researcher is None:
            # The same answer for a user of another agency as for no user: nothing disclosed.
            raise serializers.ValidationError("Choose an active researcher of your agency.")
        return researcher


# --- Enquiries ------------------------------------------------------------------------------


class RagChangeReadSerializer(serializers.ModelSerializer):
    """One RAG change: who, when, from, to, why, and how the deadline moved."""

    from_rag = _rag(read_only=True)
    to_rag = _rag(read_only=True)
    changed_by_name = serializers.SerializerMethodField()
    is_escalation = serializers.BooleanField(read_only=True)

    class Meta:
        model = RagChange
        fields = [
            "from_rag",
            "to_rag",
            "reason",
            "changed_by",
            "changed_by_name",
            "changed_at",
            "previous_deadline",
            "new_deadline",
            "is_escalation",
        ]
        read_only_fields = fields

    def get_changed_by_name(self, change: RagChange) -> str | None:
        return _name(change.changed_by)


class EnquiryRecommendationReadSerializer(serializers.Serializer):
    """The hub worker's recommended enquiry outcome."""

    outcome = _outcome(source="recommended_outcome")
    final_rag = _rag(source="recommended_rag")
    rationale = serializers.CharField(source="recommendation_rationale", read_only=True)
    made_at = serializers.DateTimeField(source="recommended_at")
    made_by = serializers.SerializerMethodField()

    def get_made_by(self, enquiry: Enquiry) -> str | None:
        return _name(enquiry.recommended_by)


class EnquiryDecisionReadSerializer(serializers.Serializer):
    """The manager's decision, which closed the enquiry."""

    outcome = _outcome()
    final_rag = _rag()
    reason = serializers.CharField(source="outcome_reason", read_only=True)
    made_at = serializers.DateTimeField(source="closed_at")
    made_by = serializers.SerializerMethodField()

    def get_made_by(self, enquiry: Enquiry) -> str | None:
        return _name(enquiry.decided_by)


class EnquiryListItemSerializer(serializers.ModelSerializer):
    """An open enquiry in the hub's queue, with its outstanding requests counted."""

    reference = serializers.CharField(read_only=True)
    state = NamedChoiceField(EnquiryState.choices, enum_name="EnquiryState", read_only=True)
    rag = _rag(read_only=True)
    initial_rag = _rag(read_only=True)
    contact_reference = serializers.CharField(source="contact.reference", read_only=True)
    is_overdue = serializers.SerializerMethodField()
    worker_name = serializers.SerializerMethodField()
    people = EnquiryPersonSerializer(source="person_links", many=True, read_only=True)
    outstanding_requests = serializers.IntegerField(source="outstanding", read_only=True)
    overdue_requests = serializers.IntegerField(read_only=True)

    class Meta:
        model = Enquiry
        fields = [
            "id",
            "reference",
            "state",
            "version",
            "contact",
            "contact_reference",
            "rag",
            "initial_rag",
            "opened_at",
            "deadline",
            "is_overdue",
            "worker",
            "worker_name",
            "people",
            "outstanding_requests",
            "overdue_requests",
        ]
        read_only_fields = fields

    def get_is_overdue(self, enquiry: Enquiry) -> bool:
        return not enquiry.is_closed and enquiry.deadline < timezone.now()

    def get_worker_name(self, enquiry: Enquiry) -> str | None:
        return _name(enquiry.worker)


class EnquiryContactReadSerializer(serializers.ModelSerializer):
    """A contact the enquiry holds: the one that opened it, or one added to it later."""

    id = serializers.IntegerField(source="contact_id", read_only=True)
    reference = serializers.CharField(source="contact.reference", read_only=True)

    class Meta:
        model = EnquiryContact
        fields = ["id", "reference", "how", "added_at"]
        read_only_fields = fields


class EnquirySerializer(EnquiryListItemSerializer):
    """An enquiry in full: its people, requests, RAG history, recommendation and decision.

    `recommendation` and `decision` are null until made. Send `version` back with a step so a
    change by someone else in between is caught (409).
    """

    outstanding_requests = serializers.SerializerMethodField()
    overdue_requests = serializers.SerializerMethodField()
    requests = EnquiryRequestSummarySerializer(many=True, read_only=True)
    rag_changes = RagChangeReadSerializer(many=True, read_only=True)
    recommendation = serializers.SerializerMethodField()
    decision = serializers.SerializerMethodField()
    contacts = EnquiryContactReadSerializer(source="contact_links", many=True, read_only=True)

    class Meta(EnquiryListItemSerializer.Meta):
        fields = [
            *EnquiryListItemSerializer.Meta.fields,
            "contacts",
            "separate_reason",
            "requests",
            "rag_changes",
            "recommendation",
            "decision",
            "closed_at",
        ]
        read_only_fields = fields

    def get_outstanding_requests(self, enquiry: Enquiry) -> int:
        return sum(1 for request in enquiry.requests.all() if request.is_open)

    def get_overdue_requests(self, enquiry: Enquiry) -> int:
        return sum(1 for request in enquiry.requests.all() if _is_overdue(request))

    @extend_schema_field(EnquiryRecommendationReadSerializer(allow_null=True))
    def get_recommendation(self, enquiry: Enquiry) -> dict | None:
        if not enquiry.recommended_outcome:
            return None
        return EnquiryRecommendationReadSerializer(enquiry).data

    @extend_schema_field(EnquiryDecisionReadSerializer(allow_null=True))
    def get_decision(self, enquiry: Enquiry) -> dict | None:
        if not enquiry.outcome:
            return None
        return EnquiryDecisionReadSerializer(enquiry).data


class EnquiryConflictSerializer(ErrorSerializer):
    """Someone else changed the enquiry first, or it is closed: here is how it stands now."""

    current = EnquirySerializer()


class RagChangeSerializer(serializers.Serializer):
    """A new RAG rating and why. The deadlines of the enquiry and its open requests move."""

    rag = _rag()
    reason = serializers.CharField(allow_blank=True, max_length=limits.RATIONALE.input_length)
    version = _version()


class EnquiryRecommendSerializer(serializers.Serializer):
    """The hub worker's recommended outcome (any but another MASH enquiry) and final RAG."""

    outcome = _outcome()
    final_rag = _rag()
    rationale = serializers.CharField(allow_blank=True, max_length=limits.RATIONALE.input_length)
    version = _version()


class PersonToCheckSerializer(serializers.Serializer):
    """Someone to add to the enquiry's people to check: a person's id, as the people search
    (`/api/v1/people/search/`) finds them."""

    person = serializers.IntegerField(
        min_value=1,
        error_messages={
            "required": "Give the id of the person to add",
            "null": "Give the id of the person to add",
            "invalid": "A person's id is a whole number",
        },
    )
    version = _version()


class EnquiryDecideSerializer(serializers.Serializer):
    """The manager's decision: the recommendation approved, or another with a reason."""

    outcome = _outcome()
    final_rag = _rag()
    reason = serializers.CharField(
        allow_blank=True,
        default="",
        max_length=limits.RATIONALE.input_length,
        help_text="Needed when the outcome or final RAG differs from the recommendation.",
    )
    version = _version()
