"""The front door API's read shapes, the queue's filters, the triage steps and the errors."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from mash import limits
from mash.api.serializers import ErrorSerializer  # noqa: F401 - the views import it here

from ..codes import Channel, Concern, Outcome, Rag, Source
from ..models import Contact, Person
from ..selectors_open_work import person_age

# --- Errors (for the schema) ---------------------------------------------------------------


# --- People ----------------------------------------------------------------------------------


class PersonSerializer(serializers.ModelSerializer):
    """A person record as the people endpoints show it."""

    class Meta:
        model = Person
        fields = [
            "id",
            "given_name",
            "family_name",
            "date_of_birth",
            "expected_date_of_delivery",
            "gender",
            "nhs_number",
            "address",
            "postcode",
        ]


class EarlierContactSerializer(serializers.ModelSerializer):
    """A contact in a person's history, as a search hit lists it."""

    reference = serializers.CharField(read_only=True)
    is_open = serializers.SerializerMethodField()

    class Meta:
        model = Contact
        fields = ["id", "reference", "received_at", "outcome", "is_open"]

    def get_is_open(self, contact: Contact) -> bool:
        return not contact.is_decided


class PersonSearchQuerySerializer(serializers.Serializer):
    """The one search box."""

    q = serializers.CharField(
        max_length=limits.SEARCH_QUERY.input_length,
        help_text="Names (aliases and near spellings), a date of birth, an NHS number or a "
        "postcode, in any order.",
    )


class PersonSearchHitSerializer(PersonSerializer):
    """A search hit: the person, their contacts, and whether one is still open."""

    contact_count = serializers.IntegerField(read_only=True)
    has_open_contact = serializers.BooleanField(read_only=True)
    contacts = serializers.SerializerMethodField()

    class Meta(PersonSerializer.Meta):
        fields = [*PersonSerializer.Meta.fields, "contact_count", "has_open_contact", "contacts"]

    @extend_schema_field(EarlierContactSerializer(many=True))
    def get_contacts(self, person: Person) -> list[dict]:
        history = self.context.get("history", {}).get(person.pk, [])
        return EarlierContactSerializer(history, many=True).data


class PersonSearchResultsSerializer(serializers.Serializer):
    """Search answers (at most 20 hits, best kept short: refine the query for more)."""

    results = PersonSearchHitSerializer(many=True)


# --- Contacts: reading -----------------------------------------------------------------------


class ContactSubjectSerializer(serializers.ModelSerializer):
    """A subject of a contact, as much as the queue and the contact need."""

    class Meta:
        model = Person
        fields = ["id", "given_name", "family_name", "date_of_birth", "expected_date_of_delivery"]


def _name(user) -> str | None:
    return user.display_name if user is not None else None


class RecommendationReadSerializer(serializers.Serializer):
    """The social worker's recommendation on a contact."""

    outcome = serializers.ChoiceField(choices=Outcome.choices, source="recommended_outcome")
    rationale = serializers.CharField(source="recommendation_rationale", read_only=True)
    threshold_rationale = serializers.CharField(read_only=True)
    rag = serializers.ChoiceField(choices=Rag.choices, source="recommended_rag", allow_blank=True)
    made_at = serializers.DateTimeField(source="recommended_at")
    made_by = serializers.SerializerMethodField()

    def get_made_by(self, contact: Contact) -> str | None:
        return _name(contact.recommended_by)


class DecisionReadSerializer(serializers.Serializer):
    """The manager's decision on a contact (`rag` is the enquiry's initial RAG rating)."""

    outcome = serializers.ChoiceField(choices=Outcome.choices)
    reason = serializers.CharField(source="outcome_reason", read_only=True)
    rag = serializers.ChoiceField(choices=Rag.choices, source="initial_rag", allow_blank=True)
    made_at = serializers.DateTimeField(source="decided_at")
    made_by = serializers.SerializerMethodField()

    def get_made_by(self, contact: Contact) -> str | None:
        return _name(contact.decided_by)


