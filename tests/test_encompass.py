"""Operation Encompass notices (issue 13, item 4): for each child of a DA notification with a
school, a notice to that school before the next school day starts; its key adults emailed a link
and nothing else; the notice shows the child's name, when, that police attended and whether the
child was present, nothing more; the key adult acknowledges it; children with no school wait on
the hub's list; every notice is a disclosure in the audit trail; an unacknowledged notice
escalates to the hub once at 10:00."""

from datetime import UTC, date, datetime, timedelta
from html import unescape
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from contacts.models import Person
from contacts.services import PersonInput
from domestic_abuse.models import DaChild, DaNotification
from domestic_abuse.services import (
    ChildInput,
    DaNotificationInput,
    DaPersonInput,
    da_notification_create,
)
from encompass.models import EncompassNotice
from encompass.services import DISCLOSURE_EVENT, DISCLOSURE_OPENED_EVENT
from mash.audit.models import AuditEvent
from mash.idempotency.submissions import submission_token_issue
from mash.outbox.models import OutboxEmail
from schools.models import Phase, SchoolHoliday, SchoolStatus
from tests.factories import PersonFactory
from tests.schools_factories import SchoolFactory, key_adult_of

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
DA_URL = "/api/v1/da-notifications/"
API = "/api/v1/encompass-notices/"
UNRESOLVED = "/encompass/unresolved/"
OCCURRENCE = "OCC-ENC-0001"
INCIDENT_AT = (timezone.now() - timedelta(hours=3)).replace(microsecond=0)
#: What a notice must never show or send: the adults' names, the address, the risk, the reference.
FORBIDDEN = [
    "Hussain-Victim",
    "Sara",
    "Reed",
    "Daniel",
    "12 Mill Lane",
    "LS1 4AP",
    "DASH",
    "High",
    "high",
    OCCURRENCE,
    "verbal and physical argument",
]


def london(*args) -> datetime:
    return datetime(*args, tzinfo=LONDON)


@pytest.fixture
def northfield():
    return SchoolFactory(urn="100001", name="Northfield Primary", phase=Phase.PRIMARY)


@pytest.fixture
def southfield():
    return SchoolFactory(urn="100002", name="Southfield Academy", phase=Phase.SECONDARY)


@pytest.fixture
def dsl(northfield):
    return key_adult_of(northfield, username="dsl.northfield")


@pytest.fixture
def other_dsl(southfield):
    return key_adult_of(southfield, username="dsl.southfield")


def payload(*, occurrence=OCCURRENCE, incident_at=INCIDENT_AT, children=None) -> dict:
    return {
        "occurrence_reference": occurrence,
        "incident_at": incident_at.isoformat(),
        "dash_risk": "high",
        "victim": {
            "given_name": "Sara",
            "family_name": "Hussain-Victim",
            "date_of_birth": "1990-02-01",
            "address": "12 Mill Lane, Leeds",
            "postcode": "LS1 4AP",
            "relationship": {"type": "parent", "to_child": 0},
        },
        "perpetrator": {
            "given_name": "Daniel",
            "family_name": "Reed",
            "date_of_birth": "1988-07-09",
            "in_household": False,
        },
        "children": children
        if children is not None
        else [
            {
                "given_name": "Amira",
                "family_name": "Khan",
                "date_of_birth": "2017-05-04",
                "address": "12 Mill Lane, Leeds",
                "postcode": "LS1 4AP",
                "school_urn": "100001",
                "present": True,
            },
            {
                "given_name": "Yusuf",
                "family_name": "Khan",
                "date_of_birth": "2020-11-12",
                "postcode": "LS1 4AP",
                "present": False,
            },
        ],
        "narrative": "Police attended a verbal and physical argument at the home.",
    }


@pytest.fixture
def sent(api_for, researcher_a, northfield, dsl):
    """A high risk notification from the police: Amira (present, Northfield Primary) and Yusuf
    (not present, no school recorded)."""
    response = api_for(researcher_a).post(DA_URL, payload(), format="json")
    assert response.status_code == 201, response.content
    return DaNotification.objects.get()


