"""A year of realistic front-door data for the KPI dashboard, made in bulk.

``generate_demo_year`` writes with ``bulk_create`` in batches, not the services per row, so it
scales to a million contacts on PostgreSQL; memory is bounded by the batch size and the pool of
families that come back. It writes what the services would have written, within every model
constraint and the rules the KPIs count:

* contacts received mostly on working days and in working hours, with source, channel and
  referring partner agency (``data.py`` holds the shares), the decision due time from
  ``contact_decision_due_at``;
* about 22% repeats: a family in the pool is contacted again, and ``is_repeat`` and
  ``prior_contacts_12m`` are what ``contacts.services.repeats`` computes;
* pick-up, recommendation (the manager agrees about 88% of the time), decision (about nine in
  ten within the working day; 23% no further action), feedback to referrers with an address;
  the most recent still undecided;
* MASH enquiries, Red about 10%, Amber 40%, Green 50%, with deadlines from
  ``enquiries.timescales``; some RAG changes moving the deadlines as ``moved_deadline`` does;
  requests to 2-4 partner agencies, each granted to the agency's group in guardian's direct
  foreign-key table (in bulk, as ``assign_perm`` would row by row); returns mostly on time,
  about one in seven late, some still open and overdue; the recommendation and decision.

It is one transaction (all or nothing). django-auditlog is switched off while it runs
(``disable_auditlog``): these rows are not case work anybody did, so no field-change entries
are written for them. It refuses to run twice unless ``append`` is set; generated contacts carry
``external_reference`` ``demo-year/<run>/<n>``. Stored KPI snapshots of the months it writes
into are marked stale, and on PostgreSQL the tables are analysed afterwards.
"""

from __future__ import annotations

import random
import time as clock
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time, timedelta

from auditlog.context import disable_auditlog
from dateutil.relativedelta import relativedelta
from django.db import connection, reset_queries, transaction
from django.utils import timezone

from contacts.models import Contact
from mash.clocks import LONDON, default_calendar
from reporting.services_snapshots import months_changed

from .cast import ensure_cast
from .front_door import REFERENCE_PREFIX, FrontDoor
from .rows import HOUR, ORDER, DemoYearResult, Rows

__all__ = [
    "REFERENCE_PREFIX",
    "DemoYearExists",
    "DemoYearResult",
    "demo_year_exists",
    "generate_demo_year",
    "received_times",
]

WEEKEND_WEIGHT = 0.3  # a weekend day or bank holiday gets this share of a working day's contacts


class DemoYearExists(Exception):
    """Demo year data is already in the database and ``append`` was not asked for."""


def demo_year_exists() -> bool:
    return Contact.objects.filter(external_reference__startswith=REFERENCE_PREFIX).exists()


def received_times(
    rng: random.Random, count: int, start: date, now: datetime
) -> Iterator[datetime]:
    """``count`` instants from local midnight of ``start`` to before ``now``, in order: working
    days busier than weekends and bank holidays, and mostly in working hours."""
    calendar = default_calendar()
    end = now.astimezone(LONDON)
    days, day = [], start
    while datetime.combine(day, time(0), tzinfo=LONDON) < end:
        days.append((day, calendar.is_working_day(day)))
        day += timedelta(days=1)
    total = sum(1.0 if working else WEEKEND_WEIGHT for _, working in days)
    made, cumulative = 0, 0.0
    for day, working in days:
        cumulative += 1.0 if working else WEEKEND_WEIGHT
        todo = round(count * cumulative / total) - made
        made += todo
        limit = 24 * HOUR
        if day == end.date():
            limit = (end - datetime.combine(day, time(0), tzinfo=LONDON)).total_seconds()
        seconds = []
        for _ in range(todo):
            if working and rng.random() < 0.8:
                moment = rng.triangular(8 * HOUR, 18 * HOUR, 11 * HOUR)
            else:
                moment = rng.uniform(0, 24 * HOUR)
            if moment >= limit:
                moment = rng.uniform(0, limit) * 0.999
            seconds.append(moment)
        midnight = datetime.combine(day, time(0), tzinfo=LONDON)
        # Wall-clock arithmetic, then through UTC (a time in the spring gap moves forward), and
        # in UTC order: the repeat flag counts the contacts strictly before each one.
        yield from sorted(
            (midnight + timedelta(seconds=int(moment))).astimezone(UTC) for moment in seconds
        )


def analyse() -> None:
    """Refresh PostgreSQL's planner statistics of the tables just filled: without them it
    plans for the empty tables it last saw (K2's repeat query then scans a year per contact)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for _name, model in ORDER:
            cursor.execute(f'ANALYZE "{model._meta.db_table}"')


def generate_demo_year(
    *,
    contacts: int = 3000,
    months: int = 12,
    seed: int = 2026,
    batch: int = 5000,
    now: datetime | None = None,
    append: bool = False,
    progress: Callable[[str], None] | None = None,
) -> DemoYearResult:
    """``contacts`` contacts over the ``months`` calendar months up to ``now`` (this month so
    far included), and all that followed from them by ``now``. Raises DemoYearExists when demo
    year data is there already and ``append`` is not set."""
    if contacts < 1 or months < 1 or batch < 1:
        raise ValueError("--contacts, --months and --batch must each be at least 1.")
    if not append and demo_year_exists():
        raise DemoYearExists(
            "Demo year data is already in this database: run with --append to add more."
        )
    started = clock.perf_counter()
    now = now or timezone.now()
    first_day = now.astimezone(LONDON).date().replace(day=1) - relativedelta(months=months - 1)
    rng = random.Random(seed)
    rows = Rows()
    result = DemoYearResult()
    with disable_auditlog(), transaction.atomic():
        front_door = FrontDoor(
            rng=rng,
            cast=ensure_cast(),
            now=now,
            rows=rows,
            run=f"{now:%Y%m%d}-{uuid.uuid4().hex[:8]}",
        )
        front_door.families.pool_size = max(1000, min(100_000, contacts // 5))
        for number, received in enumerate(received_times(rng, contacts, first_day, now), 1):
            front_door.contact(number, received)
            result.first = result.first or received
            result.last = received
            if number % batch == 0:
                rows.flush()
                front_door.families.stored()
                reset_queries()  # with DEBUG on, Django keeps every query's SQL otherwise
                if progress and number % (batch * 10) == 0:
                    progress(f"{number} contacts stored ({clock.perf_counter() - started:.0f} s)")
        rows.flush()
        front_door.families.stored()
        if result.first is not None:
            months_changed(result.first, result.last)
    analyse()
    enquiries = front_door.enquiries
    result.contacts = contacts
    result.people = front_door.families.people
    result.enquiries, result.requests = enquiries.opened, enquiries.requested
    result.returns = enquiries.returned
    result.seconds = clock.perf_counter() - started
    return result
