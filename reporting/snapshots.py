"""Monthly KPI figures for the trends: stored for closed months, computed live for the open one.

(First version: computes every month live. The snapshot store replaces the body of
``monthly_results`` without changing its signature.)
"""

from __future__ import annotations

from collections.abc import Iterable

from .kpis import KpiResult, compute_kpis
from .periods import Period


def monthly_results(months: Iterable[Period], ids: Iterable[str]) -> dict[Period, list[KpiResult]]:
    """For each whole calendar month in ``months``, the KPIs ``ids`` (unsuppressed)."""
    ids = tuple(ids)
    return {month: compute_kpis(month, ids=ids) for month in months}
