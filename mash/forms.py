"""Forms in GOV.UK style: widget classes set once here, markup in templates/includes/field.html.

Also the one GOV.UK date input (day, month and year boxes) every form types dates into, and
required-field messages that name the field ("Enter the family name", never "This field is
required.")."""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join

DATE_PARTS = (("day", "Day", 2), ("month", "Month", 2), ("year", "Year", 4))
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DJANGO_REQUIRED = str(forms.Field.default_error_messages["required"])


class GovukDateWidget(forms.Widget):
    """The GOV.UK date input: day, month and year boxes (named `<name>-day` and so on).

    A post with none of the boxes but one `<name>` value as YYYY-MM-DD (an older page, a script)
    is read as that date. `error_parts` (set when the form is cleaned) marks the boxes to fix."""

    is_govuk_date = True
    error_parts: tuple[int, ...] = ()

    def id_for_label(self, id_: str) -> str:
        first = self.error_parts[0] if self.error_parts else 0
        return f"{id_}_{first}" if id_ else ""

    def value_from_datadict(self, data, files, name) -> list[str]:
        typed = [str(data.get(f"{name}-{part}", "")).strip() for part, _label, _width in DATE_PARTS]
        if not any(typed) and name in data:
            single = str(data.get(name) or "").strip()
            if _ISO_DATE.match(single):
                year, month, day = single.split("-")
                return [day, month, year]
            if single:
                return [single, "", ""]  # read as a day with no month or year: refused
        return typed

    def value_omitted_from_data(self, data, files, name) -> bool:
        return name not in data and not any(f"{name}-{part}" in data for part, *_ in DATE_PARTS)

    @staticmethod
    def parts(value) -> list[str]:
        """[day, month, year] from typed-in parts, a date, or an ISO date string."""
        if isinstance(value, (list, tuple)):
            return [str(v or "") for v in value][:3] + [""] * (3 - len(value))
        if isinstance(value, str) and value:
            try:
                value = date.fromisoformat(value)
            except ValueError:
                return ["", "", ""]
        if isinstance(value, date):
            return [str(value.day), str(value.month), str(value.year)]
        return ["", "", ""]

    def render(self, name, value, attrs=None, renderer=None) -> str:
        attrs = {**self.attrs, **(attrs or {})}
        failed = "--error" in attrs.get("class", "")
        marked = set(self.error_parts) if self.error_parts else {0, 1, 2}
        base_id = attrs.get("id") or f"id_{name}"
        items = (
            (
                f"{base_id}_{index}",
                label,
                f"{base_id}_{index}",
                "govuk-input govuk-date-input__input govuk-input--width-"
                f"{width}{' govuk-input--error' if failed and index in marked else ''}",
                f"{name}-{part}",
                typed,
                "bday-" + part if attrs.get("autocomplete") == "bday" else "off",
            )
            for index, ((part, label, width), typed) in enumerate(
                zip(DATE_PARTS, self.parts(value), strict=True)
            )
        )
        inputs = format_html_join(
            "",
            '<div class="govuk-date-input__item"><div class="govuk-form-group">'
            '<label class="govuk-label govuk-date-input__label" for="{}">{}</label>'
            '<input id="{}" class="{}" name="{}" type="text" inputmode="numeric" value="{}"'
            ' autocomplete="{}">'
            "</div></div>",
            items,
        )
        return format_html('<div class="govuk-date-input" id="{}">{}</div>', base_id, inputs)


def date_label(label: str) -> str:
    """A date field's name as its messages use it: 'Date of birth', without '(optional)'."""
    return str(label or "Date").split(" (")[0]


class GovukDateField(forms.Field):
    """A date typed into three boxes, with GOV.UK's error messages naming the part that is
    wrong: "Date of birth must include a month", "Date of birth must be a real date"."""

    widget = GovukDateWidget

    def __init__(self, *, error_name: str = "", **kwargs) -> None:
        super().__init__(**kwargs)
        # How messages name the date when the label alone is ambiguous on the page
        # ("The second person's date of birth"); the label otherwise.
        self.error_name = error_name

    @staticmethod
    def failed_parts(value) -> tuple[int, ...]:
        """Which boxes (0 day, 1 month, 2 year) a typed date needs fixing in: the empty ones
        when some are filled, the ones that are not numbers, else all three."""
        typed = GovukDateWidget.parts(value)
        if not any(typed):
            return (0, 1, 2)
        empty = tuple(i for i, v in enumerate(typed) if not v)
        if empty:
            return empty
        bad = tuple(i for i, v in enumerate(typed) if not v.isdigit())
        if bad:
            return bad
        if len(typed[2]) != 4:
            return (2,)
        return (0, 1, 2)

    def to_python(self, value) -> date | None:
        if isinstance(value, date):
            return value
        day, month, year = GovukDateWidget.parts(value)
        if not (day or month or year):
            return None
        name = self.error_name or date_label(self.label)
        typed = (day, month, year)
        missing = [
            label.lower() for (_p, label, _w), v in zip(DATE_PARTS, typed, strict=True) if not v
        ]
        if missing:
            raise ValidationError(f"{name} must include a {' and a '.join(missing)}")
        if not (day.isdigit() and month.isdigit() and year.isdigit()) or len(year) != 4:
            raise ValidationError(f"{name} must be a real date, with a 4-digit year")
        try:
            return date(int(year), int(month), int(day))
        except (ValueError, OverflowError) as error:
            raise ValidationError(f"{name} must be a real date") from error


