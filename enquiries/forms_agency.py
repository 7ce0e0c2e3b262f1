"""Forms of the agency workspace: an agency's return, and a supervisor's assignment.

The services hold the rules (what a return needs, who may be assigned); these forms only read
what was posted, so that every error the user sees comes from one place.
"""

from django import forms
from django.db.models import QuerySet

from agencies.models import User
from agencies.roles import AGENCY_ROLES
from mash import limits
from mash.forms import GovukFormMixin
from mash.limits import text_field

from .models import HandlingMarking

HELD_CHOICES = [("yes", "Yes"), ("no", "No")]


def _held(value: str) -> bool:
    return value == "yes"


def agency_staff(agency_id: int | None) -> QuerySet[User]:
    """The agency's active researchers and supervisors: who a request can be assigned to."""
    return User.objects.filter(agency_id=agency_id, role__in=AGENCY_ROLES, is_active=True).order_by(
        "first_name", "last_name", "username"
    )


class ReturnForm(GovukFormMixin, forms.Form):
    """What the agency holds about the people to check. Read-only once submitted."""

    information_held = forms.TypedChoiceField(
        label="Does your agency hold information about these people?",
        choices=HELD_CHOICES,
        coerce=_held,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Say whether your agency holds information."},
    )
    summary = text_field(
        limits.RETURN_SUMMARY,
        label="Summary of relevant information",
        help_text="What your agency holds that answers the question. Needed if you hold any.",
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
    )
    risk_indicators = text_field(
        limits.RISK_INDICATORS,
        label="Risk indicators",
        help_text="For example violence, weapons, missing episodes, substance misuse.",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    systems_checked = text_field(
        limits.SYSTEMS_CHECKED,
        label="Systems checked",
        help_text="Every system you searched, including those where you found nothing.",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    handling = forms.ChoiceField(
        label="Handling marking",
        choices=HandlingMarking.choices,
        initial=HandlingMarking.NONE,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose a handling marking."},
    )


class AssignForm(GovukFormMixin, forms.Form):
    """A supervisor gives a request to one of the agency's active staff."""

    assignee = forms.ModelChoiceField(
        label="Assign to",
        queryset=User.objects.none(),
        error_messages={
            "required": "Choose who should research this request.",
            "invalid_choice": "Choose an active researcher of your agency.",
        },
    )

    def __init__(self, *args, agency_id: int | None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = agency_staff(agency_id)
