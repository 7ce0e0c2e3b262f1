"""The database pieces the KPI selectors share: elapsed hours between two timestamps, continuous
percentiles, "12 calendar months before" on the local calendar, percentages and grouping.

Everything is computed by the database with aggregates grouped by ``values(...).annotate(...)``;
no selector loops over model instances.

PostgreSQL (tests, production) computes percentiles itself with ``percentile_cont(f) WITHIN
GROUP (ORDER BY hours)``. SQLite (``make run``) has no such aggregate, so there ``summarise``
fetches only the duration values, already computed, filtered and sorted by the database, in one
query per grouping (``values_list``), and interpolates them in Python with NumPy's default
"linear" method, which is the same definition as ``percentile_cont``: the value at position
``(n - 1) * f`` of the sorted values, interpolated linearly between its two neighbours.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import groupby
from typing import Any

from django.db import connection
from django.db.models import (
    Aggregate,
    DateTimeField,
    Expression,
    F,
    FloatField,
    Func,
    Q,
    QuerySet,
)
from django.db.models.expressions import Combinable

from mash.clocks import LONDON


class HoursBetween(Func):
    """Elapsed hours from ``start`` to ``end`` as a float, not rounded (null when either is)."""

    output_field = FloatField()

    def __init__(self, start: str | Combinable, end: str | Combinable) -> None:
        super().__init__(_expr(start), _expr(end))

    def as_sql(self, compiler, connection, **extra_context):  # pragma: no cover - per vendor
        raise NotImplementedError(f"HoursBetween has no SQL for {connection.vendor}")

    def as_postgresql(self, compiler, connection, **extra_context):
        start, end = (compiler.compile(arg) for arg in self.source_expressions)
        sql = f"(EXTRACT(EPOCH FROM ({end[0]} - {start[0]})) / 3600.0)::double precision"
        return sql, (*end[1], *start[1])

    def as_sqlite(self, compiler, connection, **extra_context):
        # SQLite's date functions work in whole milliseconds; rounding the julian-day difference
        # to them removes the floating-point noise of julian days (2 h is 2.0, not 2.0000000037).
        start, end = (compiler.compile(arg) for arg in self.source_expressions)
        sql = f"(ROUND((julianday({end[0]}) - julianday({start[0]})) * 86400000.0) / 3600000.0)"
        return sql, (*end[1], *start[1])


def _expr(value: str | Combinable) -> Combinable:
    return F(value) if isinstance(value, str) else value


class Percentile(Aggregate):
    """PostgreSQL's continuous percentile (``percentile_cont``) of an expression: linear
    interpolation, nulls ignored, null over an empty set. Other databases: see ``summarise``."""

    name = "Percentile"
    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()
    allow_distinct = False

    def __init__(self, expression: Combinable, fraction: float, **extra: Any) -> None:
        if not 0 <= fraction <= 1:
            raise ValueError("A percentile's fraction is between 0 and 1.")
        super().__init__(expression, fraction=float(fraction), **extra)

    def as_sql(self, compiler, connection, **extra_context):
        if connection.vendor != "postgresql":
            raise NotImplementedError("percentile_cont is PostgreSQL only: use summarise().")
        return super().as_sql(compiler, connection, **extra_context)


class LocalMonthsBefore(Func):
    """The instant ``months`` calendar months before a timestamp, counted on the Europe/London
    calendar: the same local wall-clock time on the same day of the month (the last day of the
    month where that day does not exist: 29 February -> 28 February), exactly as
    ``contacts.services.repeats.repeat_window_start`` computes it in Python for the stored
    repeat flag.

    PostgreSQL: ``(ts AT TIME ZONE 'Europe/London' - interval 'N months') AT TIME ZONE
    'Europe/London'``, whose end-of-month clamping is relativedelta's. The two could only differ
    for a result in the repeated hour of an autumn clock change, which needs the clock-change
    Sunday to fall on the same date in two consecutive years; in Europe/London (last Sunday of
    March and of October) it never does. SQLite: the same Python function, registered on the
    connection.
    """

    output_field = DateTimeField()

    def __init__(self, expression: str | Combinable, months: int = 12) -> None:
        if months < 0:
            raise ValueError("months must not be negative")
        self.months = int(months)
        super().__init__(_expr(expression))

    def as_sql(self, compiler, connection, **extra_context):  # pragma: no cover - per vendor
        raise NotImplementedError(f"LocalMonthsBefore has no SQL for {connection.vendor}")

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        zone = LONDON.key
        return (
            f"(({sql} AT TIME ZONE %s) - make_interval(months => %s)) AT TIME ZONE %s",
            (*params, zone, self.months, zone),
        )

    def as_sqlite(self, compiler, connection, **extra_context):
        connection.ensure_connection()
        connection.connection.create_function(
            "mash_local_months_before", 2, _sqlite_local_months_before, deterministic=True
        )
        sql, params = compiler.compile(self.source_expressions[0])
        return f"mash_local_months_before({sql}, %s)", (*params, self.months)


def _sqlite_local_months_before(value: str | None, months: int) -> str | None:
    """SQLite stores aware datetimes as naive UTC text (``str(datetime)``); answer in kind."""
    from dateutil.relativedelta import relativedelta

    if value is None:
        return None
    instant = datetime.fromisoformat(value).replace(tzinfo=UTC)
    local = instant.astimezone(LONDON) - relativedelta(months=months)
    return str(local.astimezone(UTC).replace(tzinfo=None))


def percent(part: int | float | None, whole: int | float | None) -> float | None:
    """``100 * part / whole``, not rounded; null where ``whole`` is 0 (KPIS.md, "Conventions")."""
    if not whole or part is None:
        return None
    return 100.0 * part / whole


def interpolated_percentile(sorted_values: Sequence[float], fraction: float) -> float | None:
    """NumPy's default ("linear") percentile of already sorted values; None for none."""
    if not sorted_values:
        return None
    position = (len(sorted_values) - 1) * fraction
    below = math.floor(position)
    above = min(below + 1, len(sorted_values) - 1)
    low, high = float(sorted_values[below]), float(sorted_values[above])
    return low + (position - below) * (high - low)


