from django import forms

from agencies.models import User
from agencies.roles import HUB_ROLES
from mash import limits
from mash.forms import GovukFormMixin
from mash.limits import text_field

from .codes import Outcome, Rag

RAG_CHOICES = [("", "Not a MASH enquiry")] + Rag.choices


class RecommendationForm(GovukFormMixin, forms.Form):
    outcome = forms.ChoiceField(
        label="Recommended outcome",
        choices=Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a recommended outcome"},
    )
    rag = forms.ChoiceField(
        label="Initial RAG rating (for a MASH enquiry)", choices=RAG_CHOICES, required=False
    )
    rationale = text_field(
        limits.RATIONALE,
        label="Rationale",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Give the rationale for your recommendation"},
    )
    threshold_rationale = text_field(
        limits.RATIONALE,
        label="Threshold rationale (needed for a referral)",
        help_text="The hub presumes early help: say why the threshold for social care is met.",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean(self) -> dict:
        """Every missing answer at once: the RAG for a MASH enquiry and the threshold rationale
        for a referral are asked for beside any other problem (the service holds the rules)."""
        cleaned = super().clean()
        outcome = cleaned.get("outcome")
        if outcome == Outcome.MASH_ENQUIRY and not cleaned.get("rag"):
            self.add_error("rag", "Give the initial RAG rating for a MASH enquiry.")
        if outcome == Outcome.REFERRAL and not (cleaned.get("threshold_rationale") or "").strip():
            self.add_error(
                "threshold_rationale",
                "Say why the threshold for a referral is met, not early help.",
            )
        return cleaned


class DecisionForm(GovukFormMixin, forms.Form):
    """The manager's decision. "Approve recommendation" posts the recommendation as it stands
    (choice=approve); "Choose a different outcome" (choice=different) needs a reason."""

    outcome = forms.ChoiceField(
        label="Outcome",
        choices=Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the outcome"},
    )
    rag = forms.ChoiceField(
        label="Initial RAG rating (for a MASH enquiry)", choices=RAG_CHOICES, required=False
    )
    reason = text_field(
        limits.RATIONALE,
        label="Reason (needed when you choose differently from the recommendation)",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    separate_enquiry_reason = text_field(
        limits.RATIONALE,
        label="Reason to open a separate enquiry (optional)",
        help_text="When a subject already has an open enquiry, a MASH enquiry decision adds "
        "this contact to it. Only if a second, separate enquiry is needed, say why here.",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.data.get("choice") == "different" and not (cleaned.get("reason") or "").strip():
            self.add_error(
                "reason", "Give a reason for choosing a different outcome or RAG rating."
            )
        if cleaned.get("outcome") == Outcome.MASH_ENQUIRY and not cleaned.get("rag"):
            self.add_error("rag", "Give the initial RAG rating for a MASH enquiry.")
        return cleaned


class ReassignForm(GovukFormMixin, forms.Form):
    assignee = forms.ModelChoiceField(
        label="Reassign to",
        queryset=User.objects.filter(role__in=HUB_ROLES, is_active=True),
        error_messages={"required": "Choose who should triage this contact"},
    )
    reason = text_field(limits.AUDIT_REASON, label="Reason", required=False)


class MergeForm(GovukFormMixin, forms.Form):
    duplicate = forms.IntegerField(
        label="Record number of the duplicate",
        help_text="Its record is kept, marked as merged into this one.",
        error_messages={"required": "Give the record number of the duplicate"},
    )
    reason = text_field(
        limits.AUDIT_REASON,
        label="Why are these the same person?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why these records are the same person"},
    )
