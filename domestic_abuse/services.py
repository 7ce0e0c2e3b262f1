"""Every write of DA notifications. Views and the API call these, never the ORM directly.

A notification is stored through the contacts' own intake (`contact_intake`): its people are
matched or created, their addresses kept, the repeats counted, the decision clock set and the
contact audited exactly as for any contact, and the occurrence reference is locked and
fingerprinted as a contact's external reference is. This module adds the notification's own row,
its own fingerprint (the incident, the risk, who was present) and, for medium and high risk, the
daily meeting's deadline.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from agencies.models import AgencyKind
from contacts.codes import Channel, Concern, Consent, Source
from contacts.models import ConcernRole, Contact
from contacts.services import ContactInput, NamedPersonInput, PersonInput, contact_intake
from contacts.services.intake import CLOCK_SKEW, contact_validate
from encompass.services import notices_for_notification
from mash import limits
from mash.audit.events import record_event
from mash.errors import ConflictError
from mash.idempotency.locks import content_digest, fingerprint_matches, fingerprint_store

from .deadlines import meeting_decision_due_at
from .models import MEETING_RISKS, DaChild, DaNotification, DashRisk

#: What a police notification shares without consent, unless the sender says otherwise.
POLICE_LAWFUL_BASIS = (
    "Shared by the police to safeguard the children (Children Act 2004 s.11; UK GDPR "
    "Art. 6(1)(e) and 9(2)(g), DPA 2018 Sch. 1 para. 18)."
)


@dataclass
class ChildInput:
    """A child present at, or normally living where, the incident happened."""

    person: PersonInput
    present: bool = False


@dataclass
class DaPersonInput:
    """The victim or the alleged perpetrator, and how they are related to one of the children
    (`relationship_type` of the child at index `to_child`), if the police say."""

    person: PersonInput
    relationship_type: str = ""
    to_child: int | None = None
    in_household: bool = True


@dataclass
class DaNotificationInput:
    """A DA notification as the police (or the hub, by hand) send it.

    The victim is required: a notification is about an incident against someone. The alleged
    perpetrator may be unknown (None)."""

    occurrence_reference: str
    incident_at: datetime | None
    dash_risk: str
    children: list[ChildInput]
    victim: DaPersonInput | None
    perpetrator: DaPersonInput | None = None
    police_agency: object | None = None
    received_at: datetime | None = None
    narrative: str = ""
    consent: str = Consent.NOT_GIVEN
    consent_detail: str = POLICE_LAWFUL_BASIS
    referrer_name: str = ""
    referrer_phone: str = ""
    referrer_email: str = ""
    #: Set on the first item of a batch: every occurrence reference of the batch (locked first).
    batch_references: tuple[str, ...] = ()


# --- Validation ------------------------------------------------------------------------------


def _rename(key: str, data: DaNotificationInput) -> str:
    """A contact intake error's field, as the notification calls it."""
    if key.startswith("subjects["):
        return "children" + key[len("subjects") :]
    if key == "subjects":
        return "children"
    if key.startswith("people["):
        index = int(key[len("people[") : key.index("]")])
        rest = key[key.index("]") + 1 :]
        who = "victim" if index == 0 and data.victim is not None else "perpetrator"
        rest = rest.replace("relationship.to_subject", "relationship.to_child")
        return who + rest
    return {
        "external_reference": "occurrence_reference",
        "referring_agency": "police_agency",
    }.get(key, key)


def _renamed(error: ValidationError, data: DaNotificationInput) -> ValidationError:
    if not hasattr(error, "error_dict"):
        return error
    renamed: dict[str, list[str]] = {}
    for key, messages in error.message_dict.items():
        renamed.setdefault(_rename(key, data), []).extend(messages)
    return ValidationError(renamed)


def _contact_input(data: DaNotificationInput) -> ContactInput:
    """The contact a notification is: source 6, police notification, domestic abuse, about the
    children, naming the victim and the alleged perpetrator."""
    people = []
    for role, named in (
        (ConcernRole.VICTIM, data.victim),
        (ConcernRole.ALLEGED_PERPETRATOR, data.perpetrator),
    ):
        if named is None:
            continue
        people.append(
            NamedPersonInput(
                person=named.person,
                role=role,
                relationship_type=named.relationship_type,
                to_subject=(named.to_child or 0) if named.relationship_type else None,
                in_household=named.in_household,
            )
        )
    return ContactInput(
        source=Source.POLICE,
        channel=Channel.POLICE_NOTIFICATION,
        subjects=[child.person for child in data.children],
        consent=data.consent,
        consent_detail=data.consent_detail,
        received_at=data.received_at,
        concerns=[Concern.DOMESTIC_ABUSE],
        narrative=data.narrative,
        referring_agency=data.police_agency,
        referrer_name=data.referrer_name,
        referrer_organisation=getattr(data.police_agency, "name", ""),
        referrer_phone=data.referrer_phone,
        referrer_email=data.referrer_email,
        external_reference=data.occurrence_reference.strip(),
        people=people,
    )


