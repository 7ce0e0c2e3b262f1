"""What agency systems (and hub staff) send: one contact, or a batch of up to 500.

These serializers check shapes and types and build the services' inputs (ContactInput,
PersonInput); every domain rule (NHS number, UPN, postcode, dates, consent, narrative size) is
then checked by the intake service's own validation, so the API and the pages refuse the same
things with the same messages.
"""

from datetime import datetime

from django.utils import timezone
from rest_framework import serializers

from agencies.roles import AGENCY_ROLES
from agencies.selectors import agencies_visible_to
from mash import limits

from ..codes import Channel, Concern, Consent, Ethnicity, Gender, Source
from ..models import ConcernRole, RelationshipType
from ..services import ContactInput, NamedPersonInput, PersonInput
from ..services.intake import contact_validate

BATCH_MAX_ITEMS = 500
SUBJECTS_MAX = 50
PEOPLE_MAX = 50
ALIASES_MAX = 20


class FlatListSerializer(serializers.ListSerializer):
    """A list whose own problems (not a list, too short, too long) are reported under its name.

    DRF reports them as `{"non_field_errors": [...]}` inside the list's key; the API's error body
    wants `{"items": ["..."]}`. Lengths are checked before any item is validated, so a batch of
    10,000 items is refused at once.
    """

    def to_internal_value(self, data):
        if not isinstance(data, list):
            raise serializers.ValidationError(["Expected a list."], code="not_a_list")
        if self.min_length is not None and len(data) < self.min_length:
            message = self.error_messages["min_length"].format(min_length=self.min_length)
            raise serializers.ValidationError([message], code="min_length")
        if self.max_length is not None and len(data) > self.max_length:
            message = self.error_messages["max_length"].format(max_length=self.max_length)
            raise serializers.ValidationError([message], code="max_length")
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as error:
            if not isinstance(error.detail, dict):
                raise
            # DRF 3.18 keys item errors by index ({3: {...}}); the error body names items as
            # "items[3].field", which mash.api.errors builds from a list of per-item errors.
            per_item = [error.detail.get(index, {}) for index in range(len(data))]
            raise serializers.ValidationError(per_item) from error


class AwareDateTimeField(serializers.DateTimeField):
    """An ISO 8601 date and time with its offset: a time without a zone is ambiguous."""

    default_error_messages = {
        "naive": "Give the time with its time zone offset, e.g. 2026-03-02T09:15:00+00:00.",
    }

    def enforce_timezone(self, value: datetime) -> datetime:
        if timezone.is_naive(value):
            self.fail("naive")
        return super().enforce_timezone(value)


class AliasSerializer(serializers.Serializer):
    """Another name a person goes by."""

    given_name = serializers.CharField(
        max_length=limits.PERSON_NAME.input_length, allow_blank=True, default=""
    )
    family_name = serializers.CharField(
        max_length=limits.PERSON_NAME.input_length, allow_blank=True, default=""
    )

    class Meta:
        list_serializer_class = FlatListSerializer


class PersonIntakeSerializer(serializers.Serializer):
    """A person a contact is about, as the sending system knows them. Matched to an existing
    record where the NHS number, UPN, or name with date of birth match."""

    given_name = serializers.CharField(max_length=limits.PERSON_NAME.input_length)
    family_name = serializers.CharField(max_length=limits.PERSON_NAME.input_length)
    date_of_birth = serializers.DateField(required=False, allow_null=True, default=None)
    expected_date_of_delivery = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="For an unborn child, instead of a date of birth (within the next 10 months).",
    )
    gender = serializers.ChoiceField(choices=Gender.choices, default=Gender.NOT_RECORDED)
    ethnicity = serializers.ChoiceField(choices=Ethnicity.choices, default=Ethnicity.NOBT)
    nhs_number = serializers.CharField(
        max_length=limits.NHS_NUMBER.input_length,
        allow_blank=True,
        default="",
        help_text="10 digits; spaces allowed.",
    )
    upn = serializers.CharField(
        max_length=limits.UPN.input_length,
        allow_blank=True,
        default="",
        help_text="Unique pupil number (13).",
    )
    address = serializers.CharField(
        max_length=limits.ADDRESS.input_length, allow_blank=True, default=""
    )
    postcode = serializers.CharField(
        max_length=limits.POSTCODE.input_length, allow_blank=True, default=""
    )
    aliases = AliasSerializer(many=True, required=False, max_length=ALIASES_MAX)
    school_urn = serializers.CharField(
        max_length=limits.SCHOOL_URN.input_length,
        allow_blank=True,
        default="",
        help_text="The DfE URN (6 digits) of the child's current school, where known: it must "
        "be a school the hub has imported. A person matched to an existing record keeps the "
        "school already recorded.",
    )

    class Meta:
        list_serializer_class = FlatListSerializer

    def validate(self, attrs: dict) -> PersonInput:
        aliases = [(a["given_name"], a["family_name"]) for a in attrs.pop("aliases", [])]
        return PersonInput(**attrs, aliases=aliases)


