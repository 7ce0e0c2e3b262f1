"""Downloads of the reporting pages: KPI tables (CSV, XLSX), the KPI workbook (XLSX) and Ofsted's
Annex A List 1 (CSV, XLSX). Files are built from values only: no names, no record links."""

from __future__ import annotations

from reporting.kpis import Table
from reporting.periods import Period

from .annex_a import annex_a_csv, annex_a_xlsx
from .csv_files import grid_csv
from .tables import table_grid
from .workbook import kpi_workbook, produced_at_text
from .xlsx import grid_xlsx

__all__ = [
    "CONTENT_TYPES",
    "annex_a_csv",
    "annex_a_filename",
    "annex_a_xlsx",
    "kpi_table_filename",
    "kpi_workbook",
    "produced_at_text",
    "table_file",
    "workbook_filename",
]

CONTENT_TYPES: dict[str, str] = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _period_part(period: Period) -> str:
    return f"{period.start.isoformat()}-to-{period.last_day.isoformat()}"


def kpi_table_filename(kpi_id: str, breakdown: str, period: Period, file_format: str) -> str:
    """E.g. "K1-source-2026-10-01-to-2026-10-31.csv" (the last day, not the exclusive end)."""
    return f"{kpi_id}-{breakdown}-{_period_part(period)}.{file_format}"


def workbook_filename(period: Period) -> str:
    return f"kpi-workbook-{_period_part(period)}.xlsx"


def annex_a_filename(period: Period, file_format: str) -> str:
    return f"annex-a-list-1-contacts-{_period_part(period)}.{file_format}"


def table_file(table: Table, *, kpi_id: str, file_format: str) -> bytes:
    """One breakdown table as CSV (percentages and hours to 1 dp) or XLSX (full values shown
    to 1 dp)."""
    if file_format == "csv":
        return grid_csv(table_grid(table, rounded=True))
    return grid_xlsx(table_grid(table, rounded=False), sheet_title=f"{kpi_id} {table.name}")
