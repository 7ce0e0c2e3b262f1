"""The notifications pages' forms: the list's filter and each user's email choices."""

from django import forms

from .models import ALWAYS_EMAILED, NotificationKind
from .services.notifications import KINDS

#: The kinds a user may choose to have emailed (not escalations: always).
CHOOSABLE = [info for info in KINDS if info.kind not in ALWAYS_EMAILED]


class NotificationFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind",
        required=False,
        choices=[("", "All kinds"), *NotificationKind.choices],
        error_messages={"invalid_choice": "Choose a kind of notification from the list."},
    )
    unread = forms.BooleanField(label="Unread only", required=False)


class EmailPreferencesForm(forms.Form):
    """A box per kind: ticked means emailed. Nothing ticked turns every choosable email off."""

    email = forms.MultipleChoiceField(
        label="Email me about",
        required=False,
        choices=[(info.kind.value, info.kind.label) for info in CHOOSABLE],
        error_messages={"invalid_choice": "Choose kinds of notification from the list."},
    )

    def choices(self) -> dict[str, bool]:
        ticked = set(self.cleaned_data["email"])
        return {info.kind.value: info.kind.value in ticked for info in CHOOSABLE}
