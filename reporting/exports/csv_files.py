"""CSV files: UTF-8, one header row, every text cell defused against formula injection."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from .cells import Cell, csv_cell
from .tables import Grid


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    """A CSV file of ``header`` and ``rows`` (numbers as numbers, dates dd/mm/yyyy)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([csv_cell(value) for value in header])
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return buffer.getvalue().encode("utf-8")


def grid_csv(grid: Grid) -> bytes:
    return csv_bytes(grid.header, grid.rows)
