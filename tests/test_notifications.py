"""Notifications as the hub's nervous system (issue 12): each event fired by the real services
notifies exactly the staff who can open its record, in the service's transaction, once; emails go
through the outbox as each user chose (escalations always) and never name a person; the page and
the API show a user their own notifications only (another user's id is 404, nothing changed), at
the same number of queries for 5 rows as for 50; the old reminder choice survives the migration
to one choice per kind."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agencies.roles import Role
from contacts import services as contact_services
from deadlines.models import Notification, NotificationKind, NotificationPreference
from deadlines.services import notify, preferences_set, run_deadline_scan
from enquiries import services as enquiry_services
from enquiries.models import Enquiry
from mash.audit.models import AuditEvent
from mash.outbox.models import OutboxEmail
from tests.factories import UserFactory, contact_input, person_input
from tests.test_enquiries_api import NARRATIVE, POLICE_SUMMARY, REFERRER, answer, ask
from tests.test_enquiries_api import open_enquiry as _open_enquiry
from work.signals import allocated

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
PURPOSE = "deadline.notification"
#: Everyone named in the records these tests make: none may reach an email.
NAMES = ("Amira", "Hussain", "Gary", "Lane", "Smith", "John", REFERRER, "Jones")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def of(user, kind=None) -> list[Notification]:
    rows = Notification.objects.filter(user=user)
    if kind:
        rows = rows.filter(kind=kind)
    return list(rows)


def emails_to(user) -> list[OutboxEmail]:
    return list(OutboxEmail.objects.filter(purpose=PURPOSE, recipient=user.email))


def open_enquiry(hub_worker, manager, rag="AMBER") -> Enquiry:
    """The enquiry about Amira (and her mother's partner Gary), its setup's own notifications
    cleared so each test sees only what it does."""
    enquiry = _open_enquiry(hub_worker, manager, rag)
    Notification.objects.all().delete()
    OutboxEmail.objects.all().delete()
    return enquiry


@pytest.fixture
def enquiry(hub_worker, manager):
    return open_enquiry(hub_worker, manager)


@pytest.fixture
def second_manager(hub_agency):
    return UserFactory(username="hub.manager2", agency=hub_agency, role=Role.HUB_MANAGER)


@pytest.fixture
def researcher_a2(agency_a):
    return UserFactory(username="police.researcher2", agency=agency_a, role=Role.AGENCY_RESEARCHER)


# --- request received ---------------------------------------------------------------------------


def test_a_police_request_tells_the_police_team_and_nobody_else(
    enquiry,
    hub_worker,
    manager,
    agency_a,
    researcher_a,
    researcher_a2,
    supervisor_a,
    researcher_b,
    referrer,
    board_member,
    administrator,
):
    request = ask(enquiry, agency_a, hub_worker)
    told = Notification.objects.filter(kind=NotificationKind.REQUEST_RECEIVED)
    assert {row.user for row in told} == {researcher_a, researcher_a2, supervisor_a}
    assert {row.link for row in told} == {f"/requests/{request.pk}/"}
    [first] = of(researcher_a)
    assert first.title == f"New information request {request.reference}"
    assert "County Police" in first.body and "due at" in first.body
    for outsider in (researcher_b, hub_worker, manager, referrer, board_member, administrator):
        assert of(outsider) == [], outsider
    # Routine: not emailed unless the researcher asks for it.
    assert not OutboxEmail.objects.filter(purpose=PURPOSE).exists()


def test_each_researcher_can_open_the_request_the_notification_links_to(
    client_for, enquiry, hub_worker, agency_a, researcher_a, researcher_b
):
    request = ask(enquiry, agency_a, hub_worker)
    [notification] = of(researcher_a)
    client = client_for(researcher_a)
    opened = client.get(f"/notifications/{notification.pk}/")
    assert opened.status_code == 302 and opened.url == f"/requests/{request.pk}/"
    assert client.get(opened.url).status_code == 200
    assert client_for(researcher_b).get(opened.url).status_code == 404


def test_a_researcher_who_wants_request_emails_gets_one(
    enquiry, hub_worker, agency_a, researcher_a, supervisor_a
):
    preferences_set(user=researcher_a, email={NotificationKind.REQUEST_RECEIVED: True})
    request = ask(enquiry, agency_a, hub_worker)
    [email] = emails_to(researcher_a)
    assert email.subject.endswith(f"New information request {request.reference}")
    assert email.body.endswith(f"http://localhost:8000/requests/{request.pk}/")
    assert emails_to(supervisor_a) == []
    notification = Notification.objects.get(user=researcher_a)
    assert email.related_id == str(notification.pk)


def test_an_inactive_researcher_or_one_of_an_inactive_agency_is_not_told(
    enquiry, hub_worker, agency_a, researcher_a, researcher_a2
):
    researcher_a2.is_active = False
    researcher_a2.save()
    ask(enquiry, agency_a, hub_worker)
    assert len(of(researcher_a)) == 1
    assert of(researcher_a2) == []


def test_a_request_that_fails_validation_notifies_nobody(
    enquiry, hub_worker, agency_a, researcher_a
):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        ask(enquiry, agency_a, hub_worker, question="  ")
    assert not Notification.objects.exists()


# --- return received ----------------------------------------------------------------------------


def test_a_return_and_its_addendum_tell_the_enquirys_worker(
    enquiry, hub_worker, manager, agency_a, researcher_a, supervisor_a
):
    assert enquiry.worker == hub_worker
    request = ask(enquiry, agency_a, hub_worker)
    Notification.objects.all().delete()
    answer(request, researcher_a)
    [told] = of(hub_worker, NotificationKind.RETURN_RECEIVED)
    assert told.link == f"/enquiries/{enquiry.pk}/requests/#returns-title"
    assert told.title == f"Return received on {enquiry.reference}"
    assert "County Police has submitted its return" in told.body
    answer(request, researcher_a, information_held=True, summary=POLICE_SUMMARY)
    later = of(hub_worker, NotificationKind.RETURN_RECEIVED)
    assert len(later) == 2 and "an addendum" in later[0].body
    assert POLICE_SUMMARY not in later[0].body  # the return's content stays on the page
    for outsider in (manager, researcher_a, supervisor_a):
        assert of(outsider) == [], outsider


def test_a_return_on_an_enquiry_nobody_holds_tells_the_managers(
    enquiry, hub_worker, manager, second_manager, agency_a, researcher_a
):
    request = ask(enquiry, agency_a, hub_worker)
    Enquiry.objects.filter(pk=enquiry.pk).update(worker=None)
    Notification.objects.all().delete()
    answer(request, researcher_a)
    assert {row.user for row in Notification.objects.all()} == {manager, second_manager}
    assert of(hub_worker) == []


# --- allocated ----------------------------------------------------------------------------------


def test_allocation_tells_the_new_assignee_once_and_by_email(hub_worker, manager):
    contact = contact_services.contact_create(data=contact_input())
    contact.version += 1
    with transaction.atomic():
        allocated.send(
            sender=type(contact), record=contact, assignee=hub_worker, allocated_by=manager
        )
        allocated.send(
            sender=type(contact), record=contact, assignee=hub_worker, allocated_by=manager
        )
    [told] = of(hub_worker, NotificationKind.ALLOCATED)
    assert told.title == f"{contact.reference} has been allocated to you"
    assert told.link == f"/contacts/{contact.pk}/"
    assert len(emails_to(hub_worker)) == 1  # on by default
    assert of(manager) == []


def test_allocating_to_oneself_tells_nobody(manager):
    contact = contact_services.contact_create(data=contact_input())
    allocated.send(sender=type(contact), record=contact, assignee=manager, allocated_by=manager)
    assert not Notification.objects.exists()


def test_an_allocation_that_rolls_back_leaves_no_notification_or_email(hub_worker, manager):
    contact = contact_services.contact_create(data=contact_input())
    with pytest.raises(RuntimeError), transaction.atomic():
        allocated.send(
            sender=type(contact), record=contact, assignee=hub_worker, allocated_by=manager
        )
        raise RuntimeError("the allocation failed after the signal")
    assert not Notification.objects.exists()
    assert not OutboxEmail.objects.filter(purpose=PURPOSE).exists()


def test_allocating_an_enquiry_to_someone_outside_the_hub_tells_nobody(
    enquiry, manager, researcher_a
):
    allocated.send(sender=Enquiry, record=enquiry, assignee=researcher_a, allocated_by=manager)
    assert of(researcher_a) == []


def test_a_supervisor_assigning_a_request_tells_the_researcher(
    enquiry, hub_worker, agency_a, researcher_a, supervisor_a
):
    request = ask(enquiry, agency_a, hub_worker)
    Notification.objects.all().delete()
    enquiry_services.request_assign(
        request=request, researcher=researcher_a, assigned_by=supervisor_a
    )
    [told] = of(researcher_a, NotificationKind.ALLOCATED)
    assert told.link == f"/requests/{request.pk}/"
    assert of(supervisor_a) == []


# --- awaiting decision --------------------------------------------------------------------------


def test_a_contact_recommendation_tells_every_manager_but_not_the_recommender(
    hub_worker, manager, second_manager, researcher_a, board_member
):
    contact = contact_services.contact_create(data=contact_input())
    contact_services.contact_recommend(
        contact=contact, user=hub_worker, outcome="NFA", rationale="No further action"
    )
    told = Notification.objects.filter(kind=NotificationKind.AWAITING_DECISION)
    assert {row.user for row in told} == {manager, second_manager}
    assert {row.link for row in told} == {f"/contacts/{contact.pk}/"}
    assert of(hub_worker) == [] and of(researcher_a) == [] and of(board_member) == []
    # Routine (the decisions queue shows them): emailed only to a manager who asks.
    assert not OutboxEmail.objects.filter(purpose=PURPOSE).exists()
    preferences_set(user=second_manager, email={NotificationKind.AWAITING_DECISION: True})
    contact.refresh_from_db()
    contact_services.contact_recommend(
        contact=contact, user=manager, outcome="EARLY_HELP", rationale="Early help"
    )
    # A new recommendation is news to the other manager; not to the one who made it.
    assert len(of(second_manager)) == 2
    assert len(of(manager)) == 1
    [email] = OutboxEmail.objects.filter(purpose=PURPOSE)
    assert email.recipient == second_manager.email
    assert email.subject.endswith(f"{contact.reference} is awaiting a decision")


def test_an_enquiry_recommendation_tells_the_managers(enquiry, hub_worker, manager):
    enquiry_services.enquiry_recommend(
        enquiry=enquiry, user=hub_worker, outcome="NFA", final_rag="GREEN", rationale="Done"
    )
    [told] = of(manager, NotificationKind.AWAITING_DECISION)
    assert told.link == f"/enquiries/{enquiry.pk}/decision/"
    assert told.title == f"{enquiry.reference} is awaiting a decision"


# --- the scan: reminder, breach, escalation -----------------------------------------------------


def test_at_the_deadline_the_manager_is_escalated_to_and_the_worker_told_of_the_breach(
    hub_worker, manager
):
    with time_machine.travel(at(2026, 3, 10, 22, 0), tick=False):
        enquiry = open_enquiry(hub_worker, manager, "RED")
    with time_machine.travel(at(2026, 3, 11, 1, 5), tick=False):
        run_deadline_scan()
    with time_machine.travel(at(2026, 3, 11, 2, 5), tick=False):
        run_deadline_scan()
        run_deadline_scan()
    assert [row.kind for row in of(hub_worker)] == [
        NotificationKind.BREACH,
        NotificationKind.REMINDER,
    ]
    [breach] = of(hub_worker, NotificationKind.BREACH)
    assert breach.link == f"/enquiries/{enquiry.pk}/"
    assert "breach" in breach.title
    assert [row.kind for row in of(manager)] == [NotificationKind.ESCALATION]
    # One email each: the reminder and breach to the worker, the escalation to the manager.
    assert len(emails_to(hub_worker)) == 2 and len(emails_to(manager)) == 1


def test_escalations_are_emailed_even_to_someone_who_turned_every_email_off(
    client_for, hub_worker, manager
):
    everything_off = {"email": []}
    for user in (hub_worker, manager):
        assert (
            client_for(user).post("/notifications/preferences/", everything_off).status_code == 302
        )
    with time_machine.travel(at(2026, 3, 10, 22, 0), tick=False):
        open_enquiry(hub_worker, manager, "RED")
    with time_machine.travel(at(2026, 3, 11, 2, 5), tick=False):
        run_deadline_scan()
    assert emails_to(hub_worker) == []
    [email] = emails_to(manager)
    assert "missed its deadline" in email.subject
    assert of(hub_worker, NotificationKind.BREACH)  # still shown in the product


# --- no names in emails -------------------------------------------------------------------------


def test_no_email_names_a_child_or_anyone_in_the_record(
    hub_worker, manager, agency_a, researcher_a, supervisor_a
):
    for user in (hub_worker, manager, researcher_a, supervisor_a):
        preferences_set(
            user=user,
            email={
                NotificationKind.REQUEST_RECEIVED: True,
                NotificationKind.RETURN_RECEIVED: True,
                NotificationKind.AWAITING_DECISION: True,
            },
        )
    with time_machine.travel(at(2026, 3, 10, 22, 0), tick=False):
        enquiry = _open_enquiry(hub_worker, manager, "RED")  # its recommendation's emails too
        request = ask(enquiry, agency_a, hub_worker)
        enquiry_services.request_assign(
            request=request, researcher=researcher_a, assigned_by=supervisor_a
        )
        answer(request, researcher_a, information_held=True, summary=POLICE_SUMMARY)
        allocated.send(sender=Enquiry, record=enquiry, assignee=hub_worker, allocated_by=manager)
    contact = contact_services.contact_create(
        data=contact_input(subjects=[person_input(given_name="Amira", family_name="Hussain")])
    )
    with time_machine.travel(at(2026, 3, 11, 9, 0), tick=False):
        contact_services.contact_recommend(
            contact=contact, user=hub_worker, outcome="NFA", rationale="Amira is safe"
        )
    for moment in (at(2026, 3, 11, 1, 5), at(2026, 3, 11, 2, 5), at(2026, 3, 20, 9, 0)):
        with time_machine.travel(moment, tick=False):
            run_deadline_scan()
    emails = list(OutboxEmail.objects.filter(purpose=PURPOSE))
    kinds = set(Notification.objects.filter(email_wanted=True).values_list("kind", flat=True))
    assert kinds == set(NotificationKind.values)  # every kind was emailed at least once
    assert len(emails) == Notification.objects.filter(email_wanted=True).count()
    for email in emails:
        text = f"{email.subject}\n{email.body}"
        for name in NAMES:
            assert name not in text, (name, text)
        assert NARRATIVE not in text and POLICE_SUMMARY not in text


# --- idempotency --------------------------------------------------------------------------------


def test_the_same_event_notified_twice_writes_one_notification_and_one_email(
    enquiry, hub_worker, manager
):
    for _ in range(2):
        notify(
            kind=NotificationKind.ALLOCATED,
            record=enquiry,
            users=[hub_worker, manager],
            title="E is yours",
            body="Enquiry E is yours.",
            key="enquiry:test",
        )
    assert len(of(hub_worker)) == 1 and len(of(manager)) == 1
    assert len(emails_to(hub_worker)) == 1 and len(emails_to(manager)) == 1


# --- the migration to one choice per kind -------------------------------------------------------


# Not serialized_rollback: that reloads the database as it was after migrate (the role groups
# with their first ids) before the test, and a transactional test run earlier in the same
# process has flushed it and had post_migrate make the groups again under new ids, so the
# reload failed on the groups' unique names ("duplicate key ... auth_group_name_key"). The
# test makes its own users; its flush afterwards makes the groups again, like any other.
@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_each_users_reminder_choice():
    before = [("deadlines", "0005_resolve_breaches_of_closed_items")]
    after = [("deadlines", "0008_remove_email_reminders")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps
        User = old.get_model("agencies", "User")
        Preference = old.get_model("deadlines", "NotificationPreference")
        quiet = User.objects.create(username="quiet", email="quiet@example.org")
        keen = User.objects.create(username="keen", email="keen@example.org")
        User.objects.create(username="never-chose", email="never@example.org")
        Preference.objects.create(user=quiet, email_reminders=False)
        Preference.objects.create(user=keen, email_reminders=True)
        executor = MigrationExecutor(connection)
        executor.migrate(after)
        new = executor.loader.project_state(after).apps
        Preference = new.get_model("deadlines", "NotificationPreference")
        rows = {row.user.username: row for row in Preference.objects.select_related("user").all()}
        assert set(rows) == {"quiet", "keen"}
        assert rows["quiet"].email_reminder is False
        assert rows["keen"].email_reminder is True
        for row in rows.values():  # the new kinds take their defaults
            assert (row.email_allocated, row.email_breach, row.email_request_received) == (
                True,
                True,
                False,
            )
            assert row.email_awaiting_decision is False
    finally:
        MigrationExecutor(connection).migrate(
            MigrationExecutor(connection).loader.graph.leaf_nodes()
        )
    from deadlines.services import emailed_users

    quiet = type(rows["quiet"].user).objects.get(username="quiet")
    keen = type(rows["keen"].user).objects.get(username="keen")
    never = type(rows["keen"].user).objects.get(username="never-chose")
    assert emailed_users(NotificationKind.REMINDER, [quiet.pk, keen.pk, never.pk]) == {
        keen.pk,
        never.pk,
    }


# --- the pages ----------------------------------------------------------------------------------


def make(user, count: int, *, kind=NotificationKind.REMINDER, read=False) -> list[Notification]:
    now = timezone.now()
    return Notification.objects.bulk_create(
        Notification(
            user=user,
            kind=kind,
            key=f"{kind}:{user.pk}:{index}",
            title=f"C{index:06d} is due at 16:00",
            body="Decision on contact is due.",
            link="/contacts/",
            created_at=now - timezone.timedelta(minutes=index),
            read_at=now if read else None,
        )
        for index in range(count)
    )


def test_the_list_is_newest_first_marks_the_unread_and_filters(client_for, hub_worker):
    make(hub_worker, 3)
    make(hub_worker, 2, kind=NotificationKind.ALLOCATED, read=True)
    client = client_for(hub_worker)
    page = client.get("/notifications/").content.decode()
    assert page.count('data-testid="notification-row"') == 5
    assert page.count('data-testid="unread-tag"') == 3
    assert page.index("C000000") < page.index("C000001") < page.index("C000002")
    unread = client.get("/notifications/?unread=on").content.decode()
    assert unread.count('data-testid="notification-row"') == 3
    allocated_only = client.get("/notifications/?kind=allocated").content.decode()
    assert allocated_only.count('data-testid="notification-row"') == 2
    assert "Allocated to you" in allocated_only


def test_a_bad_filter_is_400_naming_the_field(client_for, hub_worker):
    response = client_for(hub_worker).get("/notifications/?kind=gossip")
    assert response.status_code == 400
    assert "Choose a kind of notification from the list" in response.content.decode()


def test_the_list_is_paginated(client_for, hub_worker):
    make(hub_worker, 30)
    client = client_for(hub_worker)
    first = client.get("/notifications/").content.decode()
    assert first.count('data-testid="notification-row"') == 25
    assert "Page 1 of 2" in first
    second = client.get("/notifications/?page=2").content.decode()
    assert second.count('data-testid="notification-row"') == 5


def test_marking_one_and_all_read(client_for, hub_worker, manager):
    mine = make(hub_worker, 3)
    theirs = make(manager, 1)
    client = client_for(hub_worker)
    response = client.post(
        f"/notifications/{mine[0].pk}/read/", {"next": "/notifications/?unread=on"}
    )
    assert response.status_code == 302 and response.url == "/notifications/?unread=on"
    assert Notification.objects.filter(user=hub_worker, read_at__isnull=True).count() == 2
    response = client.post("/notifications/read/", {"next": "https://elsewhere.example/"})
    assert response.url == "/notifications/"
    assert not Notification.objects.filter(user=hub_worker, read_at__isnull=True).exists()
    assert Notification.objects.get(pk=theirs[0].pk).read_at is None


def test_another_users_notification_is_404_on_the_page_and_nothing_is_marked(
    client_for, hub_worker, manager, researcher_b
):
    [theirs] = make(manager, 1)
    for user in (hub_worker, researcher_b):
        client = client_for(user)
        assert client.get(f"/notifications/{theirs.pk}/").status_code == 404
        assert client.post(f"/notifications/{theirs.pk}/read/").status_code == 404
        assert theirs.title not in client.get("/notifications/").content.decode()
    assert client_for(hub_worker).get("/notifications/999999/").status_code == 404
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_reading_the_list_marks_nothing_and_the_badge_counts_the_unread(client_for, hub_worker):
    make(hub_worker, 4)
    client = client_for(hub_worker)
    client.get("/notifications/")
    home = client.get("/").content.decode()
    assert 'data-testid="unread-count">4<span class="govuk-visually-hidden"> unread</span>' in home
    assert ">Notifications<" in home  # the link has its own words, not just a number


@pytest.mark.parametrize("path", ["/notifications/", "/api/v1/notifications/"])
def test_the_list_costs_the_same_queries_for_5_and_50(client_for, api_for, hub_worker, path):
    client = api_for(hub_worker) if path.startswith("/api/") else client_for(hub_worker)
    counts = []
    for total in (5, 50):
        Notification.objects.all().delete()
        make(hub_worker, total // 2)
        make(hub_worker, total - total // 2, kind=NotificationKind.BREACH, read=True)
        client.get(path)  # warm the session
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_the_preferences_page_lists_each_kind_and_saves_the_choices(client_for, researcher_a):
    client = client_for(researcher_a)
    page = client.get("/notifications/preferences/").content.decode()
    for label in (
        "Information request received",
        "Information return received",
        "Allocated to you",
        "Recommendation awaiting decision",
        "Reminder",
        "Breach",
    ):
        assert label in page
    assert "Escalation: always emailed" in page
    assert 'value="request_received" aria-describedby' in page  # offered, not ticked
    response = client.post(
        "/notifications/preferences/", {"email": ["request_received", "reminder"]}
    )
    assert response.status_code == 302
    preference = NotificationPreference.objects.get(user=researcher_a)
    assert (preference.email_request_received, preference.email_reminder) == (True, True)
    assert preference.email_awaiting_decision is False
    assert (preference.email_allocated, preference.email_breach) == (False, False)
    assert AuditEvent.objects.filter(name="notifications.preference_changed").exists()


@pytest.mark.parametrize("value", ["escalation", "gossip"])
def test_a_bad_preference_is_400_naming_the_field_and_stores_nothing(client_for, hub_worker, value):
    response = client_for(hub_worker).post(
        "/notifications/preferences/", {"email": ["reminder", value]}
    )
    assert response.status_code == 400
    assert "Choose kinds of notification from the list" in response.content.decode()
    assert not NotificationPreference.objects.exists()


def test_anonymous_users_are_sent_to_sign_in(client):
    for path in ("/notifications/", "/notifications/preferences/", "/notifications/1/"):
        assert client.get(path).status_code == 302


# --- the API ------------------------------------------------------------------------------------


def test_the_api_lists_my_notifications_newest_first_and_filters_unread(
    api_for, hub_worker, manager
):
    make(hub_worker, 3)
    make(hub_worker, 2, kind=NotificationKind.ALLOCATED, read=True)
    make(manager, 2)
    api = api_for(hub_worker)
    body = api.get("/api/v1/notifications/").json()
    assert len(body["results"]) == 5
    times = [row["created_at"] for row in body["results"]]
    assert times == sorted(times, reverse=True)
    assert {row["unread"] for row in body["results"]} == {True, False}
    unread = api.get("/api/v1/notifications/?unread=true").json()["results"]
    assert len(unread) == 3 and all(row["unread"] for row in unread)
    assert len(api.get("/api/v1/notifications/?kind=allocated").json()["results"]) == 2
    assert "next" in body and "previous" in body  # cursor pages
    paged = api.get("/api/v1/notifications/?page_size=2").json()
    assert len(paged["results"]) == 2 and "cursor=" in paged["next"]


def test_the_api_refuses_a_bad_filter_naming_it(api_for, hub_worker):
    response = api_for(hub_worker).get("/api/v1/notifications/?kind=gossip")
    assert response.status_code == 400
    assert "kind" in response.json()["errors"]


def test_the_api_marks_my_notification_read_and_404s_anyone_elses(
    api_for, hub_worker, manager, researcher_b
):
    [mine] = make(hub_worker, 1)
    [theirs] = make(manager, 1)
    response = api_for(hub_worker).post(f"/api/v1/notifications/{mine.pk}/read/")
    assert response.status_code == 200 and response.json()["unread"] is False
    for user in (hub_worker, researcher_b):
        assert api_for(user).post(f"/api/v1/notifications/{theirs.pk}/read/").status_code == 404
        assert api_for(user).get(f"/api/v1/notifications/{theirs.pk}/").status_code == 404
    assert api_for(manager).get(f"/api/v1/notifications/{theirs.pk}/").json()["unread"] is True
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    assert api_for(hub_worker).post("/api/v1/notifications/abc/read/").status_code == 404


def test_the_api_needs_a_signed_in_user(client):
    assert client.get("/api/v1/notifications/").status_code in (401, 403)
