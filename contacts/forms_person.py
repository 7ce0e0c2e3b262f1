"""Hub staff correcting a person's details (the old values are kept by the service)."""

from django import forms
from django.core.exceptions import ValidationError

from mash import limits
from mash.forms import GovukDateField, GovukFormMixin
from mash.limits import text_field

from .codes import Ethnicity, Gender
from .services.people import CORRECTABLE_FIELDS

#: What the school box cleans to when left as the record has it.
SCHOOL_UNCHANGED = object()


class SchoolChoiceInput(forms.TextInput):
    """A text box offering the open schools as suggestions (a datalist: no script needed); the
    URN or the name typed is checked when the form is cleaned."""

    #: More suggestions than this are not sent: the URN or the name can still be typed.
    MAX_SUGGESTIONS = 2000

    def render(self, name, value, attrs=None, renderer=None) -> str:
        from django.utils.html import format_html, format_html_join

        from schools.selectors import open_school_choices

        attrs = {**(attrs or {}), "list": f"{name}-schools", "autocomplete": "off"}
        box = super().render(name, value, attrs, renderer)
        schools = open_school_choices().values_list("name", "urn")[: self.MAX_SUGGESTIONS]
        options = format_html_join(
            "", '<option value="{} (URN {})"></option>', ((n, u) for n, u in schools)
        )
        return format_html('{}<datalist id="{}-schools">{}</datalist>', box, name, options)


class PersonCorrectionForm(GovukFormMixin, forms.Form):
    given_name = text_field(limits.PERSON_NAME, label="First name")
    family_name = text_field(limits.PERSON_NAME, label="Last name")
    date_of_birth = GovukDateField(label="Date of birth", required=False)
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
        help_text="Its 6-digit DfE URN or its name, as on the schools list. Leave empty if not "
        "known.",
        widget=SchoolChoiceInput,
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
        if person.current_school_id:
            school = person.current_school
            initial["school"] = f"{school.name} (URN {school.urn})"
        return cls(data, initial=initial, prefix="correct")

    def clean_school(self):
        """The open school typed (by URN or name), None for none, or SCHOOL_UNCHANGED when the
        box still holds what the record says (an old free-text school is not checked again)."""
        from schools.selectors import school_from_choice

        typed = " ".join((self.cleaned_data.get("school") or "").split())
        if typed == " ".join(str(self.initial.get("school") or "").split()):
            return SCHOOL_UNCHANGED
        try:
            return school_from_choice(typed)
        except ValidationError as error:
            raise ValidationError(error.message_dict["school"]) from error

    def changes(self, person) -> dict:
        """The details that differ from the record as it stands."""
        changes = {}
        school = self.cleaned_data.get("school", SCHOOL_UNCHANGED)
        if school is not SCHOOL_UNCHANGED:
            changes["school"] = school
        for name in CORRECTABLE_FIELDS:
            if name == "school":
                continue
            value = self.cleaned_data.get(name)
            if isinstance(value, str):
                value = value.strip()
            current = getattr(person, name)
            if (value or None) != (current or None):
                changes[name] = value if value is not None else None
        return changes
