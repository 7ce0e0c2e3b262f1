"""Monthly KPI figures for the trends: stored for closed months, computed live for the open one.

A closed month is read from its MonthlySnapshot when one is stored, current (not stale) and of
this format; the open month, and any closed month that is missing or stale, is computed live
(and left for the nightly refresh to store: a read never writes).
"""

from __future__ import annotations

from collections.abc import Iterable

from .kpis import KpiResult, check_request, compute_kpis
from .kpis.serialise import FORMAT_VERSION, SnapshotFormatError, from_json
from .models import MonthlySnapshot
from .periods import Period
from .services_snapshots import is_closed


def stored_results(months: Iterable[Period]) -> dict[Period, dict[str, KpiResult]]:
    """The current stored figures of those of ``months`` that are closed, by KPI id."""
    closed = {month.start: month for month in months if is_closed(month)}
    if not closed:
        return {}
    rows = MonthlySnapshot.objects.filter(
        month__in=list(closed), stale_since__isnull=True
    ).values_list("month", "figures")
    stored: dict[Period, dict[str, KpiResult]] = {}
    for first_day, figures in rows:
        if not isinstance(figures, dict) or figures.get("version") != FORMAT_VERSION:
            continue
        try:
            results = [from_json(data) for data in figures["results"]]
        except (KeyError, TypeError, SnapshotFormatError):
            continue  # unreadable: computed live, and stored again by the next refresh
        stored[closed[first_day]] = {result.id: result for result in results}
    return stored


def monthly_results(months: Iterable[Period], ids: Iterable[str]) -> dict[Period, list[KpiResult]]:
    """For each whole calendar month in ``months``, the KPIs ``ids`` (unsuppressed)."""
    ids, _ = check_request(ids)
    months = list(months)
    stored = stored_results(months)
    results: dict[Period, list[KpiResult]] = {}
    for month in months:
        by_id = stored.get(month)
        if by_id is not None and all(kpi_id in by_id for kpi_id in ids):
            results[month] = [by_id[kpi_id] for kpi_id in ids]
        else:
            results[month] = compute_kpis(month, ids=ids)
    return results
