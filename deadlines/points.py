"""When an item reaches its warning point: a share of the time between its start and its deadline,
measured on the item's own clock (DOMAIN.md, "RAG ratings and timescales").

On the elapsed clock that is plain time. On the working-day and working-hour clocks it is working
time, so an Amber enquiry opened Friday 16:00 (due Monday 16:00, eight working hours) is warned at
Monday 14:00, not on Sunday night.
"""

import hashlib
from datetime import UTC, datetime, timedelta

import holidays

from mash.clocks import Clock, WorkingCalendar

from .models import DEFAULT_WARNING_PERCENT
from .timescales import warning_percent_for

#: The default warning point: 75% of the time used. An administrator may set another share per
#: kind of item and RAG (deadlines.timescales); `warning_fraction` reads it.
WARNING_FRACTION = DEFAULT_WARNING_PERCENT / 100


def warning_fraction(kind: str, rag: str = "") -> float:
    """The share of the time (0.01-0.99) at which items of (kind, RAG) are warned."""
    return warning_percent_for(kind, rag) / 100


def warning_point(
    *,
    start: datetime,
    deadline: datetime,
    clock: Clock | str,
    calendar: WorkingCalendar,
    fraction: float = WARNING_FRACTION,
) -> datetime:
    """The instant at which `fraction` of the time from `start` to `deadline` has been used."""
    if deadline <= start:
        return deadline
    if Clock(clock) != Clock.ELAPSED:
        total = calendar.working_seconds_between(start, deadline)
        if total > 0:
            return min(deadline, add_working_seconds(calendar, start, total * fraction))
    return start + (deadline - start) * fraction


def warning_basis(*, clock: Clock | str, fraction: float, calendar: WorkingCalendar) -> str:
    """A short name for everything a warning point is computed from besides the item's own start
    and deadline: the clock, the warning percent and, on a working-time clock, the calendar (its
    nation, hours, closure days and the bank-holiday table's version). Two points with the same
    basis, start and deadline are the same instant; a stored point whose basis is no longer the
    one in force is not read (``WarningPoint``).

    On the elapsed clock the calendar plays no part, so a closure day leaves those points valid.
    """
    clock = Clock(clock)
    percent = round(fraction * 100, 4)
    if clock == Clock.ELAPSED:
        return f"{clock.value}/{percent:g}"
    calendar_text = "|".join(
        [
            calendar.nation,
            str(calendar.tz),
            calendar.day_start.isoformat(),
            calendar.day_end.isoformat(),
            ",".join(day.isoformat() for day in sorted(calendar.closures)),
            holidays.__version__,
        ]
    )
    digest = hashlib.sha256(calendar_text.encode()).hexdigest()[:12]
    return f"{clock.value}/{percent:g}/{digest}"


def add_working_seconds(calendar: WorkingCalendar, start: datetime, seconds: float) -> datetime:
    """`seconds` of working time after `start` (counting from the first working instant)."""
    remaining = timedelta(seconds=seconds)
    local = start.astimezone(calendar.tz)
    day = local.date()
    cursor = start.astimezone(UTC)
    if not calendar.is_working_day(day):
        day = calendar.next_working_day(day)
        cursor = calendar.localise(day, calendar.day_start).astimezone(UTC)
    while True:
        opens = calendar.localise(day, calendar.day_start).astimezone(UTC)
        closes = calendar.localise(day, calendar.day_end).astimezone(UTC)
        cursor = max(cursor, opens)
        available = closes - cursor
        if available > timedelta(0) and remaining <= available:
            return (cursor + remaining).astimezone(calendar.tz)
        remaining -= max(available, timedelta(0))
        day = calendar.next_working_day(day)
        cursor = calendar.localise(day, calendar.day_start).astimezone(UTC)
