"""Nothing lost when a worker dies while sending (issue 10): a real worker, SIGKILLed again and
again while it hands 500 emails to a real SMTP server, and a fresh one started each time. Every
email arrives; the only repeats are the ones in flight at a kill, and each carries its own
Message-ID, so the copy is recognisable as the same message (docs/adr/0006-outbox-and-faults.md)."""

import pytest

from mash.celery import app as celery_app
from mash.outbox.models import EmailState, OutboxEmail
from mash.outbox.services import Mail, queue_emails
from mash.outbox.tasks import relay_outbox
from tests.faults import Celery, SmtpSink, wait_until

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

EMAILS = 500
KILLS_AT = (60, 200, 350)  # messages the sink has accepted when each worker is killed


@pytest.fixture
def sink():
    server = SmtpSink(delay=0.004).start()
    yield server
    server.stop()


@pytest.fixture
def celery(tmp_path, sink, settings):
    celery_app.control.purge()
    processes = Celery(
        tmp_path,
        settings.CELERY_BROKER_URL,
        "tests.fault_settings",
        MASH_TEST_SMTP_PORT=str(sink.port),
    )
    yield processes
    processes.kill_all()
    celery_app.control.purge()


def test_a_worker_killed_while_sending_loses_no_email_and_repeats_only_what_was_in_flight(
    sink, celery
):
    queued = queue_emails(
        Mail(f"person{i}@council.example", f"Email {i}", "Body", "test.fault", str(i))
        for i in range(EMAILS)
    )
    expected = {email.message_id for email in queued}
    assert len(expected) == EMAILS

    for number, kill_at in enumerate(KILLS_AT):
        worker = celery.worker(f"sender{number}")
        relay_outbox.delay()  # as beat does every minute (the killed task's message is parked)
        wait_until(
            lambda kill_at=kill_at: len(sink.message_ids) >= kill_at,
            60,
            f"{kill_at} emails at the sink",
            celery.logs,
        )
        worker.kill()
        assert len(sink.message_ids) < EMAILS, "the worker finished before it could be killed"

    celery.worker("finisher")
    relay_outbox.delay()
    wait_until(
        lambda: not OutboxEmail.objects.filter(state=EmailState.QUEUED).exists(),
        90,
        "the outbox to empty",
        celery.logs,
    )

    counts = sink.counts()
    assert set(counts) == expected  # every email arrived, nothing else did
    repeats = {message_id: n for message_id, n in counts.items() if n > 1}
    # At most the one email in flight at each kill went twice, under its own Message-ID.
    assert sum(n - 1 for n in repeats.values()) <= len(KILLS_AT), repeats
    assert OutboxEmail.objects.filter(state=EmailState.SENT).count() == EMAILS
    assert not OutboxEmail.objects.filter(sent_at__isnull=True).exists()