def da_notification_validate(data: DaNotificationInput) -> ContactInput:
    """Every problem with a notification, by field (children by index), or its contact's input.

    The notification's own rules come first; the contact's rules (names, NHS numbers, dates of
    birth, postcodes, consent, narrative) are the contacts' own, with their fields renamed."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    reference = data.occurrence_reference.strip()
    if not reference:
        add("occurrence_reference", "Enter the police occurrence reference.")
    elif len(reference) > limits.EXTERNAL_REFERENCE.max_length:
        add(
            "occurrence_reference",
            f"The occurrence reference must be {limits.EXTERNAL_REFERENCE.max_length} "
            "characters or fewer.",
        )
    agency = data.police_agency
    if agency is None:
        add("police_agency", "Choose the police force that sent the notification.")
    elif getattr(agency, "kind", None) != AgencyKind.POLICE or not agency.is_active:
        add("police_agency", "Choose an active police force: this agency is not one.")
    if data.dash_risk not in DashRisk.values:
        add("dash_risk", "Choose the DASH risk level: standard, medium or high.")
    now = timezone.now()
    if data.incident_at is None:
        add("incident_at", "Enter the date and time of the incident.")
    elif timezone.is_naive(data.incident_at):
        add("incident_at", "Give the time of the incident with its time zone.")
    elif data.incident_at > now + CLOCK_SKEW:
        add("incident_at", "The incident cannot be in the future.")
    elif (
        data.received_at is not None
        and timezone.is_aware(data.received_at)
        and data.incident_at > data.received_at + CLOCK_SKEW
    ):
        add("incident_at", "The incident cannot be after the notification was received.")
    if not data.children:
        add(
            "children",
            "Add at least one child who was present or normally lives where the incident happened.",
        )
    for index, child in enumerate(data.children):
        for name, label in (("given_name", "first name"), ("family_name", "last name")):
            if not child.person.given_name.strip() and not child.person.family_name.strip():
                if name == "family_name":
                    continue  # one message for a child with no name at all
                message = (
                    "A child who was present must be named: enter their first and last names."
                    if child.present
                    else "Enter the child's first and last names."
                )
                add(f"children[{index}].{name}", message)
            elif not getattr(child.person, name).strip():
                add(
                    f"children[{index}].{name}",
                    f"Enter the {label} of the child"
                    + (" (they were present)." if child.present else "."),
                )
    if data.victim is None:
        add("victim", "Enter the victim's details.")
    for who, named in (("victim", data.victim), ("perpetrator", data.perpetrator)):
        if named is None:
            continue
        label = "victim" if who == "victim" else "alleged perpetrator"
        for name, part in (("given_name", "first name"), ("family_name", "last name")):
            if not getattr(named.person, name).strip():
                add(f"{who}.{name}", f"Enter the {label}'s {part}.")
    for who, named in (("victim", data.victim), ("perpetrator", data.perpetrator)):
        if named is None or not named.relationship_type:
            continue
        if named.to_child is not None and not 0 <= named.to_child < len(data.children):
            add(f"{who}.relationship.to_child", "There is no child with this index.")
    contact_data = _contact_input(data)
    try:
        contact_validate(contact_data)
    except ValidationError as error:
        for name, messages in _renamed(error, data).message_dict.items():
            if name in errors:
                continue  # already said in the notification's own words
            for message in messages:
                add(name, message)
    if errors:
        raise ValidationError(errors)
    return contact_data


# --- Intake ----------------------------------------------------------------------------------


def _digest(data: DaNotificationInput) -> str:
    """What the notification adds to its contact's content: a replay repeats it exactly."""
    return content_digest(
        {
            "police_agency": getattr(data.police_agency, "pk", None),
            "incident_at": data.incident_at.astimezone(UTC).isoformat()
            if data.incident_at
            else None,
            "dash_risk": data.dash_risk,
            "present": [bool(child.present) for child in data.children],
            "perpetrator_known": data.perpetrator is not None,
        }
    )


def _scope(agency) -> str:
    return f"da_notification:{getattr(agency, 'pk', agency)}"


