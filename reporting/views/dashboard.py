"""The KPI dashboard: every KPI of KPIS.md for a period, as headline figures with their
definitions, a chart and the tables behind it, and monthly trends over the last 12 months.

Board members, managers and administrators only (board members see suppressed figures);
everyone else gets 404.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from ..dashboard_charts import table_chart, trend_chart
from ..forms_dashboard import PeriodForm
from ..kpis import DEFINITIONS, Figure, KpiResult, Table
from ..selectors_dashboard import (
    Trend,
    can_see_kpis,
    headline_labels,
    kpis_for,
    record_kpis_viewed,
    sees_suppressed,
    trends_for,
)


@dataclass
class TableView:
    table: Table
    chart_id: str
    chart: dict[str, Any] | None
    rows: list[tuple[list[str], list[Figure]]]


@dataclass
class KpiView:
    kpi: KpiResult
    breakdowns: str  # KPIS.md's words, e.g. "by source"
    note: str  # how the definition is read, where KPIS.md leaves a choice ("" for none)
    headline: list[tuple[str, str, Figure]]  # key, label, figure
    tables: list[TableView] = field(default_factory=list)


def _table_view(kpi: KpiResult, table: Table, *, chart: bool) -> TableView:
    rows = [
        (
            [table.label(column.key, row[column.key]) for column in table.dimensions],
            [row[column.key] for column in table.figures],
        )
        for row in table.rows
    ]
    return TableView(
        table=table,
        chart_id=f"chart-{kpi.id}-{table.name}",
        chart=table_chart(table, primary=next(iter(kpi.headline), None)) if chart else None,
        rows=rows,
    )


def _kpi_view(kpi: KpiResult) -> KpiView:
    labels = headline_labels(kpi)
    return KpiView(
        kpi=kpi,
        breakdowns=DEFINITIONS[kpi.id].breakdowns,
        note=DEFINITIONS[kpi.id].note,
        headline=[(key, labels[key], figure) for key, figure in kpi.headline.items()],
        # The first table is the KPI's main breakdown: it gets the chart.
        tables=[
            _table_view(kpi, table, chart=index == 0) for index, table in enumerate(kpi.tables)
        ],
    )


def _trend_view(trend: Trend) -> dict[str, Any]:
    return {
        "trend": trend,
        "chart_id": f"trend-{trend.id}",
        "chart": trend_chart(trend),
        "columns": [trend.label(key) for key in trend.keys],
        "rows": [
            (str(point.month), [point.figures.get(key) for key in trend.keys])
            for point in trend.points
        ],
    }


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """The dashboard for the period in the query (this month by default): a named period, or
    custom dates typed into the picker's boxes or given as ``from``/``to`` (``YYYY-MM-DD``)."""
    if not can_see_kpis(request.user):
        raise Http404
    today = timezone.localdate()
    picker = PeriodForm(request.GET, today=today)
    if not picker.is_valid() or picker.choice is None:
        context = {"form": picker, "choice": None, "kpis": [], "trends": []}
        return render(request, "reporting/dashboard.html", context, status=400)

    choice = picker.choice
    period = choice.period
    form = PeriodForm.showing(choice)
    results = kpis_for(request.user, period)
    trends = trends_for(request.user, today=today)
    record_kpis_viewed(
        request.user,
        period,
        ids=[result.id for result in results],
        via="dashboard",
        suppressed=sees_suppressed(request.user),
    )
    context = {
        "form": form,
        "choice": choice,
        "period": period,
        "suppressed": sees_suppressed(request.user),
        "kpis": [_kpi_view(result) for result in results],
        "trends": [_trend_view(trend) for trend in trends],
    }
    return render(request, "reporting/dashboard.html", context)
