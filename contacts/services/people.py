"""Creating, finding again and merging people."""

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from mash.audit.events import record_event

from ..codes import Ethnicity, Gender
from ..models import ContactSubject, HouseholdMember, Person, PersonAlias
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
    if errors:
        raise ValidationError(errors)
    return person


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
    live = Person.objects.filter(merged_into__isnull=True)
    nhs_number = normalise_nhs_number(data.nhs_number)
    if nhs_number:
        match = live.filter(nhs_number=nhs_number).order_by("pk").first()
        if match:
            return match
    upn = normalise_upn(data.upn)
    if upn:
        match = live.filter(upn=upn).order_by("pk").first()
        if match:
            return match
    if data.date_of_birth:
        return (
            live.filter(
                given_name__iexact=data.given_name.strip(),
                family_name__iexact=data.family_name.strip(),
                date_of_birth=data.date_of_birth,
            )
            .order_by("pk")
            .first()
        )
    return None


@transaction.atomic
def person_match_or_create(*, data: PersonInput, created_by=None) -> tuple[Person, bool]:
    """The existing record where an identifier (NHS number, UPN, or name with date of birth)
    matches, else a new one. Intake never silently duplicates a person it can recognise."""
    person_validate(data)
    match = _existing_match(data)
    if match is not None:
        return match, False
    return person_create(data=data, created_by=created_by), True


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
