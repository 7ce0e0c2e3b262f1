"""Deadline clocks: elapsed hours, working days and working hours (DOMAIN.md, "RAG ratings and
timescales"; STACK.md, "Working-day clocks").

Every timescale in the product is an amount on one of three clocks, all kept in Europe/London
over the bank holidays of one UK nation (England by default) plus any local closure days:

* **elapsed** - plain hours, day and night. The arithmetic is done in UTC, so a night that
  crosses a daylight-saving change counts the hours that really pass (4 elapsed hours from
  00:30 GMT on the spring-forward Sunday is 05:30 BST, not 04:30).
* **working days** - Monday to Friday less bank holidays and closures. "N working days after S"
  is the same local wall-clock time on the N-th working day after S's local date. Where S is not
  on a working day, counting starts at ``day_start`` (09:00) of the next working day, so the
  result is 09:00 on the N-th working day after that one (Saturday 10:00 + 1 working day =
  Tuesday 09:00). Where S *is* on a working day but outside 09:00-17:00 the DOMAIN text is taken
  literally: the wall-clock time is kept (Monday 20:00 + 1 working day = Tuesday 20:00, Monday
  07:00 + 1 working day = Tuesday 07:00). The wall-clock time is kept across daylight-saving
  changes (Friday 16:00 GMT + 1 working day over the spring change = Monday 16:00 BST).
* **working hours** - only time inside working days' ``day_start``-``day_end`` (09:00-17:00)
  counts. A start before 09:00 on a working day counts from 09:00; a start at or after 17:00, or
  on a day that is not a working day, counts from 09:00 of the next working day. A count that
  ends exactly at 17:00 is due at 17:00 that day, not at 09:00 of the next working day.

Inputs must be aware datetimes (in any zone; a naive datetime raises ``ValueError``); results
are aware datetimes in the calendar's zone (Europe/London).

Local times that do not exist or are ambiguous: a wall-clock time is turned into an instant with
``fold=0`` (the earlier of two ambiguous readings, i.e. the offset in force before the change).
A wall-clock time that does not exist (it falls in the gap of a spring-forward change) is
normalised through UTC, which moves it forward by the size of the gap (01:30 on a day whose
clocks jump from 01:00 to 02:00 becomes 02:30). In Europe/London the changes happen early on a
Sunday, which is never a working day, so this only matters for a calendar in another zone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.db import models

__all__ = [
    "LONDON",
    "NATIONS",
    "Clock",
    "Timescale",
    "WorkingCalendar",
    "default_calendar",
    "due_at",
]

LONDON = ZoneInfo("Europe/London")

#: The UK nations whose bank holidays a deployment may choose (``holidays`` subdivisions of GB).
NATIONS: frozenset[str] = frozenset({"ENG", "SCT", "WLS", "NIR"})


class Clock(models.TextChoices):
    """The kind of clock a timescale runs on."""

    ELAPSED = "elapsed", "Elapsed hours (day and night)"
    WORKING_DAYS = "working_days", "Working days"
    WORKING_HOURS = "working_hours", "Working hours (09:00-17:00 on working days)"


@dataclass(frozen=True)
class Timescale:
    """An amount on a clock: hours for ``ELAPSED`` and ``WORKING_HOURS``, days for
    ``WORKING_DAYS``.

    ``clock`` may be given as its stored value (``"working_days"``); it is coerced to ``Clock``.
    A negative amount raises ``ValueError``; zero is allowed (see ``WorkingCalendar.add``).
    """

    amount: int
    clock: Clock

    def __post_init__(self) -> None:
        if isinstance(self.amount, bool) or not isinstance(self.amount, int):
            raise ValueError(f"Timescale amount must be a whole number, not {self.amount!r}.")
        if self.amount < 0:
            raise ValueError(f"Timescale amount must not be negative, not {self.amount}.")
        object.__setattr__(self, "clock", Clock(self.clock))

    def __str__(self) -> str:
        """E.g. "4 hours", "1 hour", "6 working hours", "1 working day", "3 working days"."""
        unit = {
            Clock.ELAPSED: "hour",
            Clock.WORKING_HOURS: "working hour",
            Clock.WORKING_DAYS: "working day",
        }[self.clock]
        return f"{self.amount} {unit}{'' if self.amount == 1 else 's'}"


@lru_cache(maxsize=256)
def _bank_holidays(nation: str, year: int) -> frozenset[date]:
    """The bank holidays (including substitute and one-off days) of ``nation`` in ``year``.

    Cached per (nation, year): building a ``holidays`` object is comparatively expensive and the
    clocks ask about many days.
    """
    return frozenset(holidays.country_holidays("GB", subdiv=nation, years=year).keys())


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime, not naive {value!r}.")


@dataclass(frozen=True)
class WorkingCalendar:
    """Working days and hours: Monday to Friday, less the bank holidays of ``nation`` and the
    local ``closures``, from ``day_start`` to ``day_end`` in ``tz``."""

    nation: str = "ENG"
    closures: frozenset[date] = field(default_factory=frozenset)
    day_start: time = time(9)
    day_end: time = time(17)
    tz: ZoneInfo = LONDON

    def __post_init__(self) -> None:
        if self.nation not in NATIONS:
            raise ValueError(
                f"Unknown UK nation {self.nation!r}: expected one of {', '.join(sorted(NATIONS))}."
            )
        if not isinstance(self.closures, frozenset):
            object.__setattr__(self, "closures", frozenset(self._as_dates(self.closures)))
        if self.day_start.tzinfo is not None or self.day_end.tzinfo is not None:
            raise ValueError("day_start and day_end must be naive (local) times.")
        if not self.day_start < self.day_end:
            raise ValueError("day_start must be before day_end.")

    @staticmethod
    def _as_dates(values: Iterable[date]) -> Iterable[date]:
        for value in values:
            yield value.date() if isinstance(value, datetime) else value

    # --- days ---------------------------------------------------------------------------------

    def is_working_day(self, d: date) -> bool:
        """Monday to Friday, not a bank holiday of the nation, not a local closure."""
        return (
            d.weekday() < 5
            and d not in _bank_holidays(self.nation, d.year)
            and d not in self.closures
        )

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after ``d``."""
        d += timedelta(days=1)
        while not self.is_working_day(d):
            d += timedelta(days=1)
        return d

    # --- instants -----------------------------------------------------------------------------

    def localise(self, d: date, t: time) -> datetime:
        """The aware instant of wall-clock ``t`` on ``d`` in ``tz``.

        Ambiguous times take ``fold=0`` (the earlier reading); a time in a spring-forward gap is
        normalised through UTC (moved forward by the gap).
        """
        local = datetime.combine(d, t.replace(tzinfo=None, fold=0), tzinfo=self.tz)
        return local.astimezone(UTC).astimezone(self.tz)

    def _to_local(self, value: datetime, name: str) -> datetime:
        _require_aware(value, name)
        return value.astimezone(self.tz)

    def add(self, start: datetime, timescale: Timescale) -> datetime:
        """The due time: ``timescale`` after ``start``, in ``tz``.

        A zero amount gives ``start`` itself (elapsed), or the start of the count: ``start``'s
        wall-clock time if on a working day, else 09:00 of the next working day (working days),
        or ``start`` moved forward into working time (working hours).
        """
        local = self._to_local(start, "start")
        if timescale.clock == Clock.ELAPSED:
            return (local.astimezone(UTC) + timedelta(hours=timescale.amount)).astimezone(self.tz)
        if timescale.clock == Clock.WORKING_DAYS:
            return self._add_working_days(local, timescale.amount)
        return self._add_working_hours(local, timescale.amount)

    def _add_working_days(self, local: datetime, days: int) -> datetime:
        if self.is_working_day(local.date()):
            day, wall = local.date(), local.time()
        else:
            day, wall = self.next_working_day(local.date()), self.day_start
        for _ in range(days):
            day = self.next_working_day(day)
        return self.localise(day, wall)

    def _working_start(self, local: datetime) -> datetime:
        """The first instant of working time at or after ``local``."""
        day = local.date()
        if self.is_working_day(day):
            if local.time() < self.day_start:
                return self.localise(day, self.day_start)
            if local < self.localise(day, self.day_end):
                return local
        return self.localise(self.next_working_day(day), self.day_start)

    def _add_working_hours(self, local: datetime, hours: int) -> datetime:
        remaining = timedelta(hours=hours)
        cursor = self._working_start(local).astimezone(UTC)
        while True:
            day = cursor.astimezone(self.tz).date()
            end = self.localise(day, self.day_end).astimezone(UTC)
            available = end - cursor
            if remaining <= available:
                return (cursor + remaining).astimezone(self.tz)
            remaining -= available
            cursor = self.localise(self.next_working_day(day), self.day_start).astimezone(UTC)

    def working_seconds_between(self, a: datetime, b: datetime) -> float:
        """Seconds of working time (inside working days' ``day_start``-``day_end``) from ``a`` to
        ``b``; 0 if ``b`` is not after ``a``."""
        a_utc = self._to_local(a, "a").astimezone(UTC)
        b_utc = self._to_local(b, "b").astimezone(UTC)
        if b_utc <= a_utc:
            return 0.0
        total = timedelta()
        day = a_utc.astimezone(self.tz).date()
        last = b_utc.astimezone(self.tz).date()
        while day <= last:
            if self.is_working_day(day):
                opens = max(a_utc, self.localise(day, self.day_start).astimezone(UTC))
                closes = min(b_utc, self.localise(day, self.day_end).astimezone(UTC))
                if closes > opens:
                    total += closes - opens
            day += timedelta(days=1)
        return total.total_seconds()