def notice_of(given_name: str) -> EncompassNotice:
    return EncompassNotice.objects.select_related("child", "school").get(
        child__given_name=given_name
    )


def acknowledge(client, notice) -> object:
    return client.post(
        f"/encompass/notices/{notice.pk}/acknowledge/",
        {
            "submission_token": submission_token_issue(
                user=client.user, form="encompass_acknowledge"
            )
        },
    )


@pytest.fixture
def client_of(client_for):
    """client_for, remembering its user (for the form tokens)."""

    def make(user):
        client = client_for(user)
        client.user = user
        return client

    return make


# --- Creation ---------------------------------------------------------------------------------


def test_a_notice_for_each_child_with_a_school_and_none_for_a_child_without(sent, northfield):
    notice = EncompassNotice.objects.get()
    assert notice.child.given_name == "Amira"
    assert notice.school == northfield
    assert notice.present is True
    assert notice.notification == sent
    assert notice.available_at <= notice.due_by
    assert notice.acknowledged_at is None and notice.opened_at is None
    assert not EncompassNotice.objects.filter(child__given_name="Yusuf").exists()


def test_the_key_adults_are_emailed_a_link_and_nothing_else(sent, dsl, northfield):
    second = key_adult_of(northfield, username="deputy.northfield")
    key_adult_of(SchoolFactory(urn="100009"), username="elsewhere")
    notice = EncompassNotice.objects.get()
    emails = OutboxEmail.objects.filter(purpose="encompass_notice").order_by("recipient")
    assert [email.recipient for email in emails] == [dsl.email]  # the deputy came later
    email = emails[0]
    assert email.subject == "New Operation Encompass notice"
    assert email.body == (
        "You have a new Operation Encompass notice. Sign in to read it: "
        f"http://testserver/encompass/notices/{notice.pk}/"
    ) or email.body.endswith(f"/encompass/notices/{notice.pk}/")
    for text in [*FORBIDDEN, "Amira", "Khan", "Yusuf", "Northfield"]:
        assert text not in email.subject and text not in email.body, text
    assert second.email not in [e.recipient for e in emails]


def test_the_same_notification_sent_again_makes_no_second_notice_or_email(
    sent, api_for, researcher_a
):
    again = api_for(researcher_a).post(DA_URL, payload(), format="json")
    assert again.status_code == 200
    assert EncompassNotice.objects.count() == 1
    assert OutboxEmail.objects.filter(purpose="encompass_notice").count() == 1


def test_a_bad_notification_makes_no_notice(api_for, researcher_a, northfield, dsl):
    bad = payload(incident_at=timezone.now() + timedelta(days=1))
    response = api_for(researcher_a).post(DA_URL, bad, format="json")
    assert response.status_code == 400
    assert not EncompassNotice.objects.exists()
    assert not OutboxEmail.objects.filter(purpose="encompass_notice").exists()


def test_a_child_whose_school_is_closed_waits_on_the_hubs_list(
    api_for, researcher_a, client_for, hub_worker, northfield, dsl
):
    northfield.status = SchoolStatus.CLOSED
    northfield.save()
    api_for(researcher_a).post(DA_URL, payload(), format="json")
    assert not EncompassNotice.objects.exists()
    page = client_for(hub_worker).get(UNRESOLVED)
    assert "Amira Khan" in page.content.decode() and "Yusuf Khan" in page.content.decode()
    assert "Northfield Primary is closed" in page.content.decode()


# --- Disclosures in the audit trail ---------------------------------------------------------------


def test_each_notice_made_and_opened_is_a_disclosure(sent, client_of, dsl):
    notice = EncompassNotice.objects.get()
    made = AuditEvent.objects.get(name=DISCLOSURE_EVENT)
    expected = {
        "person": notice.child_id,
        "to": "school:100001",
        "what": "encompass_notice",
        "basis": "Operation Encompass",
    }
    assert made.data == expected
    assert made.object_pk == str(notice.pk)
    client = client_of(dsl)
    client.get(f"/encompass/notices/{notice.pk}/")
    client.get(f"/encompass/notices/{notice.pk}/")
    opened = AuditEvent.objects.get(name=DISCLOSURE_OPENED_EVENT)  # the first opening only
    assert opened.data == expected
    assert opened.actor == dsl
    notice.refresh_from_db()
    assert notice.opened_at is not None


