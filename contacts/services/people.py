"""Creating, finding again and merging people."""

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from mash.audit.events import record_event

from ..codes import Ethnicity, Gender
from ..models import (
    ContactPerson,
    ContactSubject,
    Household,
    HouseholdMember,
    MatchReason,
    Person,
    PersonAddress,
    PersonAlias,
    PersonCorrection,
    Relationship,
    RelationshipType,
)
from ..models.people import ANCESTOR_TYPES, SYMMETRIC_TYPES
from ..models.people import CORRECTABLE_FIELDS as CORRECTABLE_CHOICES
from ..validators import (
    normalise_nhs_number,
    normalise_postcode,
    normalise_upn,
    validate_birth_dates,
)


@dataclass
class PersonInput:
    """A person as intake describes them, before they are matched to a record."""

    given_name: str
    family_name: str
    date_of_birth: date | None = None
    expected_date_of_delivery: date | None = None
    gender: str = Gender.NOT_RECORDED
    ethnicity: str = Ethnicity.NOBT
    nhs_number: str = ""
    upn: str = ""
    address: str = ""
    postcode: str = ""
    aliases: list[tuple[str, str]] = field(default_factory=list)
    #: The DfE URN of the person's current school, where the sender knows it.
    school_urn: str = ""


def _build(data: PersonInput, created_by=None) -> Person:
    person = Person(
        given_name=data.given_name.strip(),
        family_name=data.family_name.strip(),
        date_of_birth=data.date_of_birth,
        expected_date_of_delivery=data.expected_date_of_delivery,
        gender=data.gender or Gender.NOT_RECORDED,
        ethnicity=data.ethnicity or Ethnicity.NOBT,
        nhs_number=normalise_nhs_number(data.nhs_number),
        upn=normalise_upn(data.upn),
        address=data.address.strip(),
        postcode=normalise_postcode(data.postcode),
        created_by=created_by,
        modified_by=created_by,
    )
    return person


def person_validate(data: PersonInput) -> Person:
    """Check a person's details without saving; raises ValidationError naming the fields."""
    person = _build(data)
    errors: dict[str, list[str]] = {}
    try:
        person.full_clean(exclude=["created_by", "modified_by", "merged_into"])
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        validate_birth_dates(person.date_of_birth, person.expected_date_of_delivery)
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    try:
        person.current_school = _school_of(data.school_urn)
    except ValidationError as error:
        errors.update(error.message_dict)
    if person.current_school is not None:
        person.school = person.current_school.urn
    if errors:
        raise ValidationError(errors)
    return person


def _school_of(urn: str):
    """The school whose DfE URN this is (open or closed), None for none; a URN that is not 6
    digits, or that no imported school has, is a ValidationError naming `school_urn`."""
    from schools.models import School

    urn = (urn or "").strip()
    if not urn:
        return None
    if not (len(urn) == 6 and urn.isascii() and urn.isdigit()):
        raise ValidationError({"school_urn": "A school URN is 6 digits."})
    school = School.objects.filter(urn=urn).first()
    if school is None:
        raise ValidationError({"school_urn": f"No school has the URN {urn}."})
    return school


def _learn_school(person: Person, data: PersonInput) -> None:
    """A matched person with no current school takes the one sent; one with a school keeps it."""
    if person.current_school_id is not None or not (data.school_urn or "").strip():
        return
    person.current_school = _school_of(data.school_urn)
    person.school = person.school or person.current_school.urn
    person.save(update_fields=["current_school", "school", "modified_at"])


@transaction.atomic
def person_create(*, data: PersonInput | None = None, created_by=None, **fields) -> Person:
    """Create a person record (validated) with their aliases."""
    data = data or PersonInput(**fields)
    person = person_validate(data)
    person.created_by = person.modified_by = created_by
    person.save()
    for given, family in data.aliases:
        PersonAlias.objects.create(person=person, given_name=given, family_name=family)
    if data.aliases:
        person.save(update_fields=["search_text", "phonetic"])
    record_event("person.created", target=person)
    return person


