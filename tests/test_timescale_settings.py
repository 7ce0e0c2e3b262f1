"""Timescale settings an administrator changes (issue 5, item 2): each kind's duration, clock and
warning point, and local closure days; a change moves the deadlines of the open items it applies
to, says how many moved, and the deadline scan follows the new deadlines. Only administrators
see the pages; bad input is refused with a message naming the field.

Calendar (2026): Monday 9 March and Monday 8 June are ordinary working days (no bank holiday in
those weeks); Friday 5 June is the day before the weekend before 8 June.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from celery.signals import task_prerun
from django.core.exceptions import ValidationError

from contacts import services as contact_services
from contacts.codes import Rag
from contacts.timescales import contact_decision_timescale
from deadlines import timescales
from deadlines.models import (
    ClosureDay,
    DeadlineEvent,
    ItemKind,
    Notification,
    NotificationKind,
    Stage,
    TimescaleSetting,
)
from deadlines.services import run_deadline_scan
from deadlines.timescale_services import (
    closure_day_add,
    closure_day_remove,
    timescale_set,
)
from enquiries import services as enquiry_services
from enquiries.models import Enquiry, EnquiryState
from enquiries.timescales import enquiry_timescale
from mash.audit.models import AuditEvent
from mash.clocks import Clock, Timescale, default_calendar
from tests.factories import contact_input
from tests.test_enquiries_api import ask, open_enquiry

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
LIST = "/settings/timescales/"
AMBER_ENQUIRY = "/settings/timescales/enquiry/amber/"
CONTACT_DECISION = "/settings/timescales/contact_decision/"
CLOSURES = "/settings/timescales/closures/"


def at(*args) -> datetime:
    return datetime(*args, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def fresh_timescales():
    """Each test starts and ends with no snapshot kept (a rolled-back test's rows must not
    linger in the process's snapshot)."""
    timescales.clear_cache()
    yield
    timescales.clear_cache()


def enquiry_at(when: datetime, hub_worker, manager, rag: str, name: str) -> Enquiry:
    with time_machine.travel(when, tick=False):
        return open_enquiry(hub_worker, manager, rag, name=name)


def set_amber_enquiry(administrator, amount: int, *, warning_percent: int = 75):
    return timescale_set(
        actor=administrator,
        kind=ItemKind.ENQUIRY,
        rag=Rag.AMBER,
        amount=amount,
        clock=Clock.WORKING_DAYS,
        warning_percent=warning_percent,
    )


def confirmed(client, url: str, data: dict | None = None, **kwargs):
    """Post a change, then confirm the preview it shows (the page asks before storing)."""
    import re

    preview = client.post(url, data or {})
    assert preview.status_code == 200, preview.status_code
    token = re.search(r'name="token" value="([^"]+)"', preview.content.decode()).group(1)
    return client.post(url, {"token": token}, **kwargs)


def scan_at(when: datetime):
    with time_machine.travel(when, tick=False):
        return run_deadline_scan()


# --- a change moves the open items it applies to --------------------------------------------


def test_amber_enquiry_from_one_to_two_working_days_moves_open_amber_enquiries_only(
    client_for, administrator, hub_worker, manager
):
    amber = enquiry_at(at(2026, 3, 9, 10), hub_worker, manager, "AMBER", "Amira")
    closed = enquiry_at(at(2026, 3, 9, 10), hub_worker, manager, "AMBER", "Bella")
    red = enquiry_at(at(2026, 3, 9, 10), hub_worker, manager, "RED", "Cara")
    Enquiry.objects.filter(pk=closed.pk).update(
        state=EnquiryState.CLOSED, outcome="NFA", closed_at=at(2026, 3, 9, 12)
    )
    assert amber.deadline == at(2026, 3, 10, 10)  # 1 working day
    assert red.deadline == at(2026, 3, 9, 14)  # 4 elapsed hours

    client = client_for(administrator)
    response = confirmed(
        client, AMBER_ENQUIRY, {"amount": "2", "clock": "working_days", "warning_percent": "75"}
    )

    assert response.status_code == 302
    assert response["Location"] == LIST
    page = client.get(LIST)
    assert "Saved. 1 open item has a new deadline." in page.content.decode()
    for enquiry in (amber, closed, red):
        enquiry.refresh_from_db()
    assert amber.deadline == at(2026, 3, 11, 10)  # Wednesday 10:00: 2 working days
    assert closed.deadline == at(2026, 3, 10, 10)
    assert red.deadline == at(2026, 3, 9, 14)
    assert enquiry_timescale("AMBER") == Timescale(2, Clock.WORKING_DAYS)


def test_the_banner_counts_every_item_moved(client_for, administrator):
    # Three contacts received on Monday 9 March, due Tuesday at the same time; one decided.
    with time_machine.travel(at(2026, 3, 9, 10), tick=False):
        contacts = [contact_services.contact_create(data=contact_input()) for _ in range(3)]
    type(contacts[2]).objects.filter(pk=contacts[2].pk).update(
        outcome="NFA", decided_at=at(2026, 3, 9, 11)
    )

    response = confirmed(
        client_for(administrator),
        CONTACT_DECISION,
        {"amount": "4", "clock": "working_hours", "warning_percent": "50"},
        follow=True,
    )

    assert "Saved. 2 open items have a new deadline." in response.content.decode()
    due = [c.decision_due_at for c in type(contacts[0]).objects.order_by("pk")]
    assert due == [at(2026, 3, 9, 14), at(2026, 3, 9, 14), at(2026, 3, 10, 10)]


def test_an_amber_return_moves_with_the_return_setting_not_the_enquiry_setting(
    administrator, hub_worker, manager, agency_a
):
    enquiry = enquiry_at(at(2026, 3, 9, 10), hub_worker, manager, "AMBER", "Amira")
    with time_machine.travel(at(2026, 3, 9, 10), tick=False):
        request = ask(enquiry, agency_a, hub_worker)
    assert request.due_at == at(2026, 3, 9, 16)  # 6 working hours

    assert set_amber_enquiry(administrator, 2).requests == []
    result = timescale_set(
        actor=administrator,
        kind=ItemKind.INFORMATION_RETURN,
        rag=Rag.AMBER,
        amount=8,
        clock=Clock.WORKING_HOURS,
        warning_percent=75,
    )

    assert result.requests == [request.pk]
    assert result.changed == 1
    request.refresh_from_db()
    assert request.due_at == at(2026, 3, 10, 10)  # Monday 10-17 is 7, then Tuesday 9-10


def test_an_escalated_enquiry_keeps_the_escalation_rule_when_recomputed(
    administrator, hub_worker, manager
):
    # Amber opened Monday 10:00 (due Tuesday 10:00), escalated to Red at 15:00: due 19:00.
    enquiry = enquiry_at(at(2026, 3, 9, 10), hub_worker, manager, "AMBER", "Amira")
    with time_machine.travel(at(2026, 3, 9, 15), tick=False):
        enquiry_services.enquiry_change_rag(
            enquiry=enquiry, to_rag="RED", reason="Disclosure", changed_by=hub_worker
        )
    enquiry.refresh_from_db()
    assert enquiry.deadline == at(2026, 3, 9, 19)

    # Amber's new 2 working days: the earlier of Wednesday 10:00 and 19:00 is still 19:00.
    assert set_amber_enquiry(administrator, 2).changed == 0
    # Red 6 hours: the earlier of Wednesday 10:00 and 15:00 + 6 h = 21:00 (not 10:00 + 6 h).
    timescale_set(
        actor=administrator,
        kind=ItemKind.ENQUIRY,
        rag=Rag.RED,
        amount=6,
        clock=Clock.ELAPSED,
        warning_percent=75,
    )
    enquiry.refresh_from_db()
    assert enquiry.deadline == at(2026, 3, 9, 21)


def test_a_change_is_audited_with_before_after_and_the_count(administrator, hub_worker, manager):
    enquiry = enquiry_at(at(2026, 3, 9, 10), hub_worker, manager, "AMBER", "Amira")
    set_amber_enquiry(administrator, 2)
    set_amber_enquiry(administrator, 3, warning_percent=60)

    first, second = AuditEvent.objects.filter(name="timescales.setting_changed").order_by("pk")
    assert first.actor == administrator
    assert first.data["before"] is None
    assert first.data["after"] == {"amount": 2, "clock": "working_days", "warning_percent": 75}
    assert (first.data["items_changed"], first.data["enquiries"]) == (1, [enquiry.pk])
    assert second.data["before"] == first.data["after"]
    assert second.data["after"] == {"amount": 3, "clock": "working_days", "warning_percent": 60}


# --- closure days ------------------------------------------------------------------------------


def test_a_closure_day_moves_a_contact_due_that_day_to_the_next_working_day(
    client_for, administrator
):
    friday = at(2026, 6, 5, 16)
    with time_machine.travel(friday, tick=False):
        contact = contact_services.contact_create(data=contact_input())
        assert contact.decision_due_at == at(2026, 6, 8, 16)  # Monday 16:00

        response = confirmed(
            client_for(administrator),
            CLOSURES,
            {"day-day": "8", "day-month": "6", "day-year": "2026", "reason": "Office move"},
            follow=True,
        )
        assert "8 June 2026 is a closure day. 1 open item has a new deadline." in (
            response.content.decode()
        )
        contact.refresh_from_db()
        assert contact.decision_due_at == at(2026, 6, 9, 16)  # Tuesday 16:00
        assert date(2026, 6, 8) in default_calendar().closures

        closure = ClosureDay.objects.get()
        response = confirmed(
            client_for(administrator), f"{CLOSURES}{closure.pk}/remove/", follow=True
        )
        assert "8 June 2026 is no longer a closure day. 1 open item has a new deadline." in (
            response.content.decode()
        )
        contact.refresh_from_db()
        assert contact.decision_due_at == at(2026, 6, 8, 16)


def test_new_contacts_count_over_a_stored_closure_day(administrator):
    with time_machine.travel(at(2026, 6, 5, 16), tick=False):
        closure_day_add(actor=administrator, day=date(2026, 6, 8), reason="Office move")
        contact = contact_services.contact_create(data=contact_input())
    assert contact.decision_due_at == at(2026, 6, 9, 16)
    assert AuditEvent.objects.get(name="timescales.closure_added").data["items_changed"] == 0


def test_a_closure_day_leaves_elapsed_clocks_alone(administrator, hub_worker, manager):
    with time_machine.travel(at(2026, 6, 5, 16), tick=False):
        red = open_enquiry(hub_worker, manager, "RED")
        closure, result = closure_day_add(
            actor=administrator, day=date(2026, 6, 5), reason="Closed this afternoon"
        )
    red.refresh_from_db()
    assert red.deadline == at(2026, 6, 5, 20)
    assert result.enquiries == []
    assert result.contacts == []  # its contact was decided


# --- the scan follows the new deadlines --------------------------------------------------------


def test_the_scan_after_a_change_acts_on_the_new_deadline(administrator, hub_worker, manager):
    enquiry = enquiry_at(at(2026, 3, 9, 10), hub_worker, manager, "AMBER", "Amira")
    # 75% of 8 working hours from Monday 10:00 is Monday 16:00: reminded for Tuesday 10:00.
    scan_at(at(2026, 3, 9, 16))
    assert list(DeadlineEvent.objects.values_list("stage", "deadline")) == [
        (Stage.WARNING, at(2026, 3, 10, 10))
    ]

    set_amber_enquiry(administrator, 2)

    scan_at(at(2026, 3, 10, 10, 30))  # the old deadline has passed: no breach
    assert not DeadlineEvent.objects.filter(stage=Stage.DEADLINE).exists()
    # 75% of 16 working hours: Monday 10-17 (7 h) and Tuesday 9-14 (5 h).
    scan_at(at(2026, 3, 10, 13, 59))
    assert DeadlineEvent.objects.count() == 1
    scan_at(at(2026, 3, 10, 14, 0))
    scan_at(at(2026, 3, 11, 10, 0))
    assert list(DeadlineEvent.objects.order_by("pk").values_list("stage", "deadline")[1:]) == [
        (Stage.WARNING, at(2026, 3, 11, 10)),
        (Stage.DEADLINE, at(2026, 3, 11, 10)),
    ]
    reminders = Notification.objects.filter(user=hub_worker, kind=NotificationKind.REMINDER)
    assert reminders.count() == 2
    assert enquiry.reference in reminders.first().title


def test_the_warning_point_follows_the_setting(administrator, hub_worker, manager):
    enquiry_at(at(2026, 3, 9, 10), hub_worker, manager, "AMBER", "Amira")
    set_amber_enquiry(administrator, 2, warning_percent=50)
    # 50% of 16 working hours: Monday 10-17 (7 h) and Tuesday 9-10 (1 h).
    scan_at(at(2026, 3, 10, 9, 59))
    assert not DeadlineEvent.objects.exists()
    scan_at(at(2026, 3, 10, 10, 0))
    [event] = DeadlineEvent.objects.all()
    assert (event.stage, event.deadline) == (Stage.WARNING, at(2026, 3, 11, 10))


# --- where a lookup comes from, and no stale values -------------------------------------------


def test_a_fresh_lookup_sees_a_setting_changed_in_the_database(client_for, administrator):
    assert contact_decision_timescale() == Timescale(1, Clock.WORKING_DAYS)  # kept in process
    TimescaleSetting.objects.create(
        kind=ItemKind.CONTACT_DECISION,
        amount=5,
        clock=Clock.WORKING_HOURS,
        updated_at=at(2026, 3, 9, 10),
    )
    assert contact_decision_timescale() == Timescale(5, Clock.WORKING_HOURS)

    # Another process changes it (no signal here): the next request or task reads it again.
    TimescaleSetting.objects.update(amount=7)
    client_for(administrator).get("/healthz")
    assert contact_decision_timescale() == Timescale(7, Clock.WORKING_HOURS)
    TimescaleSetting.objects.update(amount=3)
    task_prerun.send(sender=None, task_id="t", task=None)
    assert contact_decision_timescale() == Timescale(3, Clock.WORKING_HOURS)

    ClosureDay.objects.create(date=date(2026, 6, 8), reason="Move", created_at=at(2026, 3, 9))
    assert date(2026, 6, 8) in default_calendar().closures


def test_a_deployment_setting_beats_the_stored_setting(settings, administrator):
    set_amber_enquiry(administrator, 2)
    settings.MASH_ENQUIRY_TIMESCALES = {Rag.AMBER: Timescale(5, Clock.WORKING_HOURS)}
    assert enquiry_timescale("AMBER") == Timescale(5, Clock.WORKING_HOURS)
    assert enquiry_timescale("GREEN") == Timescale(3, Clock.WORKING_DAYS)  # not in the override


def test_the_list_shows_all_seven_settings_where_they_come_from(client_for, administrator):
    set_amber_enquiry(administrator, 2, warning_percent=60)
    page = client_for(administrator).get(LIST).content.decode()
    for label in (
        "Contact decision",
        "Enquiry (Red)",
        "Enquiry (Amber)",
        "Enquiry (Green)",
        "Information return (Red)",
        "Information return (Amber)",
        "Information return (Green)",
    ):
        assert f'<th scope="row" class="govuk-table__header">{label}</th>' in page
    assert "2 working days" in page
    assert "60% of the time" in page
    assert page.count("75% of the time") == 6
    assert "admin, " in page  # who changed Amber
    assert page.count("Default</td>") == 6


# --- bad input is refused, naming the field ----------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "clock", "warning", "field", "message"),
    [
        (0, "working_days", 75, "amount", "The duration must be at least 1."),
        (-2, "elapsed", 75, "amount", "The duration must be at least 1."),
        (721, "elapsed", 75, "amount", "at most 720 elapsed hours (30 days of that clock)"),
        (241, "working_hours", 75, "amount", "at most 240 working hours"),
        (31, "working_days", 75, "amount", "at most 30 working days"),
        ("two", "working_days", 75, "amount", "Enter the duration as a whole number."),
        (2, "fortnights", 75, "clock", "Choose the clock"),
        (2, "working_days", 0, "warning_percent", "between 1 and 99"),
        (2, "working_days", 100, "warning_percent", "between 1 and 99"),
    ],
)
def test_the_service_refuses_a_bad_timescale(administrator, amount, clock, warning, field, message):
    with pytest.raises(ValidationError) as refused:
        timescale_set(
            actor=administrator,
            kind=ItemKind.ENQUIRY,
            rag=Rag.AMBER,
            amount=amount,
            clock=clock,
            warning_percent=warning,
        )
    assert message in " ".join(refused.value.message_dict[field])
    assert not TimescaleSetting.objects.exists()


