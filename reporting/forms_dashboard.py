"""The dashboard's period picker: a named period, or custom dates ``[from, to)``.

The agency supervisor's timeliness page uses it too. Cleaning it gives the period asked for
(``choice``), or errors naming the field (and the part of a date) that is wrong."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils import timezone

from mash.forms import GovukFormMixin

from .forms_period import PERIOD_FIELDS, add_period_error, add_period_fields, period_values
from .periods import NAMED_PERIODS, Period, PeriodError
from .selectors_dashboard import CUSTOM, PeriodChoice, period_from_query

PERIOD_CHOICES = [*NAMED_PERIODS.items(), (CUSTOM, "Custom dates (below)")]


class PeriodForm(GovukFormMixin, forms.Form):
    period = forms.CharField(
        label="Period",
        required=False,
        widget=forms.RadioSelect(choices=PERIOD_CHOICES),
    )

    def __init__(self, *args, today: date | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        add_period_fields(self)
        self.today = today
        self.choice: PeriodChoice | None = None

    @classmethod
    def showing(cls, choice: PeriodChoice) -> PeriodForm:
        """The picker filled in with the period being shown."""
        period: Period = choice.period
        return cls(initial={"period": choice.name, "from": period.start, "to": period.end})

    def clean(self) -> dict:
        data = super().clean()
        name = (data.get("period") or "").strip()[:40]
        if name and name != CUSTOM:
            # A named period ignores the custom dates below it, whatever is typed there.
            for field in PERIOD_FIELDS:
                self.errors.pop(field, None)
        values = period_values(self)
        if values is None:
            return data
        try:
            self.choice = period_from_query(
                {"period": name, **values}, today=self.today or timezone.localdate()
            )
        except PeriodError as error:
            add_period_error(self, error)
        return data
