"""Every KPI of KPIS.md, computed in the database for any period (read-only selectors).

``compute_kpis(period)`` is the one way in: the dashboard, downloads, snapshots and the API all
call it, so the same period gives the same figures everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

from reporting.periods import Period

from .definitions import DEFINITIONS, KPI_IDS, KpiDefinition
from .types import Column, Figure, KpiResult, Table, Unit, suppressed

__all__ = [
    "BREAKDOWNS",
    "DEFINITIONS",
    "KPI_IDS",
    "BreakdownError",
    "Column",
    "Figure",
    "KpiDefinition",
    "KpiResult",
    "Table",
    "Unit",
    "compute_kpis",
    "suppressed",
]

#: Each KPI's breakdown tables, by name (the API's ``breakdowns`` values). Every "by source"
#: breakdown is also available by referring partner agency (KPIS.md, "Conventions").
BREAKDOWNS: dict[str, tuple[str, ...]] = {
    "K1": ("source", "partner_agency"),
    "K2": ("source", "partner_agency"),
    "K3": ("source_x_initial_rag", "partner_agency_x_initial_rag"),
    "K4": ("source", "partner_agency"),
    "K5": ("channel",),
    "K6": ("recommended_x_outcome",),
    "K7": ("initial_rag_x_outcome",),
    "K8": ("initial_rag_x_final_rag",),
    "K9": ("outcome",),
    "K10": ("agency",),
    "K11": ("source", "partner_agency"),
    "K12": ("source", "partner_agency"),
    "K13": ("risk",),
    "K14": ("phase",),
}

ALL_BREAKDOWNS: frozenset[str] = frozenset(name for names in BREAKDOWNS.values() for name in names)


class BreakdownError(ValueError):
    """An unknown KPI id or breakdown name, with the query field it is about."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def _selectors() -> dict[str, Callable[[Period], KpiResult]]:
    from . import contacts, da_notifications, encompass_notices, enquiries

    return {
        "K1": contacts.k1_contacts_by_source,
        "K2": contacts.k2_repeat_contacts,
        "K3": contacts.k3_became_enquiries,
        "K4": contacts.k4_decision_timeliness,
        "K5": contacts.k5_receipt_to_decision_start,
        "K6": contacts.k6_recommended_vs_chosen,
        "K7": enquiries.k7_enquiries,
        "K8": enquiries.k8_rag_change,
        "K9": contacts.k9_contacts_by_outcome,
        "K10": enquiries.k10_information_returns,
        "K11": contacts.k11_feedback_to_referrers,
        "K12": contacts.k12_conversion,
        "K13": da_notifications.k13_da_notifications,
        "K14": encompass_notices.k14_encompass,
    }


def check_request(
    ids: Iterable[str] | None = None, breakdowns: Iterable[str] | None = None
) -> tuple[tuple[str, ...], frozenset[str] | None]:
    """Validate KPI ids and breakdown names; BreakdownError names the bad one."""
    wanted = tuple(ids) if ids is not None else KPI_IDS
    for kpi_id in wanted:
        if kpi_id not in DEFINITIONS:
            raise BreakdownError("kpis", f"Unknown KPI {kpi_id!r}: use K1 to {KPI_IDS[-1]}.")
    names = None
    if breakdowns is not None:
        names = frozenset(breakdowns)
        unknown = sorted(names - ALL_BREAKDOWNS)
        if unknown:
            known = ", ".join(sorted(ALL_BREAKDOWNS))
            raise BreakdownError(
                "breakdowns", f"Unknown breakdown {unknown[0]!r}: use one of {known}."
            )
    return wanted, names


def compute_kpis(
    period: Period,
    *,
    ids: Iterable[str] | None = None,
    breakdowns: Iterable[str] | None = None,
) -> list[KpiResult]:
    """The KPIs ``ids`` (default: all, in order) for ``period``, each with its breakdown tables
    (only those named in ``breakdowns`` when given). Not suppressed: call ``suppressed()`` on
    each result for a board member."""
    wanted, names = check_request(ids, breakdowns)
    selectors = _selectors()
    results = []
    for kpi_id in wanted:
        result = selectors[kpi_id](period)
        if names is not None:
            result = replace(
                result, tables=tuple(table for table in result.tables if table.name in names)
            )
        results.append(result)
    return results
