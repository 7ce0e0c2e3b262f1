"""What police systems (and hub staff) send, and what the API answers.

The serializers check shapes and types and build the service's input; every domain rule (no
child, an unnamed child present, an incident in the future, the people's NHS numbers, dates and
postcodes) is the service's own validation, so the API and the hub's page refuse the same things
with the same messages.
"""

from rest_framework import serializers

from agencies.models import AgencyKind
from contacts.api.intake import (
    AwareDateTimeField,
    FlatListSerializer,
    PersonIntakeSerializer,
    batch_items,
    refuse_repeats,
    sending_agency,
)
from contacts.api.serializers import ContactSubjectSerializer
from contacts.codes import Consent
from contacts.models import RelationshipType
from mash import limits

from ..models import DaChild, DaNotification, DashRisk
from ..services import (
    POLICE_LAWFUL_BASIS,
    ChildInput,
    DaNotificationInput,
    DaPersonInput,
    da_notification_validate,
)

BATCH_MAX_ITEMS = 500
CHILDREN_MAX = 20


class ChildIntakeSerializer(PersonIntakeSerializer):
    """A child present at, or normally living where, the incident happened. Matched to an
    existing record (NHS number, UPN, or name with date of birth) or created; a subject of the
    contact. Every child must be named."""

    given_name = serializers.CharField(
        max_length=limits.PERSON_NAME.input_length, allow_blank=True, default=""
    )
    family_name = serializers.CharField(
        max_length=limits.PERSON_NAME.input_length, allow_blank=True, default=""
    )
    present = serializers.BooleanField(
        help_text="True when the child was present at (witnessed) the incident; false when they "
        "normally live there but were not present."
    )

    class Meta:
        list_serializer_class = FlatListSerializer

    def validate(self, attrs: dict) -> ChildInput:
        present = attrs.pop("present")
        return ChildInput(person=super().validate(attrs), present=present)


class DaRelationshipSerializer(serializers.Serializer):
    """How the victim or perpetrator is related to a child: `type` of the child at `to_child`."""

    type = serializers.ChoiceField(
        choices=RelationshipType.choices,
        help_text="The adult is this to the child: e.g. `parent` for the child's mother.",
    )
    to_child = serializers.IntegerField(default=0, min_value=0, help_text="children[index]")


class DaPersonIntakeSerializer(PersonIntakeSerializer):
    """The victim or the alleged perpetrator. Matched like the children, or created."""

    relationship = DaRelationshipSerializer(required=False, allow_null=True, default=None)
    in_household = serializers.BooleanField(
        default=True, help_text="Lives where the children live (a household member)."
    )

    def validate(self, attrs: dict) -> DaPersonInput:
        relationship = attrs.pop("relationship", None) or {}
        in_household = attrs.pop("in_household", True)
        return DaPersonInput(
            person=super().validate(attrs),
            relationship_type=relationship.get("type", ""),
            to_child=relationship.get("to_child"),
            in_household=in_household,
        )


class DaNotificationIntakeSerializer(serializers.Serializer):
    """One domestic abuse notification as a police system (or hub staff) sends it.

    It becomes a contact (source 6, police notification, domestic abuse) about the children.
    Idempotent on `occurrence_reference`: sending the same notification again answers with the
    one made the first time."""

    occurrence_reference = serializers.CharField(
        max_length=limits.EXTERNAL_REFERENCE.input_length,
        help_text="The police occurrence reference. The same reference sent again is the same "
        "notification.",
    )
    police_agency = serializers.SlugField(
        max_length=limits.AGENCY_CODE.input_length,
        allow_blank=True,
        allow_null=True,
        default="",
        help_text="The police force's agency code. Police systems may leave it out (their own "
        "force is used) and may not name another; hub staff must give it.",
    )
    incident_at = AwareDateTimeField(
        help_text="When the incident happened (ISO 8601 with offset); not in the future."
    )
    dash_risk = serializers.ChoiceField(
        choices=DashRisk.choices,
        error_messages={"invalid_choice": "Choose the DASH risk level: standard, medium or high."},
        help_text="The DASH risk level. Standard risk goes to the triage queue; medium and high "
        "wait for the daily meeting.",
    )
    victim = DaPersonIntakeSerializer(
        allow_null=True, help_text="Required: the person the incident was against."
    )
    perpetrator = DaPersonIntakeSerializer(
        required=False,
        allow_null=True,
        default=None,
        help_text="The alleged perpetrator; null when not known.",
    )
    children = ChildIntakeSerializer(
        many=True,
        max_length=CHILDREN_MAX,
        error_messages={"max_length": "A notification can name at most {max_length} children."},
    )
    narrative = serializers.CharField(
        max_length=limits.NARRATIVE.input_length, allow_blank=True, default=""
    )
    consent = serializers.ChoiceField(choices=Consent.choices, default=Consent.NOT_GIVEN)
    consent_detail = serializers.CharField(
        max_length=limits.CONSENT_DETAIL.input_length,
        allow_blank=True,
        default=POLICE_LAWFUL_BASIS,
        help_text="The lawful basis for sharing without consent (a default is given).",
    )
    referrer_name = serializers.CharField(
        max_length=limits.REFERRER_NAME.input_length, allow_blank=True, default=""
    )
    referrer_phone = serializers.CharField(
        max_length=limits.PHONE.input_length, allow_blank=True, default=""
    )
    referrer_email = serializers.EmailField(
        max_length=limits.EMAIL.input_length, allow_blank=True, default=""
    )
    received_at = AwareDateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text="When the notification reached the sender's front door; defaults to now. The "
        "decision clock starts here.",
    )

    class Meta:
        list_serializer_class = FlatListSerializer

    def validate_police_agency(self, value: str | None):
        """The police force with this code; for police callers, their own."""
        return sending_agency(
            self.context,
            value,
            missing="There is no police force with this code.",
            not_own="A police system can send notifications only as its own force.",
            kind=AgencyKind.POLICE,
        )

    def validate(self, attrs: dict) -> DaNotificationInput:
        """Build the service's input and run its rules on it (no writes)."""
        data = DaNotificationInput(**attrs)
        da_notification_validate(data)
        return data


