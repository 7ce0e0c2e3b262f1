"""Time the deadline scan over N open items, and its peak Python memory (tracemalloc): the first
scan (which computes and stores every item's warning point) and a second one a minute later (the
steady state: the points are only read). Each scan is run twice from the same state: once untraced
for its time (in a savepoint rolled back after), once under tracemalloc for its memory (kept).

The items are made inside a transaction that is rolled back at the end, so the database is left
as it was. Run it against PostgreSQL: that is the figure that matters, e.g.
``DJANGO_SETTINGS_MODULE=mash.settings.local python manage.py benchmark_deadline_scan
--items 100000``.
"""

import time
import tracemalloc
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction
from django.test.utils import override_settings
from django.utils import timezone

from agencies.models import Agency, AgencyKind, User
from agencies.roles import Role
from contacts.codes import Channel, Consent, Source
from contacts.models import Contact
from deadlines.services import ScanResult, run_deadline_scan
from mash.audit.context import audit_context


class _Rollback(Exception):
    pass


class Command(BaseCommand):
    help = (
        "Time a first and a second deadline scan over --items synthetic open contacts "
        "(rolled back after)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--items", type=int, default=100_000)
        parser.add_argument(
            "--due-share",
            type=float,
            default=0.01,
            help="Share of the items already past their deadline (the rest are spread ahead).",
        )

    def handle(self, *args, items: int, due_share: float, **options) -> None:
        try:
            # Emails to an in-memory outbox: the figures are the scan's, not a console's.
            with (
                override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"),
                transaction.atomic(),
            ):
                self._run(items, due_share)
                raise _Rollback
        except _Rollback:
            self.stdout.write("Synthetic items rolled back.")

    def _run(self, items: int, due_share: float) -> None:
        now = timezone.now()
        hub = Agency.objects.create(
            name="Benchmark hub", code="benchmark-hub", kind=AgencyKind.CHILDRENS_SOCIAL_CARE
        )
        worker = User.objects.create(
            username="benchmark.worker", agency=hub, role=Role.HUB_WORKER, email="w@example.org"
        )
        User.objects.create(
            username="benchmark.manager", agency=hub, role=Role.HUB_MANAGER, email="m@example.org"
        )
        overdue = int(items * due_share)
        started = time.perf_counter()
        batch: list[Contact] = []
        for index in range(items):
            # Overdue ones first; the rest due over the next ten days, received a day earlier.
            due = (
                now - timedelta(minutes=index + 1)
                if index < overdue
                else now + timedelta(minutes=((index - overdue) * 14_400) // max(items, 1) + 1)
            )
            batch.append(
                Contact(
                    source=Source.SCHOOLS,
                    channel=Channel.PHONE,
                    consent=Consent.GIVEN,
                    received_at=due - timedelta(days=1),
                    decision_due_at=due,
                    assignee=worker,
                )
            )
            if len(batch) == 5_000:
                Contact.objects.bulk_create(batch)
                batch.clear()
        Contact.objects.bulk_create(batch)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE contacts_contact")
        self.stdout.write(
            f"Created {items} open contacts ({overdue} overdue) in "
            f"{time.perf_counter() - started:.1f} s on {connection.vendor}."
        )
        for label, when in (("First scan", now), ("Second scan", now + timedelta(minutes=1))):
            seconds = self._timed(when)
            result, peak = self._traced(when)
            self.stdout.write(f"{label}: {result}.")
            self.stdout.write(f"{label} over {items} open items: {seconds:.2f} s")
            self.stdout.write(f"{label} peak memory (tracemalloc): {peak / 1_048_576:.1f} MiB")

    def _timed(self, when) -> float:
        """Seconds one scan takes, untraced (tracemalloc slows Python several times), in a
        savepoint rolled back after so that the traced run starts from the same state."""
        started = time.perf_counter()
        try:
            with transaction.atomic(), audit_context():
                run_deadline_scan(now=when)
                seconds = time.perf_counter() - started
                raise _Rollback
        except _Rollback:
            pass
        return seconds

    def _traced(self, when) -> tuple[ScanResult, int]:
        """The same scan again, kept, with its peak Python memory."""
        tracemalloc.start()
        try:
            with audit_context():
                result = run_deadline_scan(now=when)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        return result, peak
