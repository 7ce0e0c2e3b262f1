"""The administrator's forms for timescales and closure days. They only read what was typed; the
rules (ranges, past days) are the services', whose errors the views put on these fields."""

from django import forms
from django.core.exceptions import ValidationError

from contacts.forms_marf import GovukDateField
from mash import limits
from mash.clocks import Clock
from mash.forms import GovukFormMixin
from mash.limits import text_field

from .timescale_services import timescale_validate


class TimescaleForm(GovukFormMixin, forms.Form):
    amount = forms.IntegerField(
        label="Duration",
        help_text="A whole number of hours or working days, on the clock chosen below. "
        "At most 30 days of that clock.",
        error_messages={
            "required": "Enter the duration.",
            "invalid": "Enter the duration as a whole number.",
        },
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "class": "govuk-input--width-4", "spellcheck": "false"}
        ),
    )
    clock = forms.ChoiceField(
        label="Clock",
        choices=Clock.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the clock: elapsed hours, working days or working hours.",
            "invalid_choice": "Choose the clock: elapsed hours, working days or working hours.",
        },
    )
    warning_percent = forms.IntegerField(
        label="Warning point (% of the time used)",
        help_text="A reminder goes to whoever holds the item when this share of its time has "
        "been used. Between 1 and 99; usually 75.",
        error_messages={
            "required": "Enter the warning point.",
            "invalid": "The warning point must be a whole number between 1 and 99 "
            "(% of the time used).",
        },
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "class": "govuk-input--width-3", "spellcheck": "false"}
        ),
    )

    def __init__(self, *args, kind: str, rag: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.kind, self.rag = kind, rag

    def clean(self) -> dict:
        """The service's range checks too, so that every bad field is named at once."""
        cleaned = super().clean()
        try:
            timescale_validate(
                kind=self.kind,
                rag=self.rag,
                amount=cleaned.get("amount"),
                clock=cleaned.get("clock") or "",
                warning_percent=cleaned.get("warning_percent"),
            )
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                if field in self.fields and field not in self.errors:
                    self.add_error(field, messages)
        return cleaned


class ClosureDayForm(GovukFormMixin, forms.Form):
    day = GovukDateField(
        label="Date of the closure",
        help_text="For example, 27 3 2027. Today or a later day.",
        error_messages={"required": "Enter the date of the closure."},
    )
    reason = text_field(
        limits.CLOSURE_REASON,
        label="Reason",
        help_text="For example, a council closure day or an office move.",
        error_messages={
            "required": "Enter the reason for the closure.",
            "max_length": f"The reason must be {limits.CLOSURE_REASON.max_length} characters or "
            "fewer.",
        },
    )
