"""The hub's form for recording a DA notification by hand (one that arrived by phone or email)."""

from datetime import datetime

from django import forms

from agencies.models import Agency, AgencyKind
from contacts.forms_record import PersonRowMixin, row_index
from contacts.models import RelationshipType
from mash import limits
from mash.clocks import LONDON
from mash.forms import GovukDateField, GovukFormMixin
from mash.limits import text_field

from .models import DashRisk

ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth")
CHILD_ROWS = 6


class DaNotificationForm(GovukFormMixin, forms.Form):
    police_agency = forms.ModelChoiceField(
        label="Police force",
        queryset=Agency.objects.filter(is_active=True, kind=AgencyKind.POLICE),
        empty_label="Choose the police force",
        error_messages={"required": "Choose the police force that sent the notification"},
    )
    occurrence_reference = text_field(
        limits.EXTERNAL_REFERENCE,
        label="Police occurrence reference",
        error_messages={"required": "Enter the police occurrence reference"},
    )
    incident_date = GovukDateField(
        label="Date of the incident",
        help_text="For example, 27 3 2026",
        error_messages={"required": "Enter the date of the incident"},
    )
    incident_time = forms.TimeField(
        label="Time of the incident",
        help_text="For example, 22:30",
        widget=forms.TimeInput(attrs={"type": "time"}),
        error_messages={
            "required": "Enter the time of the incident",
            "invalid": "Enter the time of the incident as hours and minutes, like 22:30",
        },
    )
    dash_risk = forms.ChoiceField(
        label="DASH risk level",
        choices=DashRisk.choices,
        widget=forms.RadioSelect,
        help_text="Standard risk goes to the triage queue; medium and high risk to the daily "
        "meeting.",
        error_messages={"required": "Choose the DASH risk level: standard, medium or high"},
    )
    narrative = text_field(
        limits.NARRATIVE,
        label="What the police told us",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        forces = list(self.fields["police_agency"].queryset[:2])
        if len(forces) == 1 and not self.is_bound:
            self.initial.setdefault("police_agency", forces[0].pk)
        self.fields["incident_date"].error_name = "The date of the incident"

    def incident_at(self) -> datetime | None:
        day = self.cleaned_data.get("incident_date")
        at = self.cleaned_data.get("incident_time")
        if day is None or at is None:
            return None
        return datetime.combine(day, at, tzinfo=LONDON)


class AdultForm(PersonRowMixin, GovukFormMixin, forms.Form):
    """The victim or the alleged perpetrator."""

    TYPED_FIELDS = ("given_name", "family_name", "date_of_birth", "nhs_number", "postcode")

    given_name = text_field(limits.PERSON_NAME, label="First name", required=False)
    family_name = text_field(limits.PERSON_NAME, label="Last name", required=False)
    date_of_birth = GovukDateField(label="Date of birth (optional)", required=False)
    nhs_number = text_field(limits.NHS_NUMBER, label="NHS number (optional)", required=False)
    postcode = text_field(limits.POSTCODE, label="Postcode (optional)", required=False)
    relationship_type = forms.ChoiceField(
        label="Relationship to the first child",
        choices=[("", "Not known")] + RelationshipType.choices,
        required=False,
        help_text="A child's mother is a parent; a mother's partner is a partner.",
    )
    in_household = forms.BooleanField(label="Lives with the children", required=False, initial=True)

    def __init__(self, *args, who: str = "victim", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.who = who
        self.fields["date_of_birth"].error_name = f"The {who}'s date of birth"

    def has_person(self) -> bool:
        data = getattr(self, "cleaned_data", {}) or {}
        return bool(data.get("given_name") or data.get("family_name"))


class ChildForm(PersonRowMixin, GovukFormMixin, forms.Form):
    """A child present at, or normally living where, the incident happened."""

    TYPED_FIELDS = ("given_name", "family_name", "date_of_birth", "nhs_number", "upn")

    given_name = text_field(limits.PERSON_NAME, label="First name", required=False)
    family_name = text_field(limits.PERSON_NAME, label="Last name", required=False)
    date_of_birth = GovukDateField(label="Date of birth (optional)", required=False)
    nhs_number = text_field(limits.NHS_NUMBER, label="NHS number (optional)", required=False)
    upn = text_field(limits.UPN, label="Unique pupil number (optional)", required=False)
    present = forms.BooleanField(
        label="Present at the incident (witnessed it)", required=False, initial=False
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields[
            "date_of_birth"
        ].error_name = f"The {ORDINALS[row_index(self.prefix)]} child's date of birth"

    def has_changed(self) -> bool:
        """A row counts when anything is typed in it, or it is marked present (a child present
        but not named is then refused, not silently dropped)."""
        if super().has_changed():
            return True
        return bool(
            self.fields["present"].widget.value_from_datadict(
                self.data, self.files, self.add_prefix("present")
            )
        )

    def is_filled(self) -> bool:
        data = getattr(self, "cleaned_data", {}) or {}
        return bool(
            data.get("given_name")
            or data.get("family_name")
            or data.get("date_of_birth")
            or data.get("nhs_number")
            or data.get("upn")
            or data.get("present")
        )


ChildFormSet = forms.formset_factory(ChildForm, extra=CHILD_ROWS, max_num=CHILD_ROWS)
