"""Every write to schools, key adults' schools and school holidays."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from agencies.roles import Role
from mash.access import require_role
from mash.audit.events import record_event

from .gias import GiasFileError, SchoolRow, read_gias
from .models import School, SchoolHoliday

_ADMINISTRATORS = frozenset({Role.ADMINISTRATOR})
_FREE_TEXT_URN = re.compile(r"^\s*(?:URN\s*)?([0-9]{6})\s*$", re.IGNORECASE)
SCHOOL_FIELDS = ("name", "phase", "status", "establishment_type", "postcode", "local_authority")


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int
    people_linked: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged

    def as_data(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "people_linked": self.people_linked,
        }


def _lock(table: str) -> None:
    """Serialise writers of `table` (two imports at once, two holidays added at once). SQLite
    serialises writers by itself."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")


def schools_import(*, content: bytes | str, imported_by, source: str = "") -> ImportResult:
    """Import schools from a GIAS CSV: every row checked first (``ValidationError`` on ``file``
    listing every problem, nothing stored), then each school created or updated by its URN in one
    transaction. Schools missing from the file are left as they are (a file may cover one local
    authority)."""
    require_role(imported_by, _ADMINISTRATORS, "import schools")
    return _import(content, imported_by=imported_by, source=source)


def schools_import_from_command(*, content: bytes | str, source: str = "") -> ImportResult:
    """The same import, run by whoever runs ``manage.py import_schools`` (audited with no user:
    the server's own operator)."""
    return _import(content, imported_by=None, source=source)


def _import(content: bytes | str, *, imported_by, source: str) -> ImportResult:
    try:
        rows = read_gias(content)
    except GiasFileError as error:
        raise ValidationError({"file": error.errors}) from error
    return _upsert(rows, imported_by=imported_by, source=source)


@transaction.atomic
def _upsert(rows: list[SchoolRow], *, imported_by, source: str) -> ImportResult:
    _lock(School._meta.db_table)
    existing = {
        school.urn: school for school in School.objects.filter(urn__in=[r.urn for r in rows])
    }
    new, changed = [], []
    now = timezone.now()
    for row in rows:
        school = existing.get(row.urn)
        values = row.values()
        if school is None:
            new.append(School(urn=row.urn, **values))
            continue
        if any(getattr(school, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(school, name, value)
            school.updated_at = now  # bulk_update does not apply auto_now
            changed.append(school)
    School.objects.bulk_create(new, batch_size=1000)
    School.objects.bulk_update(changed, [*SCHOOL_FIELDS, "updated_at"], batch_size=1000)
    result = ImportResult(
        created=len(new),
        updated=len(changed),
        unchanged=len(rows) - len(new) - len(changed),
        people_linked=people_link_by_urn([school.urn for school in new]),
    )
    record_event(
        "schools.imported",
        actor=imported_by,
        data={**result.as_data(), **({"file": source[:200]} if source else {})},
    )
    return result


def people_link_by_urn(urns: list[str]) -> int:
    """People with no current school whose free-text school is one of these URNs get that school
    as their current school (a person recorded before the school was imported). Returns how many
    people were linked. The same rule as contacts' migration 0006."""
    from contacts.models import Person

    if not urns:
        return 0
    schools = dict(School.objects.filter(urn__in=urns).values_list("urn", "pk"))
    linked = 0
    candidates = Person.objects.filter(current_school__isnull=True, school__regex=r"[0-9]{6}")
    by_urn: dict[str, list[int]] = {}
    for pk, text in candidates.values_list("pk", "school").iterator():
        match = _FREE_TEXT_URN.match(text)
        if match and match.group(1) in schools:
            by_urn.setdefault(match.group(1), []).append(pk)
    for urn, people in by_urn.items():
        linked += Person.objects.filter(pk__in=people).update(current_school_id=schools[urn])
    return linked


@transaction.atomic
def school_create(*, created_by, urn: str, **fields) -> School:
    """Add one school by hand (an administrator); the URN must be new."""
    require_role(created_by, _ADMINISTRATORS, "add schools")
    urn = (urn or "").strip()
    if School.objects.filter(urn=urn).exists():
        raise ValidationError({"urn": f"A school with URN {urn} already exists."})
    school = School(urn=urn, **fields)
    school.full_clean()
    school.save()
    record_event("school.created", target=school, actor=created_by)
    return school


@transaction.atomic
def school_update(*, school: School, changed_by, **fields) -> School:
    """Change a school's details (not its URN: that is what identifies it)."""
    require_role(changed_by, _ADMINISTRATORS, "change schools")
    unknown = set(fields) - set(SCHOOL_FIELDS)
    if unknown:
        raise ValidationError({name: "This detail cannot be changed here." for name in unknown})
    for name, value in fields.items():
        setattr(school, name, value)
    school.full_clean()
    school.save()
    record_event("school.updated", target=school, actor=changed_by, data={"fields": sorted(fields)})
    return school


# --- School holidays --------------------------------------------------------------------------


def school_holiday_validate(*, name: str, first_day: date | None, last_day: date | None) -> None:
    """Every problem at once, each naming its field."""
    errors: dict[str, str] = {}
    if not (name or "").strip():
        errors["name"] = "Enter the holiday's name, for example Summer holiday."
    if first_day is None:
        errors["first_day"] = "Enter the first day of the holiday."
    if last_day is None:
        errors["last_day"] = "Enter the last day of the holiday."
    if first_day and last_day and last_day < first_day:
        errors["last_day"] = "The last day must be the same as or after the first day."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def school_holiday_add(*, actor, name: str, first_day: date, last_day: date) -> SchoolHoliday:
    """Add days on which schools are closed; refused if they overlap a holiday already stored."""
    require_role(actor, _ADMINISTRATORS, "change school holidays")
    school_holiday_validate(name=name, first_day=first_day, last_day=last_day)
    _lock(SchoolHoliday._meta.db_table)
    clash = SchoolHoliday.objects.filter(first_day__lte=last_day, last_day__gte=first_day).first()
    if clash is not None:
        raise ValidationError(
            {"first_day": f"These days overlap {clash}: change or remove that holiday first."}
        )
    holiday = SchoolHoliday.objects.create(
        name=name.strip(), first_day=first_day, last_day=last_day
    )
    record_event(
        "school_holiday.added",
        target=holiday,
        actor=actor,
        data={"first_day": first_day.isoformat(), "last_day": last_day.isoformat()},
    )
    return holiday


@transaction.atomic
def school_holiday_remove(*, actor, holiday: SchoolHoliday) -> None:
    require_role(actor, _ADMINISTRATORS, "change school holidays")
    record_event(
        "school_holiday.removed",
        target=holiday,
        actor=actor,
        data={
            "name": holiday.name,
            "first_day": holiday.first_day.isoformat(),
            "last_day": holiday.last_day.isoformat(),
        },
    )
    holiday.delete()
