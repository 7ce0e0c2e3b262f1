"""The ``from`` and ``to`` fields every reporting form shares with the URL and the API.

On a page they are GOV.UK date inputs (day, month and year boxes), checked part by part; a link
(a bookmark, a CSV download, the workbook's hidden fields) sends them as ``YYYY-MM-DD`` as the API
does, and those are read by the period rules (reporting.periods) with their own messages. Either
way the field is named.
"""

from django import forms

from mash.forms_query import QueryDateField, missing_message, query_value, typed_in_boxes

from .periods import PeriodError

PERIOD_FIELD_LABELS = {
    "from": "From (the first day of the period)",
    "to": "To (the period ends at the start of this day, which is not included)",
}
PERIOD_FIELD_HINTS = {
    "from": "For example, 1 3 2026",
    "to": "For example, 1 4 2026 for a period that ends on 31 March 2026",
}
PERIOD_FIELDS = tuple(PERIOD_FIELD_LABELS)


def add_period_fields(form: forms.Form) -> None:
    """Add ``from`` and ``to`` to `form` ("from" is a Python keyword, so they are added by
    name rather than declared), as GOV.UK date inputs, in that order after the others."""
    for name, label in PERIOD_FIELD_LABELS.items():
        form.fields[name] = QueryDateField(
            label=label, required=False, help_text=PERIOD_FIELD_HINTS[name]
        )


def period_values(form: forms.Form) -> dict[str, str] | None:
    """``from`` and ``to`` of a cleaned form as the period rules read them (``YYYY-MM-DD``, or
    the query's value as sent), or None when either was typed wrongly into its boxes (the form
    already says which part)."""
    if any(name in form.errors for name in PERIOD_FIELDS):
        return None
    return {name: query_value(form.cleaned_data.get(name)) for name in PERIOD_FIELDS}


def add_period_error(form: forms.Form, error: PeriodError) -> None:
    """Show a period rule's error on the field it names. A date left empty in its boxes gets
    the GOV.UK words ("Enter the to date"), not the query string's ("as YYYY-MM-DD")."""
    field = error.field if error.field in form.fields else None
    message = error.message
    if field in PERIOD_FIELDS and typed_in_boxes(form, field) and not form.cleaned_data.get(field):
        message = missing_message(form, field)
    form.add_error(field, message)
