"""Small constructors for Figures from the database's raw numbers, and the period's clock."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from reporting.periods import Period

from .sql import percent
from .types import Figure, Unit


def count(value: int | None) -> Figure:
    """A count is built from the records it counts."""
    number = int(value or 0)
    return Figure(number, number, Unit.COUNT)


def share(part: int | None, whole: int | None) -> Figure:
    """A percentage is built from its whole (and carries its part); null when the whole is 0."""
    whole, part = int(whole or 0), int(part or 0)
    return Figure(percent(part, whole), whole, Unit.PERCENT, part=part)


def hours(value: float | None, n: int | None) -> Figure:
    """A median or percentile of hours, built from the ``n`` durations it orders."""
    n = int(n or 0)
    return Figure(None if value is None or n == 0 else float(value), n, Unit.HOURS)


def end_of_period(period: Period) -> datetime:
    """The instant "the end of the period" means for a backlog figure ("still undecided and past
    due at the end of the period"): the period's end, or now while the period is still running
    (a period that ends tomorrow cannot yet know what will be late tonight)."""
    return min(period.ends_at, timezone.now())
