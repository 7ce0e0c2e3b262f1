"""Every read of documents, already scoped to the user: a document is seen by exactly those who
can see its record. Fails closed.

- Contacts and enquiries: hub staff (the record selectors).
- Returns: hub staff, and the agency that made the return (its group's grant on the request,
  `returns_visible_to`); never another agency, a referrer or the board.
- MARFs: hub staff (through the MARF's contact), and the referrer who attached the file, on
  their own MARF; never another referrer, an agency or the board.
"""

from django.db.models import Q, QuerySet

from agencies.roles import Role
from mash.access import is_member

from .models import Document


def documents_visible_to(user, *, queryset: QuerySet[Document] | None = None) -> QuerySet[Document]:
    from contacts.selectors import contacts_visible_to, marfs_of_referrer
    from enquiries.selectors import enquiries_visible_to, returns_visible_to

    queryset = Document.objects.all() if queryset is None else queryset
    if not is_member(user):
        return queryset.none()
    contacts = contacts_visible_to(user).values("pk")
    visible = (
        Q(contact__in=contacts)
        | Q(enquiry__in=enquiries_visible_to(user).values("pk"))
        | Q(marf__contact__in=contacts)
        | Q(information_return__in=returns_visible_to(user).values("pk"))
    )
    if user.role == Role.REFERRER:
        # Only what they attached themselves, on a MARF of their own.
        visible |= Q(marf__in=marfs_of_referrer(user).values("pk"), uploaded_by=user)
    return queryset.filter(visible)


def on_record(record) -> Q:
    """The condition for `record`'s documents: a contact's include those the referrer attached
    to its MARF; an information request's are those on its returns."""
    from contacts.models import Contact
    from enquiries.models import InformationRequest

    from .services import _owner_field

    if isinstance(record, Contact):
        return Q(contact=record) | Q(marf__contact=record)
    if isinstance(record, InformationRequest):
        return Q(information_return__request=record)
    return Q(**{_owner_field(record): record})


def documents_of(record, user) -> list[Document]:
    """The documents of `record` that `user` may see, newest first, with their uploaders. A
    contact's include those the referrer attached to its MARF."""
    return list(documents_visible_to(user).filter(on_record(record)).select_related("uploaded_by"))


def marf_documents(user, contact_id: int) -> list[Document]:
    """The documents `user` may see on the MARF of contact `contact_id` (a referrer: their own)."""
    return list(
        documents_visible_to(user).filter(marf__contact_id=contact_id).select_related("uploaded_by")
    )


def return_documents(user, *, request_id: int | None = None, enquiry_id: int | None = None):
    """The documents `user` may see on the returns of one request or of one enquiry's requests,
    oldest return first, each with its return and agency (one query)."""
    queryset = documents_visible_to(user).filter(information_return__isnull=False)
    if request_id is not None:
        queryset = queryset.filter(information_return__request_id=request_id)
    if enquiry_id is not None:
        queryset = queryset.filter(information_return__request__enquiry_id=enquiry_id)
    return list(
        queryset.select_related(
            "uploaded_by", "information_return", "information_return__request__agency"
        ).order_by("information_return__submitted_at", "information_return_id", "uploaded_at", "pk")
    )