def _existing_match(data: PersonInput) -> Person | None:
    return person_find_match(data)[0]


def person_find_match(data: PersonInput) -> tuple[Person | None, str]:
    """The existing record this description matches, and why (a MatchReason), else (None, "")."""
    live = Person.objects.filter(merged_into__isnull=True)
    nhs_number = normalise_nhs_number(data.nhs_number)
    if nhs_number:
        match = live.filter(nhs_number=nhs_number).order_by("pk").first()
        if match:
            return match, MatchReason.NHS_NUMBER
    upn = normalise_upn(data.upn)
    if upn:
        match = live.filter(upn=upn).order_by("pk").first()
        if match:
            return match, MatchReason.UPN
    if data.date_of_birth:
        match = (
            live.filter(
                given_name__iexact=data.given_name.strip(),
                family_name__iexact=data.family_name.strip(),
                date_of_birth=data.date_of_birth,
            )
            .order_by("pk")
            .first()
        )
        if match:
            return match, MatchReason.NAME_AND_DATE_OF_BIRTH
    return None, ""


@transaction.atomic
def person_match_or_create(*, data: PersonInput, created_by=None) -> tuple[Person, bool]:
    """The existing record where an identifier (NHS number, UPN, or name with date of birth)
    matches, else a new one. Intake never silently duplicates a person it can recognise."""
    person_validate(data)
    match = _existing_match(data)
    if match is not None:
        _learn_school(match, data)
        return match, False
    return person_create(data=data, created_by=created_by), True


@transaction.atomic
def person_match_or_create_why(*, data: PersonInput, created_by=None) -> tuple[Person, str]:
    """As person_match_or_create, with why: a MatchReason (NEW for a record made now)."""
    person_validate(data)
    match, reason = person_find_match(data)
    if match is not None:
        _learn_school(match, data)
        return match, reason
    return person_create(data=data, created_by=created_by), MatchReason.NEW


# --- Address history -------------------------------------------------------------------------


def _norm(text: str) -> str:
    return " ".join((text or "").lower().replace(",", " ").split())


def _same_address(address: str, postcode: str, other_address: str, other_postcode: str) -> bool:
    """Whether a newly given address (the last two) says nothing new: the same address, or
    only the same postcode (a contact that gives just the postcode has not moved anyone)."""
    postcode, other_postcode = normalise_postcode(postcode), normalise_postcode(other_postcode)
    if not other_address:
        return bool(other_postcode) and other_postcode == postcode
    if not other_postcode:
        return _norm(other_address) == _norm(address)
    return _norm(other_address) == _norm(address) and other_postcode == postcode


@transaction.atomic
def person_address_record(
    *,
    person: Person,
    address: str,
    postcode: str,
    learnt_from=None,
    recorded_by=None,
    date_from: date | None = None,
) -> PersonAddress | None:
    """Add an address to the person's history and make it their current one (the person's
    `address`/`postcode` follow). The same address as the current one changes nothing; the
    address held before histories were kept is written into the history first, so it is never
    lost. Nothing given, nothing recorded."""
    address, postcode = (address or "").strip(), normalise_postcode(postcode or "")
    if not address and not postcode:
        return None
    current = PersonAddress.objects.filter(person=person, is_current=True).first()
    if current is not None and _same_address(current.address, current.postcode, address, postcode):
        return current  # nothing new: no lock taken
    # FOR NO KEY UPDATE: intakes linking contacts to this person (key-share locks) go on.
    person = Person.objects.select_for_update(no_key=True).get(pk=person.pk)
    today = timezone.localdate()
    current = PersonAddress.objects.filter(person=person, is_current=True).first()
    if current is None and (person.address or person.postcode):
        same = _same_address(person.address, person.postcode, address, postcode)
        current = PersonAddress.objects.create(
            person=person,
            address=person.address,
            postcode=person.postcode,
            is_current=True,
            # a record made from this very contact learnt its address from it
            learnt_from=learnt_from if same else None,
            date_from=(date_from or today) if same else None,
            created_by=recorded_by,
        )
    if current is not None:
        if _same_address(current.address, current.postcode, address, postcode):
            return current
        current.is_current = False
        current.date_to = date_from or today
        current.save(update_fields=["is_current", "date_to"])
    entry = PersonAddress(
        person=person,
        address=address,
        postcode=postcode,
        date_from=date_from or today,
        is_current=True,
        learnt_from=learnt_from,
        created_by=recorded_by,
    )
    entry.full_clean(exclude=["person", "learnt_from", "created_by"])
    entry.save()
    person.address, person.postcode = address, postcode
    person.modified_by = recorded_by or person.modified_by
    person.save(update_fields=["address", "postcode", "modified_by", "modified_at"])
    return entry


