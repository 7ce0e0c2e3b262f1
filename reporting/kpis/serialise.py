"""KpiResult to JSON and back, for storage (monthly snapshots): lossless, order included.

Every dict is written as a list of ``[key, value]`` pairs: PostgreSQL's ``jsonb`` does not keep
the order of object keys, and the order of headline figures and row cells is what the dashboard
shows. A figure is tagged (``{"figure": {each field of Figure by name}}``, so a field added to
the contract is stored too) and a dimension code is stored as itself, so a row reads back with
the same keys, codes and Figures it was written with. ``from_json(to_json(result)) == result``
for every result the selectors return.

(The API writes its own, flatter JSON view for people; this one is for the database.)
"""

from __future__ import annotations

from dataclasses import fields
from decimal import Decimal
from typing import Any

from .types import Column, Figure, KpiResult, Table, Unit

#: Bumped when the stored shape or the meaning of a stored field changes, or KPIs are added; a
#: snapshot of another version is computed live, and stored again by the next refresh. (2:
#: figures carry ``part``; 3: figures stored by field name; 4: K13 and K14 added.)
FORMAT_VERSION = 4

_FIGURE = "figure"


class SnapshotFormatError(ValueError):
    """Stored JSON that is not a KpiResult of this format."""


def _number(value: int | float | Decimal | None) -> int | float | None:
    # The contract says int | float; a database Decimal (percentile_cont on PostgreSQL) is a
    # float to everything that shows it, so it is stored as one.
    if isinstance(value, Decimal):
        return float(value)
    return value


def figure_to_json(figure: Figure) -> dict[str, Any]:
    """Every field of the Figure by name, so a field added to the contract is stored too."""
    data = {name.name: getattr(figure, name.name) for name in fields(Figure)}
    data["value"] = _number(figure.value)
    data["unit"] = str(figure.unit)
    return data


def figure_from_json(data: dict[str, Any]) -> Figure:
    return Figure(**{**data, "unit": Unit(data["unit"])})


def _cell_to_json(value: Any) -> Any:
    if isinstance(value, Figure):
        return {_FIGURE: figure_to_json(value)}
    if value is not None and not isinstance(value, str | int | float | bool):
        raise SnapshotFormatError(f"A table cell must be a code or a Figure, not {value!r}.")
    return value


def _cell_from_json(value: Any) -> Any:
    if isinstance(value, dict):
        return figure_from_json(value[_FIGURE])
    return value


def table_to_json(table: Table) -> dict[str, Any]:
    return {
        "name": table.name,
        "title": table.title,
        "columns": [
            [column.key, column.label, None if column.unit is None else str(column.unit)]
            for column in table.columns
        ],
        "rows": [[[key, _cell_to_json(value)] for key, value in row.items()] for row in table.rows],
        "labels": [[key, list(codes.items())] for key, codes in table.labels.items()],
    }


def table_from_json(data: dict[str, Any]) -> Table:
    return Table(
        name=data["name"],
        title=data["title"],
        columns=tuple(
            Column(key, label, None if unit is None else Unit(unit))
            for key, label, unit in data["columns"]
        ),
        rows=tuple({key: _cell_from_json(value) for key, value in row} for row in data["rows"]),
        labels={key: dict((code, label) for code, label in codes) for key, codes in data["labels"]},
    )


def to_json(result: KpiResult) -> dict[str, Any]:
    """A JSON-ready dict of ``result`` (only lists, dicts, strings, numbers, booleans, null)."""
    return {
        "id": result.id,
        "name": result.name,
        "definition": result.definition,
        "headline": [[key, figure_to_json(figure)] for key, figure in result.headline.items()],
        "tables": [table_to_json(table) for table in result.tables],
    }


def from_json(data: dict[str, Any]) -> KpiResult:
    """The KpiResult that ``to_json`` wrote; SnapshotFormatError when ``data`` is not one."""
    try:
        return KpiResult(
            id=data["id"],
            name=data["name"],
            definition=data["definition"],
            headline={key: figure_from_json(figure) for key, figure in data["headline"]},
            tables=tuple(table_from_json(table) for table in data["tables"]),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise SnapshotFormatError(f"Not a stored KPI result: {error}") from error
