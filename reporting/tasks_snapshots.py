"""The nightly refresh of the stored monthly KPI figures (the "KPI snapshots" periodic task, run
by beat at 02:30 Europe/London and changeable in the admin). Safe to run twice, late or
concurrently with itself: a month already current is skipped, and each month is stored in its own
transaction, so a run cut short keeps the months it finished."""

from celery import shared_task

from mash.tasks import AuditedTask

from .services_snapshots import refresh_snapshots

TASK_NAME = "reporting.refresh_snapshots"


@shared_task(name=TASK_NAME, base=AuditedTask, soft_time_limit=1800, time_limit=2100)
def refresh_kpi_snapshots() -> dict:
    """Store every closed month of the last 13 that is missing or stale; returns what it did."""
    result = refresh_snapshots()
    return {
        "stored": [month.isoformat() for month in result.stored],
        "skipped": result.skipped,
    }
