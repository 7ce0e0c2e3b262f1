"""The dashboard's period picker: a named period, or custom dates ``[from, to)``."""

from django import forms

from mash.forms import GovukFormMixin

from .forms_period import add_period_fields
from .periods import NAMED_PERIODS
from .selectors_dashboard import CUSTOM

PERIOD_CHOICES = [*NAMED_PERIODS.items(), (CUSTOM, "Custom dates (below)")]


class PeriodForm(GovukFormMixin, forms.Form):
    period = forms.CharField(
        label="Period",
        required=False,
        widget=forms.RadioSelect(choices=PERIOD_CHOICES),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        add_period_fields(self)
