"""The hub's form for recording a contact that arrived by phone, email or police notification."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

from django import forms

from agencies.models import Agency
from mash import limits
from mash.forms import GovukDateField, GovukFormMixin
from mash.limits import text_field

from .codes import Channel, Concern, Consent, Gender, Source
from .models import ConcernRole, RelationshipType

LONDON = ZoneInfo("Europe/London")
RECORDED_CHANNELS = [
    (Channel.PHONE.value, Channel.PHONE.label),
    (Channel.EMAIL.value, Channel.EMAIL.label),
    (Channel.POLICE_NOTIFICATION.value, Channel.POLICE_NOTIFICATION.label),
]


ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth")


def row_index(prefix: str | None) -> int:
    """The position of a formset's form from its prefix ('subject-1' is 1)."""
    try:
        return int(str(prefix).rsplit("-", 1)[1])
    except (IndexError, ValueError):
        return 0


class PersonRowMixin:
    """A row of people in a formset is empty when none of its typed-in fields is filled,
    whatever its selects and tick boxes say: a browser sends every select's first option (a
    gender of "0"), which must not make a blank row demand a name."""

    TYPED_FIELDS: tuple[str, ...] = ()

    def has_changed(self) -> bool:
        for name in self.TYPED_FIELDS:
            field = self.fields[name]
            value = field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
            values = value if isinstance(value, (list, tuple)) else [value]
            if any(str(v or "").strip() for v in values):
                return True
        return False


