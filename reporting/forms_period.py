"""The ``from`` and ``to`` fields every reporting form shares with the URL and the API.

They are plain text so that the period rules (reporting.periods) are the only validation and
their messages, naming the field, are the ones a person sees.
"""

from django import forms

PERIOD_FIELD_LABELS = {
    "from": "From (the first day of the period)",
    "to": "To (the period ends at the start of this day, which is not included)",
}


def add_period_fields(form: forms.Form) -> None:
    """Add ``from`` and ``to`` to `form` ("from" is a Python keyword, so they are added by
    name rather than declared), as GOV.UK date inputs, in that order after the others."""
    for name, label in PERIOD_FIELD_LABELS.items():
        form.fields[name] = forms.CharField(
            label=label,
            required=False,
            widget=forms.DateInput(
                attrs={"type": "date", "class": "govuk-input--width-10 govuk-input"}
            ),
        )
