"""The deadline scan: one reminder at the warning point, one escalation and one breach at the
deadline, per item and deadline, however often and however concurrently the scan runs; working-day
and elapsed clocks; RAG changes; catch-up; notifications, their page and their emails."""

import logging
import threading
from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection

from contacts import services as contact_services
from deadlines.models import (
    Breach,
    DeadlineEvent,
    ItemKind,
    Notification,
    NotificationKind,
    NotificationPreference,
    ScanRun,
    Stage,
    WarningPoint,
)
from deadlines.services import run_deadline_scan
from deadlines.tasks import deadline_scan
from enquiries import services as enquiry_services
from enquiries.models import Enquiry
from mash.audit.models import AuditEvent
from mash.celery import app as celery_app
from mash.outbox.services import relay
from tests.factories import UserFactory, contact_input
from tests.test_enquiries_api import ask, open_enquiry
from tests.test_tasks import _wait_for

LONDON = ZoneInfo("Europe/London")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def scan_at(when: datetime):
    """One scan at `when`, then the outbox relay that sends what it queued (as beat would)."""
    with time_machine.travel(when, tick=False):
        result = run_deadline_scan()
        relay()
        return result


def enquiry_at(when: datetime, hub_worker, manager, rag: str) -> Enquiry:
    """An enquiry opened at `when`; the referrer's feedback email is sent and set aside, so the
    outbox holds only what the scan sends."""
    with time_machine.travel(when, tick=False):
        enquiry = open_enquiry(hub_worker, manager, rag)
        relay()
    mail.outbox.clear()
    return enquiry


def notes(user, kind: str) -> list[Notification]:
    return list(Notification.objects.filter(user=user, kind=kind))


# --- exactly once ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_red_enquiry_at_night_gets_one_reminder_then_one_escalation_and_breach(
    hub_worker, manager
):
    enquiry = enquiry_at(at(2026, 3, 10, 22, 0), hub_worker, manager, "RED")
    assert enquiry.deadline == at(2026, 3, 11, 2, 0)  # 4 elapsed hours, through the night

    assert str(scan_at(at(2026, 3, 11, 0, 30))).startswith("0 reminders, 0 escalations")
    for _ in range(2):
        scan_at(at(2026, 3, 11, 1, 5))  # past 75% (01:00)
    [reminder] = notes(hub_worker, NotificationKind.REMINDER)
    assert reminder.link == f"/enquiries/{enquiry.pk}/"
    assert notes(manager, NotificationKind.ESCALATION) == []

    for minute in (1, 2, 30):
        scan_at(at(2026, 3, 11, 2, minute))
    [escalation] = notes(manager, NotificationKind.ESCALATION)
    assert escalation.event.deadline == enquiry.deadline
    [breach] = Breach.objects.all()
    assert (breach.kind, breach.enquiry, breach.deadline) == (
        ItemKind.ENQUIRY,
        enquiry,
        enquiry.deadline,
    )
    assert breach.detected_at == at(2026, 3, 11, 2, 1)
    assert notes(hub_worker, NotificationKind.REMINDER) == [reminder]
    assert AuditEvent.objects.filter(name="deadline.reminder").count() == 1
    assert AuditEvent.objects.filter(name="deadline.breached").count() == 1
    assert DeadlineEvent.objects.filter(processed_at__isnull=True).count() == 0


@pytest.mark.django_db
def test_an_amber_enquiry_opened_friday_afternoon_is_reminded_and_escalated_on_monday(
    hub_worker, manager
):
    enquiry = enquiry_at(at(2026, 3, 6, 16, 0), hub_worker, manager, "AMBER")
    assert enquiry.deadline == at(2026, 3, 9, 16, 0)

    for when in (at(2026, 3, 7, 12), at(2026, 3, 8, 22, 30), at(2026, 3, 9, 9, 0)):
        scan_at(when)
    assert not DeadlineEvent.objects.exists()  # nothing over the weekend

    # 75% of its eight working hours: Friday 16:00-17:00 and Monday until 14:00.
    scan_at(at(2026, 3, 9, 13, 59))
    assert not Notification.objects.filter(event__isnull=False).exists()
    scan_at(at(2026, 3, 9, 14, 0))
    assert len(notes(hub_worker, NotificationKind.REMINDER)) == 1
    scan_at(at(2026, 3, 9, 16, 0))
    assert len(notes(manager, NotificationKind.ESCALATION)) == 1
    assert Breach.objects.get().deadline == at(2026, 3, 9, 16, 0)