# --- The key adult's pages ------------------------------------------------------------------------


def test_the_notice_shows_exactly_the_allowed_fields(sent, client_of, dsl):
    notice = EncompassNotice.objects.get()
    page = client_of(dsl).get(f"/encompass/notices/{notice.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Amira Khan" in html
    incident = timezone.localtime(sent.incident_at)
    assert incident.strftime("%H:%M") in html and str(incident.day) in html
    assert "police attended" in html
    assert "Yes, the pupil was present" in html
    for text in [*FORBIDDEN, "Yusuf", sent.contact.reference, "2017", "Medium", "MARAC"]:
        assert text not in html, text


def test_the_key_adults_home_lists_unacknowledged_first_then_newest(
    api_for, researcher_a, client_of, northfield, dsl
):
    api = api_for(researcher_a)
    for number, hours in ((1, 30), (2, 20), (3, 10)):
        child = payload()["children"][0] | {"given_name": f"Child{number}"}
        body = payload(
            occurrence=f"OCC-{number}",
            incident_at=timezone.now() - timedelta(hours=hours),
            children=[child],
        )
        assert api.post(DA_URL, body, format="json").status_code == 201
    client = client_of(dsl)
    assert acknowledge(client, notice_of("Child3")).status_code == 302
    html = client.get("/").content.decode()
    # Child3 is acknowledged: last. Of the others, the newest notice (made later) first.
    assert html.index("Child2 Khan") < html.index("Child1 Khan") < html.index("Child3 Khan")
    assert "Acknowledged" in html and "To acknowledge" in html


def test_acknowledging_records_who_and_when_once(sent, client_of, dsl, northfield):
    notice = EncompassNotice.objects.get()
    client = client_of(dsl)
    response = acknowledge(client, notice)
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.acknowledged_by == dsl
    first = notice.acknowledged_at
    assert first is not None
    page = client.get(f"/encompass/notices/{notice.pk}/")
    assert "Acknowledged by" in page.content.decode()
    deputy = key_adult_of(northfield, username="deputy")
    again = acknowledge(client_of(deputy), notice)
    assert again.status_code == 302
    notice.refresh_from_db()
    assert (notice.acknowledged_by, notice.acknowledged_at) == (dsl, first)
    assert AuditEvent.objects.filter(name="encompass_notice.acknowledged").count() == 1


def test_acknowledging_without_a_form_token_stores_nothing(sent, client_of, dsl):
    notice = EncompassNotice.objects.get()
    response = client_of(dsl).post(f"/encompass/notices/{notice.pk}/acknowledge/")
    assert response.status_code == 400
    notice.refresh_from_db()
    assert notice.acknowledged_at is None


def test_another_schools_key_adult_gets_404_on_every_notice_address(
    sent, client_of, api_for, other_dsl
):
    notice = EncompassNotice.objects.get()
    browser, api = client_of(other_dsl), api_for(other_dsl)
    token = submission_token_issue(user=other_dsl, form="encompass_acknowledge")
    for method, url in (
        ("get", f"/encompass/notices/{notice.pk}/"),
        ("post", f"/encompass/notices/{notice.pk}/acknowledge/"),
        ("get", UNRESOLVED),
        ("get", f"{UNRESOLVED}{DaChild.objects.first().pk}/"),
        ("post", f"{UNRESOLVED}{DaChild.objects.first().pk}/"),
    ):
        response = getattr(browser, method)(
            url, {"submission_token": token} if method == "post" else None
        )
        assert response.status_code == 404, (method, url)
    assert api.get(f"{API}{notice.pk}/").status_code == 404
    assert api.post(f"{API}{notice.pk}/acknowledge/").status_code == 404
    listed = api.get(API)
    assert listed.status_code == 200 and listed.json()["results"] == []
    home = browser.get("/").content.decode()
    assert "Amira" not in home
    notice.refresh_from_db()
    assert notice.acknowledged_at is None and notice.opened_at is None


@pytest.mark.parametrize("persona", ["board_member", "referrer", "researcher_a", "administrator"])
def test_everyone_else_gets_404(request, persona, sent, client_for, api_for):
    user = request.getfixturevalue(persona)
    notice = EncompassNotice.objects.get()
    browser = client_for(user)
    assert browser.get(f"/encompass/notices/{notice.pk}/").status_code == 404
    assert browser.get(UNRESOLVED).status_code == 404
    assert api_for(user).get(API).status_code == 404
    assert api_for(user).get(f"{API}{notice.pk}/").status_code == 404
    assert api_for(user).post(f"{API}{notice.pk}/acknowledge/").status_code == 404


# --- The API -----------------------------------------------------------------------------------


def test_the_key_adult_lists_and_acknowledges_through_the_api(sent, api_for, dsl):
    api = api_for(dsl)
    listed = api.get(API)
    assert listed.status_code == 200
    [row] = listed.json()["results"]
    assert set(row) == {
        "id",
        "school",
        "child_name",
        "incident_at",
        "police_attended",
        "present",
        "available_at",
        "due_by",
        "acknowledge_by",
        "opened_at",
        "acknowledged_at",
    }
    assert row["child_name"] == "Amira Khan" and row["police_attended"] is True
    assert row["school"] == {"urn": "100001", "name": "Northfield Primary"}
    for text in FORBIDDEN:
        assert text not in listed.content.decode(), text
    response = api.post(f"{API}{row['id']}/acknowledge/")
    assert response.status_code == 200, response.content
    assert response.json()["acknowledged_at"] is not None
    again = api.post(f"{API}{row['id']}/acknowledge/")
    assert again.status_code == 200
    assert again.json()["acknowledged_at"] == response.json()["acknowledged_at"]


def test_hub_staff_list_every_notice_but_do_not_acknowledge(sent, api_for, hub_worker):
    api = api_for(hub_worker)
    [row] = api.get(API).json()["results"]
    assert row["contact"] == sent.contact_id and row["escalated_at"] is None
    assert api.post(f"{API}{row['id']}/acknowledge/").status_code == 403
    assert EncompassNotice.objects.get().acknowledged_at is None


# --- The hub's list of children with no school ----------------------------------------------------


def test_the_hub_records_a_childs_school_and_the_notice_is_sent(
    sent, client_of, hub_worker, southfield, other_dsl
):
    client = client_of(hub_worker)
    listed = client.get(UNRESOLVED)
    assert listed.status_code == 200
    html = listed.content.decode()
    assert "Yusuf Khan" in html and "Amira Khan" not in html
    yusuf = DaChild.objects.get(person__given_name="Yusuf")
    url = f"{UNRESOLVED}{yusuf.pk}/"
    token = submission_token_issue(user=hub_worker, form="encompass_resolve")
    response = client.post(url, {"school": "100002 Southfield Academy", "submission_token": token})
    assert response.status_code == 302, response.content.decode()
    notice = notice_of("Yusuf")
    assert notice.school == southfield and notice.present is False
    assert Person.objects.get(given_name="Yusuf").current_school == southfield
    email = OutboxEmail.objects.get(recipient=other_dsl.email)
    assert "Yusuf" not in email.body and f"/encompass/notices/{notice.pk}/" in email.body
    assert AuditEvent.objects.filter(name=DISCLOSURE_EVENT).count() == 2
    assert AuditEvent.objects.filter(name="person.corrected").exists()
    after = client.get(UNRESOLVED).content.decode()
    assert "recorded as Southfield Academy" in after  # the message; the list is empty
    assert 'data-testid="unresolved-row"' not in after
    # The same form posted again goes where the first went, and makes nothing more.
    again = client.post(url, {"school": "100002", "submission_token": token})
    assert again.status_code == 302
    assert EncompassNotice.objects.count() == 2


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter the school's 6-digit URN or its name"),
        ("999999", "No school has the URN 999999"),
        ("12345", "A URN is 6 digits"),
        ("Nowhere High", "No open school is called"),
    ],
)
def test_a_bad_school_names_the_field_and_stores_nothing(
    sent, client_of, hub_worker, typed, message
):
    yusuf = DaChild.objects.get(person__given_name="Yusuf")
    token = submission_token_issue(user=hub_worker, form="encompass_resolve")
    response = client_of(hub_worker).post(
        f"{UNRESOLVED}{yusuf.pk}/", {"school": typed, "submission_token": token}
    )
    assert response.status_code == 400
    html = unescape(response.content.decode())
    assert message in html and 'href="#id_school"' in html
    assert EncompassNotice.objects.count() == 1
    assert Person.objects.get(given_name="Yusuf").current_school is None


