"""Refresh the stored monthly KPI figures by hand (what the nightly task does) and say what it
did."""

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mash.audit.context import audit_context
from reporting.periods import Period, parse_date
from reporting.services_snapshots import REFRESH_MONTHS, refresh_snapshots, snapshot_month


class Command(BaseCommand):
    help = (
        "Store the KPI figures of every closed month of the last 13 that is missing or stale "
        "(--month YYYY-MM-01 recomputes that one month whatever its state)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--months", type=int, default=REFRESH_MONTHS, help="How far back.")
        parser.add_argument("--month", help="Recompute this closed month only (YYYY-MM-DD).")

    def handle(self, *args, months: int, month: str | None, **options) -> None:
        started = time.perf_counter()
        with audit_context():
            if month:
                try:
                    period = Period.month_of(parse_date(month, "month"))
                    snapshot_month(period)
                except ValueError as error:  # PeriodError too: a bad date, an open month
                    raise CommandError(str(error)) from error
                self.stdout.write(f"Computed {period}.")
            else:
                self.stdout.write(str(refresh_snapshots(back=months)))
        self.stdout.write(f"Took {time.perf_counter() - started:.1f} s.")