class ContactDetailsForm(GovukFormMixin, forms.Form):
    channel = forms.ChoiceField(
        label="How did it arrive?",
        choices=RECORDED_CHANNELS,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how the contact arrived"},
    )
    source = forms.ChoiceField(
        label="Referral source",
        choices=[("", "Choose a source")] + Source.choices,
        error_messages={"required": "Choose the referral source"},
    )
    referring_agency = forms.ModelChoiceField(
        label="Referring partner agency",
        queryset=Agency.objects.filter(is_active=True),
        required=False,
        empty_label="None",
    )
    received_date = GovukDateField(
        label="Date received",
        help_text="Leave blank for now. For an email, the day it arrived. For example, 27 3 2026",
        required=False,
    )
    received_time = forms.TimeField(
        label="Time received",
        widget=forms.TimeInput(attrs={"type": "time"}),
        required=False,
    )
    referrer_name = text_field(limits.REFERRER_NAME, label="Referrer's name", required=False)
    referrer_role = text_field(limits.REFERRER_ROLE, label="Referrer's role", required=False)
    referrer_organisation = text_field(limits.ORGANISATION, label="Organisation", required=False)
    referrer_phone = text_field(limits.PHONE, label="Phone", required=False)
    referrer_email = text_field(
        limits.EMAIL, label="Email", field_class=forms.EmailField, required=False
    )
    concerns = forms.MultipleChoiceField(
        label="Concerns",
        choices=Concern.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one concern"},
    )
    narrative = text_field(
        limits.NARRATIVE,
        label="What the referrer told us",
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": "Enter what the referrer told us"},
    )
    consent = forms.ChoiceField(
        label="Consent",
        choices=Consent.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether consent was given"},
    )
    consent_detail = text_field(
        limits.CONSENT_DETAIL,
        label="Lawful basis or reason",
        help_text="Needed when consent was not given or not sought.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def received_at(self) -> datetime | None:
        day = self.cleaned_data.get("received_date")
        at = self.cleaned_data.get("received_time")
        if day is None:
            return None
        return datetime.combine(day, at or time(9), tzinfo=LONDON)


class SubjectForm(PersonRowMixin, GovukFormMixin, forms.Form):
    """A person the concern is about; the first is required, a later row left blank is nobody."""

    TYPED_FIELDS = (
        "given_name",
        "family_name",
        "date_of_birth",
        "expected_date_of_delivery",
        "nhs_number",
        "upn",
        "address",
        "postcode",
    )

    given_name = text_field(limits.PERSON_NAME, label="Given name")
    family_name = text_field(limits.PERSON_NAME, label="Family name")
    date_of_birth = GovukDateField(label="Date of birth", required=False)
    expected_date_of_delivery = GovukDateField(
        label="Expected date of delivery (unborn child)", required=False
    )
    gender = forms.ChoiceField(label="Gender", choices=Gender.choices, required=False)
    nhs_number = text_field(limits.NHS_NUMBER, label="NHS number", required=False)
    upn = text_field(limits.UPN, label="Unique pupil number", required=False)
    address = text_field(limits.ADDRESS, label="Address", required=False)
    postcode = text_field(limits.POSTCODE, label="Postcode", required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        who = f"the {ORDINALS[row_index(self.prefix)]} person's"
        for name, words in (("given_name", "given name"), ("family_name", "family name")):
            self.fields[name].error_messages["required"] = f"Enter {who} {words}"
        self.fields["date_of_birth"].error_name = f"{who.capitalize()} date of birth"
        self.fields[
            "expected_date_of_delivery"
        ].error_name = f"{who.capitalize()} expected date of delivery"


# The first person is required (min_num: never an empty-permitted row); rows 2 and 3 are
# optional and left out when nothing is typed in them.
SubjectFormSet = forms.formset_factory(SubjectForm, extra=3, max_num=3, min_num=1)


OTHER_PEOPLE = 6

RELATED_TO_CHOICES = (
    [("", "Choose who")]
    + [(f"subject-{i}", f"Person {i + 1} (the concern is about them)") for i in range(3)]
    + [(f"other-{i}", f"Other person {i + 1}") for i in range(OTHER_PEOPLE)]
)


class OtherPersonForm(PersonRowMixin, GovukFormMixin, forms.Form):
    """Someone else the contact names: a parent, carer, sibling, partner, another adult in the
    home or an alleged perpetrator. A row with nothing typed in it is left out."""

    TYPED_FIELDS = ("given_name", "family_name", "date_of_birth", "nhs_number")

    given_name = text_field(limits.PERSON_NAME, label="Given name", required=False)
    family_name = text_field(limits.PERSON_NAME, label="Family name", required=False)
    date_of_birth = GovukDateField(label="Date of birth (optional)", required=False)
    nhs_number = text_field(limits.NHS_NUMBER, label="NHS number (optional)", required=False)
    role = forms.ChoiceField(
        label="Role in the concern",
        choices=[("", "Choose a role")] + ConcernRole.choices,
        required=False,
    )
    relationship_type = forms.ChoiceField(
        label="Relationship",
        choices=[("", "Not known")] + RelationshipType.choices,
        required=False,
        help_text="What they are to the person chosen below: a child's mother is a parent.",
    )
    related_to = forms.ChoiceField(label="Related to", choices=RELATED_TO_CHOICES, required=False)
    in_household = forms.BooleanField(
        label="Lives at the same address", required=False, initial=True
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["date_of_birth"].error_name = f"The date of birth of {self.who}"

    @property
    def who(self) -> str:
        return f"other person {row_index(self.prefix) + 1}"

    def has_person(self) -> bool:
        data = getattr(self, "cleaned_data", {}) or {}
        return bool(data.get("given_name") or data.get("family_name"))

    def clean(self) -> dict:
        cleaned = super().clean()
        named = cleaned.get("given_name") or cleaned.get("family_name")
        other_answers = any(
            cleaned.get(name)
            for name in ("date_of_birth", "nhs_number", "role", "relationship_type", "related_to")
        )
        who = self.who
        if not named:
            if other_answers:
                self.add_error("given_name", f"Enter the given name of {who}")
            return cleaned
        if not cleaned.get("given_name") and "given_name" not in self.errors:
            self.add_error("given_name", f"Enter the given name of {who}")
        if not cleaned.get("family_name") and "family_name" not in self.errors:
            self.add_error("family_name", f"Enter the family name of {who}")
        if not cleaned.get("role"):
            self.add_error("role", f"Choose the role of {who} in the concern")
        if cleaned.get("relationship_type") and not cleaned.get("related_to"):
            self.add_error("related_to", f"Choose who {who} is related to")
        if cleaned.get("related_to") and not cleaned.get("relationship_type"):
            self.add_error("relationship_type", f"Choose how {who} is related")
        return cleaned


OtherPersonFormSet = forms.formset_factory(
    OtherPersonForm, extra=OTHER_PEOPLE, max_num=OTHER_PEOPLE
)
