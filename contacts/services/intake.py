"""Contacts arriving: by MARF, phone, email, police notification or an agency system's API."""

from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from agencies.roles import AGENCY_ROLES
from mash.audit.events import record_event
from mash.errors import ConflictError
from mash.idempotency.locks import (
    content_digest,
    fingerprint_matches,
    fingerprint_store,
    lock_names,
)

from ..codes import Channel, Concern, Consent, Source
from ..models import ConcernRole, Contact, ContactPerson, ContactSubject, Marf, RelationshipType
from ..models.contacts import NARRATIVE_MAX_LENGTH
from ..timescales import contact_decision_due_at
from ..validators import normalise_postcode
from .people import (
    PersonInput,
    household_add,
    household_of,
    person_address_record,
    person_match_or_create_why,
    person_validate,
    relationship_add,
)
from .repeats import repeats_recompute

# A clock a few seconds fast on the sending side is not "the future".
CLOCK_SKEW = timedelta(minutes=2)


@dataclass
class NamedPersonInput:
    """Someone a contact names besides its subjects: who they are, their role in the concern,
    and how they are related (`kind` of the subject at `to_subject`, or of the other named
    person at `to_person`, by index)."""

    person: PersonInput
    role: str
    relationship_type: str = ""
    to_subject: int | None = None
    to_person: int | None = None
    in_household: bool = True


@dataclass
class ContactInput:
    source: str
    channel: str
    subjects: list[PersonInput]
    consent: str
    received_at: datetime | None = None
    concerns: list[str] = field(default_factory=list)
    narrative: str = ""
    consent_detail: str = ""
    referring_agency: object | None = None
    referrer_name: str = ""
    referrer_role: str = ""
    referrer_organisation: str = ""
    referrer_phone: str = ""
    referrer_email: str = ""
    external_reference: str = ""
    #: Everyone else the contact names (parents, partners, other adults, alleged perpetrators).
    people: list[NamedPersonInput] = field(default_factory=list)
    #: Set on the first item of a batch: every (source, external_reference) of the batch, so
    #: that intake locks them all, in one order, before it stores anything (no deadlock between
    #: two batches holding the same references in different orders).
    batch_references: tuple[tuple[str, str], ...] = ()


