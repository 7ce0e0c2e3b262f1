"""The Annex A request form and the workbook request form: the period's GOV.UK date inputs (or
``YYYY-MM-DD`` values from a link or the workbook's hidden fields), checked by the period rules
(reporting.periods), each message naming the field."""

from __future__ import annotations

from django import forms

from mash.forms import GovukFormMixin
from reporting.forms_period import add_period_error, add_period_fields, period_values
from reporting.periods import Period, PeriodError, parse_period

FORMAT_CHOICES = [("csv", "CSV"), ("xlsx", "XLSX (Excel)")]


class PeriodFieldsForm(GovukFormMixin, forms.Form):
    """``from`` and ``to`` (the period ``[from, to)``); ``period`` when valid."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        add_period_fields(self)
        self.order_fields(["from", "to"])

    def clean(self) -> dict:
        data = super().clean()
        values = period_values(self)
        if values is None:
            return data
        try:
            data["period"] = parse_period(values["from"], values["to"])
        except PeriodError as error:
            add_period_error(self, error)
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
