"""Run one deadline scan by hand and say what it did."""

from django.core.management.base import BaseCommand

from deadlines.services import run_deadline_scan
from mash.audit.context import audit_context


class Command(BaseCommand):
    help = "Run one deadline scan now: reminders, escalations and breaches, each once."

    def handle(self, *args, **options) -> None:
        with audit_context():
            result = run_deadline_scan()
        self.stdout.write(f"Deadline scan {result.scan_run_id}: {result}.")
