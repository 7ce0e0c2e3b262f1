"""The MARF's pages as Django forms, built from the questions in `contacts.marf`, and the
answers read back in words (for check-your-answers and the referrer's own copy)."""

from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict

from mash import limits
from mash.forms import DATE_PARTS as _PARTS
from mash.forms import GovukDateField, GovukDateWidget, GovukFormMixin
from mash.limits import too_long_message

from .codes import Consent
from .marf import (
    ABOUT_YOU,
    CONCERN,
    CONSENT,
    HOUSEHOLD,
    MAX_OTHERS,
    OTHER_PERSON,
    PEOPLE,
    SECTIONS,
    Question,
    Section,
    other_people,
)
from .validators import (
    validate_birth_dates,
    validate_nhs_number,
    validate_postcode,
    validate_upn,
)

_VALIDATORS = {
    "nhs_number": [validate_nhs_number],
    "upn": [validate_upn],
    "postcode": [validate_postcode],
}
_NO_SPELLCHECK = {"nhs_number", "upn", "postcode", "referrer_email", "referrer_phone"}


def question_max_length(question: Question) -> int | None:
    """How many characters an answer may have: the declared limit of the field it fills
    (mash.limits, by the question's name), else the question's own."""
    limit = limits.by_name(question.name)
    return limit.input_length if limit else question.max_length


def build_field(question: Question) -> forms.Field:
    """The form field that asks `question`."""
    optional = not question.required and question.say_optional
    label = question.label + (" (optional)" if optional else "")
    common = {
        "label": label,
        "required": question.required,
        "help_text": question.hint,
        "validators": _VALIDATORS.get(question.name, []),
    }
    messages = {"required": question.error} if question.error else {}
    max_length = question_max_length(question)
    if max_length:
        messages["max_length"] = too_long_message(question.label, max_length)
    common["error_messages"] = messages
    attrs: dict[str, str] = {}
    if question.kind in ("text", "tel") and question.max_length and question.max_length <= 40:
        attrs["class"] = (
            "govuk-input--width-10" if question.max_length <= 12 else "govuk-input--width-20"
        )
    if question.autocomplete:
        attrs["autocomplete"] = question.autocomplete
    if question.name in _NO_SPELLCHECK:
        attrs["spellcheck"] = "false"
    if question.kind == "date":
        return GovukDateField(**common)
    if question.kind in ("select", "radios"):
        widget = forms.Select if question.kind == "select" else forms.RadioSelect
        choices = list(question.choices)
        if question.kind == "select" and not question.required:
            choices = [("", "Choose")] + choices
        return forms.ChoiceField(choices=choices, widget=widget, **common)
    if question.kind == "checkboxes":
        return forms.MultipleChoiceField(
            choices=question.choices, widget=forms.CheckboxSelectMultiple, **common
        )
    if question.kind == "email":
        messages["invalid"] = "Enter an email address in the correct format, like name@example.com"
        return forms.EmailField(
            max_length=max_length, widget=forms.EmailInput(attrs=attrs), **common
        )
    if question.kind == "textarea":
        attrs["rows"] = "5"
        widget = forms.Textarea(attrs=attrs)
    elif question.kind == "tel":
        widget = forms.TextInput(attrs={**attrs, "type": "tel"})
    else:
        widget = forms.TextInput(attrs=attrs)
    return forms.CharField(max_length=max_length, widget=widget, **common)


