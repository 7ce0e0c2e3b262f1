"""Stored warning points (issue 5: the scan "finds items past their warning point or deadline by an
indexed query on the stored due time"): each open item's warning point is computed once per
deadline and stored; the scan reminds the items whose stored point has come; a changed warning
percent or closure day makes the next scan use the new point; the rows go with the reminder or
once the deadline passes. Also the race between the scan and a decision, and the data migration
that resolves breaches of items already closed.

Calendar (England, 2026): Monday 9 March is an ordinary working day; Good Friday 3 April and
Easter Monday 6 April are bank holidays; Thursday 4 and Friday 5 June are ordinary working days.
A contact is due one working day (eight working hours, 09:00-17:00) after it arrives, and is
warned when 75% of that time is used unless an administrator sets another share.
"""

import importlib
import threading
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from agencies.roles import Role
from contacts import services as contact_services
from contacts.models import Contact
from deadlines import timescales
from deadlines.kinds import SPECS, DueItem
from deadlines.models import (
    Breach,
    DeadlineEvent,
    ItemKind,
    Notification,
    NotificationKind,
    Stage,
    WarningPoint,
)
from deadlines.services import ScanResult, _process, run_deadline_scan
from deadlines.timescale_services import closure_day_add, timescale_set
from enquiries import services as enquiry_services
from enquiries.models import InformationRequest, RequestState
from mash.clocks import Clock
from tests.factories import UserFactory, contact_input
from tests.test_enquiries_api import ask, open_enquiry

LONDON = ZoneInfo("Europe/London")
CONTACTS, ENQUIRIES, REQUESTS = SPECS[:3]


