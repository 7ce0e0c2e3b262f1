"""How one value becomes one cell of a download, the same way in CSV and XLSX.

Spreadsheet programs run a cell that begins with ``=``, ``+``, ``-`` or ``@`` as a formula (CSV
injection). Every text cell of a CSV file goes through ``csv_text``; XLSX cells are written with an
explicit type (text or number), never as formulas (see ``xlsx.py``).
"""

from __future__ import annotations

from datetime import date

from reporting.kpis import Column, Figure, Table, Unit

#: Leading characters that make a spreadsheet program treat a cell as a formula (OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

#: XLSX number formats of each unit: percentages and hours keep full precision and show 1 dp.
NUMBER_FORMATS: dict[Unit, str] = {
    Unit.COUNT: "0",
    Unit.PERCENT: "0.0",
    Unit.HOURS: "0.0",
}

DATE_FORMAT = "%d/%m/%Y"
XLSX_DATE_FORMAT = "dd/mm/yyyy"

Cell = str | int | float | date | None


def csv_text(value: str) -> str:
    """Text that a spreadsheet program will show, never run: a leading ' defuses a formula."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def csv_cell(value: Cell) -> str | int | float:
    """One value as written to a CSV file: numbers as numbers, dates dd/mm/yyyy, text defused."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int | float):
        return value
    if isinstance(value, date):
        return value.strftime(DATE_FORMAT)
    return csv_text(str(value))


def dimension_text(table: Table, column: Column, code: object) -> str:
    """A breakdown's label cell: "1A - Individual: family member" where the code has words of
    its own, otherwise the words (or the code) alone."""
    if code is None or code == "":
        return ""
    code = str(code)
    label = table.label(column.key, code)
    if label and label != code:
        return f"{code} - {label}"
    return code


def figure_value(figure: Figure | None, *, rounded: bool) -> str | int | float | None:
    """A figure cell: the raw number (percentages and hours to 1 dp when ``rounded``), "<5" when
    suppressed for a board member, empty (None) for a null figure."""
    if figure is None:
        return None
    if figure.hidden:
        return figure.as_json()
    if figure.value is None:
        return None
    if rounded and figure.unit in (Unit.PERCENT, Unit.HOURS):
        return round(float(figure.value), 1)
    return figure.value


def figure_header(column: Column) -> str:
    """A figure column's header, saying its unit where the label does not."""
    label = column.label
    if column.unit == Unit.PERCENT and "%" not in label:
        return f"{label} (%)"
    if column.unit == Unit.HOURS and "hour" not in label.lower():
        return f"{label} (hours)"
    return label
