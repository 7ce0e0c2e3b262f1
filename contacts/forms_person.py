"""Hub staff correcting a person's details (the old values are kept by the service)."""

from django import forms

from mash import limits
from mash.forms import GovukFormMixin
from mash.limits import text_field

from .codes import Ethnicity, Gender
from .services.people import CORRECTABLE_FIELDS


class PersonCorrectionForm(GovukFormMixin, forms.Form):
    given_name = text_field(limits.PERSON_NAME, label="First name")
    family_name = text_field(limits.PERSON_NAME, label="Last name")
    date_of_birth = forms.DateField(
        label="Date of birth",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Date of birth must be a real date"},
    )
    gender = forms.ChoiceField(label="Gender", choices=Gender.choices)
    ethnicity = forms.ChoiceField(label="Ethnicity", choices=Ethnicity.choices)
    address = text_field(
        limits.ADDRESS,
        label="Address",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    postcode = text_field(limits.POSTCODE, label="Postcode", required=False)
    school = text_field(
        limits.SCHOOL,
        label="School or setting",
        required=False,
        help_text="Its name or DfE URN.",
    )
    nhs_number = text_field(limits.NHS_NUMBER, label="NHS number", required=False)
    upn = text_field(limits.UPN, label="Unique pupil number", required=False)
    reason = text_field(
        limits.AUDIT_REASON,
        label="Why are you correcting these details?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why these details are being corrected"},
    )

    @classmethod
    def for_person(cls, person, data=None) -> "PersonCorrectionForm":
        initial = {name: getattr(person, name) for name in CORRECTABLE_FIELDS}
        return cls(data, initial=initial, prefix="correct")

    def changes(self, person) -> dict:
        """The details that differ from the record as it stands."""
        changes = {}
        for name in CORRECTABLE_FIELDS:
            value = self.cleaned_data.get(name)
            if isinstance(value, str):
                value = value.strip()
            current = getattr(person, name)
            if (value or None) != (current or None):
                changes[name] = value if value is not None else None
        return changes
