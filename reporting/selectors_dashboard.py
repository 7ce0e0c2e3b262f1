"""What the KPI dashboard and the KPI API show a user: one place for both, so the page and the
API give the same figures for the same period (KPIS.md, "Who sees them").

Board members, managers and administrators see every figure; board members see the suppressed
version (a breakdown cell built from fewer than 5 records is "<5"). Everyone else sees nothing:
pages and API answer 404.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date

from agencies.roles import REPORTING_ROLES, Role
from mash.access import is_member
from mash.audit.events import record_event

from .kpis import DEFINITIONS, Figure, KpiResult, compute_kpis, suppressed
from .periods import NAMED_PERIODS, Period, parse_period
from .snapshots import monthly_results

#: The roles that see the KPIs at all (KPIS.md: "Board members, managers and administrators").
KPI_VIEWER_ROLES: frozenset[str] = REPORTING_ROLES

#: The KPIs shown as monthly trends over the last 12 months (issue 6).
TREND_IDS: tuple[str, ...] = ("K1", "K2", "K4", "K7", "K10")

#: The period picker's value for "custom dates" (from/to in the query).
CUSTOM = "custom"
DEFAULT_PERIOD = "this_month"


def headline_labels(result: KpiResult) -> dict[str, str]:
    """Words for each headline figure: the heading of the same figure's column in the KPI's
    tables (headline and rows are the same measures), else the key in words."""
    columns = {column.key: column.label for table in result.tables for column in table.figures}
    return {key: columns.get(key) or key.replace("_", " ").capitalize() for key in result.headline}


def can_see_kpis(user) -> bool:
    """Board members, managers and administrators (active members) see the KPIs."""
    return is_member(user) and user.role in KPI_VIEWER_ROLES


def sees_suppressed(user) -> bool:
    """Board members get the suppressed figures; managers and administrators the full ones."""
    return getattr(user, "role", None) == Role.BOARD_MEMBER


@dataclass(frozen=True)
class PeriodChoice:
    """The period asked for, and how: a NAMED_PERIODS key or CUSTOM."""

    period: Period
    name: str

    @property
    def label(self) -> str:
        return NAMED_PERIODS.get(self.name, "Custom dates")


def period_from_query(
    query: Mapping[str, str], *, today: date, default: str | None = DEFAULT_PERIOD
) -> PeriodChoice:
    """The period of a dashboard or API query: ``period=<named>``, or ``from`` and ``to``
    (``YYYY-MM-DD``, the period ``[from, to)``), else the ``default`` named period (or, with no
    default, ``from`` is required). Raises PeriodError naming the bad field."""
    name = (query.get("period") or "").strip()
    if name and name != CUSTOM:
        return PeriodChoice(Period.named(name, today), name)
    if name == CUSTOM or query.get("from") or query.get("to") or default is None:
        return PeriodChoice(parse_period(query.get("from"), query.get("to")), CUSTOM)
    return PeriodChoice(Period.named(default, today), default)


def kpis_for(
    user,
    period: Period,
    *,
    ids: Iterable[str] | None = None,
    breakdowns: Iterable[str] | None = None,
) -> list[KpiResult]:
    """The KPIs ``ids`` (default all) for ``period`` as ``user`` may see them: suppressed for a
    board member, full for managers and administrators. Anyone else: PermissionError (fail
    closed). Unknown ids or breakdowns: BreakdownError naming the field."""
    if not can_see_kpis(user):
        raise PermissionError("Your role does not see the KPIs.")
    results = compute_kpis(period, ids=ids, breakdowns=breakdowns)
    if sees_suppressed(user):
        results = [suppressed(result) for result in results]
    return results


@dataclass(frozen=True)
class TrendPoint:
    month: Period
    figures: dict[str, Figure]


@dataclass(frozen=True)
class Trend:
    """One KPI's headline figures month by month."""

    id: str
    name: str
    definition: str
    keys: tuple[str, ...]
    points: tuple[TrendPoint, ...]
    labels: dict[str, str]

    def label(self, key: str) -> str:
        return self.labels.get(key, key)


def _hide_small(figure: Figure) -> Figure:
    if figure.disclosive:
        return replace(figure, hidden=True)
    return figure


def trends_for(user, *, today: date, ids: Iterable[str] = TREND_IDS) -> list[Trend]:
    """The last 12 calendar months (this one included) of each KPI's headline figures. For a
    board member each month is a breakdown cell, so a month built from fewer than 5 records is
    suppressed like any other cell."""
    if not can_see_kpis(user):
        raise PermissionError("Your role does not see the KPIs.")
    ids = tuple(ids)
    months = Period.named("last_12_months", today).months()
    by_month = monthly_results(months, ids)
    hide = sees_suppressed(user)
    trends = []
    for kpi_id in ids:
        points = []
        keys: tuple[str, ...] = ()
        labels: dict[str, str] = {}
        for month in months:
            result = next(r for r in by_month[month] if r.id == kpi_id)
            figures = dict(result.headline)
            if hide:
                figures = {key: _hide_small(figure) for key, figure in figures.items()}
            keys = keys or tuple(figures)
            labels = labels or headline_labels(result)
            points.append(TrendPoint(month, figures))
        definition = DEFINITIONS[kpi_id]
        trends.append(
            Trend(kpi_id, definition.name, definition.definition, keys, tuple(points), labels)
        )
    return trends


def record_kpis_viewed(
    user, period: Period, *, ids: Iterable[str], via: str, suppressed: bool
) -> None:
    """Audit a view of the KPIs: who, which period, which figures, whether suppressed. The
    figures name nobody, so the entry names nobody either."""
    record_event(
        "reporting.kpis_viewed",
        actor=user,
        data={
            "via": via,
            "from": period.start.isoformat(),
            "to": period.end.isoformat(),
            "kpis": list(ids),
            "suppressed": suppressed,
        },
    )