def contact_validate(data: ContactInput) -> None:
    """Every problem with an incoming contact, by field (subjects by index), or nothing."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if data.source not in Source.values:
        add("source", "Choose a referral source from the census list (e.g. 2A for schools).")
    if data.channel not in Channel.values:
        add(
            "channel",
            "Choose how the contact arrived: MARF, phone, email, police notification or API.",
        )
    if data.consent not in Consent.values:
        add("consent", "Say whether consent was given, not given or not sought.")
    elif data.consent != Consent.GIVEN and not data.consent_detail.strip():
        add(
            "consent_detail",
            "Give the lawful basis for sharing without consent."
            if data.consent == Consent.NOT_GIVEN
            else "Say why consent was not sought.",
        )
    if not data.concerns:
        add("concerns", "Choose at least one concern.")
    unknown = [c for c in data.concerns if c not in Concern.values]
    if unknown:
        add("concerns", f"Unknown concern: {', '.join(map(str, unknown))}.")
    if len(data.narrative) > NARRATIVE_MAX_LENGTH:
        add("narrative", f"The narrative must be {NARRATIVE_MAX_LENGTH:,} characters or fewer.")
    if data.received_at is not None:
        if timezone.is_naive(data.received_at):
            add("received_at", "Give the time with its time zone.")
        elif data.received_at > timezone.now() + CLOCK_SKEW:
            add("received_at", "The time received cannot be in the future.")
    if len(data.external_reference) > 100:
        add("external_reference", "The external reference must be 100 characters or fewer.")
    if not data.subjects:
        add("subjects", "Add at least one person the concern is about.")
    for index, person in enumerate(data.subjects):
        try:
            person_validate(person)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                for message in messages:
                    add(f"subjects[{index}].{name}", message)
    for index, named in enumerate(data.people):
        prefix = f"people[{index}]"
        try:
            person_validate(named.person)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                for message in messages:
                    add(f"{prefix}.{name}", message)
        if named.role not in ConcernRole.values:
            add(
                f"{prefix}.role",
                f"Unknown role: {named.role}. Use one of {', '.join(ConcernRole.values)}.",
            )
        if not named.relationship_type and named.to_subject is None and named.to_person is None:
            continue
        if named.relationship_type not in RelationshipType.values:
            add(
                f"{prefix}.relationship.type",
                f"Unknown relationship: {named.relationship_type or '(none)'}. Use one of "
                f"{', '.join(RelationshipType.values)}.",
            )
        if (named.to_subject is None) == (named.to_person is None):
            add(
                f"{prefix}.relationship.to_subject",
                "Say who they are related to: to_subject (a subject's index) or to_person "
                "(another named person's index), not both.",
            )
        elif named.to_subject is not None and not 0 <= named.to_subject < len(data.subjects):
            add(f"{prefix}.relationship.to_subject", "There is no subject with this index.")
        elif named.to_person is not None:
            if named.to_person == index:
                add(
                    f"{prefix}.relationship.to_person",
                    "A person cannot be related to themselves.",
                )
            elif not 0 <= named.to_person < len(data.people):
                add(f"{prefix}.relationship.to_person", "There is no person with this index.")
    if errors:
        raise ValidationError(errors)


def _record_people(*, contact: Contact, data: ContactInput, subjects: list, created_by) -> None:
    """Match or create everyone else the contact names, link them with their role, store the
    relationships named (learnt from this contact) and put household members in the subjects'
    household. Errors name `people[i]...`; the caller's transaction undoes everything."""
    named_people = []
    for index, named in enumerate(data.people):
        person, why = person_match_or_create_why(data=named.person, created_by=created_by)
        if any(person.pk == subject.pk for subject in subjects):
            raise ValidationError(
                {f"people[{index}].given_name": "This person is already a subject of the contact."}
            )
        if any(person.pk == other.pk for other in named_people):
            raise ValidationError(
                {f"people[{index}].given_name": "This person is named twice on the contact."}
            )
        named_people.append(person)
        ContactPerson.objects.create(
            contact=contact,
            person=person,
            role=named.role,
            relationship=named.relationship_type,
            in_household=named.in_household,
            address=named.person.address.strip(),
            postcode=normalise_postcode(named.person.postcode),
            match_reason=why,
        )
        person_address_record(
            person=person,
            address=named.person.address,
            postcode=named.person.postcode,
            learnt_from=contact,
            recorded_by=created_by,
        )
    for index, named in enumerate(data.people):
        if not named.relationship_type:
            continue
        other = (
            subjects[named.to_subject]
            if named.to_subject is not None
            else named_people[named.to_person]
        )
        field_name = "to_subject" if named.to_subject is not None else "to_person"
        relationship_add(
            from_person=named_people[index],
            to_person=other,
            kind=named.relationship_type,
            learnt_from=contact,
            created_by=created_by,
            field=f"people[{index}].relationship.{field_name}",
        )
        ContactPerson.objects.filter(contact=contact, person=named_people[index]).update(
            related_to=other
        )
    if subjects:
        household = household_of(subjects[0], created_by=created_by)
        for subject in subjects[1:]:
            household_add(household=household, person=subject, related=True, relationship="")
        for named, person in zip(data.people, named_people, strict=True):
            if named.in_household:
                household_add(
                    household=household,
                    person=person,
                    related=named.relationship_type != "unrelated_household_member",
                    relationship=RelationshipType(named.relationship_type).label
                    if named.relationship_type
                    else "",
                )


@transaction.atomic
def contact_create(
    *, data: ContactInput, created_by=None, referrer_user=None, marf_answers: dict | None = None
) -> Contact:
    """Record a contact: validate everything, match its people, set its decision clock."""
    contact_validate(data)
    received_at = data.received_at or timezone.now()
    contact = Contact(
        source=data.source,
        channel=data.channel,
        referring_agency=data.referring_agency,
        external_reference=data.external_reference.strip(),
        referrer_name=data.referrer_name.strip(),
        referrer_role=data.referrer_role.strip(),
        referrer_organisation=data.referrer_organisation.strip(),
        referrer_phone=data.referrer_phone.strip(),
        referrer_email=data.referrer_email.strip(),
        referrer_user=referrer_user,
        concerns=sorted(set(data.concerns)),
        narrative=data.narrative.strip(),
        consent=data.consent,
        consent_detail=data.consent_detail.strip(),
        received_at=received_at,
        decision_due_at=contact_decision_due_at(received_at),
        created_by=created_by,
        modified_by=created_by,
    )
    contact.full_clean(exclude=["created_by", "modified_by", "referrer_user", "subjects"])
    contact.save()
    person_ids = []
    subjects = []
    for person_data in data.subjects:
        person, why = person_match_or_create_why(data=person_data, created_by=created_by)
        ContactSubject.objects.get_or_create(
            contact=contact,
            person=person,
            defaults={
                "address": person_data.address.strip(),
                "postcode": normalise_postcode(person_data.postcode),
                "match_reason": why,
            },
        )
        person_address_record(
            person=person,
            address=person_data.address,
            postcode=person_data.postcode,
            learnt_from=contact,
            recorded_by=created_by,
        )
        if person.pk not in person_ids:
            subjects.append(person)
        person_ids.append(person.pk)
    if data.people:
        _record_people(contact=contact, data=data, subjects=subjects, created_by=created_by)
    if marf_answers is not None and referrer_user is not None:
        Marf.objects.create(
            contact=contact,
            submitted_by=referrer_user,
            submitted_at=received_at,
            answers=marf_answers,
        )
    repeats_recompute(person_ids=person_ids)
    contact.refresh_from_db()
    record_event(
        "contact.received",
        target=contact,
        data={"channel": contact.channel, "source": contact.source, "subjects": person_ids},
    )
    return contact


