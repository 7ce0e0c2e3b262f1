"""KPI results as grids of plain cells: a breakdown table (header of column labels, then one row
per breakdown row) and a KPI's headline figures. The CSV and XLSX writers only lay grids out."""

from __future__ import annotations

from dataclasses import dataclass

from reporting.kpis import Column, KpiResult, Table, Unit
from reporting.selectors_dashboard import headline_labels

from .cells import dimension_text, figure_header, figure_value


@dataclass(frozen=True)
class Grid:
    """A header and rows of plain values; ``units[r][c]`` is the unit of cell (r, c), None for
    text, so that XLSX can give each number its format."""

    header: tuple[str, ...]
    rows: tuple[tuple[object, ...], ...]
    units: tuple[tuple[Unit | None, ...], ...]


def table_grid(table: Table, *, rounded: bool) -> Grid:
    """The cells of ``table``. ``rounded`` rounds percentages and hours to 1 dp (CSV); XLSX
    keeps the full value and shows 1 dp through its number format."""
    header = tuple(
        column.label if column.unit is None else figure_header(column) for column in table.columns
    )
    rows = tuple(
        tuple(
            dimension_text(table, column, row.get(column.key))
            if column.unit is None
            else figure_value(row.get(column.key), rounded=rounded)
            for column in table.columns
        )
        for row in table.rows
    )
    units = tuple(tuple(column.unit for column in table.columns) for _row in table.rows)
    return Grid(header, rows, units)


def headline_grid(result: KpiResult, *, rounded: bool) -> Grid:
    """The KPI's headline figures over the whole period, one a row: figure, value. Labelled as
    on the dashboard (the heading of the same figure's column in the KPI's tables)."""
    labels = headline_labels(result)
    items = list(result.headline.items())
    rows = tuple(
        (
            figure_header(Column(key, labels[key], figure.unit)),
            figure_value(figure, rounded=rounded),
        )
        for key, figure in items
    )
    units = tuple((None, figure.unit) for _key, figure in items)
    return Grid(("Figure", "Value"), rows, units)