def at(*args) -> datetime:
    return datetime(*args, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def fresh_timescales():
    timescales.clear_cache()
    yield
    timescales.clear_cache()


def scan_at(when: datetime) -> ScanResult:
    with time_machine.travel(when, tick=False):
        return run_deadline_scan()


def contact_at(when: datetime, *, recommended_by=None) -> Contact:
    with time_machine.travel(when, tick=False):
        contact = contact_services.contact_create(data=contact_input())
        if recommended_by is not None:
            contact_services.contact_recommend(
                contact=contact, user=recommended_by, outcome="NFA", rationale="No need"
            )
    return contact


def set_contact_decision(administrator, when: datetime, *, amount: int, percent: int) -> None:
    with time_machine.travel(when, tick=False):
        timescale_set(
            actor=administrator,
            kind=ItemKind.CONTACT_DECISION,
            rag="",
            amount=amount,
            clock=Clock.WORKING_DAYS,
            warning_percent=percent,
        )


def reminders(user) -> list[Notification]:
    return list(Notification.objects.filter(user=user, kind=NotificationKind.REMINDER))


def points_of(contact: Contact) -> list[tuple[datetime, datetime]]:
    return list(WarningPoint.objects.filter(contact=contact).values_list("deadline", "warning_at"))


# --- computed once, read by an indexed query --------------------------------------------------


@pytest.mark.django_db
def test_a_warning_point_is_computed_once_and_then_only_read(hub_worker, manager):
    contact = contact_at(at(2026, 3, 9, 10, 0))
    assert contact.decision_due_at == at(2026, 3, 10, 10, 0)

    first = scan_at(at(2026, 3, 9, 11, 0))
    # 75% of eight working hours: Monday 10:00-16:00.
    assert points_of(contact) == [(at(2026, 3, 10, 10, 0), at(2026, 3, 9, 16, 0))]
    assert first.warning_points == 1
    [row_id] = WarningPoint.objects.values_list("pk", flat=True)

    with CaptureQueriesContext(connection) as queries:
        second = scan_at(at(2026, 3, 9, 11, 1))
    assert second.warning_points == 0
    assert not [
        q
        for q in queries.captured_queries
        if "INSERT INTO" in q["sql"] and "warningpoint" in q["sql"]
    ]
    assert list(WarningPoint.objects.values_list("pk", flat=True)) == [row_id]
    assert reminders(hub_worker) == [] and reminders(manager) == []

    scan_at(at(2026, 3, 9, 15, 59))
    assert reminders(manager) == []  # unassigned: the hub managers hear
    scan_at(at(2026, 3, 9, 16, 0))
    [reminder] = reminders(manager)
    assert reminder.event.deadline == contact.decision_due_at
    # The row goes with the claim of its reminder.
    assert points_of(contact) == []
    # ... and is not computed again for a deadline already reminded.
    assert scan_at(at(2026, 3, 9, 16, 1)).warning_points == 0
    assert points_of(contact) == []


@pytest.mark.django_db
def test_a_1_percent_warning_of_a_30_working_day_timescale_comes_on_time(administrator, manager):
    set_contact_decision(administrator, at(2026, 3, 9, 9, 0), amount=30, percent=1)
    contact = contact_at(at(2026, 3, 9, 10, 0))
    # Six weeks of working days, plus Good Friday and Easter Monday.
    assert contact.decision_due_at == at(2026, 4, 22, 10, 0)

    # 1% of 240 working hours is 2 h 24 min: Monday 12:24, six weeks before the deadline
    # (the old scan looked only 12 days ahead and would have sent it in April).
    scan_at(at(2026, 3, 9, 12, 23))
    assert reminders(manager) == []
    scan_at(at(2026, 3, 9, 12, 24))
    [reminder] = reminders(manager)
    assert reminder.title == f"{contact.reference} is due at Wed 22 Apr 2026 10:00"
    scan_at(at(2026, 3, 9, 12, 25))
    assert len(reminders(manager)) == 1


# --- a change of setting or closure day -------------------------------------------------------


@pytest.mark.django_db
def test_a_changed_warning_percent_makes_the_next_scan_use_the_new_point(administrator, manager):
    contact = contact_at(at(2026, 3, 9, 10, 0))
    scan_at(at(2026, 3, 9, 11, 0))
    assert points_of(contact) == [(at(2026, 3, 10, 10, 0), at(2026, 3, 9, 16, 0))]

    set_contact_decision(administrator, at(2026, 3, 9, 11, 30), amount=1, percent=25)
    assert points_of(contact) == []  # dropped with the change; the deadline did not move

    # 25% of eight working hours: Monday 10:00-12:00.
    scan_at(at(2026, 3, 9, 11, 59))
    assert points_of(contact) == [(at(2026, 3, 10, 10, 0), at(2026, 3, 9, 12, 0))]
    assert reminders(manager) == []
    scan_at(at(2026, 3, 9, 12, 0))
    assert len(reminders(manager)) == 1


@pytest.mark.django_db
def test_a_point_stored_by_a_scan_that_raced_the_change_is_not_read(administrator, manager):
    """A scan that read the old 75% setting and stored its point just after the change committed
    (and so after the change deleted the points): its row names the old basis and is ignored."""
    contact = contact_at(at(2026, 3, 9, 10, 0))
    scan_at(at(2026, 3, 9, 11, 0))
    [stale] = WarningPoint.objects.all()
    set_contact_decision(administrator, at(2026, 3, 9, 11, 30), amount=1, percent=90)
    stale.pk = None
    stale.save()  # written back, as the racing scan would have

    # 90% of eight working hours: Monday 10:00-17:00 and Tuesday 09:00-09:12.
    scan_at(at(2026, 3, 9, 16, 30))
    assert reminders(manager) == []
    assert sorted(points_of(contact)) == [
        (at(2026, 3, 10, 10, 0), at(2026, 3, 9, 16, 0)),
        (at(2026, 3, 10, 10, 0), at(2026, 3, 10, 9, 12)),
    ]
    scan_at(at(2026, 3, 10, 9, 11))
    assert reminders(manager) == []
    scan_at(at(2026, 3, 10, 9, 12))
    assert len(reminders(manager)) == 1
    assert points_of(contact) == []  # both rows of the item go with the reminder


@pytest.mark.django_db
def test_a_closure_day_makes_the_next_scan_use_the_new_point(administrator, manager):
    set_contact_decision(administrator, at(2026, 6, 1, 9, 0), amount=2, percent=75)
    contact = contact_at(at(2026, 6, 4, 10, 0))  # Thursday
    assert contact.decision_due_at == at(2026, 6, 8, 10, 0)
    red = open_enquiry_at(at(2026, 6, 4, 10, 0), manager)
    scan_at(at(2026, 6, 4, 11, 0))
    # 75% of 16 working hours: Thursday 10:00-17:00 and Friday 09:00-14:00.
    assert points_of(contact) == [(at(2026, 6, 8, 10, 0), at(2026, 6, 5, 14, 0))]

    with time_machine.travel(at(2026, 6, 4, 12, 0), tick=False):
        closure_day_add(actor=administrator, day=at(2026, 6, 5).date(), reason="Office move")
    assert not WarningPoint.objects.exists()  # all dropped, of every kind
    contact.refresh_from_db()
    assert contact.decision_due_at == at(2026, 6, 9, 10, 0)  # Friday no longer counts

    scan_at(at(2026, 6, 4, 12, 1))
    # Thursday 10:00-17:00 and Monday 09:00-14:00.
    assert points_of(contact) == [(at(2026, 6, 9, 10, 0), at(2026, 6, 8, 14, 0))]
    # The Red enquiry runs on elapsed hours: its point is computed again, to the same instant.
    assert list(WarningPoint.objects.filter(enquiry=red).values_list("warning_at", flat=True)) == [
        at(2026, 6, 4, 13, 0)
    ]
    scan_at(at(2026, 6, 5, 14, 30))
    assert not DeadlineEvent.objects.filter(contact=contact).exists()
    scan_at(at(2026, 6, 8, 13, 59))
    assert not DeadlineEvent.objects.filter(contact=contact).exists()
    scan_at(at(2026, 6, 8, 14, 0))
    [event] = DeadlineEvent.objects.filter(contact=contact)
    assert (event.stage, event.deadline) == (Stage.WARNING, at(2026, 6, 9, 10, 0))


def open_enquiry_at(when: datetime, manager):
    worker = UserFactory(role=Role.HUB_WORKER)
    with time_machine.travel(when, tick=False):
        return open_enquiry(worker, manager, "RED")


# --- rows removed ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_contact_decided_before_its_warning_point_gets_no_reminder_and_its_row_goes_later(
    hub_worker, manager
):
    contact = contact_at(at(2026, 3, 9, 10, 0), recommended_by=hub_worker)
    scan_at(at(2026, 3, 9, 11, 0))
    assert len(points_of(contact)) == 1
    with time_machine.travel(at(2026, 3, 9, 12, 0), tick=False):
        contact_services.contact_decide(contact=contact, manager=manager, outcome="NFA")

    scan_at(at(2026, 3, 9, 16, 30))
    assert not DeadlineEvent.objects.exists()
    assert len(points_of(contact)) == 1  # kept until its deadline passes
    scan_at(at(2026, 3, 10, 10, 0))
    assert points_of(contact) == []
    assert not Notification.objects.filter(event__isnull=False).exists()


