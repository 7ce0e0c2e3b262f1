"""KPI K2's repeat flag, stored on each contact and kept correct after merges and back-dating."""

from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from ..models import Contact, ContactSubject

LONDON = ZoneInfo("Europe/London")


def repeat_window_start(received_at: datetime) -> datetime:
    """12 calendar months before `received_at`, on the local (Europe/London) calendar."""
    local = received_at.astimezone(LONDON)
    return (local - relativedelta(months=12)).astimezone(LONDON)


def prior_contacts_count(contact: Contact) -> int:
    """Other contacts with any of this contact's subjects, received in the 12 calendar months
    before it (at or after received_at minus 12 months, strictly before received_at)."""
    subject_ids = ContactSubject.objects.filter(contact=contact).values("person_id")
    return (
        Contact.objects.filter(
            subject_links__person_id__in=subject_ids,
            received_at__gte=repeat_window_start(contact.received_at),
            received_at__lt=contact.received_at,
        )
        .exclude(pk=contact.pk)
        .distinct()
        .count()
    )


def contact_refresh_repeat(contact: Contact) -> bool:
    """Recompute one contact's flag; True when it changed."""
    prior = prior_contacts_count(contact)
    if prior == contact.prior_contacts_12m and contact.is_repeat == (prior > 0):
        return False
    contact.prior_contacts_12m = prior
    contact.is_repeat = prior > 0
    contact.save(update_fields=["prior_contacts_12m", "is_repeat", "modified_at"])
    return True


def repeats_recompute(*, person_ids: Iterable[int] = (), contact_ids: Iterable[int] = ()) -> int:
    """Recompute every contact of these people (and these contacts); returns how many changed.

    A contact's flag depends on the contacts of its subjects before it, so a merge or a changed
    `received_at` can change the flags of the other contacts of the same people.
    """
    contacts = Contact.objects.filter(subject_links__person_id__in=list(person_ids)) | (
        Contact.objects.filter(pk__in=list(contact_ids))
    )
    contact_pks = set(contacts.values_list("pk", flat=True))
    related_people = ContactSubject.objects.filter(contact_id__in=contact_pks).values("person_id")
    affected = Contact.objects.filter(subject_links__person_id__in=related_people).distinct()
    changed = 0
    for contact in affected.order_by("received_at", "pk"):
        changed += contact_refresh_repeat(contact)
    return changed
