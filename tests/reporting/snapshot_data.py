"""Small data sets for the snapshot tests: a few contacts in the winter of 2025-26, counted by
hand, and helpers to read or tamper with what a snapshot stores."""

from __future__ import annotations

from datetime import UTC, date, datetime

from reporting.kpis.serialise import from_json, to_json
from reporting.models import MonthlySnapshot
from reporting.periods import Period
from tests.reporting.factories import ContactFactory

JANUARY = Period(date(2026, 1, 1), date(2026, 2, 1))
FEBRUARY = Period(date(2026, 2, 1), date(2026, 3, 1))
MARCH = Period(date(2026, 3, 1), date(2026, 4, 1))
#: "Now" in these tests: March 2026 is the open month; February and earlier are closed.
MID_MARCH = datetime(2026, 3, 16, 12, 0, tzinfo=UTC)


def z(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def winter_contacts() -> dict[str, object]:
    """Two contacts in January (one undecided), one in February, one in March (GMT all along,
    so UTC is local time)."""
    return {
        "jan_decided": ContactFactory(
            received_at=z(2026, 1, 12, 10), decided_at=z(2026, 1, 12, 15), outcome="NFA"
        ),
        "jan_open": ContactFactory(received_at=z(2026, 1, 30, 16)),
        "feb": ContactFactory(
            received_at=z(2026, 2, 3, 9), decided_at=z(2026, 2, 3, 12), outcome="EARLY_HELP"
        ),
        "mar": ContactFactory(received_at=z(2026, 3, 2, 11)),
    }


def stored(month: Period, kpi_id: str):
    """The KpiResult stored for ``month``."""
    figures = MonthlySnapshot.objects.get(month=month.start).figures
    return next(from_json(data) for data in figures["results"] if data["id"] == kpi_id)


def tamper(month: Period, kpi_id: str, key: str, value: int) -> None:
    """Overwrite one stored headline value, so a test can tell stored figures from live ones."""
    from dataclasses import replace

    snapshot = MonthlySnapshot.objects.get(month=month.start)
    results = []
    for data in snapshot.figures["results"]:
        result = from_json(data)
        if result.id == kpi_id:
            headline = dict(result.headline)
            headline[key] = replace(headline[key], value=value)
            result = replace(result, headline=headline)
        results.append(to_json(result))
    snapshot.figures = {**snapshot.figures, "results": results}
    snapshot.save(update_fields=["figures"])
