"""Workers, beat and the broker failing under a running system (issue 10), with real processes:
``celery worker`` and ``celery beat`` on the test database, a real Redis, a real SMTP sink.

- Every worker stopped: /healthz answers 503 naming the workers at once and the deadline scan
  within the lateness set, and 200 again once a worker is back.
- Redis stopped for 20 s under a busy worker: the worker survives, the next scans run once Redis
  is back, a decision made during the outage answers success, and its feedback email arrives once.

Beat runs the real schedule from the database, with the deadline scan and the outbox relay every
two seconds instead of every minute, so the test takes seconds.
"""

import time

import pytest
from django.core.cache import cache
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from mash.celery import app as celery_app
from mash.deadlines.models import ScanRun
from mash.deadlines.tasks import TASK_NAME as SCAN_TASK
from mash.outbox.tasks import TASK_NAME as RELAY_TASK
from tests.faults import Celery, SmtpSink, wait_until

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

#: The lateness set for these tests (MASH_HEALTH_SCAN_LATE_SECONDS).
LATENESS = 8


def _fast_schedule(every_seconds: int = 2) -> None:
    """Beat's schedule as migrated, but the scan and the relay every few seconds and nothing
    else (the nightly tasks are not what these tests are about)."""
    fast, _ = IntervalSchedule.objects.get_or_create(every=every_seconds, period="seconds")
    PeriodicTask.objects.exclude(task__in=[SCAN_TASK, RELAY_TASK]).update(enabled=False)
    for name, task in (("Deadline scan", SCAN_TASK), ("Outbox relay", RELAY_TASK)):
        PeriodicTask.objects.update_or_create(
            name=name, defaults={"task": task, "interval": fast, "enabled": True}
        )


def _health(client) -> tuple[int, list[str]]:
    cache.clear()  # the workers' ping answer is reused for 10 s; these tests want it fresh
    response = client.get("/healthz")
    return response.status_code, response.json()["failing"]


@pytest.fixture
def sink():
    server = SmtpSink().start()
    yield server
    server.stop()


def test_healthz_is_503_with_every_worker_stopped_and_200_again_after(
    client, settings, tmp_path, sink
):
    settings.MASH_HEALTH_SCAN_LATE_SECONDS = LATENESS
    celery_app.control.purge()
    _fast_schedule()
    processes = Celery(
        tmp_path,
        settings.CELERY_BROKER_URL,
        "tests.fault_settings",
        MASH_TEST_SMTP_PORT=str(sink.port),
    )
    try:
        processes.beat()
        worker = processes.worker("first")
        wait_until(lambda: _health(client) == (200, []), 60, "/healthz 200", processes.logs)

        worker.signal(15)  # SIGTERM: a warm shutdown, as `docker compose stop worker`
        worker.process.wait(timeout=30)
        stopped = time.monotonic()
        status, failing = wait_until(
            lambda: (h := _health(client))[0] == 503 and "deadline_scan" in h[1] and h,
            LATENESS + 10,
            "/healthz to name the late deadline scan",
            processes.logs,
        )
        assert time.monotonic() - stopped <= LATENESS + 5
        assert failing == ["workers", "deadline_scan"]

        processes.worker("second")
        wait_until(lambda: _health(client) == (200, []), 60, "/healthz 200 again", processes.logs)
        assert ScanRun.objects.filter(finished_at__isnull=False).exists()
    finally:
        processes.kill_all()
        celery_app.control.purge()