class ContactSerializer(serializers.ModelSerializer):
    """A contact with its subjects, clocks, triage and decision (hub staff only).

    `recommendation` and `decision` are null until made; send `version` back with a
    recommendation or decision so a change by someone else in between is caught (409).
    """

    reference = serializers.CharField(read_only=True)
    state = serializers.ChoiceField(
        choices=["new", "in_triage", "awaiting_decision", "decided"], read_only=True
    )
    referring_agency = serializers.SlugRelatedField(slug_field="code", read_only=True)
    subjects = ContactSubjectSerializer(many=True, read_only=True)
    concerns = serializers.ListField(child=serializers.CharField(), read_only=True)
    is_overdue = serializers.SerializerMethodField()
    assignee_name = serializers.SerializerMethodField()
    recommendation = serializers.SerializerMethodField()
    decision = serializers.SerializerMethodField()

    class Meta:
        model = Contact
        fields = [
            "id",
            "reference",
            "state",
            "version",
            "source",
            "channel",
            "referring_agency",
            "external_reference",
            "referrer_name",
            "referrer_role",
            "referrer_organisation",
            "referrer_phone",
            "referrer_email",
            "subjects",
            "concerns",
            "narrative",
            "consent",
            "consent_detail",
            "received_at",
            "decision_due_at",
            "is_overdue",
            "decision_started_at",
            "assignee",
            "assignee_name",
            "recommendation",
            "decision",
            "feedback_sent_at",
            "is_repeat",
            "prior_contacts_12m",
        ]
        read_only_fields = fields

    def get_is_overdue(self, contact: Contact) -> bool:
        return not contact.is_decided and contact.decision_due_at < timezone.now()

    def get_assignee_name(self, contact: Contact) -> str | None:
        return _name(contact.assignee)

    @extend_schema_field(RecommendationReadSerializer(allow_null=True))
    def get_recommendation(self, contact: Contact) -> dict | None:
        if not contact.recommended_outcome:
            return None
        return RecommendationReadSerializer(contact).data

    @extend_schema_field(DecisionReadSerializer(allow_null=True))
    def get_decision(self, contact: Contact) -> dict | None:
        if not contact.outcome:
            return None
        return DecisionReadSerializer(contact).data


class DecidedEnquirySerializer(serializers.Serializer):
    """The enquiry a MASH_ENQUIRY decision put the contact in."""

    id = serializers.IntegerField()
    reference = serializers.CharField()
    joined = serializers.BooleanField(
        help_text="True when the contact was added to an enquiry already open about a subject; "
        "false when the decision opened it."
    )


class DecidedContactSerializer(ContactSerializer):
    """The decided contact, with the enquiry it is in (null unless MASH_ENQUIRY)."""

    enquiry = serializers.SerializerMethodField()

    class Meta(ContactSerializer.Meta):
        fields = [*ContactSerializer.Meta.fields, "enquiry"]
        read_only_fields = fields

    @extend_schema_field(DecidedEnquirySerializer(allow_null=True))
    def get_enquiry(self, contact: Contact) -> dict | None:
        from enquiries.models import EnquiryContact

        link = EnquiryContact.objects.filter(contact=contact).select_related("enquiry").first()
        if link is None:
            return None
        return {
            "id": link.enquiry_id,
            "reference": link.enquiry.reference,
            "joined": link.how == "added",
        }


class QueueSubjectSerializer(ContactSubjectSerializer):
    """A subject as the queue shows them: the name, and the age in whole years at today's local
    date (null when unborn or not known)."""

    age = serializers.SerializerMethodField()
    is_unborn = serializers.BooleanField(read_only=True)

    class Meta(ContactSubjectSerializer.Meta):
        fields = [*ContactSubjectSerializer.Meta.fields, "age", "is_unborn"]

    def get_age(self, person: Person) -> int | None:
        return person_age(person, self.context.get("today"))


