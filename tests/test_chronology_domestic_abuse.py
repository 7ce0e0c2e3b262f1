"""Domestic abuse notifications and Operation Encompass notices in a person's chronology (DOMAIN.md,
"Households, history and documents"): the incident, at its own time, for each child (present or
not), the victim and the alleged perpetrator, with the DASH risk and their part in it; the daily
meeting's agreed outcome and MARAC referral when it was confirmed; the child's notice to their
school, whether and when it was acknowledged, and whether it was escalated. Filterable by kind
and date, on the page (printed) and through the API, hub staff only, in a constant number of
queries."""

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from chronology.events import moment
from contacts.codes import Outcome, Rag
from contacts.models import ConcernRole, ContactPerson, ContactSubject
from domestic_abuse.models import DaChild, DaNotification, DashRisk, TriageMeeting
from encompass.models import EncompassNotice
from mash.audit.models import AuditEvent
from mash.clocks import LONDON
from schools.models import Phase
from tests.factories import PersonFactory, UserFactory
from tests.reporting.factories import ContactFactory
from tests.schools_factories import SchoolFactory, key_adult_of
from tests.test_chronology import (
    BUNDLE,
    START,
    api_url,
    bundle,
    count_queries,
    kinds_of,
    page_url,
)
from tests.test_encompass import DA_URL, INCIDENT_AT, payload

pytestmark = pytest.mark.django_db

DA_KINDS = ["da_notification", "da_meeting_outcome", "encompass_notice"]
OUTSIDERS = ["researcher_a", "researcher_b", "supervisor_a", "referrer", "board_member"]
OUTSIDERS += ["administrator", "dsl"]


@pytest.fixture
def northfield():
    return SchoolFactory(urn="100001", name="Northfield Primary", phase=Phase.PRIMARY)


@pytest.fixture
def dsl(northfield):
    return key_adult_of(northfield, username="dsl.northfield")


@pytest.fixture
def sent(api_for, researcher_a, northfield, dsl):
    """A high risk notification sent by the police through the API: Amira (present, at
    Northfield Primary, so she has a notice), Yusuf (not present, no school: no notice), their
    mother Sara (the victim) and Daniel (the alleged perpetrator)."""
    response = api_for(researcher_a).post(DA_URL, payload(), format="json")
    assert response.status_code == 201, response.content
    return DaNotification.objects.select_related("contact", "victim", "perpetrator").get()


def child_named(notification, given_name: str):
    return notification.children.get(person__given_name=given_name).person


def events_of(api, person, **query) -> list[dict]:
    response = api.get(api_url(person), query)
    assert response.status_code == 200, response.content
    return response.json()["events"]


def only(events: list[dict], kind: str) -> dict:
    [event] = [event for event in events if event["kind"] == kind]
    return event


def kinds_of_list(events: list[dict]) -> list[str]:
    return [event["kind"] for event in events]


def confirm_meeting(notification, chair, *, at: datetime, marac=True, rationale="Agreed"):
    """The daily meeting of `at`'s day took `notification`, agreed a MASH enquiry (Red) and was
    confirmed at `at`."""
    meeting = TriageMeeting.objects.create(
        date=at.astimezone(LONDON).date(), chair=chair, confirmed_at=at
    )
    DaNotification.objects.filter(pk=notification.pk).update(
        meeting=meeting,
        agreed_outcome=Outcome.MASH_ENQUIRY,
        agreed_rag=Rag.RED,
        marac_referral=marac,
        agreed_rationale=rationale,
    )
    return meeting


# --- What it shows ---------------------------------------------------------------------------


