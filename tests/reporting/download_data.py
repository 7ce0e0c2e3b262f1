"""Hand-counted data for the download and Annex A tests.

October 2026 in Europe/London: British Summer Time (UTC+1) until the clocks go back on Sunday
25 October, so the period [2026-10-01, 2026-11-01) starts at 2026-09-30 23:00 UTC and ends at
2026-11-01 00:00 UTC.

KPI data (``kpi_october``): six contacts from schools (2A) and two from the police (6), each about
one child with a distinctive name that no KPI file may show. K1 by source for October: schools 6
(shown to everyone), police 2 (shown to managers, "<5" to board members).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from contacts.codes import Channel, Consent, Source
from contacts.models import Contact, ContactSubject, Person
from mash.clocks import LONDON
from reporting.periods import Period
from tests.factories import PersonFactory

OCTOBER = Period(date(2026, 10, 1), date(2026, 11, 1))
OCTOBER_QUERY = {"from": "2026-10-01", "to": "2026-11-01"}

#: (given, family): names that must never appear in a KPI download.
CHILDREN = [
    ("Zephaniah", "Quorndonbury"),
    ("Philippa", "Thistlewaite"),
    ("Bartholomew", "Ockenden"),
    ("Clementine", "Wyndhamshire"),
    ("Ignatius", "Pemberforth"),
    ("Rosalind", "Hawksmoorley"),
    ("Octavius", "Brindlecombe"),
    ("Marigold", "Fenwickstead"),
]
NAMES = [name for pair in CHILDREN for name in pair]


def local(*args: int) -> datetime:
    """An aware instant at a Europe/London wall-clock time."""
    return datetime(*args, tzinfo=LONDON)


def child(**overrides) -> Person:
    return PersonFactory(**overrides)


def contact(
    received_at: datetime, *people: Person, source: str = Source.SCHOOLS, **fields
) -> Contact:
    """A contact received at ``received_at`` about ``people``, made directly (no services, so no
    clocks or matching get in the way)."""
    made = Contact.objects.create(
        source=source,
        channel=Channel.PHONE,
        consent=Consent.GIVEN,
        narrative="Concern for the download tests.",
        received_at=received_at,
        decision_due_at=received_at + timedelta(days=1),
        **fields,
    )
    for person in people:
        ContactSubject.objects.create(contact=made, person=person)
    return made


def kpi_october() -> list[Contact]:
    """Six schools contacts and two police contacts in October 2026, one named child each, and
    one schools contact on 30 September at 23:59 local time (outside the period)."""
    made = []
    for index, (given, family) in enumerate(CHILDREN):
        source = Source.SCHOOLS if index < 6 else Source.POLICE
        received = local(2026, 10, 2 + index, 10, 0)
        made.append(contact(received, child(given_name=given, family_name=family), source=source))
    contact(local(2026, 9, 30, 23, 59), child(given_name="Outside", family_name="Periodson"))
    return made