class QueueContactSerializer(ContactSerializer):
    """A contact in the triage queue: the contact, its subjects with their ages, and whether any
    subject has open work besides it (another undecided contact or an open enquiry)."""

    subjects = QueueSubjectSerializer(many=True, read_only=True)
    open_work = serializers.BooleanField(
        source="has_open_work",
        read_only=True,
        help_text="True when a subject has another undecided contact or an open enquiry.",
    )

    class Meta(ContactSerializer.Meta):
        fields = [*ContactSerializer.Meta.fields, "open_work"]
        read_only_fields = fields


class ContactReceiptSerializer(serializers.Serializer):
    """What an agency system gets back for a contact it sent: enough to reconcile, no more."""

    id = serializers.IntegerField()
    reference = serializers.CharField()
    received_at = serializers.DateTimeField()
    created = serializers.BooleanField(help_text="False when this item had been sent before.")


class ConflictSerializer(ErrorSerializer):
    """Someone else changed the contact first: here is how it stands now."""

    current = ContactSerializer()


class ContactFilterSerializer(serializers.Serializer):
    """The triage queue's filters, as query parameters."""

    source = serializers.ChoiceField(choices=Source.choices, required=False, allow_blank=True)
    channel = serializers.ChoiceField(choices=Channel.choices, required=False, allow_blank=True)
    concern = serializers.ChoiceField(choices=Concern.choices, required=False, allow_blank=True)
    overdue = serializers.BooleanField(required=False, help_text="Only those past their due time.")
    unassigned = serializers.BooleanField(required=False, help_text="Only those nobody picked up.")
    mine = serializers.BooleanField(required=False, help_text="Only those assigned to me.")
    awaiting_decision = serializers.BooleanField(
        required=False, help_text="Only those with a recommendation awaiting a manager."
    )


# --- Contacts: triage steps ------------------------------------------------------------------


class RecommendSerializer(serializers.Serializer):
    """The social worker's recommended outcome."""

    outcome = serializers.ChoiceField(choices=Outcome.choices)
    rationale = serializers.CharField(allow_blank=True, max_length=limits.RATIONALE.input_length)
    rag = serializers.ChoiceField(
        choices=Rag.choices,
        allow_blank=True,
        default="",
        help_text="The initial RAG rating, for a MASH_ENQUIRY only.",
    )
    threshold_rationale = serializers.CharField(
        allow_blank=True,
        default="",
        max_length=limits.RATIONALE.input_length,
        help_text="Needed for a REFERRAL: the hub presumes early help.",
    )
    version = serializers.IntegerField(
        min_value=1, help_text="The contact's version you saw; a stale one is a 409 conflict."
    )


class DecideSerializer(serializers.Serializer):
    """The manager's decision: the recommendation approved, or another outcome with a reason."""

    outcome = serializers.ChoiceField(choices=Outcome.choices)
    reason = serializers.CharField(
        allow_blank=True,
        default="",
        max_length=limits.RATIONALE.input_length,
        help_text="Needed when the outcome or RAG differs from the recommendation.",
    )
    rag = serializers.ChoiceField(
        choices=Rag.choices,
        allow_blank=True,
        default="",
        help_text="The initial RAG rating, for a MASH_ENQUIRY only.",
    )
    separate_enquiry_reason = serializers.CharField(
        allow_blank=True,
        default="",
        max_length=limits.RATIONALE.input_length,
        help_text="MASH_ENQUIRY only. When a subject already has an open enquiry, the contact is "
        "added to it (its RAG raised if this decision's is higher); give a reason here only to "
        "open a second, separate enquiry instead (recorded on it and in the audit trail).",
    )
    version = serializers.IntegerField(
        min_value=1, help_text="The contact's version you saw; a stale one is a 409 conflict."
    )