#: The advisory-lock namespace of (source, external_reference) pairs.
INTAKE_LOCKS = "contacts.intake"


def _lock_name(source: str, reference: str) -> str:
    return f"{source}\x00{reference}"


def intake_digest(data: ContactInput) -> str:
    """The content of an incoming item, as a digest: what a replay of the same item repeats.

    `received_at` is left out: a sender retrying an item may stamp it again, and a contact's
    time received is corrected on purpose (`contact_change_received_at`), not by resending."""
    content = asdict(data)
    for name in ("received_at", "batch_references"):
        content.pop(name)
    if not content["people"]:
        content.pop("people")  # items sent before contacts named people replay as before
    agency = data.referring_agency
    content["referring_agency"] = getattr(agency, "pk", agency)
    content["external_reference"] = data.external_reference.strip()
    content["concerns"] = sorted(set(map(str, data.concerns)))
    return content_digest(content)


def _fingerprint_scope(source: str) -> str:
    return f"contact:{source}"


def contact_intake(*, data: ContactInput, created_by=None) -> tuple[Contact, bool]:
    """Idempotent intake for agency systems: the same (source, external_reference) twice is one
    contact. Returns the contact and whether it was created now.

    The reference is locked first (with the rest of the batch's, in one order, when `data` opens a
    batch), so a parallel replay waits and then finds the contact. A replay whose content differs
    from what was first sent is a ConflictError naming the reference (409), not a silent drop;
    an agency system replaying another sender's reference is left to the caller to refuse."""
    reference = data.external_reference.strip()
    if not reference:
        return contact_create(data=data, created_by=created_by), True
    names = [_lock_name(source, ref) for source, ref in data.batch_references]
    names.append(_lock_name(data.source, reference))
    digest = intake_digest(data)
    scope = _fingerprint_scope(data.source)
    with transaction.atomic():
        lock_names(INTAKE_LOCKS, names)
        existing = Contact.objects.filter(source=data.source, external_reference=reference).first()
        if existing is None:
            try:
                with transaction.atomic():
                    contact = contact_create(data=data, created_by=created_by)
                    fingerprint_store(scope=scope, reference=reference, digest=digest)
                    return contact, True
            except IntegrityError:
                # Stored by a path that does not take the lock (e.g. a hub form): the same item.
                existing = Contact.objects.filter(
                    source=data.source, external_reference=reference
                ).first()
                if existing is None:
                    raise
        agency_caller = getattr(created_by, "role", None) in AGENCY_ROLES
        if agency_caller and existing.referring_agency_id != getattr(
            data.referring_agency, "pk", None
        ):
            return existing, False  # another sender's reference: the API refuses it (400)
        if fingerprint_matches(scope=scope, reference=reference, digest=digest) is False:
            message = (
                f"External reference {reference} (source {data.source}) was already sent with "
                f"different content, as {existing.reference}. Send a new item with its own "
                "reference, or ask the hub to correct the contact."
            )
            raise ConflictError(message, {"external_reference": [message]})
        return existing, False


@transaction.atomic
def contact_change_received_at(
    *, contact: Contact, received_at: datetime, reason: str, changed_by
) -> Contact:
    """Correct when a contact was received (e.g. an email read a day late): the decision clock
    and the repeat flags of every contact of the same people follow."""
    if not reason.strip():
        raise ValidationError({"reason": "Say why the time received is being corrected."})
    if timezone.is_naive(received_at):
        raise ValidationError({"received_at": "Give the time with its time zone."})
    if received_at > timezone.now() + CLOCK_SKEW:
        raise ValidationError({"received_at": "The time received cannot be in the future."})
    from domestic_abuse.deadlines import meeting_deadline_of

    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    previous = contact.received_at
    contact.received_at = received_at
    # A medium or high risk DA notification keeps the daily meeting's deadline.
    contact.decision_due_at = meeting_deadline_of(
        contact.pk, received_at
    ) or contact_decision_due_at(received_at)
    contact.version += 1
    contact.modified_by = changed_by
    contact.save(
        update_fields=["received_at", "decision_due_at", "version", "modified_by", "modified_at"]
    )
    repeats_recompute(contact_ids=[contact.pk])
    record_event(
        "contact.received_at_corrected",
        target=contact,
        actor=changed_by,
        data={"from": previous.isoformat(), "to": received_at.isoformat(), "reason": reason},
    )
    contact.refresh_from_db()
    return contact
