"""XLSX files with openpyxl: every cell typed as text, number or date, never as a formula."""

from __future__ import annotations

import io
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from reporting.kpis import Unit

from .cells import NUMBER_FORMATS, XLSX_DATE_FORMAT
from .tables import Grid

BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
WRAP = Alignment(wrap_text=True, vertical="top")


def _typed(cell, value, unit: Unit | None = None) -> None:
    """Give ``cell`` its value as data: text stays text even when it starts with "="."""
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl would otherwise store "=..." as a formula
    elif isinstance(value, bool):
        pass
    elif isinstance(value, int | float):
        cell.number_format = NUMBER_FORMATS.get(unit, "General") if unit else "General"
    elif isinstance(value, date | datetime):
        cell.number_format = XLSX_DATE_FORMAT


def put(sheet: Worksheet, row: int, column: int, value, *, unit: Unit | None = None, font=None):
    """Write one cell of a normal (not write-only) sheet."""
    cell = sheet.cell(row=row, column=column)
    cell.value = value
    _typed(cell, value, unit)
    if font is not None:
        cell.font = font
    return cell


def write_only_cell(sheet, value, *, unit: Unit | None = None, font=None) -> WriteOnlyCell:
    """One cell for a write-only sheet (large files, written row by row)."""
    cell = WriteOnlyCell(sheet, value=value)
    _typed(cell, value, unit)
    if font is not None:
        cell.font = font
    return cell


def write_grid(sheet: Worksheet, grid: Grid, *, first_row: int = 1) -> int:
    """Lay ``grid`` out from ``first_row`` (header in bold); returns the next free row."""
    for index, label in enumerate(grid.header, start=1):
        put(sheet, first_row, index, label, font=BOLD)
    row_number = first_row
    for row_number, (row, units) in enumerate(
        zip(grid.rows, grid.units, strict=True), start=first_row + 1
    ):
        for index, (value, unit) in enumerate(zip(row, units, strict=True), start=1):
            put(sheet, row_number, index, value, unit=unit)
    return row_number + 1


def set_widths(sheet: Worksheet, widths: dict[str, float]) -> None:
    for letter, width in widths.items():
        sheet.column_dimensions[letter].width = width


def workbook_bytes(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def grid_xlsx(grid: Grid, *, sheet_title: str) -> bytes:
    """A one-sheet XLSX file of ``grid``."""
    book = Workbook()
    sheet = book.active
    sheet.title = sheet_title[:31]
    write_grid(sheet, grid)
    sheet.freeze_panes = "A2"
    set_widths(sheet, {"A": 40, "B": 24, "C": 18, "D": 18, "E": 18, "F": 18})
    return workbook_bytes(book)