class MarfSectionForm(GovukFormMixin, forms.Form):
    """One page of the MARF; `section_form` gives each section's subclass its fields."""

    section: Section
    service_errors: dict[str, list[str]] | None = None  # a service's errors, shown on clean

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if field.help_text and not isinstance(
                field.widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)
            ):
                field.widget.attrs["aria-describedby"] = f"{self.add_prefix(name)}-hint"

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:  # keep the hint described as well as the error
            if name in self.fields and self.fields[name].help_text:
                attrs = self.fields[name].widget.attrs
                hint = f"{self.add_prefix(name)}-hint"
                if hint not in attrs.get("aria-describedby", ""):
                    attrs["aria-describedby"] = f"{hint} {attrs.get('aria-describedby', '')}"

    def clean(self) -> dict:
        cleaned = super().clean()
        for name, messages in (self.service_errors or {}).items():
            field = name if name in self.fields else None
            shown = {str(m).rstrip(".") for m in self.errors.get(field or "__all__", [])}
            new = [m for m in messages if str(m).rstrip(".") not in shown]
            if new:
                self.add_error(field, new)
        return cleaned

    def answers(self) -> dict:
        """The cleaned answers as JSON-ready values (dates as ISO strings)."""
        result = {}
        for name, value in self.cleaned_data.items():
            if isinstance(value, date):
                value = value.isoformat()
            elif value is None:
                value = ""
            elif isinstance(value, str):
                value = value.strip()
            result[name] = value
        return result

    @classmethod
    def bound_to(cls, values: dict, prefix: str | None = None) -> "MarfSectionForm":
        """The form bound to saved answers, as if they had just been posted."""
        data = QueryDict(mutable=True)
        form_prefix = f"{prefix}-" if prefix else ""
        for question in cls.section.questions:
            value = values.get(question.name)
            name = form_prefix + question.name
            if question.kind == "date":
                for (part, _label, _width), typed in zip(
                    _PARTS, GovukDateWidget.parts(value), strict=True
                ):
                    data[f"{name}-{part}"] = typed
            elif isinstance(value, list):
                data.setlist(name, [str(v) for v in value])
            elif value not in (None, ""):
                data[name] = str(value)
        return cls(data, prefix=prefix)


def section_form(section: Section) -> type[MarfSectionForm]:
    """A form class asking every question of `section`."""
    attrs: dict = {question.name: build_field(question) for question in section.questions}
    attrs["section"] = section
    attrs["__module__"] = __name__
    name = "".join(part.title() for part in section.slug.split("-")) + "BaseForm"
    return type(name, (MarfSectionForm,), attrs)


class AboutYouForm(section_form(ABOUT_YOU)):
    pass


class SubjectForm(section_form(PEOPLE)):
    def clean(self) -> dict:
        cleaned = super().clean()
        try:
            validate_birth_dates(
                cleaned.get("date_of_birth"), cleaned.get("expected_date_of_delivery")
            )
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                if name not in self.errors:
                    self.add_error(name, messages)
        return cleaned


class ConcernForm(section_form(CONCERN)):
    pass


class HouseholdForm(section_form(HOUSEHOLD)):
    pass


def related_to_choices(answers: dict) -> list[tuple[str, str]]:
    """Whom another person may be related to: each subject by name, or another person named on
    the household page (by position)."""
    names = people_names(answers) if isinstance(answers, dict) else []
    subjects = [
        (f"subject-{index}", name or f"Person {index + 1}") for index, name in enumerate(names)
    ]
    others = [(f"other-{index}", f"Other person {index + 1}") for index in range(MAX_OTHERS)]
    return [("", "Choose")] + subjects + others