@dataclass(frozen=True)
class PercentileOf:
    """A percentile to compute in ``summarise``: of ``expression`` (hours), over the rows
    matching ``where`` whose expression is not null."""

    expression: Expression | Func
    fraction: float
    where: Q | None = None


def summarise(
    queryset: QuerySet,
    group_by: Sequence[str],
    aggregates: Mapping[str, Aggregate],
    percentiles: Mapping[str, PercentileOf] | None = None,
) -> dict[tuple, dict[str, Any]]:
    """Aggregates (and percentiles) of ``queryset`` per distinct value of the ``group_by``
    fields: ``{(value, ...): {name: number}}``; ``group_by=()`` gives the whole set under ``()``,
    also when it is empty (counts 0, percentiles None). Groups with no rows do not appear.

    One query per call on PostgreSQL; on SQLite one more when there are percentiles."""
    percentiles = dict(percentiles or {})
    in_database = {**aggregates}
    native = connection.vendor == "postgresql"
    if native:
        for name, spec in percentiles.items():
            in_database[name] = Percentile(spec.expression, spec.fraction, filter=spec.where)
    if group_by:
        rows = queryset.order_by().values(*group_by).annotate(**in_database)
        result = {tuple(row[field] for field in group_by): row for row in rows}
    else:
        result = {(): queryset.order_by().aggregate(**in_database)}
    if percentiles and not native:
        _percentiles_in_python(queryset, group_by, percentiles, result)
    return result


def _percentiles_in_python(
    queryset: QuerySet,
    group_by: Sequence[str],
    percentiles: Mapping[str, PercentileOf],
    result: dict[tuple, dict[str, Any]],
) -> None:
    """The SQLite fallback: the database filters, computes and sorts the hours; Python only
    interpolates. Percentiles that share an expression and a filter share one query."""
    for row in result.values():
        for name in percentiles:
            row[name] = None
    shared: dict[tuple, list[str]] = {}
    for name, spec in percentiles.items():
        shared.setdefault((repr(spec.expression), repr(spec.where)), []).append(name)
    for names in shared.values():
        spec = percentiles[names[0]]
        rows = queryset.order_by().annotate(_kpi_hours=spec.expression)
        if spec.where is not None:
            rows = rows.filter(spec.where)
        rows = (
            rows.filter(_kpi_hours__isnull=False)
            .order_by(*group_by, "_kpi_hours")
            .values_list(*group_by, "_kpi_hours")
        )
        width = len(group_by)
        for key, members in groupby(rows, key=lambda row: tuple(row[:width])):
            values = [member[width] for member in members]
            for name in names:
                fraction = percentiles[name].fraction
                result.setdefault(key, {})[name] = interpolated_percentile(values, fraction)
