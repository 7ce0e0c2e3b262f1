"""Reporting periods: ``[from, to)`` of local dates in Europe/London (KPIS.md, "Conventions").

A period starts at local midnight of ``start`` and ends at local midnight of ``end``; both are
turned into aware datetimes here, once, so that no selector ever compares a UTC timestamp with a
naive date. The named periods are the dashboard's period picker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta

from mash.clocks import LONDON

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)

#: The longest period anyone may ask for.
MAX_PERIOD = relativedelta(years=5)

NAMED_PERIODS: dict[str, str] = {
    "this_month": "This month",
    "last_month": "Last month",
    "this_quarter": "This quarter",
    "last_quarter": "Last quarter",
    "last_12_months": "Last 12 months",
}


class PeriodError(ValueError):
    """A period that cannot be used, with the query field it is about (``from``, ``to`` or
    ``period``)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def local_midnight(day: date) -> datetime:
    """The aware instant at which ``day`` starts in Europe/London."""
    return datetime.combine(day, time(0), tzinfo=LONDON)


@dataclass(frozen=True)
class Period:
    """``[start, end)`` of local dates; ``end`` is the first day *not* in the period."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.start >= self.end:
            raise PeriodError("to", "The end of the period must be after its start.")
        try:
            too_long = self.end > self.start + MAX_PERIOD
        except (OverflowError, ValueError):  # start + 5 years is past year 9999
            too_long = False
        if too_long:
            raise PeriodError("to", "A period can be at most 5 years long.")

    @property
    def starts_at(self) -> datetime:
        return local_midnight(self.start)

    @property
    def ends_at(self) -> datetime:
        return local_midnight(self.end)

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    def __str__(self) -> str:
        if self.start.day == 1 and self.end == self.start + relativedelta(months=1):
            return self.start.strftime("%B %Y")
        return f"{self.start:%-d %B %Y} to {self.last_day:%-d %B %Y}"

    def months(self) -> list[Period]:
        """The calendar months that overlap the period, each whole."""
        first = self.start.replace(day=1)
        months = []
        while first < self.end:
            following = first + relativedelta(months=1)
            months.append(Period(first, following))
            first = following
        return months

    @classmethod
    def month_of(cls, day: date) -> Period:
        first = day.replace(day=1)
        return cls(first, first + relativedelta(months=1))

    @classmethod
    def named(cls, name: str, today: date) -> Period:
        """One of NAMED_PERIODS as of ``today`` (a local date). The open month or quarter ends
        tomorrow, so today's contacts count."""
        month = today.replace(day=1)
        quarter = month.replace(month=3 * ((today.month - 1) // 3) + 1)
        tomorrow = today + timedelta(days=1)
        if name == "this_month":
            return cls(month, tomorrow)
        if name == "last_month":
            return cls(month - relativedelta(months=1), month)
        if name == "this_quarter":
            return cls(quarter, tomorrow)
        if name == "last_quarter":
            return cls(quarter - relativedelta(months=3), quarter)
        if name == "last_12_months":
            return cls(month - relativedelta(months=11), tomorrow)
        raise PeriodError(
            "period", f"Unknown period {name!r}: use one of {', '.join(NAMED_PERIODS)}."
        )


def parse_date(value: str | None, field: str) -> date:
    """A ``YYYY-MM-DD`` query value, or PeriodError naming ``field``."""
    if not value:
        raise PeriodError(field, f"Enter the '{field}' date as YYYY-MM-DD.")
    try:
        # exactly YYYY-MM-DD: Python's fromisoformat would also take 20260301 or 2026-W10-1
        if not _ISO_DATE.fullmatch(value.strip()):
            raise ValueError(value)
        return date.fromisoformat(value.strip())
    except ValueError:
        raise PeriodError(
            field, f"'{field}' must be a real date written YYYY-MM-DD, not {value[:20]!r}."
        ) from None


def parse_period(start: str | None, end: str | None) -> Period:
    """The period ``[from, to)`` from two query values; PeriodError names the bad field."""
    return Period(parse_date(start, "from"), parse_date(end, "to"))