# --- Query counts -------------------------------------------------------------------------------


def _many_children(notification: DaNotification, count: int) -> list[Person]:
    people = PersonFactory.create_batch(count)
    DaChild.objects.bulk_create(
        DaChild(notification=notification, person=person, present=False) for person in people
    )
    return people


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_lists_take_the_same_queries_for_5_and_50_rows(
    sent, client_of, api_for, dsl, hub_worker, northfield
):
    counts = {}
    for total in (5, 50):
        people = _many_children(sent, total - EncompassNotice.objects.count())
        now = timezone.now()
        EncompassNotice.objects.bulk_create(
            EncompassNotice(
                notification=sent,
                child=person,
                school=northfield,
                present=False,
                available_at=now,
                due_by=now + timedelta(hours=1),
                acknowledge_by=now + timedelta(hours=2),
            )
            for person in people
        )
        # Children waiting for a school: as many again.
        _many_children(
            sent, total - DaChild.objects.filter(person__current_school=None).count() + 1
        )
        key_adult, hub = client_of(dsl), client_of(hub_worker)
        counts[total] = (
            _queries(key_adult, "/"),
            _queries(hub, UNRESOLVED),
            _queries(api_for(dsl), API),
            _queries(api_for(hub_worker), API),
        )
    assert EncompassNotice.objects.count() == 50
    assert counts[5] == counts[50]