def test_the_incident_is_in_the_chronology_of_each_person_at_its_own_time(
    api_for, hub_worker, sent
):
    api = api_for(hub_worker)
    reference = sent.contact.reference
    link = f"/contacts/{sent.contact_id}/#da-title"
    amira, yusuf = child_named(sent, "Amira"), child_named(sent, "Yusuf")

    events = events_of(api, amira)
    # The incident happened before the police sent it: it comes first, at the incident's time.
    assert kinds_of_list(events) == ["da_notification", "contact_received", "encompass_notice"]
    incident = events[0]
    assert datetime.fromisoformat(incident["when"]) == INCIDENT_AT
    assert incident["title"] == (
        f"Domestic abuse incident notified by the police on {reference}: High risk"
    )
    assert incident["kind_label"] == "Domestic abuse incident"
    assert incident["detail"].startswith(
        "A child of the household, present at the incident (witnessed it). DASH risk: High."
    )
    assert "County Police (occurrence OCC-ENC-0001)" in incident["detail"]
    assert f"received {moment(sent.contact.received_at)}" in incident["detail"]
    assert (incident["link"], incident["record"]) == (link, reference)

    yusuf_incident = only(events_of(api, yusuf), "da_notification")
    assert yusuf_incident["detail"].startswith(
        "A child of the household, not present at the incident (normally lives there)."
    )
    assert "encompass_notice" not in kinds_of_list(events_of(api, yusuf))  # no school: no notice

    victim = only(events_of(api, sent.victim), "da_notification")
    assert victim["detail"].startswith("The victim. DASH risk: High.")
    perpetrator = only(events_of(api, sent.perpetrator), "da_notification")
    assert perpetrator["detail"].startswith("The alleged perpetrator. DASH risk: High.")
    assert "encompass_notice" not in kinds_of_list(events_of(api, sent.victim))


def test_the_meeting_outcome_is_there_once_the_meeting_is_confirmed(
    api_for, hub_worker, manager, sent
):
    api = api_for(hub_worker)
    amira = child_named(sent, "Amira")
    meeting = TriageMeeting.objects.create(date=timezone.localdate(), chair=manager)
    DaNotification.objects.filter(pk=sent.pk).update(
        meeting=meeting, agreed_outcome=Outcome.MASH_ENQUIRY, marac_referral=True
    )
    # Agreed but not yet confirmed: nothing yet.
    assert "da_meeting_outcome" not in kinds_of_list(events_of(api, amira))
    DaNotification.objects.filter(pk=sent.pk).update(meeting=None)
    meeting.delete()

    confirmed_at = (timezone.now() + timedelta(minutes=5)).replace(microsecond=0)
    confirm_meeting(sent, manager, at=confirmed_at, rationale="Children present; repeat incidents.")
    for person in (amira, child_named(sent, "Yusuf"), sent.victim, sent.perpetrator):
        outcome = only(events_of(api, person), "da_meeting_outcome")
        assert datetime.fromisoformat(outcome["when"]) == confirmed_at
        day = confirmed_at.astimezone(LONDON)
        assert outcome["title"] == (
            f"Daily triage meeting of {day.day} {day:%B %Y} agreed on "
            f"{sent.contact.reference}: MASH enquiry (Red)"
        )
        assert outcome["detail"] == "With a MARAC referral. Children present; repeat incidents."
        assert outcome["by"] == manager.display_name
        assert outcome["kind_label"] == "Daily triage meeting outcome"
        assert outcome["link"] == f"/contacts/{sent.contact_id}/#da-title"

    # High risk and no referral says so; the events come after the incident and the contact.
    DaNotification.objects.filter(pk=sent.pk).update(marac_referral=False, agreed_rationale="")
    events = events_of(api, amira)
    assert only(events, "da_meeting_outcome")["detail"] == "No MARAC referral."
    assert kinds_of_list(events).index("da_meeting_outcome") > kinds_of_list(events).index(
        "contact_received"
    )


def test_the_encompass_notice_says_where_it_went_and_what_the_school_did(
    api_for, hub_worker, sent, dsl
):
    api = api_for(hub_worker)
    amira = child_named(sent, "Amira")
    notice = EncompassNotice.objects.get()
    event = only(events_of(api, amira), "encompass_notice")
    assert datetime.fromisoformat(event["when"]) == notice.available_at
    assert (
        event["title"]
        == f"Operation Encompass notice {notice.reference} sent to Northfield Primary"
    )
    assert event["detail"] == "Present at the incident. Not yet acknowledged by the school."
    assert event["record"] == sent.contact.reference
    assert event["link"] == f"/contacts/{sent.contact_id}/#da-title"
    assert event["kind_label"] == "Operation Encompass notice"

    acknowledged = notice.acknowledge_by - timedelta(minutes=20)
    EncompassNotice.objects.filter(pk=notice.pk).update(
        acknowledged_at=acknowledged, acknowledged_by=dsl
    )
    event = only(events_of(api, amira), "encompass_notice")
    assert event["detail"] == (
        "Present at the incident. Acknowledged by the school on "
        f"{moment(acknowledged)} ({dsl.display_name})."
    )

    # Not acknowledged by 10:00: escalated; acknowledged late afterwards.
    escalated, late = notice.acknowledge_by, notice.acknowledge_by + timedelta(hours=2)
    EncompassNotice.objects.filter(pk=notice.pk).update(
        acknowledged_at=late, acknowledged_by=dsl, escalated_at=escalated
    )
    event = only(events_of(api, amira), "encompass_notice")
    assert event["detail"] == (
        "Present at the incident. Acknowledged by the school on "
        f"{moment(late)} ({dsl.display_name}), after its deadline. Not acknowledged by "
        f"{moment(notice.acknowledge_by)}: escalated to the hub {moment(escalated)}."
    )


