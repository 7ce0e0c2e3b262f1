"""The chronology page's filters: dates (GOV.UK date inputs, day, month and year boxes) and kinds
(checkboxes). The rules are chronology.filters', shared with the API, so the page and the API
refuse the same input with the same message, naming the same field. A bookmarked link may still
give a date as ``from=2026-03-27`` (as the API does); the API's rules read it."""

from django import forms
from django.core.exceptions import ValidationError

from mash.forms import GovukFormMixin
from mash.forms_query import QueryDateField, query_value

from .filters import EventKind, Filters, parse_filters

# The page offers only known kinds: one that is not (a changed address) is named in plain words.
PAGE_KIND_MESSAGE = "Choose the kinds of event from the list"

DATE_LABELS = {
    "from": "From",
    "to": "To",
}
DATE_HINTS = {
    "from": "The first day to show, for example 27 3 2026",
    "to": "The last day to show (included), for example 31 3 2026",
}
DATE_FIELDS = tuple(DATE_LABELS)


class KindsField(forms.MultipleChoiceField):
    """Checkboxes whose values are checked by chronology.filters (one message for page and API)."""

    def valid_value(self, value) -> bool:
        return True


def is_filtering(query) -> bool:
    """Whether a query asks for filters: a date (as boxes or one value) or kinds."""
    return any(key.split("-", 1)[0] in (*DATE_FIELDS, "kinds") for key in query)


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
        dates = {
            name: QueryDateField(label=label, required=False, help_text=DATE_HINTS[name])
            for name, label in DATE_LABELS.items()
        }
        self.fields = {**dates, **self.fields}
        self.filters = Filters()

    def clean(self):
        cleaned = super().clean()
        # A date already refused by its boxes is not checked again (one message a field).
        values = {
            name: "" if name in self.errors else query_value(cleaned.get(name))
            for name in DATE_FIELDS
        }
        try:
            self.filters = parse_filters(values["from"], values["to"], self.data.getlist("kinds"))
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                self.add_error(field, PAGE_KIND_MESSAGE if field == "kinds" else messages)
        return cleaned