# --- When a notice is due: the school-day calendar, through the real creation path --------------


def _create_at(incident: datetime, *, after: timedelta = timedelta(minutes=30), researcher):
    """A notification about an incident at `incident`, recorded `after` it (the police's
    system, through the same service as the API)."""
    with time_machine.travel(incident + after, tick=False):
        da_notification_create(
            data=DaNotificationInput(
                occurrence_reference=f"OCC-{incident:%Y%m%d%H%M}",
                incident_at=incident,
                dash_risk="standard",
                children=[
                    ChildInput(
                        person=PersonInput(
                            given_name="Amira",
                            family_name="Khan",
                            date_of_birth=date(2017, 5, 4),
                            school_urn="100001",
                        ),
                        present=True,
                    )
                ],
                victim=DaPersonInput(person=PersonInput(given_name="Sara", family_name="Khan")),
                police_agency=researcher.agency,
            ),
            created_by=researcher,
        )
    return EncompassNotice.objects.get(notification__incident_at=incident)


@pytest.mark.parametrize(
    ("incident", "due", "why"),
    [
        (london(2026, 3, 6, 22), london(2026, 3, 9, 9), "Friday night: Monday 09:00"),
        (london(2026, 5, 4, 10), london(2026, 5, 5, 9), "bank holiday Monday: Tuesday 09:00"),
        (london(2026, 5, 1, 23), london(2026, 5, 5, 9), "Friday before a bank holiday Monday"),
        (london(2026, 3, 10, 7), london(2026, 3, 10, 9), "before school: that morning"),
        # The clocks go forward on Sunday 29 March 2026: Monday 09:00 is 08:00 UTC.
        (london(2026, 3, 28, 22), datetime(2026, 3, 30, 8, tzinfo=UTC), "spring clock change"),
        # The clocks go back on Sunday 25 October 2026: Monday 09:00 is 09:00 UTC.
        (london(2026, 10, 24, 22), datetime(2026, 10, 26, 9, tzinfo=UTC), "autumn clock change"),
    ],
)
def test_a_notice_is_due_at_the_start_of_the_next_school_day(
    incident, due, why, researcher_a, northfield, dsl
):
    notice = _create_at(incident, researcher=researcher_a)
    assert notice.due_by == due, why
    assert notice.acknowledge_by == due + timedelta(hours=1), why
    assert notice.available_at == incident + timedelta(minutes=30)
    assert notice.available_at <= notice.due_by


