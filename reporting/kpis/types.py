"""The shape of every KPI result: the contract between the selectors that compute the figures and
everything that shows them (dashboard, downloads, snapshots, API).

A KPI has headline figures (over the whole period) and breakdown tables. Every figure carries
``n``, the number of records it is built from, so that suppression (KPIS.md, "Who sees them")
can be applied in one place, ``suppressed()``, without knowing how the figure was computed.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

#: A breakdown cell built from fewer records than this is shown as "<5" to board members.
SUPPRESSION_THRESHOLD = 5
SUPPRESSED = "<5"


class Unit(StrEnum):
    COUNT = "count"
    PERCENT = "percent"  # 0-100, not rounded; shown to one decimal place
    HOURS = "hours"  # elapsed hours, not rounded


@dataclass(frozen=True)
class Figure:
    """One number. ``value`` is None where KPIS.md says null (an empty set, ``whole = 0``);
    ``n`` is how many records it is built from (the count itself, a percentage's whole, a
    median's set)."""

    value: int | float | None
    n: int
    unit: Unit = Unit.COUNT
    hidden: bool = False  # True once suppressed for a board member
    #: A percentage's part (its numerator). A percentage over a large whole still gives away a
    #: small part (20% of 10 contacts is 2), so a part under 5 hides the percentage too.
    part: int | None = None

    @property
    def disclosive(self) -> bool:
        """Built from, or giving away, fewer than 5 records."""
        return self.n < SUPPRESSION_THRESHOLD or (
            self.part is not None and self.part < SUPPRESSION_THRESHOLD
        )

    def shown(self) -> str:
        """The figure as a person reads it: "<5", "-" for null, "12.3%", "4.5 h", "17"."""
        if self.hidden:
            return SUPPRESSED
        if self.value is None:
            return "-"
        if self.unit == Unit.PERCENT:
            return f"{self.value:.1f}%"
        if self.unit == Unit.HOURS:
            return f"{self.value:.1f} h"
        return str(self.value)

    def as_json(self) -> int | float | str | None:
        """For the API and snapshots: the raw value, or "<5" when suppressed."""
        return SUPPRESSED if self.hidden else self.value


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    unit: Unit | None = None  # None for a dimension (a label column)


@dataclass(frozen=True)
class Table:
    """One breakdown: dimension columns first, then figure columns. Each row maps a dimension
    key to its code (e.g. "source": "1A") and a figure key to a Figure. ``labels`` turns codes
    into words for people (e.g. "1A" -> "Individual: family member")."""

    name: str  # the breakdown name, e.g. "source", "partner_agency", "source_x_initial_rag"
    title: str
    columns: tuple[Column, ...]
    rows: tuple[dict[str, Any], ...]
    labels: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def dimensions(self) -> tuple[Column, ...]:
        return tuple(column for column in self.columns if column.unit is None)

    @property
    def figures(self) -> tuple[Column, ...]:
        return tuple(column for column in self.columns if column.unit is not None)

    def label(self, key: str, code: str) -> str:
        return self.labels.get(key, {}).get(code, code)


@dataclass(frozen=True)
class KpiResult:
    id: str  # "K1" ... "K14"
    name: str
    definition: str  # KPIS.md's definition, word for word
    headline: dict[str, Figure]  # e.g. {"count": Figure(...), "percent": Figure(...)}
    tables: tuple[Table, ...]

    def table(self, name: str) -> Table:
        for table in self.tables:
            if table.name == name:
                return table
        raise KeyError(name)


def suppressed(result: KpiResult) -> KpiResult:
    """The board member's version: every breakdown cell built from fewer than 5 records hidden,
    and every percentage whose part is fewer than 5 (else the hidden count could be worked out).
    Headline figures (the whole period, overall) are not breakdown cells and stay."""

    def hide(row: dict[str, Any]) -> dict[str, Any]:
        return {
            key: (
                replace(value, hidden=True)
                if isinstance(value, Figure) and value.disclosive
                else value
            )
            for key, value in row.items()
        }

    return replace(
        result,
        tables=tuple(
            replace(table, rows=tuple(hide(row) for row in table.rows)) for table in result.tables
        ),
    )
