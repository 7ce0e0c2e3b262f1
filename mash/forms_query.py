"""The GOV.UK date input of a page whose dates also travel in a query string (the chronology's
filters, the reporting period picker).

The page's form sends the boxes (``from-day``, ``from-month``, ``from-year``); a bookmarked link,
a download link or a script sends one ``from=2026-03-01``, exactly as the API takes it. The boxes
are checked here with the GOV.UK messages naming the part ("From must include a month"); the one
value is handed on as typed, so the API's own rules check it with the API's own messages.
"""

from __future__ import annotations

from datetime import date

from .forms import DATE_PARTS, GovukDateField, GovukDateWidget, date_label

#: Longer than any date, short enough that a message quoting it stays short.
MAX_QUERY_VALUE = 40


class QueryDateWidget(GovukDateWidget):
    """Day, month and year boxes; with none of them in the data, the one ``<name>`` value as a
    string, empty when it is not there either (the rules of the API read it)."""

    def value_from_datadict(self, data, files, name) -> list[str] | str:
        if not any(f"{name}-{part}" in data for part, *_ in DATE_PARTS):
            return str(data.get(name) or "").strip()[:MAX_QUERY_VALUE]
        return [
            str(data.get(f"{name}-{part}", "")).strip()[:MAX_QUERY_VALUE]
            for part, _label, _width in DATE_PARTS
        ]


class QueryDateField(GovukDateField):
    """A date from the boxes (a date, or None when all three are empty), else the query's one
    value as a string for the caller's rules (see `query_value`)."""

    widget = QueryDateWidget

    def to_python(self, value) -> date | str | None:
        if isinstance(value, str):
            return value
        return super().to_python(value)


def query_value(value: date | str | None) -> str:
    """A cleaned QueryDateField value as the API would have it: YYYY-MM-DD, or as sent."""
    if isinstance(value, date):
        return value.isoformat()
    return value or ""


def typed_in_boxes(form, name: str) -> bool:
    """Whether the form's ``name`` date came from the boxes (not one query value)."""
    widget = form.fields[name].widget
    return not isinstance(
        widget.value_from_datadict(form.data, form.files, form.add_prefix(name)), str
    )


def missing_message(form, name: str) -> str:
    """'Enter the from date': a required date whose boxes were left empty."""
    return f"Enter the {date_label(form.fields[name].label).lower()} date"
