"""Every read of documents, already scoped to the user: a document is seen by exactly those who
can see its record. Fails closed."""

from django.db.models import Q, QuerySet

from mash.access import is_member

from .models import Document


def documents_visible_to(user, *, queryset: QuerySet[Document] | None = None) -> QuerySet[Document]:
    from contacts.selectors import contacts_visible_to
    from enquiries.selectors import enquiries_visible_to

    queryset = Document.objects.all() if queryset is None else queryset
    if not is_member(user):
        return queryset.none()
    # MARF and return attachments are not shown to anyone until their pages exist.
    return queryset.filter(
        Q(contact__in=contacts_visible_to(user).values("pk"))
        | Q(enquiry__in=enquiries_visible_to(user).values("pk"))
    )


def documents_of(record, user) -> list[Document]:
    """The documents of `record` that `user` may see, newest first, with their uploaders."""
    from .services import _owner_field

    return list(
        documents_visible_to(user)
        .filter(**{_owner_field(record): record})
        .select_related("uploaded_by")
    )