def required_message(field: forms.Field, label: str) -> str:
    """What to say when a required field is left empty, naming it: 'Enter the family name',
    'Choose the agency'."""
    name = re.sub(r"\s*\(.*\)\s*$", "", str(label or "")).strip()
    if name.endswith("?"):
        return f"Answer “{name}”"
    name = name[:1].lower() + name[1:] if name[1:2].islower() or len(name) < 2 else name
    choosing = isinstance(
        field, (forms.ChoiceField, forms.ModelChoiceField, forms.BooleanField)
    ) or isinstance(field.widget, (forms.Select, forms.RadioSelect, forms.CheckboxInput))
    if isinstance(field, GovukDateField):
        return f"Enter the {name}"
    return f"{'Choose' if choosing else 'Enter'} the {name}" if name else "Answer this question"


def _govuk_class(widget: forms.Widget) -> str:
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "govuk-checkboxes__input"
    if isinstance(widget, forms.RadioSelect):
        return "govuk-radios__input"
    if isinstance(widget, forms.Select):
        return "govuk-select"
    if isinstance(widget, forms.Textarea):
        return "govuk-textarea"
    if isinstance(widget, forms.CheckboxInput):
        return "govuk-checkboxes__input"
    return "govuk-input"


class GovukFormMixin:
    """Adds GOV.UK Frontend classes to every widget, and the error class where a field failed."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if str(field.error_messages.get("required", "")) == _DJANGO_REQUIRED:
                field.error_messages = {
                    **field.error_messages,
                    "required": required_message(field, field.label or name.replace("_", " ")),
                }
            if isinstance(field.widget, GovukDateWidget):
                continue  # the boxes carry their own classes
            css = _govuk_class(field.widget)
            field.widget.attrs["class"] = f"{field.widget.attrs.get('class', '')} {css}".strip()
            if field.help_text and not isinstance(field.widget, forms.RadioSelect):
                field.widget.attrs["aria-describedby"] = f"{self.add_prefix(name)}-hint"

    _cleaned = False

    def full_clean(self) -> None:
        self._cleaned = False
        super().full_clean()
        self._cleaned = True
        self._mark_errors()

    def add_error(self, field, error) -> None:
        super().add_error(field, error)
        if self._cleaned:  # an error from a service, after the form's own cleaning
            self._mark_errors()

    def _mark_errors(self) -> None:
        """Give each failed field the GOV.UK error class and describe it by its error message."""
        for name in self.errors:
            if name not in self.fields:
                continue
            widget = self.fields[name].widget
            if isinstance(widget, GovukDateWidget):
                field = self.fields[name]
                widget.error_parts = GovukDateField.failed_parts(
                    field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
                    if self.is_bound
                    else None
                )
                widget.attrs["class"] = "govuk-date-input--error"
                continue
            error_class = f"{_govuk_class(widget)}--error"
            if error_class not in widget.attrs.get("class", "").split():
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} {error_class}".strip()
            if isinstance(widget, forms.RadioSelect):
                continue  # the fieldset carries the description of a group
            described = [f"{self.add_prefix(name)}-hint"] if self.fields[name].help_text else []
            widget.attrs["aria-describedby"] = " ".join(
                [*described, f"{self.add_prefix(name)}-error"]
            )


def apply_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form, field by field (others on the form)."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


@dataclass(frozen=True)
class SummaryError:
    """One line of a GOV.UK error summary: the message and the field it links to."""

    text: str
    href: str = ""


def summary_errors(*forms_: forms.Form | Iterable[forms.Form] | None) -> list[SummaryError]:
    """Every error of the given forms (and formsets' forms) for one error summary: each field
    named once, its messages together, the same message never twice, in page order."""
    items: list[SummaryError] = []
    seen: set[tuple[str, str]] = set()

    def add(text: str, href: str = "") -> None:
        if text and (text, href) not in seen:
            seen.add((text, href))
            items.append(SummaryError(text=text, href=href))

    def visit(form: forms.Form) -> None:
        if not form.is_bound or not form.errors:
            return
        for error in form.non_field_errors():
            add(str(error))
        for bound in form:
            if bound.errors:
                target = bound.id_for_label or f"{bound.auto_id}_0"
                add(" ".join(str(e) for e in bound.errors), f"#{target}")

    for item in forms_:
        if item is None:
            continue
        if isinstance(item, forms.BaseForm):
            visit(item)
        elif isinstance(item, forms.BaseFormSet):
            if item.is_bound:
                for error in item.non_form_errors():
                    add(str(error))
                for form in item.forms:
                    visit(form)
        else:
            for form in item:
                visit(form)
    return items
