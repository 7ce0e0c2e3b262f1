"""The people contacts are about: a child, or siblings, with a parent at home, or an adult at
risk; and the pool of families that come back, which makes the repeats (KPI K2)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from contacts.codes import Gender
from contacts.models import Household, HouseholdMember, Person
from contacts.models.people import phonetic_keys
from contacts.services.repeats import repeat_window_start
from mash.clocks import LONDON

from . import data
from .rows import Rows, pick

#: The chance that a contact is about a family seen before. A little over the 22% wanted: in
#: the first weeks nobody has been seen yet, and a family last seen over 12 months ago (a run
#: of more than 12 months) does not make a repeat.
COME_BACK = 0.235


@dataclass
class Family:
    """People contacted together: the first ``children`` members are the subjects a contact
    may be about, the rest live with them. ``history`` holds each contact's time and subjects,
    for the repeat flag."""

    members: list  # Person (in this batch) or its pk (stored)
    children: int
    history: list[tuple[datetime, frozenset[int]]] = field(default_factory=list)


class Families:
    def __init__(self, rng: random.Random, rows: Rows, *, pool_size: int) -> None:
        self.rng, self.rows, self.pool_size = rng, rows, pool_size
        self.pool: list[Family] = []
        self.fresh: list[Family] = []  # made in this batch: members still Person objects
        self.names: dict[tuple[str, str], tuple[str, str]] = {}
        self.nhs = self._first_nhs_counter()
        self.people = 0

    # --- people ---------------------------------------------------------------------------

    @staticmethod
    def _first_nhs_counter() -> int:
        """NHS numbers from the 999 range (never issued to real people), after any in use."""
        last = (
            Person.objects.filter(nhs_number__startswith="999")
            .order_by("-nhs_number")
            .values_list("nhs_number", flat=True)
            .first()
        )
        return int(last[:9]) + 1 if last else 999_000_000

    def _next_nhs(self) -> str:
        """The next valid NHS number (Modulus 11), or "" when the range is used up."""
        while self.nhs <= 999_999_999:
            base = f"{self.nhs:09d}"
            self.nhs += 1
            weights = range(10, 1, -1)
            total = sum(int(d) * w for d, w in zip(base, weights, strict=True))
            check = 11 - total % 11
            if check != 10:
                return base + str(0 if check == 11 else check)
        return ""

    def _person(self, given: str, family: str, gender: str, home: tuple[str, str], **fields):
        nhs_share = fields.pop("nhs_share")
        if (given, family) not in self.names:
            self.names[given, family] = (
                f"{given} {family}".lower(),
                phonetic_keys(given, family),
            )
        search_text, phonetic = self.names[given, family]
        person = Person(
            given_name=given,
            family_name=family,
            gender=gender,
            ethnicity=pick(self.rng, data.ETHNICITIES),
            nhs_number=self._next_nhs() if self.rng.random() < nhs_share else "",
            address=home[0],
            postcode=home[1],
            search_text=search_text,
            phonetic=phonetic,
            **fields,
        )
        self.rows.people.append(person)
        self.people += 1
        return person

    def _child(self, family: str, home: tuple[str, str], on: date) -> Person:
        rng = self.rng
        if rng.random() < 0.015:  # unborn: an expected date of delivery, no date of birth
            due = on + timedelta(days=rng.randint(30, 200))
            return self._person(
                "Baby", family, Gender.NOT_RECORDED, home, expected_date_of_delivery=due,
                nhs_share=0,
            )  # fmt: skip
        age_days = int(365.25 * min(rng.triangular(0, 18, 6), 17.95))
        female = rng.random() < 0.5
        gender = Gender.FEMALE if female else Gender.MALE
        if rng.random() < 0.01:
            gender = Gender.INDETERMINATE
        given = rng.choice(data.GIVEN_FEMALE if female else data.GIVEN_MALE)
        born = on - timedelta(days=age_days)
        return self._person(given, family, gender, home, date_of_birth=born, nhs_share=0.85)

    def _adult(self, family: str, home: tuple[str, str], on: date, youngest: int, oldest: int):
        female = self.rng.random() < 0.65
        given = self.rng.choice(data.GIVEN_ADULT_FEMALE if female else data.GIVEN_ADULT_MALE)
        born = on - timedelta(days=self.rng.randint(youngest * 366, oldest * 365))
        gender = Gender.FEMALE if female else Gender.MALE
        return self._person(given, family, gender, home, date_of_birth=born, nhs_share=0.75)

    def _new_family(self, on: date) -> Family:
        rng = self.rng
        family = rng.choice(data.FAMILY_NAMES)
        letters = data.POSTCODE_LETTERS
        postcode = (
            f"LS{rng.randint(1, 29)} {rng.randint(1, 9)}{rng.choice(letters)}{rng.choice(letters)}"
        )
        home = (f"{rng.randint(1, 240)} {rng.choice(data.STREETS)}, Leeds", postcode)
        shape = rng.random()
        if shape < 0.04:  # an adult at risk, on their own
            return self._remember(Family([self._adult(family, home, on, 18, 90)], 1))
        children = [self._child(family, home, on)]
        if shape > 0.78:  # siblings
            children.append(self._child(family, home, on))
        parent = self._adult(family, home, on, 19, 50)
        household = Household(address=home[0], postcode=home[1])
        self.rows.households.append(household)
        relationship = "Mother" if parent.gender == Gender.FEMALE else "Father"
        for person, role in [(child, "Child") for child in children] + [(parent, relationship)]:
            self.rows.members.append(
                HouseholdMember(household=household, person=person, relationship=role)
            )
        return self._remember(Family([*children, parent], len(children)))

    def _remember(self, family: Family) -> Family:
        self.fresh.append(family)
        if len(self.pool) < self.pool_size:
            self.pool.append(family)
        else:  # one family drops out for good: memory stays bounded
            self.pool[self.rng.randrange(self.pool_size)] = family
        return family

    # --- contacts -------------------------------------------------------------------------

    def subjects_for(self, received: datetime) -> tuple[Family, list[int], int]:
        """The family a contact received at ``received`` is about, which of its children, and
        how many earlier contacts about any of them came in the 12 calendar months before
        (``prior_contacts_12m``, as ``contacts.services.repeats`` counts it). Contacts must be
        asked for in the order they were received."""
        rng = self.rng
        if self.pool and rng.random() < COME_BACK:
            family = rng.choice(self.pool)
            chosen = list(range(family.children))
            if len(chosen) > 1 and rng.random() < 0.3:
                chosen = [rng.choice(chosen)]
        else:
            family = self._new_family(received.astimezone(LONDON).date())
            chosen = list(range(family.children))
        window = repeat_window_start(received)
        wanted = frozenset(chosen)
        prior = sum(1 for at, who in family.history if window <= at < received and who & wanted)
        family.history.append((received, wanted))
        return family, chosen, prior

    def stored(self) -> None:
        """The batch was stored: keep only the pks of its families' people."""
        for family in self.fresh:
            family.members = [getattr(member, "pk", member) for member in family.members]
        self.fresh = []