class RelationshipIntakeSerializer(serializers.Serializer):
    """How a named person is related: `type` of the subject at index `to_subject`, or of the
    other named person at index `to_person` (give one of the two)."""

    type = serializers.ChoiceField(
        choices=RelationshipType.choices,
        help_text="The named person is this to the other: e.g. `parent` for a child's mother.",
    )
    to_subject = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=0, help_text="subjects[index]"
    )
    to_person = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=0, help_text="people[index]"
    )


class NamedPersonIntakeSerializer(PersonIntakeSerializer):
    """Someone the contact names besides its subjects: a parent, carer, sibling, partner, another
    adult in the home or an alleged perpetrator. Matched like subjects (NHS number, UPN, or name
    with date of birth) or created."""

    role = serializers.ChoiceField(
        choices=ConcernRole.choices, help_text="Their role in the concern."
    )
    relationship = RelationshipIntakeSerializer(required=False, allow_null=True, default=None)
    in_household = serializers.BooleanField(
        default=True, help_text="Lives at the subjects' address (a household member)."
    )

    class Meta:
        list_serializer_class = FlatListSerializer

    def validate(self, attrs: dict) -> NamedPersonInput:
        role = attrs.pop("role")
        relationship = attrs.pop("relationship", None) or {}
        in_household = attrs.pop("in_household", True)
        person = super().validate(attrs)
        return NamedPersonInput(
            person=person,
            role=role,
            relationship_type=relationship.get("type", ""),
            to_subject=relationship.get("to_subject"),
            to_person=relationship.get("to_person"),
            in_household=in_household,
        )


def sending_agency(context: dict, code: str | None, *, missing: str, not_own: str, **filters):
    """The agency a sender names by `code` (among the agencies the caller can see, narrowed by
    `filters`), cached per request in the serializer `context`; an agency system may send only
    as its own agency (left out: theirs). ValidationError with `missing` or `not_own`."""
    user = getattr(context.get("request"), "user", None)
    agency = None
    if code:
        cache: dict = context.setdefault("agencies_by_code", {})
        if code not in cache:
            cache[code] = agencies_visible_to(user).filter(code=code, **filters).first()
        agency = cache[code]
        if agency is None:
            raise serializers.ValidationError(missing)
    if getattr(user, "role", None) in AGENCY_ROLES:
        if agency is None:
            return user.agency
        if agency.pk != user.agency_id:
            raise serializers.ValidationError(not_own)
    return agency


