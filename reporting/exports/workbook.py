"""The KPI workbook: a cover sheet (service, period, when it was produced, the definitions), then
one sheet per KPI with its headline figures and each breakdown table."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.conf import settings
from openpyxl import Workbook

from mash.clocks import LONDON
from reporting.kpis import DEFINITIONS, KpiResult
from reporting.kpis.types import SUPPRESSED, SUPPRESSION_THRESHOLD
from reporting.periods import Period

from .cells import DATE_FORMAT
from .tables import headline_grid, table_grid
from .xlsx import BOLD, TITLE, WRAP, put, set_widths, workbook_bytes, write_grid

COVER_TITLE = "Cover"
SUPPRESSION_NOTE = (
    f"Small numbers are shown as {SUPPRESSED}: a breakdown cell built from fewer than "
    f"{SUPPRESSION_THRESHOLD} records is not shown, so that no one can be recognised from it."
)


def produced_at_text(moment: datetime) -> str:
    """When the file was made, in local time: "1 November 2026 at 09:30 (Europe/London)"."""
    local = moment.astimezone(LONDON)
    return f"{local:%-d %B %Y} at {local:%H:%M} (Europe/London)"


def _cover(book: Workbook, *, period: Period, produced_at: datetime, suppressed: bool) -> None:
    sheet = book.active
    sheet.title = COVER_TITLE
    put(sheet, 1, 1, settings.SERVICE_NAME, font=TITLE)
    put(sheet, 2, 1, "KPI workbook", font=TITLE)
    facts = [
        ("Period", str(period)),
        ("From (first day)", period.start.strftime(DATE_FORMAT)),
        ("To (last day)", period.last_day.strftime(DATE_FORMAT)),
        ("Produced at", produced_at_text(produced_at)),
    ]
    row = 4
    for label, value in facts:
        put(sheet, row, 1, label, font=BOLD)
        put(sheet, row, 2, value)
        row += 1
    if suppressed:
        put(sheet, row, 1, SUPPRESSION_NOTE, font=BOLD)
        row += 1
    row += 1
    put(sheet, row, 1, "Definitions (KPIS.md)", font=BOLD)
    row += 1
    for index, label in enumerate(("KPI", "Name", "Definition", "Breakdowns"), start=1):
        put(sheet, row, index, label, font=BOLD)
    for definition in DEFINITIONS.values():
        row += 1
        values = (definition.id, definition.name, definition.definition, definition.breakdowns)
        for index, value in enumerate(values, start=1):
            put(sheet, row, index, value).alignment = WRAP
    set_widths(sheet, {"A": 22, "B": 36, "C": 90, "D": 30})


def _kpi_sheet(book: Workbook, result: KpiResult) -> None:
    sheet = book.create_sheet(result.id)
    put(sheet, 1, 1, f"{result.id} {result.name}", font=TITLE)
    put(sheet, 2, 1, result.definition).alignment = WRAP
    put(sheet, 4, 1, "Whole period", font=BOLD)
    row = write_grid(sheet, headline_grid(result, rounded=False), first_row=5)
    for table in result.tables:
        row += 1
        put(sheet, row, 1, table.title, font=BOLD)
        row = write_grid(sheet, table_grid(table, rounded=False), first_row=row + 1)
    set_widths(sheet, {"A": 44, "B": 24, "C": 18, "D": 18, "E": 18, "F": 18, "G": 18})


def kpi_workbook(
    results: Sequence[KpiResult], *, period: Period, produced_at: datetime, suppressed: bool
) -> bytes:
    """The workbook of ``results`` (already suppressed for a board member when ``suppressed``)."""
    book = Workbook()
    _cover(book, period=period, produced_at=produced_at, suppressed=suppressed)
    for result in results:
        _kpi_sheet(book, result)
    return workbook_bytes(book)