def default_calendar() -> WorkingCalendar:
    """The deployment's calendar: bank holidays of ``settings.MASH_BANK_HOLIDAY_NATION`` (default
    ``"ENG"``), the local closure days an administrator has stored, 09:00-17:00 Europe/London.
    Settings and closures are read at call time (closures through the per-process snapshot of
    ``deadlines.timescales``)."""
    from django.conf import settings

    nation = getattr(settings, "MASH_BANK_HOLIDAY_NATION", "ENG") if settings.configured else "ENG"
    return WorkingCalendar(nation=nation or "ENG", closures=_stored_closures())


def _stored_closures() -> frozenset[date]:
    """The stored local closure days, or none where there is no database to read them from."""
    from django.apps import apps
    from django.conf import settings

    if not (settings.configured and apps.ready and apps.is_installed("deadlines")):
        return frozenset()
    from deadlines.timescales import closure_days

    try:
        return closure_days()
    except RuntimeError:
        # Database access is refused here (a pure unit test of the clocks has no database).
        # A real database error is a DatabaseError and is not hidden.
        return frozenset()


def due_at(
    start: datetime, timescale: Timescale, *, calendar: WorkingCalendar | None = None
) -> datetime:
    """When something started at ``start`` with ``timescale`` is due (``default_calendar()``
    unless ``calendar`` is given)."""
    return (calendar or default_calendar()).add(start, timescale)
