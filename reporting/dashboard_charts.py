"""The dashboard's charts as plain data (json_script hands them to static/js/reporting-charts.js).

A suppressed cell (board members' "<5") and a null figure are not plotted: their value is None,
which Chart.js leaves as a gap. Each chart carries a one-sentence summary for its canvas's
aria-label; the table beside it holds every figure.
"""

from __future__ import annotations

from typing import Any

from .kpis import Figure, Table, Unit
from .selectors_dashboard import Trend

UNIT_WORDS = {Unit.COUNT: "", Unit.PERCENT: "%", Unit.HOURS: " hours"}


def plotted(figure: Figure | None) -> int | float | None:
    """The value a chart plots: nothing for a suppressed or null figure."""
    if figure is None or figure.hidden or figure.value is None:
        return None
    return round(figure.value, 1) if isinstance(figure.value, float) else figure.value


def _summary(title: str, labels: list[str], values: list[int | float | None], unit: Unit) -> str:
    shown = [
        (label, value) for label, value in zip(labels, values, strict=True) if value is not None
    ]
    if not shown:
        return f"{title}: nothing to plot in this period. The table gives every figure."
    label, value = max(shown, key=lambda pair: pair[1])
    hidden = len(values) - len(shown)
    gaps = f"; {hidden} not plotted (suppressed or empty)" if hidden else ""
    return (
        f"{title}: {len(shown)} plotted, highest {label} at {value}{UNIT_WORDS[unit]}{gaps}. "
        "The table gives every figure."
    )


def table_chart(table: Table, *, primary: str | None = None) -> dict[str, Any] | None:
    """A bar chart of a breakdown's `primary` figure column (the KPI's first headline figure,
    e.g. the repeats of K2 rather than all contacts) or else its first: one bar per value of the
    first dimension, stacked by the second dimension where there is one. None for an empty
    table: there is nothing to draw, and the table says so."""
    dimensions, figures = table.dimensions, table.figures
    if not dimensions or not figures or not table.rows:
        return None
    figure = next((column for column in figures if column.key == primary), figures[0])
    first = dimensions[0]
    categories: list[str] = []
    for row in table.rows:
        if row[first.key] not in categories:
            categories.append(row[first.key])
    labels = [table.label(first.key, code) for code in categories]
    if len(dimensions) == 1:
        values = {row[first.key]: plotted(row.get(figure.key)) for row in table.rows}
        data = [values.get(code) for code in categories]
        datasets = [{"label": figure.label, "data": data}]
        summary = _summary(f"{table.title}, {figure.label}", labels, data, figure.unit)
        stacked = False
    else:
        second = dimensions[1]
        series: list[str] = []
        cells: dict[tuple[str, str], int | float | None] = {}
        for row in table.rows:
            if row[second.key] not in series:
                series.append(row[second.key])
            cells[(row[first.key], row[second.key])] = plotted(row.get(figure.key))
        datasets = [
            {
                "label": table.label(second.key, code),
                "data": [cells.get((category, code)) for category in categories],
            }
            for code in series
        ]
        totals = [
            sum(value for code in series if (value := cells.get((category, code))) is not None)
            if any(cells.get((category, code)) is not None for code in series)
            else None
            for category in categories
        ]
        summary = _summary(
            f"{table.title}, {figure.label} by {first.label} and {second.label}",
            labels,
            totals,
            figure.unit,
        )
        stacked = figure.unit == Unit.COUNT
    return {
        "type": "bar",
        "labels": labels,
        "datasets": datasets,
        "stacked": stacked,
        "unit": str(figure.unit),
        "axis": figure.label,
        "summary": summary,
    }


def trend_chart(trend: Trend) -> dict[str, Any] | None:
    """A line chart of the trend's first headline figure, month by month."""
    if not trend.keys:
        return None
    key = trend.keys[0]
    labels = [f"{point.month.start:%b %Y}" for point in trend.points]
    data = [plotted(point.figures.get(key)) for point in trend.points]
    unit = next(
        (point.figures[key].unit for point in trend.points if key in point.figures), Unit.COUNT
    )
    return {
        "type": "line",
        "labels": labels,
        "datasets": [{"label": trend.label(key), "data": data}],
        "stacked": False,
        "unit": str(unit),
        "axis": trend.label(key),
        "summary": _summary(
            f"{trend.name}, {trend.label(key)}, month by month", labels, data, unit
        ),
    }
