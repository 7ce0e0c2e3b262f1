"""Writes of the monthly KPI snapshots: store a closed month, refresh the missing and stale ones,
and mark a month stale when one of its records changes late.

A month is *closed* once its last day is over in Europe/London; the open month is never stored.
A record belongs to the month of its KPI date (KPIS.md, "Conventions"): a contact to the month of
its ``received_at``, an enquiry, its requests and returns to the month of the enquiry's
``opened_at``.

Marking a month stale is deferred to the commit of the change (``transaction.on_commit``) and a
store keeps a mark made after its computation began, so a change that commits while a month is
being computed is never lost: the month stays stale and the next run computes it again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone

from mash.clocks import LONDON

from .kpis import compute_kpis
from .kpis.serialise import FORMAT_VERSION, to_json
from .models import MonthlySnapshot
from .periods import Period

#: How many closed months back the nightly refresh keeps stored (a year of trends, plus one).
REFRESH_MONTHS = 13


def open_month(today: date | None = None) -> Period:
    """The month that is not over yet (the one containing ``today``, a local date)."""
    return Period.month_of(today or timezone.localdate())


def is_closed(month: Period, today: date | None = None) -> bool:
    """A whole calendar month that ended before the open month began."""
    whole = month.start.day == 1 and month.end == month.start + relativedelta(months=1)
    return whole and month.end <= open_month(today).start


def snapshot_figures(month: Period) -> dict:
    """Every KPI of ``month`` (all breakdowns, unsuppressed) in the stored JSON shape."""
    return {
        "version": FORMAT_VERSION,
        "results": [to_json(result) for result in compute_kpis(month)],
    }


@transaction.atomic
def snapshot_month(month: Period | date) -> MonthlySnapshot:
    """Compute and store one closed month's figures; stale_since is cleared unless the month was
    marked again while it was being computed."""
    if isinstance(month, date):
        month = Period.month_of(month)
    if not is_closed(month):
        raise ValueError(f"{month} is not a closed month: only closed months are stored.")
    started = timezone.now()
    figures = snapshot_figures(month)
    snapshot = MonthlySnapshot.objects.select_for_update().filter(month=month.start).first()
    if snapshot is None:
        return MonthlySnapshot.objects.create(
            month=month.start, figures=figures, computed_at=timezone.now()
        )
    snapshot.figures = figures
    snapshot.computed_at = timezone.now()
    if snapshot.stale_since is not None and snapshot.stale_since < started:
        snapshot.stale_since = None
    snapshot.save(update_fields=["figures", "computed_at", "stale_since"])
    return snapshot


@dataclass
class RefreshResult:
    stored: list[date] = field(default_factory=list)  # first days of the months computed
    skipped: int = 0  # closed months already stored and current

    def __str__(self) -> str:
        if not self.stored:
            return f"All {self.skipped} closed months were up to date; nothing computed."
        names = ", ".join(f"{month:%B %Y}" for month in self.stored)
        return f"Computed {len(self.stored)} months ({names}); {self.skipped} were up to date."


def months_to_refresh(today: date, back: int = REFRESH_MONTHS) -> list[Period]:
    """The closed months among the last ``back`` that are missing, stale or of an old format."""
    first = open_month(today).start
    wanted = [Period.month_of(first - relativedelta(months=n)) for n in range(back, 0, -1)]
    current = set(
        MonthlySnapshot.objects.filter(
            month__in=[month.start for month in wanted],
            stale_since__isnull=True,
            figures__version=FORMAT_VERSION,
        ).values_list("month", flat=True)
    )
    return [month for month in wanted if month.start not in current]


def refresh_snapshots(today: date | None = None, *, back: int = REFRESH_MONTHS) -> RefreshResult:
    """Store every closed month of the last ``back`` that is missing or stale (oldest first).
    Safe to run twice or late: a month already current is not computed again."""
    today = today or timezone.localdate()
    result = RefreshResult()
    todo = months_to_refresh(today, back)
    result.skipped = back - len(todo)
    for month in todo:
        snapshot_month(month)
        result.stored.append(month.start)
    return result


def _mark_stale(month_start: date) -> int:
    # The latest change wins: a store that began before it keeps the month stale.
    return MonthlySnapshot.objects.filter(month=month_start).update(stale_since=timezone.now())


def month_changed(instant: datetime | None) -> None:
    """A record whose KPI date is ``instant`` changed: if that is in a closed month with a stored
    snapshot, mark the month stale once the current transaction commits (at once outside one).
    The open month is always computed live, so a change in it needs nothing."""
    if instant is None:
        return
    month = Period.month_of(instant.astimezone(LONDON).date())
    if not is_closed(month):
        return
    transaction.on_commit(lambda: _mark_stale(month.start))


def months_changed(first: datetime, last: datetime) -> int:
    """Mark every stored closed month from ``first`` to ``last`` stale now (bulk loads that skip
    signals, e.g. the demo year generator). Returns how many were marked."""
    start = first.astimezone(LONDON).date().replace(day=1)
    return MonthlySnapshot.objects.filter(
        month__gte=start, month__lte=last.astimezone(LONDON).date()
    ).update(stale_since=timezone.now())
