"""Ofsted ILACS Annex A, List 1 (contacts): one row per child subject of each contact received in
the period, read through the contacts visibility selector.

- Child Unique ID is the person record's id (never a name). Merged duplicates have had their
  contact links moved to the kept record, so one child keeps one id.
- A child is a subject under 18 on the date of contact, an unborn child (an expected date of
  delivery and no date of birth), or a subject whose date of birth is unknown (nothing shows
  they are an adult; their age is left blank). Adults at risk are left out.
- Gender and ethnicity are the Children in Need census codes as stored; Contact Source is the
  census referral source code.
- Date of Birth is the date of birth or, for an unborn child, the expected date of delivery;
  Age of Child (Years) is whole years on the local date of contact, blank when unborn or unknown.
- Date of Contact is the local (Europe/London) date of ``received_at``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from contacts.models import ContactSubject
from contacts.selectors import contacts_visible_to
from mash.clocks import LONDON
from reporting.periods import Period

ADULT_AGE = 18

ANNEX_A_LIST_1_HEADERS: tuple[str, ...] = (
    "Child Unique ID",
    "Gender",
    "Ethnicity",
    "Date of Birth",
    "Age of Child (Years)",
    "Date of Contact",
    "Contact Source",
)


@dataclass(frozen=True)
class AnnexARow:
    child_id: str
    gender: str
    ethnicity: str
    date_of_birth: date | None
    age: int | None
    date_of_contact: date
    source: str
    person_id: int

    def cells(self) -> tuple[str | int | date | None, ...]:
        """The row in the order of ANNEX_A_LIST_1_HEADERS."""
        return (
            self.child_id,
            self.gender,
            self.ethnicity,
            self.date_of_birth,
            self.age,
            self.date_of_contact,
            self.source,
        )


def age_in_years(born: date, on: date) -> int:
    """Whole years from ``born`` to ``on``: the birthday itself counts (someone born on 29
    February is a year older on 1 March in other years)."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def annex_a_list_1(*, user, period: Period) -> Iterator[AnnexARow]:
    """Rows of Annex A List 1 for ``period``, in order of contact then child; none for a user
    who may not see contacts. Streams: a year of contacts is never loaded at once."""
    links = (
        ContactSubject.objects.filter(
            contact__in=contacts_visible_to(user),
            contact__received_at__gte=period.starts_at,
            contact__received_at__lt=period.ends_at,
        )
        .order_by("contact__received_at", "contact_id", "person_id")
        .values_list(
            "person_id",
            "person__gender",
            "person__ethnicity",
            "person__date_of_birth",
            "person__expected_date_of_delivery",
            "contact__received_at",
            "contact__source",
        )
    )
    for person_id, gender, ethnicity, born, expected, received_at, source in links.iterator(
        chunk_size=2000
    ):
        contacted = received_at.astimezone(LONDON).date()
        age = None
        if born is not None and born <= contacted:
            age = age_in_years(born, contacted)
            if age >= ADULT_AGE:
                continue
        yield AnnexARow(
            child_id=str(person_id),
            gender=gender,
            ethnicity=ethnicity,
            date_of_birth=born if born is not None else expected,
            age=age,
            date_of_contact=contacted,
            source=source,
            person_id=person_id,
        )
