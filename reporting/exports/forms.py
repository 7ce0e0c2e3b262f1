"""The Annex A request form and the workbook request form: period fields in plain text, so that
the period rules (reporting.periods) give the messages, naming the field."""

from __future__ import annotations

from django import forms

from mash.forms import GovukFormMixin
from reporting.forms_period import add_period_fields
from reporting.periods import Period, PeriodError, parse_period

FORMAT_CHOICES = [("csv", "CSV"), ("xlsx", "XLSX (Excel)")]


class PeriodFieldsForm(GovukFormMixin, forms.Form):
    """``from`` and ``to`` (``YYYY-MM-DD``, the period ``[from, to)``); ``period`` when valid."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        add_period_fields(self)
        self.order_fields(["from", "to"])

    def clean(self) -> dict:
        data = super().clean()
        try:
            data["period"] = parse_period(data.get("from"), data.get("to"))
        except PeriodError as error:
            self.add_error(error.field if error.field in self.fields else None, error.message)
        return data

    @property
    def period(self) -> Period:
        return self.cleaned_data["period"]


class AnnexAForm(PeriodFieldsForm):
    format = forms.ChoiceField(
        label="File format",
        choices=FORMAT_CHOICES,
        widget=forms.RadioSelect,
        initial="csv",
        error_messages={
            "required": "Choose a file format: CSV or XLSX.",
            "invalid_choice": "Choose a file format: CSV or XLSX.",
        },
    )
