"""Workers, beat and the broker failing under a running system (issue 10), with real processes:
``celery worker`` and ``celery beat`` on the test database, a real Redis, a real SMTP sink.

- Every worker stopped: /healthz answers 503 naming the workers at once and the deadline scan
  within the lateness set, and 200 again once a worker is back.
- Redis stopped for 20 s under a busy worker: the worker survives, the next scans run once Redis
  is back, a decision made during the outage answers success, and its feedback email arrives once.

- An upload's virus scan is asked for through Redis and run by a real worker against the real
  clamd.

Beat runs the real schedule from the database, with the deadline scan and the outbox relay every
two seconds instead of every minute, so the test takes seconds.
"""

import time

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from contacts import services as contact_services
from deadlines.models import ScanRun
from deadlines.tasks import TASK_NAME as SCAN_TASK
from mash.celery import app as celery_app
from mash.outbox.models import OutboxEmail
from mash.outbox.services import Mail, queue_emails
from mash.outbox.tasks import TASK_NAME as RELAY_TASK
from tests.factories import contact_input
from tests.faults import Celery, PrivateRedis, SmtpSink, publish_celery_to, wait_until

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

#: The lateness set for these tests (MASH_HEALTH_SCAN_LATE_SECONDS).
LATENESS = 8


def _fast_schedule(*, scan_seconds: int = 2, relay_seconds: int = 2) -> None:
    """Beat's schedule as migrated, but the scan and the relay every few seconds and nothing
    else (the nightly tasks are not what these tests are about)."""
    PeriodicTask.objects.exclude(task__in=[SCAN_TASK, RELAY_TASK]).update(enabled=False)
    for name, task, seconds in (
        ("Deadline scan", SCAN_TASK, scan_seconds),
        ("Outbox relay", RELAY_TASK, relay_seconds),
    ):
        every, _ = IntervalSchedule.objects.get_or_create(every=seconds, period="seconds")
        PeriodicTask.objects.update_or_create(
            name=name, defaults={"task": task, "interval": every, "enabled": True}
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


@pytest.fixture
def private_redis(tmp_path):
    server = PrivateRedis(tmp_path).start()
    yield server
    server.stop()


@pytest.fixture
def publish_to():
    """Point this process's Celery app (what the pages publish with) at another broker."""
    previous = celery_app.conf.broker_url
    yield publish_celery_to
    publish_celery_to(previous)


OUTAGE = 20  # seconds Redis is away
BUSY_EMAILS = 150  # at 0.1 s each at the sink: the worker is busy sending through the outage


def test_a_busy_worker_survives_redis_stopped_for_20_seconds_and_nothing_is_lost(
    client_for, hub_worker, manager, settings, tmp_path, private_redis, publish_to
):
    slow_sink = SmtpSink(delay=0.1).start()
    publish_to(private_redis.url)
    # The scan every 2 s; the relay every minute, as in production, so that one relay task is
    # busy sending while the worker's other process waits on Redis for work.
    _fast_schedule(relay_seconds=60)
    processes = Celery(
        tmp_path,
        private_redis.url,
        "tests.fault_settings",
        MASH_TEST_SMTP_PORT=str(slow_sink.port),
    )
    try:
        contact = contact_services.contact_create(data=contact_input())
        contact_services.contact_recommend(
            contact=contact, user=hub_worker, outcome="NFA", rationale="No further action"
        )
        busy = queue_emails(
            Mail(f"p{i}@council.example", f"Busy {i}", "Body", "test.busy", str(i))
            for i in range(BUSY_EMAILS)
        )
        # Prefork with two processes: one sends the emails (the relay asked for when they were
        # queued), the other runs a scan now and then and otherwise waits on Redis (BRPOP).
        worker = processes.worker("busy", "--pool=prefork", "--concurrency=2")
        processes.beat()
        wait_until(lambda: len(slow_sink.message_ids) >= 10, 60, "sending", processes.logs)

        private_redis.stop()
        stopped = time.monotonic()
        # A manager decides during the outage: saved, answered, its feedback email queued.
        contact.refresh_from_db()
        client = client_for(manager)
        client.raise_request_exception = False
        response = client.post(
            reverse("contacts:decide", kwargs={"pk": contact.pk}),
            {"outcome": "NFA", "version": contact.version},
        )
        assert response.status_code == 302
        [feedback] = OutboxEmail.objects.filter(purpose="contact.feedback")
        time.sleep(max(0.0, OUTAGE - (time.monotonic() - stopped)))
        assert worker.alive(), processes.logs()

        private_redis.start()
        back = timezone.now()
        wait_until(
            lambda: ScanRun.objects.filter(started_at__gt=back, finished_at__isnull=False).exists(),
            90,
            "a deadline scan after Redis came back",
            processes.logs,
        )
        expected = {email.message_id for email in busy} | {feedback.message_id}
        wait_until(
            lambda: expected <= set(slow_sink.message_ids),
            90,
            "every email at the sink",
            processes.logs,
        )
        assert worker.alive(), processes.logs()
        assert "Unrecoverable error" not in worker.log.read_text(errors="replace")
        assert slow_sink.counts()[feedback.message_id] == 1
        contact.refresh_from_db()
        assert contact.outcome == "NFA" and contact.feedback_sent_at is not None
    finally:
        processes.kill_all()
        slow_sink.stop()


def test_a_real_worker_scans_an_upload_asked_for_through_the_broker(
    client_for, hub_worker, settings, tmp_path, scanner, media
):
    """The scan is a Celery task on Redis, run by a real worker talking to the real clamd: an
    upload through the page is found clean with no test calling the scan itself."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from documents.models import Document
    from tests.forms import submission_token

    celery_app.control.purge()
    processes = Celery(
        tmp_path,
        settings.CELERY_BROKER_URL,
        "tests.fault_settings",
        MASH_CLAMD_SOCKET=scanner,
        MASH_MEDIA_ROOT=str(media),
    )
    try:
        processes.worker("scanner")
        contact = contact_services.contact_create(data=contact_input())
        pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
        response = client_for(hub_worker).post(
            f"/documents/contacts/{contact.pk}/upload/",
            {
                "file": SimpleUploadedFile("notice.pdf", pdf),
                **submission_token(hub_worker, "document"),
            },
        )
        assert response.status_code == 302
        document = Document.objects.get()
        wait_until(
            lambda: Document.objects.get(pk=document.pk).scan_state == "clean",
            60,
            "the worker's scan",
            processes.logs,
        )
    finally:
        processes.kill_all()
        celery_app.control.purge()
