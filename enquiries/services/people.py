"""The enquiry's people to check: a hub worker adds someone found by search, or removes someone,
before sending requests.

The rule for requests: a request's people are fixed when it is sent. Adding a person to the
enquiry afterwards does not add them to a request already sent, nor grant them to its agency;
the next request (another agency's, or a new one once the agency's request is returned or
withdrawn) can include them. Removing a person takes them off the list for requests not yet
sent; a request already sent keeps them (the agency was asked and may answer).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from agencies.roles import HUB_ROLES
from contacts.models import Person
from mash.access import require_role
from mash.audit.events import record_event
from mash.errors import ConflictError

from ..models import Enquiry, EnquiryPerson


def _open_locked(enquiry: Enquiry, field: str, expected_version: int | None) -> Enquiry:
    locked = Enquiry.objects.select_for_update().get(pk=enquiry.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ConflictError(
            f"{locked.reference} was changed by someone else while you were working on it. "
            "Check its current state and try again."
        )
    if locked.is_closed:
        message = f"{locked.reference} is closed: its people to check can no longer change."
        raise ConflictError(message, {field: [message]})
    return locked


def _bump(enquiry: Enquiry, by) -> None:
    enquiry.version += 1
    enquiry.modified_by = by
    enquiry.save(update_fields=["version", "modified_by", "modified_at"])


@transaction.atomic
def enquiry_add_person(
    *, enquiry: Enquiry, person: Person, added_by, expected_version: int | None = None
) -> EnquiryPerson:
    """Add someone the hub found to the people to check (audited)."""
    require_role(added_by, HUB_ROLES, "change the people to check")
    enquiry = _open_locked(enquiry, "person", expected_version)
    if person.merged_into_id is not None:
        raise ValidationError(
            {"person": f"{person.full_name}'s record was merged: add the record it became."}
        )
    if enquiry.person_links.filter(person=person).exists():
        raise ValidationError({"person": f"{person.full_name} is already a person to check."})
    link = EnquiryPerson.objects.create(
        enquiry=enquiry,
        person=person,
        is_subject=False,
        added_by=added_by,
        added_at=timezone.now(),
    )
    _bump(enquiry, added_by)
    record_event("enquiry.person_added", target=enquiry, actor=added_by, data={"person": person.pk})
    return link


@transaction.atomic
def enquiry_remove_person(
    *, enquiry: Enquiry, person: Person, removed_by, expected_version: int | None = None
) -> None:
    """Take someone off the people to check (audited). A subject stays: the child the concern
    is about is always checked."""
    require_role(removed_by, HUB_ROLES, "change the people to check")
    enquiry = _open_locked(enquiry, "person", expected_version)
    link = enquiry.person_links.filter(person=person).first()
    if link is None:
        raise ValidationError({"person": f"{person.full_name} is not a person to check here."})
    if link.is_subject:
        raise ValidationError(
            {"person": f"{person.full_name} is a subject of the concern and is always checked."}
        )
    link.delete()
    _bump(enquiry, removed_by)
    record_event(
        "enquiry.person_removed", target=enquiry, actor=removed_by, data={"person": person.pk}
    )
