"""The chronology page's filters: dates (GOV.UK date inputs, as the reporting pages take them)
and kinds (checkboxes). The rules are chronology.filters', shared with the API, so the page and
the API refuse the same input with the same message, naming the same field."""

from django import forms
from django.core.exceptions import ValidationError

from mash.forms import GovukFormMixin

from .filters import EventKind, Filters, parse_filters

# The page offers only known kinds: one that is not (a changed address) is named in plain words.
PAGE_KIND_MESSAGE = "Choose the kinds of event from the list"

DATE_LABELS = {
    "from": "From",
    "to": "To",
}
DATE_HINTS = {
    "from": "The first day to show, for example 2026-03-27",
    "to": "The last day to show (included), for example 2026-03-31",
}


class KindsField(forms.MultipleChoiceField):
    """Checkboxes whose values are checked by chronology.filters (one message for page and API)."""

    def valid_value(self, value) -> bool:
        return True


class ChronologyFilterForm(GovukFormMixin, forms.Form):
    kinds = KindsField(
        label="What to show",
        required=False,
        choices=EventKind.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave them all unticked to show every kind of event.",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # "from" is a Python keyword, so the date fields are added by name (as reporting does).
        dates = {}
        for name, label in DATE_LABELS.items():
            dates[name] = forms.CharField(
                label=label,
                required=False,
                help_text=DATE_HINTS[name],
                widget=forms.DateInput(
                    attrs={
                        "type": "date",
                        "class": "govuk-input govuk-input--width-10",
                        "aria-describedby": f"{name}-hint",
                    }
                ),
            )
        self.fields = {**dates, **self.fields}
        self.filters = Filters()

    def clean(self):
        cleaned = super().clean()
        try:
            self.filters = parse_filters(
                self.data.get("from"), self.data.get("to"), self.data.getlist("kinds")
            )
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                self.add_error(field, PAGE_KIND_MESSAGE if field == "kinds" else messages)
        return cleaned