class DaNotificationBatchSerializer(serializers.Serializer):
    """Up to 500 notifications at once: all stored, or none."""

    items = batch_items(DaNotificationIntakeSerializer)

    def validate(self, attrs: dict) -> dict:
        """One reference, one item: a batch repeating an occurrence reference is refused naming
        each later item's `occurrence_reference`."""
        refuse_repeats(
            attrs["items"],
            lambda data: data.occurrence_reference.strip(),
            "occurrence_reference",
            "items[{earlier}] has this reference already: send each notification once.",
        )
        return attrs


# --- Answers ---------------------------------------------------------------------------------


class DaChildSerializer(serializers.ModelSerializer):
    person = ContactSubjectSerializer()

    class Meta:
        model = DaChild
        fields = ["person", "present"]


class DaNotificationSerializer(serializers.ModelSerializer):
    """A notification, in full, for hub staff."""

    contact = serializers.IntegerField(source="contact_id")
    contact_reference = serializers.CharField(source="contact.reference")
    police_agency = serializers.CharField(source="police_agency.code")
    received_at = serializers.DateTimeField(source="contact.received_at")
    decision_due_at = serializers.DateTimeField(
        source="contact.decision_due_at",
        help_text="Medium and high risk: the end of the next working day after receipt.",
    )
    contact_outcome = serializers.CharField(
        source="contact.outcome", help_text="The contact's decision; empty until decided."
    )
    triage_route = serializers.ChoiceField(
        choices=[("queue", "Triage queue"), ("meeting", "Daily meeting")],
        help_text="Standard risk: the ordinary triage queue; medium and high: the daily meeting.",
    )
    victim = ContactSubjectSerializer()
    perpetrator = ContactSubjectSerializer(allow_null=True)
    children = DaChildSerializer(many=True)
    meeting = serializers.IntegerField(source="meeting_id", allow_null=True)

    class Meta:
        model = DaNotification
        fields = [
            "id",
            "contact",
            "contact_reference",
            "police_agency",
            "occurrence_reference",
            "incident_at",
            "received_at",
            "decision_due_at",
            "dash_risk",
            "triage_route",
            "victim",
            "perpetrator",
            "children",
            "meeting",
            "agreed_outcome",
            "marac_referral",
            "agreed_rationale",
            "contact_outcome",
        ]
        read_only_fields = fields


class DaNotificationReceiptSerializer(serializers.Serializer):
    """What a police system gets back: enough to reconcile, no more."""

    id = serializers.IntegerField()
    reference = serializers.CharField(help_text="The hub's contact reference.")
    occurrence_reference = serializers.CharField(read_only=True)
    received_at = serializers.DateTimeField()
    created = serializers.BooleanField(help_text="False when this item had been sent before.")


class DaBatchResultSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    id = serializers.IntegerField()
    reference = serializers.CharField()
    occurrence_reference = serializers.CharField(read_only=True)
    created = serializers.BooleanField(help_text="False when this item had been sent before.")


class DaBatchResultsSerializer(serializers.Serializer):
    """Every item's outcome, in the order sent."""

    results = DaBatchResultSerializer(many=True)