class ContactIntakeSerializer(serializers.Serializer):
    """One contact as an agency system (or hub staff) sends it.

    Idempotent per source: sending the same `external_reference` with the same `source` again
    answers with the contact made the first time.
    """

    source = serializers.ChoiceField(
        choices=Source.choices, help_text="Children in Need census referral source code."
    )
    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.API)
    external_reference = serializers.CharField(
        max_length=limits.EXTERNAL_REFERENCE.input_length,
        allow_blank=True,
        default="",
        help_text="The sending system's own reference. With `source`, it makes intake "
        "idempotent; without it, every request is a new contact.",
    )
    referring_agency = serializers.SlugField(
        max_length=limits.AGENCY_CODE.input_length,
        allow_blank=True,
        allow_null=True,
        default="",
        help_text="The partner agency's code. Agency systems may leave it out (their own "
        "agency is used) and may not name another agency.",
    )
    referrer_name = serializers.CharField(
        max_length=limits.REFERRER_NAME.input_length, allow_blank=True, default=""
    )
    referrer_role = serializers.CharField(
        max_length=limits.REFERRER_ROLE.input_length, allow_blank=True, default=""
    )
    referrer_organisation = serializers.CharField(
        max_length=limits.ORGANISATION.input_length, allow_blank=True, default=""
    )
    referrer_phone = serializers.CharField(
        max_length=limits.PHONE.input_length, allow_blank=True, default=""
    )
    referrer_email = serializers.EmailField(
        max_length=limits.EMAIL.input_length, allow_blank=True, default=""
    )
    subjects = PersonIntakeSerializer(
        many=True,
        min_length=1,
        max_length=SUBJECTS_MAX,
        error_messages={
            "min_length": "Add at least one person the concern is about.",
            "max_length": "A contact can be about at most {max_length} people.",
        },
    )
    people = NamedPersonIntakeSerializer(
        many=True,
        required=False,
        max_length=PEOPLE_MAX,
        error_messages={"max_length": "A contact can name at most {max_length} other people."},
        help_text="Everyone else the contact names, each with their role in the concern and "
        "their relationship to a subject (or to another named person).",
    )
    concerns = serializers.ListField(
        child=serializers.CharField(max_length=40),
        max_length=len(Concern.values),
        help_text=f"One or more of: {', '.join(Concern.values)}.",
    )
    narrative = serializers.CharField(
        max_length=limits.NARRATIVE.input_length, allow_blank=True, default=""
    )
    consent = serializers.ChoiceField(choices=Consent.choices)
    consent_detail = serializers.CharField(
        allow_blank=True,
        default="",
        max_length=limits.CONSENT_DETAIL.input_length,
        help_text="The lawful basis when consent was not given; the reason when not sought.",
    )
    received_at = AwareDateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text="When the concern reached the sender's front door (ISO 8601 with offset); "
        "not in the future. Defaults to now. The decision clock starts here.",
    )

    class Meta:
        list_serializer_class = FlatListSerializer

    def validate_referring_agency(self, value: str | None):
        """The agency with this code (active ones only), and for agency callers their own."""
        return sending_agency(
            self.context,
            value,
            missing="There is no partner agency with this code.",
            not_own="An agency system can send contacts only as its own agency.",
        )

    def validate(self, attrs: dict) -> ContactInput:
        """Build the service's input and run the intake rules on it (no writes)."""
        data = ContactInput(**attrs)
        contact_validate(data)
        return data


def batch_items(child: type[serializers.Serializer]) -> serializers.ListSerializer:
    """A batch's `items`: 1 to BATCH_MAX_ITEMS of `child`, with the batch's messages."""
    return child(
        many=True,
        min_length=1,
        max_length=BATCH_MAX_ITEMS,
        error_messages={
            "min_length": "Send at least one item.",
            "max_length": "Send at most {max_length} items in one batch.",
        },
    )


def refuse_repeats(items: list, key, field: str, message: str) -> dict:
    """One reference, one item: each later item whose `key(item)` (None: no reference) an
    earlier one had is refused naming its `field` (`message` with `{earlier}`); otherwise the
    keys seen, each with its first item's index."""
    first_seen: dict = {}
    problems: list[dict] = [{} for _ in items]
    for index, data in enumerate(items):
        reference = key(data)
        if reference is None:
            continue
        earlier = first_seen.setdefault(reference, index)
        if earlier != index:
            problems[index] = {field: [message.format(earlier=earlier)]}
    if any(problems):
        raise serializers.ValidationError({"items": problems})
    return first_seen


class ContactBatchSerializer(serializers.Serializer):
    """Up to 500 contacts at once (police notifications, imports): all stored, or none."""

    items = batch_items(ContactIntakeSerializer)

    def validate(self, attrs: dict) -> dict:
        """One reference, one item: a (source, external_reference) that a batch repeats is
        refused naming each later item's `external_reference`, whatever its content (a sender
        that repeats a reference in one batch has a bug worth hearing about). The first item then
        carries every reference of the batch, so intake locks them all in one order before
        storing any (two batches with the same references in different orders wait for each
        other instead of deadlocking)."""
        items: list[ContactInput] = attrs["items"]
        first_seen = refuse_repeats(
            items,
            lambda data: (
                (data.source, data.external_reference.strip())
                if data.external_reference.strip()
                else None
            ),
            "external_reference",
            "items[{earlier}] has this reference already: give each item its own reference, "
            "and send an item once.",
        )
        if items:
            items[0].batch_references = tuple(sorted(first_seen))
        return attrs


class BatchResultSerializer(serializers.Serializer):
    """One item's outcome, by its position in the request."""

    index = serializers.IntegerField()
    id = serializers.IntegerField()
    reference = serializers.CharField()
    created = serializers.BooleanField(help_text="False when this item had been sent before.")


class BatchResultsSerializer(serializers.Serializer):
    """Every item's outcome, in the order sent."""

    results = BatchResultSerializer(many=True)
