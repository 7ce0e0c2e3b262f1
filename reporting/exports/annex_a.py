"""Annex A List 1 files: the seven columns, in Ofsted's order, with Ofsted's headers."""

from __future__ import annotations

from collections.abc import Iterable

from openpyxl import Workbook

from reporting.selectors_annex_a import ANNEX_A_LIST_1_HEADERS, AnnexARow

from .csv_files import csv_bytes
from .xlsx import BOLD, workbook_bytes, write_only_cell

SHEET_TITLE = "List 1"


def annex_a_csv(rows: Iterable[AnnexARow]) -> bytes:
    """CSV: dates dd/mm/yyyy, age a whole number or blank."""
    return csv_bytes(ANNEX_A_LIST_1_HEADERS, (row.cells() for row in rows))


def annex_a_xlsx(rows: Iterable[AnnexARow]) -> bytes:
    """XLSX, written row by row: dates are real dates shown dd/mm/yyyy, the age a number, the
    id and codes text."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(SHEET_TITLE)
    sheet.freeze_panes = "A2"
    sheet.append([write_only_cell(sheet, label, font=BOLD) for label in ANNEX_A_LIST_1_HEADERS])
    for row in rows:
        sheet.append([write_only_cell(sheet, value) for value in row.cells()])
    return workbook_bytes(book)
