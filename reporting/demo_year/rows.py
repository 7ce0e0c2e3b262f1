"""The rows of one batch, stored parents first with bulk_create, and small helpers shared by the
generator's parts."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from contacts.models import (
    Contact,
    ContactSubject,
    DecisionEntry,
    Household,
    HouseholdMember,
    Person,
)
from enquiries.models import (
    Enquiry,
    EnquiryContact,
    EnquiryPerson,
    InformationRequest,
    InformationRequestGroupObjectPermission,
    InformationReturn,
    RagChange,
)

HOUR = 3600.0
#: Rows per INSERT statement (SQLite's limit on variables is met by Django splitting further).
INSERT_SIZE = 2000


@dataclass
class DemoYearResult:
    contacts: int = 0
    people: int = 0
    enquiries: int = 0
    requests: int = 0
    returns: int = 0
    first: datetime | None = None
    last: datetime | None = None
    seconds: float = 0.0

    def __str__(self) -> str:
        span = f"{self.first:%-d %b %Y} to {self.last:%-d %b %Y}" if self.first else "no dates"
        return (
            f"{self.contacts} contacts about {self.people} people ({span}), {self.enquiries} "
            f"enquiries, {self.requests} information requests, {self.returns} returns in "
            f"{self.seconds:.1f} s"
        )


def pick(rng: random.Random, table: list[tuple[str, float]]) -> str:
    """One value of a (value, weight) table."""
    values, weights = zip(*table, strict=True)
    return rng.choices(values, weights)[0]


def after(rng: random.Random, start: datetime, mean_hours: float) -> datetime:
    """A moment after ``start``, exponentially distributed with this mean."""
    return start + timedelta(seconds=rng.expovariate(1 / (mean_hours * HOUR)))


def link(row, member) -> None:
    """Point ``row.person`` at a person stored already (a pk) or in this batch (a Person)."""
    if isinstance(member, int):
        row.person_id = member
    else:
        row.person = member


#: In the order they are stored: every model before the ones that point to it.
ORDER = (
    ("people", Person),
    ("households", Household),
    ("members", HouseholdMember),
    ("contacts", Contact),
    ("subjects", ContactSubject),
    ("entries", DecisionEntry),
    ("enquiries", Enquiry),
    ("enquiry_contacts", EnquiryContact),
    ("enquiry_people", EnquiryPerson),
    ("rag_changes", RagChange),
    ("requests", InformationRequest),
    ("request_people", InformationRequest.people.through),
    ("returns", InformationReturn),
    ("grants", InformationRequestGroupObjectPermission),
)


class Rows:
    """Unsaved rows of the current batch, one list per model. ``flush()`` stores them:
    bulk_create sets the primary keys (PostgreSQL, SQLite 3.35+), and a row pointing to an
    object stored just before picks up its key."""

    people: list[Person]
    households: list[Household]
    members: list[HouseholdMember]
    contacts: list[Contact]
    subjects: list[ContactSubject]
    entries: list[DecisionEntry]
    enquiries: list[Enquiry]
    enquiry_contacts: list[EnquiryContact]
    enquiry_people: list[EnquiryPerson]
    rag_changes: list[RagChange]
    requests: list[InformationRequest]
    request_people: list
    returns: list[InformationReturn]
    grants: list[InformationRequestGroupObjectPermission]

    def __init__(self) -> None:
        self.clear()

    def clear(self) -> None:
        for name, _model in ORDER:
            setattr(self, name, [])

    def flush(self) -> dict[str, int]:
        counts = {}
        for name, model in ORDER:
            objects = getattr(self, name)
            if objects:
                model.objects.bulk_create(objects, batch_size=INSERT_SIZE)
            counts[name] = len(objects)
        self.clear()
        return counts
