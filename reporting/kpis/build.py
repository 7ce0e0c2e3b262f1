"""Assembling a KpiResult: the same measures computed over the whole period (the headline) and
per group of each breakdown (the tables), each in one grouped query."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Aggregate, QuerySet

from .definitions import DEFINITIONS
from .dimensions import Dimension
from .sql import PercentileOf, summarise
from .types import Column, Figure, KpiResult, Table


@dataclass(frozen=True)
class Measures:
    """What a KPI computes over a set of records: the raw numbers the database aggregates, and
    how they become the KPI's figures (the same for the headline and every table row)."""

    columns: tuple[Column, ...]
    figures: Callable[[Mapping[str, Any]], dict[str, Figure]]
    aggregates: Mapping[str, Aggregate]
    percentiles: Mapping[str, PercentileOf] = field(default_factory=dict)

    def compute(self, queryset: QuerySet, group_by: Sequence[str] = ()) -> dict[tuple, Any]:
        raw = summarise(queryset, group_by, self.aggregates, self.percentiles)
        return {key: self.figures(values) for key, values in raw.items()}


@dataclass(frozen=True)
class Breakdown:
    name: str  # BREAKDOWNS' name, e.g. "source_x_initial_rag"
    title: str
    dimensions: tuple[Dimension, ...]


def table_from_groups(
    breakdown: Breakdown, columns: Sequence[Column], groups: Mapping[tuple, Mapping[str, Figure]]
) -> Table:
    """A Table whose rows are ``groups`` (keyed by the raw values of the breakdown's fields),
    sorted in each dimension's order and labelled."""
    dims = breakdown.dimensions
    rows = []
    for key, figures in groups.items():
        row: dict[str, Any] = {
            dim.key: dim.code(value) for dim, value in zip(dims, key, strict=True)
        }
        row.update(figures)
        rows.append(row)
    labels = {dim.key: dim.labels({row[dim.key] for row in rows}) for dim in dims}
    rows.sort(key=lambda row: [dim.sort_key(row[dim.key], labels[dim.key]) for dim in dims])
    return Table(
        name=breakdown.name,
        title=breakdown.title,
        columns=(*(Column(dim.key, dim.title) for dim in dims), *columns),
        rows=tuple(rows),
        labels=labels,
    )


def breakdown_table(queryset: QuerySet, measures: Measures, breakdown: Breakdown) -> Table:
    groups = measures.compute(queryset, [dim.field for dim in breakdown.dimensions])
    return table_from_groups(breakdown, measures.columns, groups)


def kpi_result(
    kpi_id: str,
    queryset: QuerySet,
    measures: Measures,
    breakdowns: Sequence[Breakdown],
) -> KpiResult:
    """The KPI over ``queryset`` (the records in the period): headline and tables."""
    definition = DEFINITIONS[kpi_id]
    return KpiResult(
        id=kpi_id,
        name=definition.name,
        definition=definition.definition,
        headline=measures.compute(queryset)[()],
        tables=tuple(breakdown_table(queryset, measures, b) for b in breakdowns),
    )
