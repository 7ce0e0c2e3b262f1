"""Every periodic task beat is given (by the schedule migrations) names a task the worker has,
so nothing scheduled is silently dropped as "unregistered" at 02:30."""

import pytest
from django_celery_beat.models import PeriodicTask

from mash.celery import app

pytestmark = pytest.mark.django_db


def test_every_scheduled_task_is_registered_with_the_worker():
    app.loader.import_default_modules()  # what a worker does at start-up
    scheduled = dict(PeriodicTask.objects.values_list("name", "task"))
    assert {
        "mash.deadlines.tasks.deadline_scan",
        "reporting.refresh_snapshots",
        "reporting.delete_expired_exports",
        "reporting.start_waiting_exports",
        "mash.outbox.tasks.relay_outbox",
        "documents.scan_waiting",
    } <= set(scheduled.values())
    unregistered = {name: task for name, task in scheduled.items() if task not in app.tasks}
    assert unregistered == {}


def test_the_outbox_relay_and_waiting_exports_run_every_minute():
    for name in ("Outbox relay", "Start waiting exports"):
        entry = PeriodicTask.objects.select_related("interval").get(name=name)
        assert (entry.interval.every, entry.interval.period, entry.enabled) == (1, "minutes", True)


def test_a_schedule_names_one_kind_of_timing():
    from mash.schedules import periodic_task

    with pytest.raises(ValueError):
        periodic_task(name="x", task="y", description="z")
    with pytest.raises(ValueError):
        periodic_task(name="x", task="y", description="z", every_minutes=1, crontab={})
