"""Reading the DfE's "Get information about schools" (GIAS) CSV export.

Only the columns named in ``REQUIRED_COLUMNS`` are read (the export has several hundred); their
names are GIAS's own. ``StatutoryLowAge`` and ``StatutoryHighAge`` are read when present, to place
a school whose phase GIAS gives as "Not applicable".

Phase (``phase_from_gias``): the type of establishment decides first for special schools and
for pupil referral units and alternative provision, whatever their phase, because that is what a
designated safeguarding lead's setting is; then the phase of education:

* "Nursery" -> early years (as is a "Local authority nursery school" of any phase);
* "Primary", "Middle deemed primary" -> primary;
* "Secondary", "Middle deemed secondary", "16 plus" -> secondary;
* "All-through" -> secondary: an all-through school has one designated safeguarding lead for
  all its pupils, and its oldest pupils are of secondary age;
* "Not applicable" (independent schools, mostly) -> by the statutory ages where given (up to 5
  early years, up to 11 primary, else secondary); with no ages the row is refused, naming the
  column.

Status: "Open" and "Open, but proposed to close" are open; "Closed" and "Proposed to open" are
closed (a school not yet open is not offered).

Files are read as UTF-8 (with or without a byte order mark), else as Windows-1252, the encoding
GIAS's downloads use.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from .models import (
    ESTABLISHMENT_TYPE,
    LOCAL_AUTHORITY,
    SCHOOL_NAME,
    SCHOOL_POSTCODE,
    Phase,
    SchoolStatus,
)

URN_COLUMN = "URN"
NAME_COLUMN = "EstablishmentName"
TYPE_COLUMN = "TypeOfEstablishment (name)"
STATUS_COLUMN = "EstablishmentStatus (name)"
PHASE_COLUMN = "PhaseOfEducation (name)"
POSTCODE_COLUMN = "Postcode"
LA_COLUMN = "LA (name)"
LOW_AGE_COLUMN = "StatutoryLowAge"
HIGH_AGE_COLUMN = "StatutoryHighAge"

REQUIRED_COLUMNS: tuple[str, ...] = (
    URN_COLUMN,
    NAME_COLUMN,
    TYPE_COLUMN,
    STATUS_COLUMN,
    PHASE_COLUMN,
    POSTCODE_COLUMN,
    LA_COLUMN,
)

#: The most row errors reported one by one; the rest are counted.
MAX_REPORTED_ERRORS = 50

_PHASES = {
    "nursery": Phase.EARLY_YEARS,
    "primary": Phase.PRIMARY,
    "middle deemed primary": Phase.PRIMARY,
    "secondary": Phase.SECONDARY,
    "middle deemed secondary": Phase.SECONDARY,
    "16 plus": Phase.SECONDARY,
    "all-through": Phase.SECONDARY,
}
_STATUSES = {
    "open": SchoolStatus.OPEN,
    "open, but proposed to close": SchoolStatus.OPEN,
    "closed": SchoolStatus.CLOSED,
    "proposed to open": SchoolStatus.CLOSED,
}


class GiasFileError(Exception):
    """The file cannot be imported: every problem found, each naming its row and column."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class SchoolRow:
    """One school as the file gives it, checked."""

    row: int
    urn: str
    name: str
    phase: str
    status: str
    establishment_type: str
    postcode: str
    local_authority: str

    def values(self) -> dict[str, str]:
        return {
            "name": self.name,
            "phase": self.phase,
            "status": self.status,
            "establishment_type": self.establishment_type,
            "postcode": self.postcode,
            "local_authority": self.local_authority,
        }