class OtherPersonForm(section_form(OTHER_PERSON)):
    """Another person on the household page; a row left blank is nobody."""

    def __init__(self, *args, answers: dict | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["related_to"].choices = related_to_choices(answers or {})
        self.fields["relationship_type"].choices = [("", "Choose")] + list(
            OTHER_PERSON.questions[3].choices
        )
        self.fields["role"].choices = [("", "Choose")] + list(OTHER_PERSON.questions[5].choices)
        for name in ("relationship_type", "related_to", "role"):
            self.fields[name].required = False
        self.fields["in_household"].required = False

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", None) or {}
        return not any(data.get(name) for name in ("given_name", "family_name", "date_of_birth"))

    def clean(self) -> dict:
        cleaned = super().clean()
        filled = any(
            cleaned.get(name)
            for name in (
                "given_name",
                "family_name",
                "date_of_birth",
                "relationship_type",
                "related_to",
                "role",
            )
        )
        if not filled:
            return cleaned
        required = {
            "given_name": "Enter the person's first name",
            "family_name": "Enter the person's last name",
            "role": "Select their part in the concern",
        }
        for name, message in required.items():
            if not cleaned.get(name) and name not in self.errors:
                self.add_error(name, message)
        if cleaned.get("relationship_type") and not cleaned.get("related_to"):
            self.add_error("related_to", "Select whom they are related to")
        if cleaned.get("related_to") and not cleaned.get("relationship_type"):
            self.add_error("relationship_type", "Select their relationship")
        own = self.prefix.rsplit("-", 1)[-1] if self.prefix else ""
        if cleaned.get("related_to") == f"other-{own}":
            self.add_error("related_to", "A person cannot be related to themselves")
        return cleaned


class ConsentForm(section_form(CONSENT)):
    def clean(self) -> dict:
        cleaned = super().clean()
        consent = cleaned.get("consent")
        detail = cleaned.get("consent_detail", "").strip()
        if (
            consent
            and consent != Consent.GIVEN
            and not detail
            and "consent_detail" not in self.errors
        ):
            self.add_error(
                "consent_detail",
                "Give the lawful basis for sharing without consent"
                if consent == Consent.NOT_GIVEN
                else "Say why consent was not sought",
            )
        return cleaned


FORM_FOR_SECTION: dict[str, type[MarfSectionForm]] = {
    ABOUT_YOU.slug: AboutYouForm,
    PEOPLE.slug: SubjectForm,
    CONCERN.slug: ConcernForm,
    HOUSEHOLD.slug: HouseholdForm,
    CONSENT.slug: ConsentForm,
}


# --- Answers read back in words ---------------------------------------------------------------


def people_names(answers: dict) -> list[str]:
    """The names the referrer gave for the people, in order."""
    people = answers.get(PEOPLE.key) if isinstance(answers, dict) else None
    if not isinstance(people, list):
        return []
    names = []
    for person in people:
        if isinstance(person, dict):
            name = f"{person.get('given_name', '')} {person.get('family_name', '')}".strip()
            if name:
                names.append(name)
    return names


def _display(question: Question, value) -> str:
    if value in (None, "", []):
        return ""
    if question.kind == "date":
        try:
            day = date.fromisoformat(str(value))
        except ValueError:
            return str(value)
        return f"{day.day} {day:%B %Y}"
    labels = dict(question.choices)
    if question.kind == "checkboxes" and isinstance(value, list):
        return ", ".join(str(labels.get(item, item)) for item in value)
    if labels:
        return str(labels.get(value, value))
    return str(value)


def _rows(section: Section, values: dict) -> list[dict]:
    return [
        {"name": q.name, "label": q.short_label, "value": _display(q, values.get(q.name))}
        for q in section.questions
    ]


def _other_rows(person: dict, answers: dict) -> list[dict]:
    rows = _rows(OTHER_PERSON, person)
    choices = dict(related_to_choices(answers))
    for row in rows:
        if row["name"] == "related_to":
            row["value"] = (
                str(choices.get(person.get("related_to"), "")) if person.get("related_to") else ""
            )
    return rows


def answers_summary(answers: dict) -> list[dict]:
    """Every section with its answers in words, for check-your-answers and read-only views.

    Each section: {"slug", "title", "rows"} or, for people, {"people": [{"title",
    "rows"}]}; each row: {"name", "label", "value"} ("" where nothing was given).
    """
    answers = answers if isinstance(answers, dict) else {}
    summary = []
    for section in SECTIONS:
        value = answers.get(section.key)
        entry: dict = {"slug": section.slug, "title": section.title}
        if section.repeating:
            people = [p for p in value or [] if isinstance(p, dict)]
            entry["people"] = [
                {"title": f"Person {index}", "rows": _rows(section, person)}
                for index, person in enumerate(people, start=1)
            ]
        else:
            values = value if isinstance(value, dict) else {}
            entry["rows"] = _rows(section, values)
            if section is HOUSEHOLD:
                if values.get("household_members"):  # a MARF sent before people were named
                    legacy = {
                        "name": "household_members",
                        "label": "Who else lives in the household",
                        "value": str(values["household_members"]),
                    }
                    entry["rows"] = [legacy] + entry["rows"]
                entry["others"] = [
                    {"title": f"Other person {index}", "rows": _other_rows(person, answers)}
                    for index, person in enumerate(other_people(values), start=1)
                ]
        summary.append(entry)
    return summary