@pytest.mark.django_db
def test_an_item_past_its_deadline_is_escalated_and_keeps_no_point(hub_worker, manager):
    contact = contact_at(at(2026, 3, 9, 10, 0))
    scan_at(at(2026, 3, 9, 11, 0))
    # The scans of the day are missed; the next runs after the deadline.
    result = scan_at(at(2026, 3, 10, 10, 5))
    assert (result.reminders, result.escalations) == (0, 1)
    assert points_of(contact) == []


# --- the race between a scan and a decision ----------------------------------------------------


def _due(spec, item) -> DueItem:
    """What the scan's selection read for `item` (before anything below changes it)."""
    return DueItem(
        spec=spec,
        item=item,
        deadline=getattr(item, spec.due_field),
        start=getattr(item, spec.start_field),
    )


@pytest.mark.django_db
def test_a_contact_decided_after_the_scan_read_it_gets_no_breach(hub_worker, manager):
    contact = contact_at(at(2026, 3, 9, 10, 0), recommended_by=hub_worker)
    read = _due(CONTACTS, CONTACTS.open_items().get(pk=contact.pk))  # selected: overdue, open
    with time_machine.travel(at(2026, 3, 10, 10, 1), tick=False):
        contact_services.contact_decide(contact=contact, manager=manager, outcome="NFA")
        result = ScanResult()
        _process([read], stage=Stage.DEADLINE, managers=[manager], result=result)
    assert (result.escalations, result.breaches) == (0, 0)
    assert not DeadlineEvent.objects.exists()
    assert not Breach.objects.exists()
    assert not Notification.objects.filter(event__isnull=False).exists()


@pytest.mark.django_db
def test_an_enquiry_whose_deadline_moved_after_the_scan_read_it_is_claimed_under_the_new_one(
    hub_worker, manager
):
    with time_machine.travel(at(2026, 3, 9, 10, 0), tick=False):
        enquiry = open_enquiry(hub_worker, manager, "AMBER")
    read = _due(ENQUIRIES, ENQUIRIES.open_items().get(pk=enquiry.pk))
    assert read.deadline == at(2026, 3, 10, 10, 0)
    with time_machine.travel(at(2026, 3, 9, 15, 0), tick=False):
        enquiry_services.enquiry_change_rag(
            enquiry=enquiry, to_rag="RED", reason="Disclosure", changed_by=hub_worker
        )
        _process([read], stage=Stage.WARNING, managers=[manager], result=ScanResult())
    assert not DeadlineEvent.objects.exists()
    # Red: four elapsed hours from 10:00 (14:00), but not before the change: 19:00.
    enquiry.refresh_from_db()
    assert enquiry.deadline == at(2026, 3, 9, 19, 0)
    scan_at(at(2026, 3, 9, 19, 1))
    [event] = DeadlineEvent.objects.all()
    assert (event.stage, event.deadline) == (Stage.DEADLINE, at(2026, 3, 9, 19, 0))


