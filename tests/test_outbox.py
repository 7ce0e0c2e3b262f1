"""The outbox (issue 10): an email exists if and only if the change that caused it committed, is
sent once the mail server accepts it, waits out a mail server or broker outage, and is given up
visibly, never silently. The fault tests with real processes are in test_outbox_faults.py and
test_broker_outage.py."""

import importlib
from datetime import date, timedelta
from smtplib import SMTPConnectError, SMTPRecipientsRefused

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from contacts import services as contact_services
from mash.celery import app as celery_app
from mash.outbox.models import EmailState, OutboxEmail
from mash.outbox.services import Mail, backoff, queue_email, queue_emails, relay
from reporting.models import ExportJob, ExportKind, ExportState
from reporting.periods import Period
from reporting.services_exports import export_requested, exports_start_waiting
from tests.factories import contact_input
from tests.faults import publish_celery_to

pytestmark = pytest.mark.django_db


def _mail(n: int = 0) -> Mail:
    return Mail(f"someone{n}@council.example", f"Subject {n}", "Body", "test.purpose", str(n))


@pytest.fixture
def broker_down():
    """The Celery app of this process publishes to a port where nothing listens, and to the
    real broker again after."""
    previous = celery_app.conf.broker_url
    publish_celery_to("redis://127.0.0.1:1/0")
    yield
    publish_celery_to(previous)


def test_an_email_of_a_change_that_rolls_back_is_never_sent():
    with pytest.raises(RuntimeError), transaction.atomic():
        queue_email(recipient="a@council.example", subject="S", body="B", purpose="test.purpose")
        raise RuntimeError("the change failed")
    assert not OutboxEmail.objects.exists()
    assert relay().sent == 0 and mail.outbox == []


def test_one_relay_is_asked_for_per_transaction_however_many_emails_it_queues(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        queue_emails([_mail(1), _mail(2)])
        queue_email(recipient="c@council.example", subject="S", body="B", purpose="test.purpose")
    assert len(callbacks) == 1
    assert OutboxEmail.objects.count() == 3


def test_each_email_keeps_its_message_id_across_attempts(monkeypatch):
    email = queue_email(recipient="a@council.example", subject="S", body="B", purpose="test.p")
    real = EmailBackend.send_messages
    calls = []

    def refuse_once(self, messages):
        calls.append(messages[0].extra_headers["Message-ID"])
        if len(calls) == 1:
            raise SMTPRecipientsRefused({"a@council.example": (450, b"mailbox busy")})
        return real(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", refuse_once)
    assert relay().retried == 1
    OutboxEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())
    assert relay().sent == 1
    assert calls == [email.message_id, email.message_id]
    assert email.message_id.startswith("<") and email.message_id.endswith("@localhost>")
    email.refresh_from_db()
    assert (email.state, email.attempts, email.last_error) == (EmailState.SENT, 2, "")


def test_backoff_doubles_from_a_minute_to_at_most_an_hour():
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 7, 8, 20)] == [
        60,
        120,
        240,
        3600,
        3600,
        3600,
    ]


def test_an_email_refused_every_time_is_given_up_and_shown_as_failed(monkeypatch, settings):
    settings.MASH_OUTBOX_MAX_ATTEMPTS = 3
    email = queue_email(recipient="a@council.example", subject="S", body="B", purpose="test.p")

    def refuse(self, messages):
        raise SMTPRecipientsRefused({"a@council.example": (550, b"no such user")})

    monkeypatch.setattr(EmailBackend, "send_messages", refuse)
    outcomes = []
    for _ in range(3):
        OutboxEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())
        result = relay()
        outcomes.append((result.retried, result.failed))
    assert outcomes == [(1, 0), (1, 0), (0, 1)]
    email.refresh_from_db()
    assert email.state == EmailState.FAILED and email.attempts == 3
    assert "no such user" in email.last_error


def test_a_mail_server_that_is_down_costs_no_attempt(monkeypatch):
    email = queue_email(recipient="a@council.example", subject="S", body="B", purpose="test.p")

    def unreachable(self):
        raise SMTPConnectError(421, b"service not available")

    monkeypatch.setattr(EmailBackend, "open", unreachable, raising=False)
    result = relay()
    assert result.server_unavailable and result.sent == 0
    email.refresh_from_db()
    assert (email.state, email.attempts) == (EmailState.QUEUED, 0)


def test_emails_go_in_order_and_a_relay_stops_at_its_limit():
    queue_emails(_mail(n) for n in range(5))
    result = relay(limit=3)
    assert (result.sent, result.more_due) == (3, True)
    assert [m.subject for m in mail.outbox] == ["Subject 0", "Subject 1", "Subject 2"]
    assert relay().sent == 2