def test_the_page_shows_and_prints_them(client_for, hub_worker, manager, sent):
    amira = child_named(sent, "Amira")
    confirm_meeting(sent, manager, at=timezone.now() + timedelta(minutes=5))
    page = client_for(hub_worker).get(page_url(amira)).content.decode()
    kinds = [chunk.split('"', 1)[0] for chunk in page.split('data-kind="')[1:]]
    assert kinds == [
        "da_notification",
        "contact_received",
        "encompass_notice",
        "da_meeting_outcome",
    ]
    for label in ("Domestic abuse incident", "Daily triage meeting outcome"):
        assert f'app-chronology__kind">{label}</strong>' in page
    assert "Operation Encompass notice EN-" in page and "Northfield Primary" in page
    assert f'href="/contacts/{sent.contact_id}/#da-title"' in page
    assert f'app-print-only">Record {sent.contact.reference}' in page
    # The kinds are offered in the filter.
    for kind in DA_KINDS:
        assert f'value="{kind}"' in page


# --- Filters ---------------------------------------------------------------------------------


def test_the_new_kinds_filter_like_the_others(api_for, client_for, hub_worker, manager, sent):
    api = api_for(hub_worker)
    amira = child_named(sent, "Amira")
    later = (timezone.now() + timedelta(days=3)).replace(microsecond=0)
    confirm_meeting(sent, manager, at=later)
    assert kinds_of(api.get(api_url(amira), {"kinds": "da_notification"})) == ["da_notification"]
    assert kinds_of(api.get(api_url(amira), {"kinds": "encompass_notice"})) == ["encompass_notice"]
    assert kinds_of(api.get(api_url(amira), {"kinds": "da_meeting_outcome"})) == [
        "da_meeting_outcome"
    ]
    # Each by its own date: the incident and the notice before the meeting's day, the outcome on it.
    meeting_day = later.astimezone(LONDON).date().isoformat()
    both = "da_notification,da_meeting_outcome"
    response = api.get(api_url(amira), {"kinds": both, "from": meeting_day})
    assert kinds_of(response) == ["da_meeting_outcome"]
    day_before = (later.astimezone(LONDON).date() - timedelta(days=1)).isoformat()
    response = api.get(api_url(amira), {"kinds": both, "to": day_before})
    assert kinds_of(response) == ["da_notification"]
    response = api.get(api_url(amira), {"kinds": "encompass_notice", "from": meeting_day})
    assert kinds_of(response) == []
    page = client_for(hub_worker).get(f"{page_url(amira)}?kinds=encompass_notice").content.decode()
    assert [chunk.split('"', 1)[0] for chunk in page.split('data-kind="')[1:]] == [
        "encompass_notice"
    ]
    assert "1 event" in page and "operation encompass notice" in page


def test_the_schema_lists_the_new_kinds(client_for, hub_worker):
    schema = client_for(hub_worker).get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/people/{id}/chronology/"]["get"]
    [kinds] = [parameter for parameter in operation["parameters"] if parameter["name"] == "kinds"]
    assert set(DA_KINDS) <= set(kinds["schema"]["items"]["enum"])


# --- Who sees it ------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_outside_the_hub_the_chronology_is_404(persona, request, client_for, api_for, sent):
    """The school's key adult too, who sees Amira's notice but never her chronology."""
    user = request.getfixturevalue(persona)
    amira = child_named(sent, "Amira")
    for person in (amira, sent.victim):
        assert client_for(user).get(page_url(person)).status_code == 404
        response = api_for(user).get(api_url(person), {"kinds": "encompass_notice"})
        assert response.status_code == 404
        assert "Amira" not in response.content.decode()
    assert not AuditEvent.objects.filter(name="chronology.viewed").exists()


# --- Queries ---------------------------------------------------------------------------------