@pytest.mark.django_db(transaction=True)
def test_a_decision_committing_while_the_scan_waits_for_its_lock_leaves_no_breach(
    hub_worker, manager
):
    """The decision holds the contact's row when the scan comes to claim it: the scan waits, then
    sees the row decided and leaves it out."""
    contact = contact_at(at(2026, 3, 9, 10, 0), recommended_by=hub_worker)
    read = _due(CONTACTS, CONTACTS.open_items().get(pk=contact.pk))
    locked = threading.Event()
    errors: list[BaseException] = []

    def decide() -> None:
        try:
            with transaction.atomic():
                Contact.objects.select_for_update().get(pk=contact.pk)
                locked.set()
                _wait_until_a_session_waits_for_a_lock()
                contact_services.contact_decide(contact=contact, manager=manager, outcome="NFA")
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
            locked.set()
        finally:
            connection.close()

    decider = threading.Thread(target=decide)
    decider.start()
    assert locked.wait(10)
    result = ScanResult()
    _process([read], stage=Stage.DEADLINE, managers=[manager], result=result)
    decider.join(10)
    assert errors == []
    assert result.breaches == 0
    assert not Breach.objects.exists()
    assert not DeadlineEvent.objects.exists()
    assert Contact.objects.get(pk=contact.pk).outcome == "NFA"


def _wait_until_a_session_waits_for_a_lock(seconds: float = 10.0) -> None:
    with connection.cursor() as cursor:
        for _ in range(int(seconds * 20)):
            cursor.execute("SELECT pg_stat_clear_snapshot()")  # fresh within a transaction
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.05)
    raise AssertionError("The scan never waited for the contact's lock.")


@pytest.mark.django_db(transaction=True)
def test_a_decision_after_the_scan_locked_the_row_resolves_the_breach_it_wrote(hub_worker, manager):
    """The scan holds the row first: the decision waits for it, then resolves the new breach."""
    contact = contact_at(at(2026, 3, 9, 10, 0), recommended_by=hub_worker)
    read = _due(CONTACTS, CONTACTS.open_items().get(pk=contact.pk))
    errors: list[BaseException] = []

    def decide() -> None:
        try:
            contact_services.contact_decide(contact=contact, manager=manager, outcome="NFA")
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    decider = threading.Thread(target=decide)
    with transaction.atomic():  # the scan's batch, still open when the decision comes
        result = ScanResult()
        _process([read], stage=Stage.DEADLINE, managers=[manager], result=result)
        decider.start()
        _wait_until_a_session_waits_for_a_lock()
    decider.join(10)
    assert errors == []
    assert result.breaches == 1
    [breach] = Breach.objects.all()
    assert breach.resolved_at == Contact.objects.get(pk=contact.pk).decided_at
    assert breach.resolved_at >= breach.detected_at


# --- the data migration ------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_migration_resolves_breaches_of_items_closed_before_breaches_were_resolved(
    hub_worker, manager, agency_a
):
    decided = contact_at(at(2026, 3, 9, 10, 0))
    still_open = contact_at(at(2026, 3, 9, 10, 0))
    with time_machine.travel(at(2026, 3, 10, 21, 0), tick=False):
        enquiry = open_enquiry(hub_worker, manager, "RED")
        returned = ask(enquiry, agency_a, hub_worker)
    scan_at(at(2026, 3, 11, 9, 0))
    assert (
        Breach.objects.filter(resolved_at__isnull=True).count() == 4
    )  # 2 contacts, enquiry, return
    # Closed the way an old deployment did: no resolve_breaches.
    Contact.objects.filter(pk=decided.pk).update(outcome="NFA", decided_at=at(2026, 3, 11, 10))
    InformationRequest.objects.filter(pk=returned.pk).update(
        state=RequestState.WITHDRAWN, withdrawn_at=at(2026, 3, 11, 11)
    )

    migration = importlib.import_module(
        "deadlines.migrations.0005_resolve_breaches_of_closed_items"
    )
    migration.resolve(apps, None)

    assert Breach.objects.get(contact=decided).resolved_at == at(2026, 3, 11, 10)
    assert Breach.objects.get(contact=still_open).resolved_at is None
    assert Breach.objects.get(information_request=returned).resolved_at == at(2026, 3, 11, 11)
    assert Breach.objects.get(enquiry=enquiry).resolved_at is None  # still open


@pytest.mark.django_db
def test_the_migration_falls_back_to_detection_time(hub_worker, manager, agency_a):
    with time_machine.travel(at(2026, 3, 10, 21, 0), tick=False):
        enquiry = open_enquiry(hub_worker, manager, "RED")
        request = ask(enquiry, agency_a, hub_worker)
    scan_at(at(2026, 3, 11, 9, 0))
    InformationRequest.objects.filter(pk=request.pk).update(state=RequestState.RETURNED)
    migration = importlib.import_module(
        "deadlines.migrations.0005_resolve_breaches_of_closed_items"
    )
    migration.resolve(apps, None)
    assert Breach.objects.get(information_request=request).resolved_at == at(2026, 3, 11, 9, 0)