def test_a_decision_saved_while_the_broker_is_down_answers_success_and_its_feedback_waits(
    hub_worker, manager, client_for, broker_down, caplog, django_capture_on_commit_callbacks
):
    contact = contact_services.contact_create(data=contact_input())
    contact_services.contact_recommend(
        contact=contact, user=hub_worker, outcome="NFA", rationale="No further action"
    )
    contact.refresh_from_db()
    client = client_for(manager)
    client.raise_request_exception = False
    with (
        caplog.at_level("WARNING", logger="mash.tasks"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(
            reverse("contacts:decide", kwargs={"pk": contact.pk}),
            {"outcome": "NFA", "version": contact.version},
        )
    assert response.status_code == 302, response.content[:500]
    contact.refresh_from_db()
    assert contact.outcome == "NFA"
    assert "Could not enqueue mash.outbox.tasks.relay_outbox" in caplog.text
    [waiting] = OutboxEmail.objects.filter(purpose="contact.feedback", related_id=str(contact.pk))
    assert waiting.state == EmailState.QUEUED
    assert relay().sent == 1  # beat's relay, once the broker is back
    contact.refresh_from_db()
    assert contact.feedback_sent_at is not None


def test_a_workbook_asked_for_while_the_broker_is_down_is_started_by_beat_later(
    manager, broker_down, monkeypatch
):
    from reporting import tasks

    october = Period(date(2026, 10, 1), date(2026, 11, 1))
    with transaction.atomic():
        job = export_requested(
            user=manager, kind=ExportKind.WORKBOOK, file_format="xlsx", period=october
        )
    assert ExportJob.objects.get(pk=job.pk).state == ExportState.PENDING
    asked = []
    monkeypatch.setattr(
        tasks.build_export, "apply_async", lambda args=(), **kw: asked.append(args[0])
    )
    assert exports_start_waiting() == 0  # asked for a moment ago: its task may still come
    later = timezone.now() + timedelta(seconds=61)
    assert exports_start_waiting(now=later) == 1
    assert asked == [str(job.pk)]


def test_a_second_build_of_a_job_being_built_does_nothing(manager):
    from reporting.services_exports import _claim

    october = Period(date(2026, 10, 1), date(2026, 11, 1))
    job = export_requested(
        user=manager, kind=ExportKind.WORKBOOK, file_format="xlsx", period=october
    )
    assert _claim(str(job.pk)) is not None
    assert _claim(str(job.pk)) is None  # running, its worker alive: not built twice
    ExportJob.objects.filter(pk=job.pk).update(started_at=timezone.now() - timedelta(minutes=12))
    assert _claim(str(job.pk)) is not None  # its worker died past the time limit: built again


def test_the_migration_queues_the_emails_of_notifications_never_emailed(hub_worker):
    from django.apps import apps

    from deadlines.models import Notification

    wanted = Notification.objects.create(
        user=hub_worker,
        kind="reminder",
        title="C-1 is due",
        body="Contact C-1 is due.",
        link="/contacts/1/",
        created_at=timezone.now(),
        email_wanted=True,
    )
    Notification.objects.create(
        user=hub_worker, kind="reminder", title="Not wanted", created_at=timezone.now()
    )
    migration = importlib.import_module(
        "mash.outbox.migrations.0003_queue_pending_notification_emails"
    )
    migration.queue_pending(apps, None)
    [email] = OutboxEmail.objects.all()
    assert (email.purpose, email.related_id, email.recipient) == (
        "deadline.notification",
        str(wanted.pk),
        hub_worker.email,
    )
    assert email.body.endswith("http://localhost:8000/contacts/1/")
    relay()
    wanted.refresh_from_db()
    assert wanted.emailed_at == OutboxEmail.objects.get().sent_at


def test_a_finished_workbook_emails_its_requester_once_with_a_link_and_no_figures(manager):
    from reporting.tasks import build_export

    october = Period(date(2026, 10, 1), date(2026, 11, 1))
    job = export_requested(
        user=manager, kind=ExportKind.WORKBOOK, file_format="xlsx", period=october
    )
    assert build_export(str(job.pk)) == ExportState.DONE
    assert build_export(str(job.pk)) == "skipped"  # redelivered: no second email
    [ready] = OutboxEmail.objects.filter(purpose="reporting.export_ready")
    assert ready.recipient == manager.email
    assert "KPI workbook is ready" in ready.subject
    assert f"/reporting/exports/{job.pk}/" in ready.body and "October 2026" in ready.body
    assert relay().sent == 1
