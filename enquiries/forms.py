"""Forms of the hub's enquiry page: requests to agencies, RAG changes, recommendation, decision.

The services hold the rules (a reason for a RAG change, one open request per agency, no closing
while returns are outstanding); these forms read what was posted, so that the errors a user sees
come from one place. Each form has its own element ids (``auto_id``) because several share a page.
"""

from collections.abc import Iterable

from django import forms
from django.db.models import QuerySet

from agencies.models import Agency
from contacts.codes import Rag
from contacts.models import Person
from mash import limits
from mash.forms import GovukFormMixin
from mash.limits import text_field

from .models import EnquiryPerson
from .models.enquiries import ENQUIRY_OUTCOMES

VERSION_ERRORS = {
    "required": "This page is out of date: reload it and try again.",
    "invalid": "This page is out of date: reload it and try again.",
}


class HubForm(GovukFormMixin, forms.Form):
    """The hub's enquiry forms: GOV.UK styled, service errors marked on their fields."""


def _version_field() -> forms.IntegerField:
    return forms.IntegerField(widget=forms.HiddenInput, error_messages=VERSION_ERRORS)


def person_label(link: EnquiryPerson) -> str:
    """How a person to check is named on the page: a subject, a household member, or someone
    the hub added."""
    if link.is_subject:
        role = "subject"
    elif link.added_by_id:
        role = "added by the hub"
    elif link.relationship:
        role = f"household: {link.relationship}"
    else:
        role = "household member"
    born = link.person.date_of_birth
    when = f", born {born:%-d %B %Y}" if born else ""
    return f"{link.person.full_name} ({role}{when})"


class RequestInformationForm(HubForm):
    """Ask one agency a question about some (by default all) of the enquiry's people."""

    agency = forms.ModelChoiceField(
        label="Agency to ask",
        queryset=Agency.objects.all(),
        empty_label="Choose an agency",
        error_messages={
            "required": "Choose the agency to ask",
            "invalid_choice": "Choose an agency from the list",
        },
    )
    question = text_field(
        limits.QUESTION,
        label="What do you want to know?",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    people = forms.ModelMultipleChoiceField(
        label="People the agency should check",
        queryset=Person.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={"invalid_choice": "Choose people from this enquiry."},
    )

    def __init__(
        self,
        *args,
        links: Iterable[EnquiryPerson],
        available: QuerySet[Agency] | list[Agency],
        **kwargs,
    ) -> None:
        links = list(links)
        kwargs.setdefault("auto_id", "request_%s")
        kwargs.setdefault("initial", {"people": [link.person_id for link in links]})
        super().__init__(*args, **kwargs)
        # Any agency is accepted here, so that the service explains why one cannot be asked (an
        # open request already, or inactive); only those that can be asked are offered.
        self.fields["agency"].widget.choices = [("", "Choose an agency")] + [
            (agency.pk, agency.name) for agency in available
        ]
        people = self.fields["people"]
        people.queryset = Person.objects.filter(pk__in=[link.person_id for link in links])
        people.widget.choices = [(link.person_id, person_label(link)) for link in links]


class WithdrawRequestForm(HubForm):
    """Withdraw an open request: the agency loses sight of it at once."""

    reason = text_field(
        limits.WITHDRAWN_REASON,
        label="Why are you withdrawing this request?",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )

    def __init__(self, *args, request_pk: int, **kwargs) -> None:
        kwargs.setdefault("auto_id", f"withdraw_{request_pk}_%s")
        super().__init__(*args, **kwargs)
        self.request_pk = request_pk


class RagChangeForm(HubForm):
    """Change the RAG rating, with the reason; the deadlines move as DOMAIN.md says."""

    rag = forms.ChoiceField(
        label="New RAG rating",
        choices=Rag.choices,
        widget=forms.RadioSelect,
        required=False,
        error_messages={"invalid_choice": "Choose Red, Amber or Green."},
    )
    reason = text_field(
        limits.RATIONALE,
        label="Why are you changing the RAG rating?",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    version = _version_field()

    def __init__(self, *args, current: str, **kwargs) -> None:
        kwargs.setdefault("auto_id", "rag_%s")
        super().__init__(*args, **kwargs)
        # The current rating is accepted (the service says why it is refused) but not offered.
        self.fields["rag"].widget.choices = [
            (value, label) for value, label in Rag.choices if value != current
        ]


class _OutcomeForm(HubForm):
    """An outcome (not another MASH enquiry) and a final RAG rating; ids prefixed per form."""

    outcome_label = "Outcome"
    id_prefix = "outcome"

    outcome = forms.ChoiceField(
        choices=ENQUIRY_OUTCOMES,
        widget=forms.RadioSelect,
        required=False,
        error_messages={"invalid_choice": "Choose an outcome (not another MASH enquiry)."},
    )
    final_rag = forms.ChoiceField(
        label="Final RAG rating",
        choices=Rag.choices,
        widget=forms.RadioSelect,
        required=False,
        error_messages={"invalid_choice": "Give the final RAG rating."},
    )
    version = _version_field()

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)
        self.fields["outcome"].label = self.outcome_label


class EnquiryRecommendationForm(_OutcomeForm):
    """The hub worker's recommended outcome and final RAG, with the rationale."""

    outcome_label = "Recommended outcome"
    id_prefix = "recommend"
    rationale = text_field(
        limits.RATIONALE,
        label="Rationale",
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
    )
    field_order = ["outcome", "final_rag", "rationale", "version"]


class EnquiryDecisionForm(_OutcomeForm):
    """The manager approves the recommendation or chooses otherwise (with a reason)."""

    id_prefix = "decide"
    reason = text_field(
        limits.RATIONALE,
        label="Reason (needed when you decide differently from the recommendation)",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    field_order = ["outcome", "final_rag", "reason", "version"]


class PersonToCheckForm(HubForm):
    """Add or remove one person to check (the person's record number, from the search)."""

    person = forms.IntegerField(
        widget=forms.HiddenInput,
        error_messages={
            "required": "Choose a person from the search results",
            "invalid": "Choose a person from the search results",
        },
    )

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("auto_id", "person_%s")
        super().__init__(*args, **kwargs)