def da_incident(child, *, day: int, chair, police, school):
    """A medium risk DA notification about `child` (present), on day `day` after START, with
    its own victim and perpetrator, the meeting that agreed it confirmed the next day, and the
    child's Encompass notice, acknowledged: four events for the child (the contact received,
    the incident, the notice, the outcome)."""
    incident_at = START + timedelta(days=day)
    contact = ContactFactory(received_at=incident_at + timedelta(minutes=30))
    ContactSubject.objects.create(contact=contact, person=child)
    victim, perpetrator = PersonFactory(), PersonFactory()
    ContactPerson.objects.create(contact=contact, person=victim, role=ConcernRole.VICTIM)
    ContactPerson.objects.create(
        contact=contact, person=perpetrator, role=ConcernRole.ALLEGED_PERPETRATOR
    )
    confirmed = incident_at + timedelta(days=1)
    meeting = TriageMeeting.objects.create(
        date=date(2027, 1, 1) + timedelta(days=day), chair=chair, confirmed_at=confirmed
    )
    notification = DaNotification.objects.create(
        contact=contact,
        police_agency=police,
        occurrence_reference=f"OCC-Q-{contact.pk}",
        incident_at=incident_at,
        dash_risk=DashRisk.MEDIUM,
        victim=victim,
        perpetrator=perpetrator,
        meeting=meeting,
        agreed_outcome=Outcome.EARLY_HELP,
        agreed_rationale=f"Day {day}",
    )
    DaChild.objects.create(notification=notification, person=child, present=True)
    EncompassNotice.objects.create(
        notification=notification,
        child=child,
        school=school,
        present=True,
        available_at=incident_at + timedelta(hours=1),
        due_by=incident_at + timedelta(hours=12),
        acknowledge_by=incident_at + timedelta(hours=13),
        acknowledged_at=incident_at + timedelta(hours=14),
        acknowledged_by=UserFactory(),
        escalated_at=incident_at + timedelta(hours=13),
    )
    return notification


def test_many_events_of_every_kind_cost_the_same_queries_as_a_few(
    client_for, api_for, hub_worker, manager, agency_a, agency_b, northfield
):
    """The chronology test's 5 against 200 events, now with the domestic abuse kinds: a person
    with one incident (four events) and one with twenty bundles and fifty incidents (400)."""
    school = SchoolFactory(urn="100003", name="Southfield Academy")
    few = PersonFactory()
    da_incident(few, day=0, chair=manager, police=agency_a, school=school)
    many = PersonFactory()
    for day in range(20):
        bundle(many, day=day, worker=hub_worker, manager=manager, agency=agency_a)
    for day in range(50):
        da_incident(many, day=day + 1, chair=manager, police=agency_a, school=northfield)
    # One of the incidents names the person twice over (a merged record as its victim).
    merged = PersonFactory(merged_into=many, merged_at=timezone.now())
    DaNotification.objects.filter(pk=DaNotification.objects.latest("pk").pk).update(victim=merged)

    client, api = client_for(hub_worker), api_for(hub_worker)
    assert kinds_of(api.get(api_url(few))) == [
        "da_notification",
        "contact_received",
        "encompass_notice",
        "da_meeting_outcome",
    ]
    events = api.get(api_url(many)).json()["events"]
    kinds = [event["kind"] for event in events]
    assert len(events) == 20 * len(BUNDLE) + 50 * 4
    assert {kind: kinds.count(kind) for kind in DA_KINDS} == dict.fromkeys(DA_KINDS, 50)
    assert [event["when"] for event in events] == sorted(event["when"] for event in events)
    last = [event for event in events if event["kind"] == "da_notification"][-1]
    assert last["detail"].startswith("The victim. A child of the household, present")
    page_few = count_queries(lambda: client.get(page_url(few)))
    page_many = count_queries(lambda: client.get(page_url(many)))
    api_few = count_queries(lambda: api.get(api_url(few)))
    api_many = count_queries(lambda: api.get(api_url(many)))
    assert page_few == page_many
    assert api_few == api_many
    # Each of the new kinds alone: the same number however many there are.
    for kind in DA_KINDS:
        alone_few = count_queries(lambda: api.get(api_url(few), {"kinds": kind}))  # noqa: B023
        alone_many = count_queries(lambda: api.get(api_url(many), {"kinds": kind}))  # noqa: B023
        assert alone_few == alone_many