def _age(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() else None


def phase_from_gias(
    phase: str, establishment_type: str, low_age: int | None = None, high_age: int | None = None
) -> str | None:
    """The phase (``Phase``) for GIAS's phase of education and type of establishment, or None
    when they do not say (see the module's docstring for the rules)."""
    kind = establishment_type.strip().lower()
    if "pupil referral unit" in kind or "alternative provision" in kind:
        return Phase.ALTERNATIVE_PROVISION
    if "special" in kind:
        return Phase.SPECIAL
    if "nursery" in kind:
        return Phase.EARLY_YEARS
    name = " ".join(phase.strip().lower().split())
    if name in _PHASES:
        return _PHASES[name]
    if name in ("not applicable", "") and high_age is not None:
        if high_age <= 5:
            return Phase.EARLY_YEARS
        if high_age <= 11:
            return Phase.PRIMARY
        return Phase.SECONDARY
    return None


def decode(content: bytes) -> str:
    """The file's text: UTF-8 (a byte order mark allowed), else Windows-1252."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


def normalise_postcode(value: str) -> str:
    return " ".join(value.upper().split())


def read_gias(content: bytes | str) -> list[SchoolRow]:
    """Every school in a GIAS CSV, checked; ``GiasFileError`` listing every problem (a missing
    column, or each bad row by its row number as a spreadsheet shows it: the header is row 1)."""
    text = decode(content) if isinstance(content, bytes) else content
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [name.strip() for name in (reader.fieldnames or [])]
    if not header:
        raise GiasFileError(["The file is empty: it has no header row."])
    reader.fieldnames = header
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise GiasFileError(
            [f"The file has no “{column}” column." for column in missing]
            + ["Use the “Get information about schools” CSV layout: its column names are needed."]
        )
    rows: list[SchoolRow] = []
    errors: list[str] = []
    error_count = 0
    seen: dict[str, int] = {}
    try:
        for number, raw in enumerate(reader, start=2):
            row_errors = _check_row(number, raw, seen)
            if row_errors:
                error_count += len(row_errors)
                errors.extend(row_errors)
                continue
            rows.append(_row(number, raw))
    except csv.Error as error:
        raise GiasFileError([f"The file is not a readable CSV: {error}."]) from error
    if error_count:
        shown = errors[:MAX_REPORTED_ERRORS]
        if error_count > len(shown):
            shown.append(f"And {error_count - len(shown)} more problems.")
        raise GiasFileError(shown)
    if not rows:
        raise GiasFileError(["The file has a header row but no schools."])
    return rows


def _cell(raw: dict, column: str) -> str:
    value = raw.get(column)
    return value.strip() if isinstance(value, str) else ""


def _check_row(number: int, raw: dict, seen: dict[str, int]) -> list[str]:
    errors: list[str] = []

    def refuse(column: str, message: str) -> None:
        errors.append(f"Row {number}, {column}: {message}")

    if None in raw:
        refuse(URN_COLUMN, "the row has more cells than the header has columns.")
        return errors
    urn = _cell(raw, URN_COLUMN)
    if not (len(urn) == 6 and urn.isascii() and urn.isdigit()):
        shown = urn[:20] or "empty"
        refuse(URN_COLUMN, f"“{shown}” is not a 6-digit URN.")
    elif urn in seen:
        refuse(URN_COLUMN, f"URN {urn} is also on row {seen[urn]}.")
    else:
        seen[urn] = number
    name = _cell(raw, NAME_COLUMN)
    if not name:
        refuse(NAME_COLUMN, "the school's name is empty.")
    elif len(name) > SCHOOL_NAME.max_length:
        refuse(NAME_COLUMN, f"the name is longer than {SCHOOL_NAME.max_length} characters.")
    status = _cell(raw, STATUS_COLUMN)
    if status.lower() not in _STATUSES:
        refuse(STATUS_COLUMN, f"“{status[:40] or 'empty'}” is not a GIAS establishment status.")
    phase = phase_from_gias(
        _cell(raw, PHASE_COLUMN),
        _cell(raw, TYPE_COLUMN),
        _age(raw.get(LOW_AGE_COLUMN)),
        _age(raw.get(HIGH_AGE_COLUMN)),
    )
    if phase is None:
        shown = _cell(raw, PHASE_COLUMN)[:40] or "empty"
        refuse(
            PHASE_COLUMN,
            f"“{shown}” does not say whether the school is early years, primary, secondary, "
            "special or alternative provision (and no statutory ages are given).",
        )
    for column, limit in (
        (TYPE_COLUMN, ESTABLISHMENT_TYPE),
        (LA_COLUMN, LOCAL_AUTHORITY),
    ):
        if len(_cell(raw, column)) > limit.max_length:
            refuse(column, f"longer than {limit.max_length} characters.")
    if len(normalise_postcode(_cell(raw, POSTCODE_COLUMN))) > SCHOOL_POSTCODE.max_length:
        refuse(POSTCODE_COLUMN, "not a postcode (too long).")
    return errors


def _row(number: int, raw: dict) -> SchoolRow:
    return SchoolRow(
        row=number,
        urn=_cell(raw, URN_COLUMN),
        name=_cell(raw, NAME_COLUMN),
        phase=phase_from_gias(
            _cell(raw, PHASE_COLUMN),
            _cell(raw, TYPE_COLUMN),
            _age(raw.get(LOW_AGE_COLUMN)),
            _age(raw.get(HIGH_AGE_COLUMN)),
        ),
        status=_STATUSES[_cell(raw, STATUS_COLUMN).lower()],
        establishment_type=_cell(raw, TYPE_COLUMN),
        postcode=normalise_postcode(_cell(raw, POSTCODE_COLUMN)),
        local_authority=_cell(raw, LA_COLUMN),
    )