@pytest.mark.django_db
def test_a_rag_change_from_amber_to_red_gets_the_red_deadlines_events_only(hub_worker, manager):
    enquiry = enquiry_at(at(2026, 3, 9, 10, 0), hub_worker, manager, "AMBER")
    amber_deadline = enquiry.deadline
    with time_machine.travel(at(2026, 3, 9, 15, 0), tick=False):
        enquiry_services.enquiry_change_rag(
            enquiry=enquiry, to_rag="RED", reason="Disclosure", changed_by=hub_worker
        )
    enquiry.refresh_from_db()
    assert enquiry.deadline == at(2026, 3, 9, 19, 0)

    scan_at(at(2026, 3, 9, 17, 0))  # Red: 75% of 10:00-19:00 is 16:45
    scan_at(at(2026, 3, 9, 19, 1))
    scan_at(at(2026, 3, 10, 10, 5))  # past the old Amber deadline: nothing more

    events = DeadlineEvent.objects.filter(enquiry=enquiry)
    assert sorted(events.values_list("stage", flat=True)) == [Stage.DEADLINE, Stage.WARNING]
    assert set(events.values_list("deadline", flat=True)) == {enquiry.deadline}
    assert not DeadlineEvent.objects.filter(deadline=amber_deadline).exists()
    assert Breach.objects.get().deadline == enquiry.deadline


@pytest.mark.django_db
def test_a_contact_decided_before_its_deadline_gets_no_events(hub_worker, manager):
    with time_machine.travel(at(2026, 3, 9, 10, 0), tick=False):
        contact = contact_services.contact_create(data=contact_input())
        contact_services.contact_recommend(
            contact=contact, user=hub_worker, outcome="NFA", rationale="No recognised need"
        )
        contact_services.contact_decide(contact=contact, manager=manager, outcome="NFA")
    scan_at(at(2026, 3, 10, 10, 30))
    assert not DeadlineEvent.objects.exists()
    assert not Breach.objects.exists()


@pytest.mark.django_db
def test_after_downtime_the_scan_catches_up_in_due_time_order_and_sends_nothing_twice(
    hub_worker, manager
):
    received = [at(2026, 3, 9, 11, 0), at(2026, 3, 9, 9, 30), at(2026, 3, 9, 10, 15)]
    for when in received:
        with time_machine.travel(when, tick=False):
            contact_services.contact_create(data=contact_input())
    red = enquiry_at(at(2026, 3, 9, 7, 0), hub_worker, manager, "RED")  # due 11:00 Monday

    first = scan_at(at(2026, 3, 12, 9, 0))  # everything missed for days
    assert (first.escalations, first.breaches) == (4, 4)
    deadlines = list(Breach.objects.order_by("pk").values_list("deadline", flat=True))
    assert deadlines == sorted(deadlines)
    assert Breach.objects.filter(enquiry=red).exists()

    again = scan_at(at(2026, 3, 12, 9, 1))
    assert (again.reminders, again.escalations, again.breaches) == (0, 0, 0)
    assert Notification.objects.filter(user=manager, event__isnull=False).count() == 4


@pytest.mark.django_db
def test_an_unassigned_request_reminds_the_agency_team_and_escalates_to_its_supervisors(
    hub_worker, manager, agency_a, researcher_a, supervisor_a, researcher_b
):
    enquiry = enquiry_at(at(2026, 3, 10, 21, 0), hub_worker, manager, "RED")
    with time_machine.travel(at(2026, 3, 10, 21, 0), tick=False):
        request = ask(enquiry, agency_a, hub_worker)
    assert request.due_at == at(2026, 3, 10, 23, 0)
    scan_at(at(2026, 3, 10, 22, 31))
    assert {n.user for n in Notification.objects.filter(event__information_request=request)} == {
        researcher_a,
        supervisor_a,
    }
    scan_at(at(2026, 3, 10, 23, 1))
    [escalation] = Notification.objects.filter(
        event__information_request=request, kind=NotificationKind.ESCALATION
    )
    assert escalation.user == supervisor_a
    assert Breach.objects.get(information_request=request).agency == agency_a
    assert not Notification.objects.filter(user=researcher_b).exists()


# --- concurrency -------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_scans_claim_each_event_exactly_once(hub_worker, manager):
    for hour in range(8, 13):
        with time_machine.travel(at(2026, 3, 9, hour, 0), tick=False):
            for _ in range(6):
                contact_services.contact_create(data=contact_input())
    barrier = threading.Barrier(2)
    results, errors = [], []

    def scan() -> None:
        try:
            barrier.wait()
            results.append(run_deadline_scan(now=at(2026, 3, 11, 9, 0)))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=scan) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(result.escalations for result in results) == 30
    assert Breach.objects.count() == 30
    assert Notification.objects.filter(user=manager).count() == 30
    assert DeadlineEvent.objects.count() == 30


