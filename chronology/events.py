"""What every reader of the chronology makes: an `Event`, with the sort key beside it, and the
small helpers they share (a period as a query, a choice's label, a sentence of parts, a moment
in words).

The readers themselves are `selectors` (contacts, decisions, enquiries, requests, returns, notes
and documents) and `domestic_abuse` (DA notifications, the daily meeting's outcomes and
Operation Encompass notices).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q

from mash.clocks import LONDON

from .filters import EventKind, Filters


@dataclass(frozen=True)
class Event:
    """One thing that happened about the person, on one record."""

    when: datetime
    kind: str
    title: str
    detail: str
    link: str  # the record's page
    record: str  # the record's reference (C000012, E000034)
    by: str = ""  # who did it, where known

    @property
    def kind_label(self) -> str:
        return EventKind(self.kind).label


def in_period(field: str, filters: Filters) -> Q:
    """`field` inside the filters' dates (no condition for a date not given)."""
    condition = Q()
    if filters.starts_at is not None:
        condition &= Q(**{f"{field}__gte": filters.starts_at})
    if filters.ends_at is not None:
        condition &= Q(**{f"{field}__lt": filters.ends_at})
    return condition


def label(choices, value: str) -> str:
    """The label of `value` among `choices`, or the value itself if it is not one of them."""
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def sentence(*parts: str) -> str:
    """The parts that are not empty, joined by spaces."""
    return " ".join(part for part in parts if part)


def name_of(user) -> str:
    """A user's name as events show it (empty for no one)."""
    return user.display_name if user is not None else ""


def moment(instant: datetime) -> str:
    """A moment in words, on the local clock: "5 January 2026, 09:00"."""
    local = instant.astimezone(LONDON)
    return f"{local.day} {local:%B %Y, %H:%M}"