# --- Relationships ---------------------------------------------------------------------------


def _is_ancestor(ancestor_id: int, person_id: int) -> bool:
    """Whether a chain of parent/step-parent/grandparent relationships leads from `ancestor_id`
    down to `person_id` (one query per generation)."""
    seen: set[int] = set()
    frontier = {ancestor_id}
    while frontier:
        if person_id in frontier:
            return True
        seen |= frontier
        frontier = (
            set(
                Relationship.objects.filter(
                    from_person_id__in=frontier, kind__in=ANCESTOR_TYPES
                ).values_list("to_person_id", flat=True)
            )
            - seen
        )
    return False


def relationship_check(
    *, from_person_id: int, to_person_id: int, kind: str, field: str = "to_person"
) -> None:
    """Refuse an unknown kind, a relationship to oneself, and a cycle that would make someone
    their own ancestor; the ValidationError names `field` (and `kind`'s field for a cycle)."""
    kind_field = field.rsplit(".", 1)[0] + ".type" if "." in field else "kind"
    if kind not in RelationshipType.values:
        choices = ", ".join(RelationshipType.values)
        raise ValidationError({kind_field: f"Unknown relationship: {kind}. Use one of {choices}."})
    if from_person_id == to_person_id:
        raise ValidationError({field: "A person cannot be related to themselves."})
    if kind in ANCESTOR_TYPES and _is_ancestor(to_person_id, from_person_id):
        raise ValidationError({kind_field: "This would make someone their own parent or ancestor."})


@transaction.atomic
def relationship_add(
    *,
    from_person: Person,
    to_person: Person,
    kind: str,
    learnt_from=None,
    created_by=None,
    field: str = "to_person",
) -> tuple[Relationship, bool]:
    """Record that `from_person` is `kind` of `to_person`; the same relationship again (either
    way round, for one that reads the same both ways) is the one already recorded."""
    relationship_check(
        from_person_id=from_person.pk, to_person_id=to_person.pk, kind=kind, field=field
    )
    existing = Relationship.objects.filter(
        from_person=from_person, to_person=to_person, kind=kind
    ).first()
    if existing is None and kind in SYMMETRIC_TYPES:
        existing = Relationship.objects.filter(
            from_person=to_person, to_person=from_person, kind=kind
        ).first()
    if existing is not None:
        return existing, False
    relationship = Relationship.objects.create(
        from_person=from_person,
        to_person=to_person,
        kind=kind,
        learnt_from=learnt_from,
        created_by=created_by,
    )
    record_event(
        "person.relationship_added",
        target=from_person,
        actor=created_by,
        data={"to_person": to_person.pk, "kind": kind},
    )
    return relationship, True


def household_of(person: Person, *, created_by=None) -> Household:
    """The household the person lives in now (made at their address if they have none)."""
    link = HouseholdMember.objects.filter(person=person).select_related("household").last()
    if link is not None:
        return link.household
    household = Household.objects.create(
        address=person.address, postcode=person.postcode, created_by=created_by
    )
    HouseholdMember.objects.create(household=household, person=person, related=True)
    return household