def _store(*, contact: Contact, data: DaNotificationInput, created_by) -> DaNotification:
    """The notification's own row and its children, beside the contact just made."""
    subject_links = list(contact.subject_links.order_by("id"))
    if len(subject_links) != len(data.children):
        raise ValidationError({"children": "The same child is named twice: name each child once."})
    named = list(contact.person_links.order_by("id"))
    victim = named[0].person_id
    perpetrator = named[1].person_id if data.perpetrator is not None else None
    notification = DaNotification.objects.create(
        contact=contact,
        police_agency=data.police_agency,
        occurrence_reference=data.occurrence_reference.strip(),
        incident_at=data.incident_at,
        dash_risk=data.dash_risk,
        victim_id=victim,
        perpetrator_id=perpetrator,
        created_by=created_by,
        modified_by=created_by,
    )
    DaChild.objects.bulk_create(
        DaChild(notification=notification, person_id=link.person_id, present=child.present)
        for link, child in zip(subject_links, data.children, strict=True)
    )
    if data.dash_risk in MEETING_RISKS:
        Contact.objects.filter(pk=contact.pk).update(
            decision_due_at=meeting_decision_due_at(contact.received_at)
        )
    record_event(
        "da_notification.received",
        target=notification,
        actor=created_by,
        data={
            "contact": contact.pk,
            "dash_risk": notification.dash_risk,
            "route": notification.triage_route,
            "children": [link.person_id for link in subject_links],
        },
    )
    return notification


def da_notification_create(
    *, data: DaNotificationInput, created_by=None
) -> tuple[DaNotification, bool]:
    """Record a DA notification, idempotently on its occurrence reference: the same notification
    sent again is the one made the first time (False: not created now).

    All in one transaction: the contact (through `contact_intake`, which locks the reference
    with the rest of a batch's), the notification and its children. The same reference sent
    again with different content is a ConflictError naming `occurrence_reference` (409); a
    reference that another police force, or an ordinary contact, already used is a
    ValidationError naming it (400). Nothing is stored on any error."""
    contact_data = da_notification_validate(data)
    contact_data.batch_references = tuple(
        (Source.POLICE.value, reference) for reference in data.batch_references
    )
    reference = contact_data.external_reference
    scope = _scope(data.police_agency)
    digest = _digest(data)
    with transaction.atomic():
        try:
            contact, created = contact_intake(data=contact_data, created_by=created_by)
        except ValidationError as error:
            raise _renamed(error, data) from error
        except ConflictError as conflict:
            message = (
                f"Occurrence reference {reference} was already sent with different content. "
                "Send a new notification with its own reference, or ask the hub to correct it."
            )
            raise ConflictError(message, {"occurrence_reference": [message]}) from conflict
        if created:
            notification = _store(contact=contact, data=data, created_by=created_by)
            fingerprint_store(scope=scope, reference=reference, digest=digest)
            # Operation Encompass: a notice to each child's school, in this transaction.
            notices_for_notification(notification=notification, created_by=created_by)
            return notification, True
        notification = (
            DaNotification.objects.filter(contact=contact).select_related("contact").first()
        )
        if notification is None or notification.police_agency_id != data.police_agency.pk:
            raise ValidationError(
                {
                    "occurrence_reference": "This reference was already used for another "
                    "contact or by another police force. Use the occurrence reference of this "
                    "incident in your force's system."
                }
            )
        if fingerprint_matches(scope=scope, reference=reference, digest=digest) is False:
            message = (
                f"Occurrence reference {reference} was already sent with different content, as "
                f"{contact.reference}. Send a new notification with its own reference, or ask "
                "the hub to correct it."
            )
            raise ConflictError(message, {"occurrence_reference": [message]})
        return notification, False


def da_notification_batch(
    *, items: list[DaNotificationInput], created_by=None
) -> list[tuple[DaNotification, bool]]:
    """Record many notifications, all or none: every reference is locked first (in one order),
    then each is stored as `da_notification_create` stores one. An error names the item
    (`items[3].children[0].given_name`) and nothing is stored."""
    references = tuple(sorted({item.occurrence_reference.strip() for item in items}))
    results = []
    with transaction.atomic():
        for index, data in enumerate(items):
            data.batch_references = references if index == 0 else ()
            try:
                results.append(da_notification_create(data=data, created_by=created_by))
            except ValidationError as error:
                raise _item_error(index, error) from error
            except ConflictError as conflict:
                raise conflict.for_prefix(f"items[{index}].") from conflict
    return results


def _item_error(index: int, error: ValidationError) -> ValidationError:
    if hasattr(error, "error_dict"):
        return ValidationError(
            {f"items[{index}].{name}": messages for name, messages in error.message_dict.items()}
        )
    return ValidationError({f"items[{index}]": error.messages})


__all__ = [
    "ChildInput",
    "DaNotificationInput",
    "DaPersonInput",
    "da_notification_batch",
    "da_notification_create",
    "da_notification_validate",
    "meeting_decision_due_at",
]
