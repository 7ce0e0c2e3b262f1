"""The dashboard's period picker: a named period, or custom dates ``[from, to)``.

The fields are plain text so that the period rules (reporting.periods) are the only validation
and their messages, naming the field, are the ones a person sees.
"""

from django import forms

from mash.forms import GovukFormMixin

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
        # "from" is a Python keyword: the fields the URL and the API share are added by name.
        self.fields["from"] = forms.CharField(
            label="From (the first day of the period)",
            required=False,
            widget=forms.DateInput(attrs={"type": "date", "class": "govuk-input--width-10"}),
        )
        self.fields["to"] = forms.CharField(
            label="To (the period ends at the start of this day, which is not included)",
            required=False,
            widget=forms.DateInput(attrs={"type": "date", "class": "govuk-input--width-10"}),
        )
        for name in ("from", "to"):
            field = self.fields[name]
            field.widget.attrs["class"] = f"{field.widget.attrs['class']} govuk-input"