@pytest.mark.django_db
def test_the_claim_is_the_unique_row(hub_worker, manager):
    enquiry = enquiry_at(at(2026, 3, 10, 22, 0), hub_worker, manager, "RED")
    from uuid import uuid4

    rows = [
        DeadlineEvent(
            kind=ItemKind.ENQUIRY,
            enquiry=enquiry,
            stage=Stage.DEADLINE,
            deadline=enquiry.deadline,
            claim_token=token,
            claimed_at=enquiry.deadline,
        )
        for token in (uuid4(), uuid4())
    ]
    DeadlineEvent.objects.bulk_create(rows[:1], ignore_conflicts=True)
    DeadlineEvent.objects.bulk_create(rows[1:], ignore_conflicts=True)
    assert list(DeadlineEvent.objects.values_list("claim_token", flat=True)) == [
        rows[0].claim_token
    ]


@pytest.fixture
def two_workers(transactional_db):
    """Two real Celery worker processes on the test Redis, using the test database."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from django.conf import settings
    from django.db import connection

    celery_app.control.purge()
    db = connection.settings_dict
    url = (
        f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "mash.settings.test",
        "DATABASE_URL": url,
        "REDIS_URL": settings.CELERY_BROKER_URL,
    }
    root = Path(__file__).resolve().parent.parent
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "mash",
                "worker",
                "--pool=solo",
                f"--hostname=w{number}@test",
                "--loglevel=WARNING",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=root,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for number in (1, 2)
    ]
    try:
        yield
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()


@pytest.mark.celery_worker
def test_real_workers_on_redis_act_once_per_item_and_deadline(two_workers, hub_worker, manager):
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False):
        contact = contact_services.contact_create(data=contact_input())
    for _ in range(4):
        deadline_scan.delay()
    _wait_for(lambda: ScanRun.objects.filter(finished_at__isnull=False).count() >= 4, 60)
    assert Breach.objects.filter(contact=contact).count() == 1
    assert Notification.objects.filter(user=manager, kind=NotificationKind.ESCALATION).count() == 1
    assert DeadlineEvent.objects.filter(contact=contact).count() == 1


# --- recipients and email ----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_deactivated_assignee_is_skipped_and_logged(hub_worker, manager, caplog):
    enquiry_at(at(2026, 3, 10, 22, 0), hub_worker, manager, "RED")
    hub_worker.is_active = False
    hub_worker.save()
    with caplog.at_level(logging.WARNING, logger="deadlines.services"):
        result = scan_at(at(2026, 3, 11, 1, 5))
    assert (result.reminders, result.skipped) == (1, 1)
    assert not Notification.objects.filter(user=hub_worker).exists()
    assert "deactivated" in caplog.text
    assert scan_at(at(2026, 3, 11, 1, 6)).skipped == 0  # claimed: not retried every minute


@pytest.mark.django_db
def test_reminder_emails_can_be_turned_off_but_escalations_are_always_emailed(hub_worker, manager):
    NotificationPreference.objects.create(user=hub_worker, email_reminder=False, email_breach=False)
    NotificationPreference.objects.create(user=manager, email_reminder=False)
    enquiry_at(at(2026, 3, 10, 22, 0), hub_worker, manager, "RED")
    scan_at(at(2026, 3, 11, 1, 5))
    assert mail.outbox == []
    assert notes(hub_worker, NotificationKind.REMINDER)  # still shown in the product
    scan_at(at(2026, 3, 11, 2, 5))
    [email] = mail.outbox
    assert email.to == [manager.email]
    assert "missed its deadline" in email.subject
    scan_at(at(2026, 3, 11, 2, 6))
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_reminders_are_emailed_by_default(hub_worker, manager):
    enquiry_at(at(2026, 3, 10, 22, 0), hub_worker, manager, "RED")
    scan_at(at(2026, 3, 11, 1, 5))
    [email] = mail.outbox
    assert email.to == [hub_worker.email]
    assert Notification.objects.get(kind=NotificationKind.REMINDER).emailed_at is not None


@pytest.mark.django_db
def test_an_emailed_link_is_a_full_address(hub_worker, manager, settings):
    settings.SITE_URL = "https://mash.example.org"
    enquiry = enquiry_at(at(2026, 3, 10, 22, 0), hub_worker, manager, "RED")
    scan_at(at(2026, 3, 11, 1, 5))
    [email] = mail.outbox
    assert f"https://mash.example.org/enquiries/{enquiry.pk}/" in email.body


# --- operators ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_reports_the_last_scan_and_the_breaches_of_the_last_hour(
    client_for, administrator, hub_worker, manager
):
    client = client_for(administrator)
    assert client.get("/healthz").json()["checks"]["deadline_scan"] == {
        "ok": False,
        "last_scan": None,
        "late": True,
        "breaches_last_hour": 0,
    }
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False):
        contact_services.contact_create(data=contact_input())
    run_deadline_scan()
    response = client.get("/healthz")
    body = response.json()["checks"]["deadline_scan"]
    assert body["last_scan"] == ScanRun.objects.get().finished_at.isoformat()
    assert body["late"] is False and body["ok"] is True
    assert body["breaches_last_hour"] == 1
    assert "deadline_scan" not in response.json()["failing"]


@pytest.mark.django_db
def test_healthz_fails_the_scan_check_after_the_lateness_set(client, settings):
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False):
        run_deadline_scan()
    with time_machine.travel(at(2026, 3, 9, 9, 5), tick=False):
        assert "deadline_scan" not in client.get("/healthz").json()["failing"]
    with time_machine.travel(at(2026, 3, 9, 9, 5, 1), tick=False):
        response = client.get("/healthz")
        assert response.status_code == 503
        assert "deadline_scan" in response.json()["failing"]
    settings.MASH_HEALTH_SCAN_LATE_SECONDS = 30
    with time_machine.travel(at(2026, 3, 9, 9, 0, 31), tick=False):
        assert "deadline_scan" in client.get("/healthz").json()["failing"]


@pytest.mark.django_db
def test_the_command_runs_one_scan_and_says_what_it_did(hub_worker, manager):
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False):
        contact_services.contact_create(data=contact_input())
    out = StringIO()
    call_command("run_deadline_scan", stdout=out)
    assert "0 reminders, 1 escalations, 1 breaches" in out.getvalue()


@pytest.mark.django_db
def test_the_benchmark_prints_its_figures_and_leaves_nothing_behind():
    out = StringIO()
    call_command("benchmark_deadline_scan", items=50, due_share=0.2, stdout=out)
    text = out.getvalue()
    first, second = (
        next(line for line in text.splitlines() if line.startswith(f"{label} scan: "))
        for label in ("First", "Second")
    )
    # 10 overdue: escalated by the first scan; the other 40 get their warning points computed,
    # once: the second scan, a minute later, computes none (and escalates the one due then).
    assert "10 escalations, 10 breaches" in first
    assert first.endswith(", 40 warning points computed.")
    assert "1 escalations, 1 breaches" in second
    assert second.endswith(", 0 warning points computed.")
    assert "First scan over 50 open items:" in text
    assert "Second scan peak memory (tracemalloc):" in text
    assert not Breach.objects.exists()
    assert not WarningPoint.objects.exists()


@pytest.mark.django_db
def test_the_beat_schedule_runs_the_scan_every_minute():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(name="Deadline scan")
    assert task.task == deadline_scan.name
    assert (task.interval.every, task.interval.period) == (1, "minutes")


# --- pages -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_notifications_page_lists_them_and_opening_one_marks_it_read(
    client_for, hub_worker, manager
):
    enquiry_at(at(2026, 3, 10, 22, 0), hub_worker, manager, "RED")
    scan_at(at(2026, 3, 11, 1, 5))
    client = client_for(hub_worker)
    home = client.get("/").content.decode()
    assert 'data-testid="unread-count">1<' in home
    page = client.get("/notifications/")
    assert page.status_code == 200
    assert "is due at" in page.content.decode()
    reminder = Notification.objects.get(user=hub_worker)
    assert client.get(f"/notifications/{reminder.pk}/").status_code == 302
    assert Notification.objects.get(user=hub_worker).read_at is not None
    assert 'data-testid="unread-count"' not in client.get("/").content.decode()


@pytest.mark.django_db
def test_someone_elses_notification_is_404(client_for, hub_worker, manager):
    enquiry_at(at(2026, 3, 10, 22, 0), hub_worker, manager, "RED")
    scan_at(at(2026, 3, 11, 1, 5))
    mine = Notification.objects.get(user=hub_worker)
    assert client_for(hub_worker).get(f"/notifications/{mine.pk}/").status_code == 302
    assert client_for(manager).get(f"/notifications/{mine.pk}/").status_code == 404
    assert "is due at" not in client_for(manager).get("/notifications/").content.decode()
    mine.refresh_from_db()


@pytest.mark.django_db
def test_a_user_turns_reminder_emails_off(client_for, hub_worker):
    response = client_for(hub_worker).post("/notifications/preferences/", {"email": ["breach"]})
    assert response.status_code == 302
    assert NotificationPreference.objects.get(user=hub_worker).email_reminder is False


def test_anonymous_users_are_sent_to_sign_in(client, db):
    assert client.get("/notifications/").status_code == 302
    other = UserFactory()
    assert other.notifications.count() == 0