def test_an_incident_on_the_last_day_of_term_is_due_on_the_first_day_back(
    researcher_a, northfield, dsl
):
    SchoolHoliday.objects.create(
        name="Easter holiday", first_day=date(2026, 3, 30), last_day=date(2026, 4, 10)
    )
    notice = _create_at(london(2026, 3, 27, 15), researcher=researcher_a)
    assert notice.due_by == london(2026, 4, 13, 9)
    assert notice.acknowledge_by == london(2026, 4, 13, 10)
    assert notice.available_at <= notice.due_by


def test_a_notice_made_late_is_acknowledged_by_ten_on_the_first_school_day_after_it(
    researcher_a, northfield, dsl
):
    """Reported on Tuesday afternoon about Friday night: due Monday 09:00 (missed, K14 counts
    it late), acknowledged by Wednesday 10:00 (the school could not have seen it sooner)."""
    incident = london(2026, 3, 6, 22)
    notice = _create_at(incident, after=timedelta(days=3, hours=16), researcher=researcher_a)
    assert notice.due_by == london(2026, 3, 9, 9)
    assert notice.available_at > notice.due_by
    assert notice.acknowledge_by == london(2026, 3, 11, 10)


# --- Escalation through the deadline scan ---------------------------------------------------


def test_an_unacknowledged_notice_escalates_to_the_hub_once_at_ten(sent, manager, dsl, client_of):
    from deadlines.models import Breach, DeadlineEvent, Notification
    from deadlines.services import run_deadline_scan

    notice = EncompassNotice.objects.get()
    ten = notice.acknowledge_by
    assert timezone.localtime(ten, LONDON).strftime("%H:%M") == "10:00"
    ours = DeadlineEvent.objects.filter(kind="encompass_notice")
    run_deadline_scan(now=ten - timedelta(minutes=1))
    assert not ours.exists()
    run_deadline_scan(now=ten)
    assert ours.count() == 1
    run_deadline_scan(now=ten + timedelta(minutes=5))
    assert ours.count() == 1
    event = ours.get()
    assert event.encompass_notice == notice and event.stage == "deadline"
    [escalation] = Notification.objects.filter(event=event)
    assert (escalation.user, escalation.kind) == (manager, "escalation")
    assert notice.reference in escalation.title
    assert escalation.link == f"/contacts/{sent.contact_id}/"
    for text in ("Amira", "Khan", "Northfield", *FORBIDDEN):
        assert text not in escalation.title and text not in escalation.body, text
    assert not Notification.objects.filter(user=dsl).exists()
    notice.refresh_from_db()
    assert notice.escalated_at is not None
    breach = Breach.objects.get(kind="encompass_notice")
    assert breach.encompass_notice == notice and breach.resolved_at is None
    board = client_of(manager).get("/breaches/").content.decode()
    assert notice.reference in board and "Operation Encompass notice" in board
    # The school acknowledges after all: the breach is no longer current.
    assert acknowledge(client_of(dsl), notice).status_code == 302
    breach.refresh_from_db()
    assert breach.resolved_at is not None
    assert notice.reference not in client_of(manager).get("/breaches/").content.decode()


def test_a_notice_acknowledged_in_time_is_not_escalated(sent, manager, dsl, client_of):
    from deadlines.models import DeadlineEvent
    from deadlines.services import run_deadline_scan

    notice = EncompassNotice.objects.get()
    assert acknowledge(client_of(dsl), notice).status_code == 302
    run_deadline_scan(now=notice.acknowledge_by + timedelta(hours=1))
    assert not DeadlineEvent.objects.filter(kind="encompass_notice").exists()
    notice.refresh_from_db()
    assert notice.escalated_at is None and notice.was_acknowledged_in_time
