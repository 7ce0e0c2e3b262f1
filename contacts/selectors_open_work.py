"""Who a contact is about, and each person's open work (DOMAIN.md, "Households, history and
documents"), already scoped to the user.

A person has open work while they are a subject of an undecided contact, or a person checked by
(a subject or household member of) an open enquiry. Every read here goes through the visibility
selectors (`contacts_visible_to`, `enquiries_visible_to`), so nobody is told of work they cannot
see; today only hub staff see any.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q
from django.utils import timezone

from .codes import Concern
from .models import Contact, ContactPerson, ContactSubject, Person

# --- Who: names and ages ---------------------------------------------------------------------


def age_in_years(date_of_birth: date, today: date) -> int:
    """Whole years lived at `today`. Someone born on 29 February is a year older on 1 March in a
    year without one (as in UK law)."""
    had_birthday = (today.month, today.day) >= (date_of_birth.month, date_of_birth.day)
    return today.year - date_of_birth.year - (0 if had_birthday else 1)


def person_age(person: Person, today: date | None = None) -> int | None:
    """The person's age in whole years at today's local date; None when unborn or not known
    (a date of birth after today is a recording error, so the age is not known)."""
    if person.date_of_birth is None:
        return None
    today = today or timezone.localdate()
    age = age_in_years(person.date_of_birth, today)
    return age if age >= 0 else None


def age_label(person: Person, today: date | None = None) -> str:
    """ "Age 7", "Unborn" or "Age not known"."""
    if person.is_unborn:
        return "Unborn"
    age = person_age(person, today)
    return "Age not known" if age is None else f"Age {age}"


@dataclass(frozen=True)
class SubjectSummary:
    """A subject as a queue row shows them."""

    person_id: int
    name: str
    age: int | None
    is_unborn: bool
    age_label: str


def subject_summaries(contact: Contact, today: date | None = None) -> list[SubjectSummary]:
    """The contact's subjects, by family then given name, from the prefetched `subjects` (the
    queue prefetches them: no query here)."""
    today = today or timezone.localdate()
    return [
        SubjectSummary(
            person_id=person.pk,
            name=person.full_name,
            age=person_age(person, today),
            is_unborn=person.is_unborn,
            age_label=age_label(person, today),
        )
        for person in contact.subjects.all()
    ]


def concern_labels(contact: Contact) -> list[str]:
    return [Concern(code).label for code in contact.concerns if code in Concern.values]


# --- Open work -------------------------------------------------------------------------------


def has_open_work(user, contact_ref: str = "pk") -> ExpressionWrapper:
    """True for a contact when some subject of the contact has open work besides the contact
    itself (another undecided contact, or an open enquiry checking them), among the records
    `user` can see. Two EXISTS subqueries: constant cost for any number of rows."""
    from enquiries.models import EnquiryState
    from enquiries.selectors import enquiries_visible_to

    from .selectors import contacts_visible_to

    # DOMAIN.md: open work is being a subject, or a household member, of an undecided contact.
    other_undecided = (
        contacts_visible_to(user)
        .filter(
            Q(subject_links__person__subject_links__contact=OuterRef(contact_ref))
            | Q(
                person_links__in_household=True,
                person_links__person__subject_links__contact=OuterRef(contact_ref),
            ),
            outcome="",
        )
        .exclude(pk=OuterRef(contact_ref))
    )
    open_enquiries = (
        enquiries_visible_to(user)
        .exclude(state=EnquiryState.CLOSED)
        .filter(person_links__person__subject_links__contact=OuterRef(contact_ref))
    )
    return ExpressionWrapper(
        Q(Exists(other_undecided)) | Q(Exists(open_enquiries)), output_field=BooleanField()
    )


@dataclass
class OpenWork:
    """One person's open work: their undecided contacts (soonest due first) and open enquiries
    (soonest deadline first)."""

    contacts: list = field(default_factory=list)
    enquiries: list = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.contacts or self.enquiries)


def open_work_for_people(
    user, person_ids: Iterable[int], *, exclude_contact: int | None = None
) -> dict[int, OpenWork]:
    """Each person's open work that `user` can see, leaving out `exclude_contact` (the contact
    being looked at): the undecided contacts they are a subject or a household member of, and
    the open enquiries checking them. Every id asked for has an entry (empty when they have
    none). Three queries, however many people and records."""
    from enquiries.models import EnquiryPerson, EnquiryState
    from enquiries.selectors import enquiries_visible_to

    from .selectors import contacts_visible_to

    ids = list(dict.fromkeys(person_ids))
    result = {person_id: OpenWork() for person_id in ids}
    if not ids:
        return result
    undecided = contacts_visible_to(user).filter(outcome="")
    if exclude_contact is not None:
        undecided = undecided.exclude(pk=exclude_contact)
    contact_links = (
        ContactSubject.objects.filter(person_id__in=ids, contact__in=undecided)
        .select_related("contact")
        .order_by("contact__decision_due_at", "contact_id")
    )
    household_links = (
        ContactPerson.objects.filter(person_id__in=ids, contact__in=undecided, in_household=True)
        .select_related("contact")
        .order_by("contact__decision_due_at", "contact_id")
    )
    for link in [*contact_links, *household_links]:
        contacts = result[link.person_id].contacts
        if all(contact.pk != link.contact_id for contact in contacts):
            contacts.append(link.contact)
    for work in result.values():
        work.contacts.sort(key=lambda contact: (contact.decision_due_at, contact.pk))

    open_enquiries = enquiries_visible_to(user).exclude(state=EnquiryState.CLOSED)
    enquiry_links = (
        EnquiryPerson.objects.filter(person_id__in=ids, enquiry__in=open_enquiries)
        .select_related("enquiry")
        .order_by("enquiry__deadline", "enquiry_id")
    )
    for link in enquiry_links:
        result[link.person_id].enquiries.append(link.enquiry)
    return result
