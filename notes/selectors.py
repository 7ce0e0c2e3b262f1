"""Every read of case notes, already scoped to the user: the only way in.

Notes are the hub's own (DOMAIN.md): hub staff see the notes on the contacts and enquiries they
can see; partner agencies, referrers, the board and administrators see none.
"""

from django.db.models import Q, QuerySet

from agencies.roles import HUB_ROLES
from contacts.models import Contact
from contacts.selectors import contacts_visible_to
from enquiries.models import Enquiry
from enquiries.selectors import enquiries_visible_to
from mash.access import is_member

from .models import CaseNote


def is_note_reader(user) -> bool:
    """Hub staff with an active membership: the only people who read or write notes."""
    return is_member(user) and user.role in HUB_ROLES


def notes_visible_to(user, *, queryset: QuerySet[CaseNote] | None = None) -> QuerySet[CaseNote]:
    """The notes `user` may read: hub staff's, on the contacts and enquiries they can see. Fails
    closed: anyone else sees none."""
    queryset = CaseNote.objects.all() if queryset is None else queryset
    if not is_note_reader(user):
        return queryset.none()
    return queryset.filter(
        Q(contact__in=contacts_visible_to(user)) | Q(enquiry__in=enquiries_visible_to(user))
    )


def notes_on(user, record: Contact | Enquiry) -> QuerySet[CaseNote]:
    """The notes on one contact or enquiry that `user` may read, newest first, each with its
    author, in one query however many there are."""
    on = {"contact": record} if isinstance(record, Contact) else {"enquiry": record}
    return (
        notes_visible_to(user).filter(**on).select_related("author").order_by("-created_at", "-id")
    )


def contact_for_notes(user, pk) -> Contact:
    """The contact, if `user` may read and write its notes; Contact.DoesNotExist otherwise."""
    if not is_note_reader(user):
        raise Contact.DoesNotExist
    return contacts_visible_to(user).get(pk=pk)


def enquiry_for_notes(user, pk) -> Enquiry:
    """The enquiry, if `user` may read and write its notes; Enquiry.DoesNotExist otherwise."""
    if not is_note_reader(user):
        raise Enquiry.DoesNotExist
    return enquiries_visible_to(user).get(pk=pk)
