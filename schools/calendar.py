"""The school-day calendar of Operation Encompass (DOMAIN.md, "Domestic abuse notifications and
Operation Encompass").

A **school day** is Monday to Friday, less the bank holidays of the deployment's nation (the
same ``holidays`` data and ``MASH_BANK_HOLIDAY_NATION`` setting as the hub's working days,
mash.clocks) and less the deployment's school holidays (``SchoolHoliday``, first to last day
inclusive, set by administrators). The hub's own closure days (deadlines.ClosureDay) are not
school holidays: the hub may close when schools are open, and the other way round.

* ``next_school_day_start(after)`` is when a notice about an incident at ``after`` must be with
  the school: the notice time (``MASH_ENCOMPASS_NOTICE_TIME``, "09:00" by default) of the first
  school day whose start is still to come. An incident before the start of a school day is due
  that same morning (Tuesday 07:00 -> Tuesday 09:00); one at or after the start is due the next
  school day (Tuesday 09:00 -> Wednesday 09:00, Friday 22:00 -> Monday 09:00).
* ``acknowledge_by(school_day)`` is when the key adult must have acknowledged it: the
  acknowledgement time (``MASH_ENCOMPASS_ACKNOWLEDGE_TIME``, "10:00" by default) that day.

Times are wall-clock times in Europe/London, so 09:00 is 09:00 GMT in winter and 09:00 BST
(08:00 UTC) in summer; the clocks change early on a Sunday, never a school day. Inputs must be
aware datetimes (a naive one raises ``ValueError``); results are aware, in Europe/London.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ImproperlyConfigured

from mash.clocks import LONDON, WorkingCalendar

__all__ = [
    "SchoolCalendar",
    "acknowledge_by",
    "is_school_day",
    "next_school_day_start",
    "school_calendar",
]

DEFAULT_NOTICE_TIME = time(9)
DEFAULT_ACKNOWLEDGE_TIME = time(10)
#: No run of closed days is longer than this (a long summer holiday is about 45 days).
_MAX_DAYS_AHEAD = 400


def _setting_time(name: str, default: time) -> time:
    from django.conf import settings

    value = getattr(settings, name, None) if settings.configured else None
    if value in (None, ""):
        return default
    if isinstance(value, time):
        return value.replace(tzinfo=None)
    try:
        return time.fromisoformat(str(value).strip())
    except ValueError as error:
        raise ImproperlyConfigured(
            f"{name} must be a time such as 09:00, not {value!r}."
        ) from error


@dataclass(frozen=True)
class SchoolCalendar:
    """School days: the working days of ``nation`` (Monday to Friday less bank holidays) less
    ``holidays`` (first and last day pairs, inclusive)."""

    nation: str = "ENG"
    holidays: tuple[tuple[date, date], ...] = ()
    notice_time: time = DEFAULT_NOTICE_TIME
    acknowledge_time: time = DEFAULT_ACKNOWLEDGE_TIME
    _weekdays: WorkingCalendar = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.notice_time < self.acknowledge_time:
            raise ImproperlyConfigured(
                "MASH_ENCOMPASS_NOTICE_TIME must be before MASH_ENCOMPASS_ACKNOWLEDGE_TIME."
            )
        # Bank holidays only: the hub's closure days are not school closures.
        object.__setattr__(self, "_weekdays", WorkingCalendar(nation=self.nation, tz=LONDON))

    def is_school_day(self, day: date) -> bool:
        if isinstance(day, datetime):
            day = day.astimezone(LONDON).date()
        if not self._weekdays.is_working_day(day):
            return False
        return not any(first <= day <= last for first, last in self.holidays)

    def next_school_day(self, day: date) -> date:
        """The first school day strictly after ``day``."""
        for _ in range(_MAX_DAYS_AHEAD):
            day += timedelta(days=1)
            if self.is_school_day(day):
                return day
        raise ValueError(f"No school day in the {_MAX_DAYS_AHEAD} days after {day}.")

    def next_school_day_start(self, after: datetime) -> datetime:
        """The start (notice time) of the first school day that starts after ``after``."""
        if after.tzinfo is None or after.utcoffset() is None:
            raise ValueError(f"after must be an aware datetime, not naive {after!r}.")
        local = after.astimezone(LONDON)
        day = local.date()
        if self.is_school_day(day):
            start = self._weekdays.localise(day, self.notice_time)
            if local < start:
                return start
        return self._weekdays.localise(self.next_school_day(day), self.notice_time)

    def acknowledge_by(self, school_day: date | datetime) -> datetime:
        """The acknowledgement time on ``school_day`` (a date, or an instant whose London date
        is used)."""
        if isinstance(school_day, datetime):
            if school_day.tzinfo is None:
                raise ValueError(f"school_day must be aware, not naive {school_day!r}.")
            school_day = school_day.astimezone(LONDON).date()
        return self._weekdays.localise(school_day, self.acknowledge_time)


def school_calendar() -> SchoolCalendar:
    """The deployment's school calendar: its nation's bank holidays, the stored school holidays
    (one query) and the notice and acknowledgement times from the settings."""
    from django.conf import settings

    from .models import SchoolHoliday

    nation = getattr(settings, "MASH_BANK_HOLIDAY_NATION", "ENG") or "ENG"
    holidays = tuple(
        SchoolHoliday.objects.order_by("first_day").values_list("first_day", "last_day")
    )
    return SchoolCalendar(
        nation=nation,
        holidays=holidays,
        notice_time=_setting_time("MASH_ENCOMPASS_NOTICE_TIME", DEFAULT_NOTICE_TIME),
        acknowledge_time=_setting_time("MASH_ENCOMPASS_ACKNOWLEDGE_TIME", DEFAULT_ACKNOWLEDGE_TIME),
    )


def is_school_day(day: date) -> bool:
    """Whether ``day`` is a school day in the deployment's calendar."""
    return school_calendar().is_school_day(day)


def next_school_day_start(after: datetime) -> datetime:
    """When a notice about an incident at ``after`` must be with the school."""
    return school_calendar().next_school_day_start(after)


def acknowledge_by(school_day: date | datetime) -> datetime:
    """When a notice due on ``school_day`` must have been acknowledged."""
    return school_calendar().acknowledge_by(school_day)