def household_add(
    *, household: Household, person: Person, related: bool, relationship: str
) -> None:
    HouseholdMember.objects.get_or_create(
        household=household,
        person=person,
        defaults={"related": related, "relationship": relationship[:100]},
    )


# --- Corrections -----------------------------------------------------------------------------

CORRECTABLE_FIELDS = tuple(name for name, _label in CORRECTABLE_CHOICES)


def _school_change(person: Person, changes: dict) -> tuple[str, object]:
    """The school text and school record a correction leaves: a School (chosen on the page by
    URN or name) is recorded as "Name (URN 123456)"; None clears both; text (the API's free
    text) is kept as typed, linked to the school whose 6-digit URN it is, if any."""
    from schools.models import School

    if "school" not in changes:
        return person.school, person.current_school
    value = changes["school"]
    if isinstance(value, School):
        return f"{value.name[:180]} (URN {value.urn})", value
    text = (value or "").strip()
    urn = text.upper().removeprefix("URN").strip()
    linked = School.objects.filter(urn=urn).first() if len(urn) == 6 and urn.isdigit() else None
    return text, linked


@transaction.atomic
def person_correct(*, person: Person, changes: dict, reason: str, corrected_by) -> list:
    """Correct a person's details (hub staff): each changed field keeps its old value in a
    PersonCorrection, and the audit trail records the change. Bad values are refused naming the
    field, with nothing changed."""
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why these details are being corrected."})
    unknown = set(changes) - set(CORRECTABLE_FIELDS)
    if unknown:
        raise ValidationError({name: "This detail cannot be corrected here." for name in unknown})
    person = Person.objects.select_for_update().get(pk=person.pk)
    data = PersonInput(
        given_name=changes.get("given_name", person.given_name),
        family_name=changes.get("family_name", person.family_name),
        date_of_birth=changes.get("date_of_birth", person.date_of_birth),
        expected_date_of_delivery=person.expected_date_of_delivery,
        gender=changes.get("gender", person.gender),
        ethnicity=changes.get("ethnicity", person.ethnicity),
        nhs_number=changes.get("nhs_number", person.nhs_number),
        upn=changes.get("upn", person.upn),
        address=changes.get("address", person.address),
        postcode=changes.get("postcode", person.postcode),
    )
    checked = person_validate(data)
    new_values = {name: getattr(checked, name) for name in CORRECTABLE_FIELDS if name != "school"}
    new_school = _school_change(person, changes)
    new_values["school"] = new_school[0]
    if len(new_values["school"]) > Person._meta.get_field("school").max_length:
        raise ValidationError({"school": "The school must be 200 characters or fewer."})
    now = timezone.now()
    corrections = []
    for name in CORRECTABLE_FIELDS:
        if name not in changes:
            continue
        old, new = getattr(person, name), new_values[name]
        if old == new:
            continue
        corrections.append(
            PersonCorrection(
                person=person,
                field=name,
                old_value="" if old is None else str(old),
                new_value="" if new is None else str(new),
                reason=reason.strip(),
                corrected_by=corrected_by,
                corrected_at=now,
            )
        )
    if not corrections:
        raise ValidationError({"__all__": "Nothing was changed."})
    address_changed = any(c.field in ("address", "postcode") for c in corrections)
    for correction in corrections:
        if correction.field not in ("address", "postcode"):
            setattr(person, correction.field, new_values[correction.field])
    if "school" in changes:
        person.current_school = new_school[1]
    person.modified_by = corrected_by
    person.save()
    for correction in corrections:
        correction.save()
    if address_changed:
        # A corrected address replaces the current entry of the history (it was wrong, not
        # moved from): the old one is kept in the correction.
        current = PersonAddress.objects.filter(person=person, is_current=True).first()
        if current is not None:
            current.address, current.postcode = new_values["address"], new_values["postcode"]
            current.save(update_fields=["address", "postcode"])
        elif new_values["address"] or new_values["postcode"]:
            PersonAddress.objects.create(
                person=person,
                address=new_values["address"],
                postcode=new_values["postcode"],
                is_current=True,
                created_by=corrected_by,
            )
        person.address, person.postcode = new_values["address"], new_values["postcode"]
        person.save()
    record_event(
        "person.corrected",
        target=person,
        actor=corrected_by,
        data={"fields": [c.field for c in corrections], "reason": reason.strip()},
    )
    return corrections


