"""The deadline scan as a Celery task, run by beat every minute (the "Deadline scan" periodic
task, changeable in the admin). Safe to run twice or concurrently: every action is claimed once."""

from celery import shared_task

from .services import run_deadline_scan

TASK_NAME = "mash.deadlines.tasks.deadline_scan"  # the name stored in beat schedules: kept


@shared_task(name=TASK_NAME)
def deadline_scan() -> dict:
    """Run one scan now; returns its counts (for the worker log; results are not stored)."""
    result = run_deadline_scan()
    return {
        "reminders": result.reminders,
        "escalations": result.escalations,
        "breaches": result.breaches,
        "skipped": result.skipped,
        "emails": result.emails,
    }