def test_the_longest_timescales_are_allowed(administrator):
    for amount, clock in ((720, "elapsed"), (240, "working_hours"), (30, "working_days")):
        set_result = timescale_set(
            actor=administrator,
            kind=ItemKind.INFORMATION_RETURN,
            rag=Rag.GREEN,
            amount=amount,
            clock=clock,
            warning_percent=99,
        )
        assert set_result.changed == 0
    assert TimescaleSetting.objects.get().amount == 30


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"amount": "0", "clock": "working_days", "warning_percent": "75"}, "at least 1"),
        ({"amount": "-1", "clock": "working_days", "warning_percent": "75"}, "at least 1"),
        ({"amount": "31", "clock": "working_days", "warning_percent": "75"}, "at most 30"),
        ({"amount": "1.5", "clock": "working_days", "warning_percent": "75"}, "as a whole number"),
        ({"amount": "", "clock": "working_days", "warning_percent": "75"}, "Enter the duration"),
        ({"amount": "2", "warning_percent": "75"}, "Choose the clock"),
        ({"amount": "2", "clock": "working_days", "warning_percent": "100"}, "between 1 and 99"),
        ({"amount": "2", "clock": "working_days", "warning_percent": "0"}, "between 1 and 99"),
    ],
)
def test_the_change_page_refuses_bad_input_naming_the_field(
    client_for, administrator, data, message
):
    response = client_for(administrator).post(AMBER_ENQUIRY, data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert message in page
    assert page.count(message) == 2  # in the error summary and at the field
    assert not TimescaleSetting.objects.exists()


def test_the_change_page_names_every_bad_field_at_once(client_for, administrator):
    response = client_for(administrator).post(
        AMBER_ENQUIRY, {"amount": "0", "warning_percent": "100"}
    )
    summary = response.content.decode().split("govuk-error-summary__list")[1]
    summary = summary.split("</ul>")[0]
    assert 'href="#id_amount">The duration must be at least 1.' in summary
    assert 'href="#id_clock_0">Choose the clock' in summary
    assert 'href="#id_warning_percent">The warning point must be' in summary


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"day-day": "4", "day-month": "6", "day-year": "2026"}, "must be today or in the future"),
        ({"day-day": "31", "day-month": "6", "day-year": "2026"}, "must be a real date"),
        ({"day-day": "", "day-month": "", "day-year": ""}, "Enter the date of the closure"),
        ({"day-day": "8", "day-month": "6", "day-year": "2026", "reason": " "}, "Enter the reason"),
    ],
)
def test_the_closure_form_refuses_bad_input_naming_the_field(
    client_for, administrator, data, message
):
    data = {"reason": "Office move", **data}
    with time_machine.travel(at(2026, 6, 5, 16), tick=False):
        response = client_for(administrator).post(CLOSURES, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert message in page
    assert not ClosureDay.objects.exists()


def test_the_service_refuses_a_closure_day_in_the_past_or_twice(administrator):
    with time_machine.travel(at(2026, 6, 5, 16), tick=False):
        with pytest.raises(ValidationError) as past:
            closure_day_add(actor=administrator, day=date(2026, 6, 4), reason="Too late")
        assert past.value.message_dict["day"] == [
            "The closure day must be today or in the future, not in the past."
        ]
        closure, _ = closure_day_add(actor=administrator, day=date(2026, 6, 5), reason="Today")
        with pytest.raises(ValidationError) as twice:
            closure_day_add(actor=administrator, day=date(2026, 6, 5), reason="Again")
        assert twice.value.message_dict["day"] == ["5 June 2026 is already a closure day."]
    with time_machine.travel(at(2026, 6, 8, 9), tick=False), pytest.raises(ValidationError):
        closure_day_remove(actor=administrator, closure=closure)  # it has passed
    assert ClosureDay.objects.count() == 1


# --- administrators only -------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["hub_worker", "manager", "board_member", "researcher_a"])
def test_everyone_but_an_administrator_gets_404(request, client_for, persona, administrator):
    with time_machine.travel(at(2026, 6, 5, 16), tick=False):
        closure, _ = closure_day_add(actor=administrator, day=date(2026, 6, 8), reason="Move")
        client = client_for(request.getfixturevalue(persona))
        for response in (
            client.get(LIST),
            client.get(AMBER_ENQUIRY),
            client.post(
                AMBER_ENQUIRY, {"amount": "2", "clock": "working_days", "warning_percent": "75"}
            ),
            client.post(
                CLOSURES,
                {"day-day": "9", "day-month": "6", "day-year": "2026", "reason": "Move"},
            ),
            client.post(f"{CLOSURES}{closure.pk}/remove/"),
        ):
            assert response.status_code == 404
    assert not TimescaleSetting.objects.exists()
    assert list(ClosureDay.objects.values_list("date", flat=True)) == [date(2026, 6, 8)]


def test_the_service_refuses_anyone_but_an_administrator(manager):
    with pytest.raises(PermissionError):
        set_amber_enquiry(manager, 2)
    assert not TimescaleSetting.objects.exists()


def test_a_signed_out_visitor_is_sent_to_sign_in(client):
    response = client.get(LIST)
    assert response.status_code == 302
    assert "/account/sign-in/" in response["Location"]


@pytest.mark.parametrize(
    "path", ["/settings/timescales/enquiry/purple/", "/settings/timescales/contact_decision/red/"]
)
def test_a_timescale_that_does_not_exist_is_404(client_for, administrator, path):
    assert client_for(administrator).get(path).status_code == 404