@transaction.atomic
def person_merge(*, keep: Person, duplicate: Person, reason: str, merged_by) -> Person:
    """Merge `duplicate` into `keep`: contacts, aliases and households move; both histories stay.

    The duplicate record remains (marked merged) so its audit trail and links still resolve.
    """
    from .repeats import repeats_recompute

    if not reason.strip():
        raise ValidationError({"reason": "Say why these records are the same person."})
    if keep.pk == duplicate.pk:
        raise ValidationError({"duplicate": "Choose a different record to merge."})
    keep = Person.objects.select_for_update().get(pk=keep.pk)
    duplicate = Person.objects.select_for_update().get(pk=duplicate.pk)
    if duplicate.merged_into_id or keep.merged_into_id:
        raise ValidationError({"duplicate": "One of these records has already been merged."})
    for link in ContactSubject.objects.filter(person=duplicate):
        if ContactSubject.objects.filter(contact_id=link.contact_id, person=keep).exists():
            link.delete()
        else:
            link.person = keep
            link.save(update_fields=["person"])
    for link in ContactPerson.objects.filter(person=duplicate):
        if ContactPerson.objects.filter(contact_id=link.contact_id, person=keep).exists():
            link.delete()
        else:
            link.person = keep
            link.save(update_fields=["person"])
    for relationship in Relationship.objects.filter(
        Q(from_person=duplicate) | Q(to_person=duplicate)
    ):
        ends = {
            "from_person_id": keep.pk
            if relationship.from_person_id == duplicate.pk
            else relationship.from_person_id,
            "to_person_id": keep.pk
            if relationship.to_person_id == duplicate.pk
            else relationship.to_person_id,
        }
        duplicate_of = Relationship.objects.filter(kind=relationship.kind, **ends)
        if ends["from_person_id"] == ends["to_person_id"] or duplicate_of.exists():
            relationship.delete()
        else:
            Relationship.objects.filter(pk=relationship.pk).update(**ends)
    PersonAddress.objects.filter(person=duplicate).update(person=keep, is_current=False)
    PersonAlias.objects.create(
        person=keep, given_name=duplicate.given_name, family_name=duplicate.family_name
    )
    for alias in duplicate.aliases.all():
        alias.person = keep
        alias.save(update_fields=["person"])
    for membership in HouseholdMember.objects.filter(person=duplicate):
        if HouseholdMember.objects.filter(household=membership.household, person=keep).exists():
            continue
        membership.person = keep
        membership.save(update_fields=["person"])
    for name in ("nhs_number", "upn", "date_of_birth", "address", "postcode"):
        if not getattr(keep, name) and getattr(duplicate, name):
            setattr(keep, name, getattr(duplicate, name))
    if duplicate.nhs_number == keep.nhs_number:
        duplicate.nhs_number = ""  # the identifier now belongs to the kept record alone
    keep.modified_by = merged_by
    keep.save()
    duplicate.merged_into = keep
    duplicate.merged_at = timezone.now()
    duplicate.modified_by = merged_by
    duplicate.save()
    record_event(
        "person.merged",
        target=keep,
        actor=merged_by,
        data={"duplicate_id": duplicate.pk, "reason": reason},
    )
    repeats_recompute(person_ids=[keep.pk])
    return keep
