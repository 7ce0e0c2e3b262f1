"""The daily triage meeting's forms: an attendee, and each notification's agreed outcome.

Blank answers are allowed on an outcome (saved as typed, so nothing is lost); the service
refuses what cannot be right, naming the field."""

from django import forms

from contacts.codes import Outcome, Rag
from mash import limits
from mash.forms import GovukFormMixin

from .meeting_selectors import attendee_agencies
from .models import DaNotification, DashRisk


class AttendeeForm(GovukFormMixin, forms.Form):
    agency = forms.ModelChoiceField(
        label="Agency", queryset=attendee_agencies(), empty_label="Choose the agency"
    )
    name = forms.CharField(label="Name", max_length=limits.REFERRER_NAME.max_length, strip=True)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].error_messages["required"] = "Choose the agency they attended for."
        self.fields["agency"].error_messages["invalid_choice"] = (
            "Choose the agency they attended for from the list."
        )
        self.fields["name"].error_messages["required"] = "Enter the attendee's name."
        self.fields["name"].widget.attrs["autocomplete"] = "off"


class OutcomeForm(GovukFormMixin, forms.Form):
    """One notification's agreed outcome, prefixed with the notification (`da<id>`) so that every
    field on the page has its own id."""

    outcome = forms.ChoiceField(
        label="Agreed outcome",
        choices=Outcome.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    rag = forms.ChoiceField(
        label="RAG rating (for a MASH enquiry)",
        choices=Rag.choices,
        widget=forms.RadioSelect,
        required=False,
        help_text="How soon the enquiry must be completed.",
    )
    marac_referral = forms.BooleanField(label="Refer to MARAC", required=False)
    rationale = forms.CharField(
        label="Rationale",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=limits.RATIONALE.max_length,
        help_text="Why the meeting agreed this outcome: it becomes the decision's rationale.",
    )

    def __init__(self, *args, notification: DaNotification, **kwargs) -> None:
        kwargs.setdefault("prefix", f"da{notification.pk}")
        if not args or args[0] is None:
            kwargs.setdefault(
                "initial",
                {
                    "outcome": notification.agreed_outcome,
                    "rag": notification.agreed_rag,
                    "marac_referral": notification.marac_referral,
                    "rationale": notification.agreed_rationale,
                },
            )
        super().__init__(*args, **kwargs)
        self.notification = notification
        if notification.dash_risk != DashRisk.HIGH:
            # Only for high risk: a medium one that posts it anyway is refused by the service.
            self.fields["marac_referral"].widget = forms.HiddenInput()
        self.fields["rationale"].error_messages["max_length"] = (
            f"The rationale must be {limits.RATIONALE.max_length} characters or fewer."
        )

    @property
    def offers_marac(self) -> bool:
        return self.notification.dash_risk == DashRisk.HIGH
