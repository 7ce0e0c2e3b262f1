"""Time every KPI over the last 12 closed months: live, as 12 monthly trend series computed live,
and as the same series read from the stored snapshots; with peak memory and row counts.

``--generate`` first makes ``--contacts`` demo contacts over the 12 closed months before this
one (``generate_demo_year``; PostgreSQL for anything large). The data and the snapshots it
stores are kept: run it on a scratch database, e.g.
``DATABASE_URL=postgres://.../mash_bench python manage.py benchmark_kpis --generate``.
"""

import resource
import time
import tracemalloc
from collections.abc import Callable
from datetime import datetime
from datetime import time as clock_time
from typing import Any

from dateutil.relativedelta import relativedelta
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils import timezone

from contacts.models import Contact, Person
from enquiries.models import (
    Enquiry,
    InformationRequest,
    InformationRequestGroupObjectPermission,
    InformationReturn,
)
from mash.audit.context import audit_context
from mash.clocks import LONDON
from reporting.demo_year import DemoYearExists, generate_demo_year
from reporting.kpis import KPI_IDS, compute_kpis
from reporting.periods import Period
from reporting.services_snapshots import refresh_snapshots
from reporting.snapshots import monthly_results

#: Above this, generating on SQLite would take long and say nothing about production.
SQLITE_LIMIT = 20_000


class Command(BaseCommand):
    help = (
        "Time all KPIs for the last 12 closed months: live, as monthly trends live, and as "
        "trends from snapshots (--generate makes --contacts demo contacts first)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--contacts", type=int, default=1_000_000)
        parser.add_argument("--generate", action="store_true", help="Generate the data first.")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--batch", type=int, default=5000)

    def handle(self, *args, contacts: int, generate: bool, seed: int, batch: int, **options):
        open_month = timezone.localdate().replace(day=1)
        year = Period(open_month - relativedelta(months=12), open_month)
        months = year.months()
        if generate:
            self._generate(contacts, seed, batch, open_month)
        self._counts(year)
        with audit_context():
            seconds, _ = self._timed(lambda: compute_kpis(year))
            self.stdout.write(f"All 12 KPIs for {year}, live: {seconds:.2f} s")
            seconds, _ = self._timed(lambda: [compute_kpis(month) for month in months])
            self.stdout.write(f"12 monthly series (12 months x 12 KPIs), live: {seconds:.2f} s")
            seconds, refreshed = self._timed(lambda: refresh_snapshots(back=12))
            self.stdout.write(
                f"Storing the snapshots ({len(refreshed.stored)} months computed): {seconds:.2f} s"
            )
            seconds, _ = self._timed(lambda: monthly_results(months, KPI_IDS))
            self.stdout.write(f"The same 12 series from snapshots: {seconds * 1000:.1f} ms")
            tracemalloc.start()
            compute_kpis(year)
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        self.stdout.write(
            f"Peak Python memory computing the year live (tracemalloc): {peak / 1_048_576:.1f} MiB"
        )
        maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        self.stdout.write(f"Peak resident memory of this process (maxrss): {maxrss:.0f} MiB")

    def _generate(self, contacts: int, seed: int, batch: int, open_month) -> None:
        if connection.vendor == "sqlite" and contacts > SQLITE_LIMIT:
            raise CommandError(
                f"--contacts {contacts} on SQLite: generate at most {SQLITE_LIMIT} there; use "
                "PostgreSQL (DATABASE_URL) for the real figure."
            )
        # "Now" is the start of this month, so the 12 months before it are whole and closed.
        now = datetime.combine(open_month, clock_time(0), tzinfo=LONDON)
        try:
            result = generate_demo_year(
                contacts=contacts,
                months=13,
                seed=seed,
                batch=batch,
                now=now,
                progress=self.stdout.write,
            )
        except DemoYearExists as error:
            raise CommandError(f"{error} (or drop --generate to use it)") from error
        rate = result.contacts / result.seconds if result.seconds else 0
        self.stdout.write(f"Generated {result} ({rate:,.0f} contacts/s on {connection.vendor}).")

    def _counts(self, year: Period) -> None:
        in_year = Contact.objects.filter(
            received_at__gte=year.starts_at, received_at__lt=year.ends_at
        )
        self.stdout.write(
            f"Rows on {connection.vendor}: {in_year.count():,} contacts in {year} "
            f"({Contact.objects.count():,} in all), {Person.objects.count():,} people, "
            f"{Enquiry.objects.count():,} enquiries, {InformationRequest.objects.count():,} "
            f"requests, {InformationReturn.objects.count():,} returns, "
            f"{InformationRequestGroupObjectPermission.objects.count():,} agency grants."
        )

    @staticmethod
    def _timed(work: Callable[[], Any]) -> tuple[float, Any]:
        started = time.perf_counter()
        result = work()
        return time.perf_counter() - started, result
