"""The hub's form for recording a contact that arrived by phone, email or police notification."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

from django import forms

from agencies.models import Agency
from mash import limits
from mash.forms import GovukFormMixin
from mash.limits import text_field

from .codes import Channel, Concern, Consent, Gender, Source
from .models import ConcernRole, RelationshipType

LONDON = ZoneInfo("Europe/London")
RECORDED_CHANNELS = [
    (Channel.PHONE.value, Channel.PHONE.label),
    (Channel.EMAIL.value, Channel.EMAIL.label),
    (Channel.POLICE_NOTIFICATION.value, Channel.POLICE_NOTIFICATION.label),
]


class ContactDetailsForm(GovukFormMixin, forms.Form):
    channel = forms.ChoiceField(
        label="How did it arrive?", choices=RECORDED_CHANNELS, widget=forms.RadioSelect
    )
    source = forms.ChoiceField(
        label="Referral source", choices=[("", "Choose a source")] + Source.choices
    )
    referring_agency = forms.ModelChoiceField(
        label="Referring partner agency",
        queryset=Agency.objects.filter(is_active=True),
        required=False,
        empty_label="None",
    )
    received_date = forms.DateField(
        label="Date received",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Leave blank for now. For an email, the day it arrived.",
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
        label="Concerns", choices=Concern.choices, widget=forms.CheckboxSelectMultiple
    )
    narrative = text_field(
        limits.NARRATIVE,
        label="What the referrer told us",
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    consent = forms.ChoiceField(label="Consent", choices=Consent.choices, widget=forms.RadioSelect)
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


class SubjectForm(GovukFormMixin, forms.Form):
    given_name = text_field(limits.PERSON_NAME, label="Given name")
    family_name = text_field(limits.PERSON_NAME, label="Family name")
    date_of_birth = forms.DateField(
        label="Date of birth", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    expected_date_of_delivery = forms.DateField(
        label="Expected date of delivery (unborn child)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    gender = forms.ChoiceField(label="Gender", choices=Gender.choices, required=False)
    nhs_number = text_field(limits.NHS_NUMBER, label="NHS number", required=False)
    upn = text_field(limits.UPN, label="Unique pupil number", required=False)
    address = text_field(limits.ADDRESS, label="Address", required=False)
    postcode = text_field(limits.POSTCODE, label="Postcode", required=False)


SubjectFormSet = forms.formset_factory(
    SubjectForm, extra=3, max_num=3, min_num=1, validate_min=True
)


OTHER_PEOPLE = 6

RELATED_TO_CHOICES = (
    [("", "Choose who")]
    + [(f"subject-{i}", f"Person {i + 1} (the concern is about them)") for i in range(3)]
    + [(f"other-{i}", f"Other person {i + 1}") for i in range(OTHER_PEOPLE)]
)


class OtherPersonForm(GovukFormMixin, forms.Form):
    """Someone else the contact names: a parent, carer, sibling, partner, another adult in the
    home or an alleged perpetrator. A row with no name is left out."""

    given_name = text_field(limits.PERSON_NAME, label="Given name", required=False)
    family_name = text_field(limits.PERSON_NAME, label="Family name", required=False)
    date_of_birth = forms.DateField(
        label="Date of birth (optional)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
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
        if not named:
            if other_answers:
                self.add_error("given_name", "Enter the person's given name")
            return cleaned
        if not cleaned.get("given_name"):
            self.add_error("given_name", "Enter the person's given name")
        if not cleaned.get("family_name"):
            self.add_error("family_name", "Enter the person's family name")
        if not cleaned.get("role"):
            self.add_error("role", "Choose the person's role in the concern")
        if cleaned.get("relationship_type") and not cleaned.get("related_to"):
            self.add_error("related_to", "Choose who they are related to")
        if cleaned.get("related_to") and not cleaned.get("relationship_type"):
            self.add_error("relationship_type", "Choose how they are related")
        return cleaned


OtherPersonFormSet = forms.formset_factory(
    OtherPersonForm, extra=OTHER_PEOPLE, max_num=OTHER_PEOPLE
)
