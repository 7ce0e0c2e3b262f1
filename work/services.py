"""Allocation: a manager gives contacts and enquiries to a member of the hub team.

Allocating, bulk-allocating and reassigning are one operation (`work_allocate`): every record
named is locked (contacts then enquiries, each in id order, so two managers allocating at once
queue rather than deadlock), checked, and changed in one transaction, or none is. A hub worker
picking a contact up (`contact_take`) goes through the same lock-and-record step.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from agencies.roles import HUB_ROLES, Role
from contacts.models import Contact
from enquiries.models import Enquiry
from mash.access import is_member, require_role
from mash.audit.events import record_event
from mash.errors import ConflictError

from .signals import allocated

#: The most records one allocation may name (a page of the allocation screen is 100 of each).
MAX_RECORDS = 500

ASSIGNEE_ERROR = "Choose an active member of the hub team to allocate the work to."
#: The largest id a record can have (PostgreSQL's integer): anything above names no record.
MAX_ID = 2_147_483_647


@dataclass
class Allocation:
    """What an allocation did: the records now with `assignee`, and those that already were."""

    assignee: object
    contacts: list[Contact] = field(default_factory=list)
    enquiries: list[Enquiry] = field(default_factory=list)
    unchanged: list[Contact | Enquiry] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.contacts) + len(self.enquiries)


def can_take_work(user) -> bool:
    """Work can go to an active member of the hub team (a front-door worker or a manager)."""
    return is_member(user) and user.role in HUB_ROLES


def _unique_ids(ids: Iterable, name: str) -> list[int]:
    try:
        unique = sorted({int(value) for value in ids})
    except (TypeError, ValueError) as bad:
        raise ValidationError({name: f"Choose {name} from the list."}) from bad
    if any(value <= 0 or value > MAX_ID for value in unique):
        raise ValidationError({name: f"Choose {name} from the list."})
    return unique


def _stale(record, versions: Mapping[str, int] | None) -> bool:
    if not versions or record.reference not in versions:
        return False
    return versions[record.reference] != record.version


def _lock_contacts(ids: list[int], versions: Mapping[str, int] | None) -> list[Contact]:
    contacts = list(
        Contact.objects.select_for_update(of=("self",))
        .select_related("assignee")
        .filter(pk__in=ids)
        .order_by("pk")
    )
    missing = sorted(set(ids) - {contact.pk for contact in contacts})
    if missing:
        raise ValidationError({"contacts": f"There is no contact with id {missing[0]}."})
    decided = [contact.reference for contact in contacts if contact.is_decided]
    if decided:
        raise ValidationError(
            {
                "contacts": f"{', '.join(decided)} {'has' if len(decided) == 1 else 'have'} "
                "already been decided, so cannot be allocated. Nothing was allocated."
            }
        )
    for contact in contacts:
        if _stale(contact, versions):
            raise ConflictError(
                f"{contact.reference} was changed by someone else while you were looking at it "
                f"(it is now: {contact.state_label.lower()}). Nothing was allocated: check the "
                "list and try again.",
                {"contacts": [f"{contact.reference} has changed."]},
            )
    return contacts


def _lock_enquiries(ids: list[int], versions: Mapping[str, int] | None) -> list[Enquiry]:
    enquiries = list(
        Enquiry.objects.select_for_update(of=("self",))
        .select_related("worker")
        .filter(pk__in=ids)
        .order_by("pk")
    )
    missing = sorted(set(ids) - {enquiry.pk for enquiry in enquiries})
    if missing:
        raise ValidationError({"enquiries": f"There is no enquiry with id {missing[0]}."})
    closed = [enquiry.reference for enquiry in enquiries if enquiry.is_closed]
    if closed:
        raise ValidationError(
            {
                "enquiries": f"{', '.join(closed)} {'is' if len(closed) == 1 else 'are'} "
                "closed, so cannot be allocated. Nothing was allocated."
            }
        )
    for enquiry in enquiries:
        if _stale(enquiry, versions):
            raise ConflictError(
                f"{enquiry.reference} was changed by someone else while you were looking at it. "
                "Nothing was allocated: check the list and try again.",
                {"enquiries": [f"{enquiry.reference} has changed."]},
            )
    return enquiries


def _save(record, by, fields: list[str]) -> None:
    record.version += 1
    record.modified_by = by
    record.save(update_fields=[*fields, "version", "modified_by", "modified_at"])


def _assign_contact(contact: Contact, assignee, by) -> None:
    contact.assignee = assignee
    fields = ["assignee"]
    if contact.decision_started_at is None:
        # Allocation starts decision making, as picking up does (the contact's page and the
        # referrer's status read it); a reassignment never resets the clock.
        contact.decision_started_at = timezone.now()
        fields.append("decision_started_at")
    _save(contact, by, fields)


def _audit(kind: str, record, previous, assignee, by, reason: str, bulk: int) -> None:
    event = "reassigned" if previous is not None else "allocated"
    data = {
        "from": getattr(previous, "username", None),
        "to": assignee.username,
        "reason": reason,
    }
    if bulk > 1:
        data["bulk"] = bulk
    record_event(f"{kind}.{event}", target=record, actor=by, data=data)


@transaction.atomic
def work_allocate(
    *,
    allocated_by,
    assignee,
    contact_ids: Sequence[int] = (),
    enquiry_ids: Sequence[int] = (),
    reason: str = "",
    versions: Mapping[str, int] | None = None,
) -> Allocation:
    """Allocate (or reassign) contacts and enquiries to `assignee`, as the manager
    `allocated_by`. All or nothing: a decided contact, a closed enquiry, an id that does not
    exist, or a record changed since the manager saw it (`versions`, by reference, e.g.
    ``{"C000012": 3}``) refuses the lot, naming the record. A record already with `assignee`
    is left as it is. Each record allocated is audited (``contact.allocated`` or
    ``contact.reassigned``, and the same for enquiries) and the `allocated` signal is sent
    once for it, inside the transaction."""
    require_role(allocated_by, {Role.HUB_MANAGER}, "allocate work")
    contact_ids = _unique_ids(contact_ids, "contacts")
    enquiry_ids = _unique_ids(enquiry_ids, "enquiries")
    if not contact_ids and not enquiry_ids:
        raise ValidationError({"contacts": "Choose at least one contact or enquiry to allocate."})
    if len(contact_ids) + len(enquiry_ids) > MAX_RECORDS:
        raise ValidationError({"contacts": f"Allocate at most {MAX_RECORDS} records at a time."})
    if assignee is None or not can_take_work(assignee):
        raise ValidationError({"assignee": ASSIGNEE_ERROR})
    reason = (reason or "").strip()
    contacts = _lock_contacts(contact_ids, versions)
    enquiries = _lock_enquiries(enquiry_ids, versions)
    result = Allocation(assignee=assignee)
    bulk = len(contacts) + len(enquiries)
    for contact in contacts:
        if contact.assignee_id == assignee.pk:
            result.unchanged.append(contact)
            continue
        previous = contact.assignee
        _assign_contact(contact, assignee, allocated_by)
        _audit("contact", contact, previous, assignee, allocated_by, reason, bulk)
        allocated.send(sender=Contact, record=contact, assignee=assignee, allocated_by=allocated_by)
        result.contacts.append(contact)
    for enquiry in enquiries:
        if enquiry.worker_id == assignee.pk:
            result.unchanged.append(enquiry)
            continue
        previous = enquiry.worker
        enquiry.worker = assignee
        _save(enquiry, allocated_by, ["worker"])
        _audit("enquiry", enquiry, previous, assignee, allocated_by, reason, bulk)
        allocated.send(sender=Enquiry, record=enquiry, assignee=assignee, allocated_by=allocated_by)
        result.enquiries.append(enquiry)
    return result


@transaction.atomic
def contact_take(*, contact: Contact, user) -> Contact:
    """A hub worker picks a contact up: it becomes theirs and decision making starts, once.
    Someone else's contact is a conflict (a manager can reassign it); a contact allocated to
    the user and not yet started starts now."""
    require_role(user, HUB_ROLES, "pick up contacts")
    contact = (
        Contact.objects.select_for_update(of=("self",))
        .select_related("assignee")
        .get(pk=contact.pk)
    )
    if contact.is_decided:
        raise ConflictError(f"{contact.reference} has already been decided.")
    if contact.assignee_id and contact.assignee_id != user.pk:
        raise ConflictError(
            f"{contact.reference} is already being triaged by {contact.assignee.display_name}. "
            "A manager can reassign it."
        )
    if contact.assignee_id == user.pk and contact.decision_started_at is not None:
        return contact
    _assign_contact(contact, user, user)
    record_event("contact.picked_up", target=contact, actor=user)
    return contact
