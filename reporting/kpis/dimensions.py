"""The dimensions KPI tables are broken down by: the field each groups on, the code a blank or
missing value is shown as, and the words for each code (``Table.labels``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db.models import TextChoices

from agencies.models import Agency
from contacts.codes import Channel, Outcome, Rag, Source

#: The code of "no value" in a dimension: a contact with no referring partner agency, no RAG...
NONE = "none"


def _choices(choices: type[TextChoices], **extra: str) -> Callable[[Iterable[str]], dict[str, str]]:
    labels = {**dict(choices.choices), **extra}

    def lookup(codes: Iterable[str]) -> dict[str, str]:
        return dict(labels)

    return lookup


def _agency_names(codes: Iterable[str]) -> dict[str, str]:
    """Agency names for the codes present (one query), and "none"."""
    wanted = [code for code in codes if code != NONE]
    names = dict(Agency.objects.filter(code__in=wanted).values_list("code", "name"))
    return {**names, NONE: "No partner agency"}


@dataclass(frozen=True)
class Dimension:
    key: str  # the row key and column key in the Table, e.g. "source"
    title: str  # the column heading
    field: str  # the ORM path it groups on
    empty: str  # the code shown for a blank or null value
    labels: Callable[[Iterable[str]], dict[str, str]] = field(compare=False)
    order: tuple[str, ...] = ()  # codes in the order people expect; others follow, by label

    def code(self, value: object) -> str:
        return str(value) if value not in (None, "") else self.empty

    def sort_key(self, code: str, labels: dict[str, str]) -> tuple:
        if code in self.order:
            return (0, self.order.index(code), "")
        if code == self.empty:
            return (2, 0, "")
        return (1, 0, labels.get(code, code).casefold())


def _dimension(
    key: str,
    title: str,
    field_: str,
    choices: type[TextChoices],
    empty: str = NONE,
    empty_label: str = "None",
) -> Dimension:
    return Dimension(
        key,
        title,
        field_,
        empty,
        _choices(choices, **{empty: empty_label}),
        tuple(choices.values),
    )


SOURCE = _dimension("source", "Source", "source", Source, empty_label="Not recorded")
PARTNER_AGENCY = Dimension(
    "partner_agency", "Referring partner agency", "referring_agency__code", NONE, _agency_names
)
CHANNEL = _dimension("channel", "Channel", "channel", Channel, empty_label="Not recorded")
CONTACT_OUTCOME = _dimension(
    "outcome", "Outcome", "outcome", Outcome, empty="undecided", empty_label="Undecided"
)
RECOMMENDED = _dimension(
    "recommended",
    "Recommended outcome",
    "recommended_outcome",
    Outcome,
    empty_label="No recommendation",
)
INITIAL_RAG = _dimension("initial_rag", "Initial RAG", "initial_rag", Rag, empty_label="Not rated")
ENQUIRY_OUTCOME = _dimension(
    "outcome", "Outcome", "outcome", Outcome, empty="open", empty_label="Open"
)
ENQUIRY_FINAL_RAG = _dimension("final_rag", "Final RAG", "final_rag", Rag, empty_label="Not rated")
AGENCY = Dimension("agency", "Agency", "agency__code", NONE, _agency_names)
