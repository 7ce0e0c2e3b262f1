"""The daily triage meeting (issue 13, item 2): the chair starts the day's meeting, which takes
the medium and high risk notifications waiting for it, oldest first; attendees are recorded by
agency; each notification's agreed outcome is saved as it is typed; confirming makes each the
contact's decision through the contacts' own services, all or nothing. Attending police and
education members follow the running meeting's list, and nothing else; everyone else gets 404."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agencies.models import AgencyKind
from agencies.roles import Role
from contacts import services as contact_services
from contacts.models import Contact, DecisionEntry, DecisionKind
from deadlines.services import run_deadline_scan
from domestic_abuse import meeting_services
from domestic_abuse.models import DaNotification, MeetingAttendee, TriageMeeting
from domestic_abuse.services import (
    ChildInput,
    DaNotificationInput,
    DaPersonInput,
    da_notification_create,
)
from enquiries.models import Enquiry, EnquiryContact
from mash.audit.models import AuditEvent
from mash.outbox.models import OutboxEmail
from tests.factories import AgencyFactory, UserFactory, contact_input, person_input
from tests.schools_factories import SchoolFactory, key_adult_of

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
PAGES = "/da-meetings/"
API = "/api/v1/da-meetings/"
VALID_NHS_NUMBER = "943 476 5919"


@pytest.fixture
def education(db):
    return AgencyFactory(name="Education Safeguarding", code="edu", kind=AgencyKind.EDUCATION)


@pytest.fixture
def education_member(education):
    from agencies.roles import Role

    return UserFactory(username="edu.officer", agency=education, role=Role.AGENCY_RESEARCHER)


_counter = iter(range(1, 100_000))


def notify(
    police,
    child: str,
    *,
    risk: str = "high",
    family: str = "Hussain",
    nhs_number: str = "",
    victim: str = "Sara",
    received_at: datetime | None = None,
    present: bool = True,
) -> DaNotification:
    """A DA notification from `police` about one child, stored through the service."""
    number = next(_counter)
    received = received_at or timezone.now() - timedelta(minutes=1000 - number)
    notification, _ = da_notification_create(
        data=DaNotificationInput(
            occurrence_reference=f"OCC-{number:05d}",
            incident_at=received - timedelta(hours=2),
            received_at=received,
            dash_risk=risk,
            children=[
                ChildInput(
                    person=person_input(
                        given_name=child, family_name=family, nhs_number=nhs_number
                    ),
                    present=present,
                )
            ],
            victim=DaPersonInput(person=person_input(given_name=victim, family_name=family)),
            perpetrator=DaPersonInput(
                person=person_input(given_name="Daniel", family_name="Reed"), in_household=False
            ),
            police_agency=police,
            narrative="Police attended a domestic incident at the home.",
            referrer_name="PC Khan",
            referrer_email="pc.khan@police.example",
        )
    )
    return notification


def open_enquiry_for(child_nhs: str, hub_worker, manager) -> Enquiry:
    """An open MASH enquiry about a child (by NHS number), from an earlier contact."""
    contact = contact_services.contact_create(
        data=contact_input(
            subjects=[person_input(given_name="Cara", family_name="Lee", nhs_number=child_nhs)]
        )
    )
    contact_services.contact_recommend(
        contact=contact, user=hub_worker, outcome="MASH_ENQUIRY", rag="AMBER", rationale="Unclear"
    )
    contact_services.contact_decide(
        contact=contact, manager=manager, outcome="MASH_ENQUIRY", rag="AMBER"
    )
    return Enquiry.objects.get(contact=contact)


def start(client) -> TriageMeeting:
    response = client.post(f"{PAGES}start/")
    assert response.status_code == 302, response.content
    return TriageMeeting.objects.get(date=timezone.localdate())


def save(client, meeting, notification, **fields):
    prefix = f"da{notification.pk}"
    data = {f"{prefix}-{name}": value for name, value in fields.items()}
    return client.post(f"{PAGES}{meeting.pk}/notifications/{notification.pk}/", data)


def attend(client, meeting, agency, name: str):
    return client.post(f"{PAGES}{meeting.pk}/attendees/", {"agency": agency.pk, "name": name})


def running_meeting(manager, *notifications, attendees=()) -> TriageMeeting:
    meeting, _ = meeting_services.meeting_start(chair=manager)
    for agency, name in attendees:
        meeting_services.attendee_add(meeting=meeting, agency=agency, name=name, by=manager)
    return meeting


def agree(manager, meeting, notification, outcome="NFA", rationale="Agreed.", **kwargs):
    meeting_services.outcome_record(
        meeting=meeting,
        notification=notification,
        data=meeting_services.OutcomeInput(outcome=outcome, rationale=rationale, **kwargs),
        by=manager,
    )


# --- The whole meeting -------------------------------------------------------------------------


def test_the_chair_runs_the_meeting_and_each_agreed_outcome_becomes_the_decision(
    client_for, manager, hub_worker, agency_a, hub_agency, education
):
    joined_enquiry = open_enquiry_for(VALID_NHS_NUMBER, hub_worker, manager)
    high = notify(agency_a, "Amira", risk="high")
    medium = notify(agency_a, "Ben", risk="medium", family="Okafor", victim="Grace")
    known = notify(agency_a, "Cara", risk="high", family="Lee", nhs_number=VALID_NHS_NUMBER)
    standard = notify(agency_a, "Dina", risk="standard", family="Shah")
    chair = client_for(manager)

    listing = chair.get(PAGES)
    assert "3 notifications waiting for the meeting" in listing.content.decode()
    meeting = start(chair)
    assert list(meeting.notifications.order_by("contact__received_at")) == [high, medium, known]
    assert DaNotification.objects.get(pk=standard.pk).meeting is None

    for agency, name in ((agency_a, "DS Patel"), (hub_agency, "Jo Brown"), (education, "Ann Lee")):
        assert attend(chair, meeting, agency, name).status_code == 302
    assert MeetingAttendee.objects.filter(meeting=meeting).count() == 3

    page = chair.get(f"{PAGES}{meeting.pk}/").content.decode()
    assert "0 of 3 agreed" in page
    assert page.index(high.contact.reference) < page.index(medium.contact.reference)
    assert page.index(medium.contact.reference) < page.index(known.contact.reference)
    assert f'Enquiry <a class="govuk-link" href="/enquiries/{joined_enquiry.pk}/">' in page
    assert "Refer to MARAC" in page
    assert "Daniel Reed" in page and "present (witnessed)" in page

    response = save(
        chair,
        meeting,
        high,
        outcome="MASH_ENQUIRY",
        rag="RED",
        marac_referral="on",
        rationale="Serious assault with the child present.",
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"?saved={high.pk}#da-{medium.pk}")
    save(chair, meeting, medium, outcome="NFA", rag="RED", rationale="Known to early help.")
    save(chair, meeting, known, outcome="MASH_ENQUIRY", rag="AMBER", rationale="Open already.")
    assert "3 of 3 agreed" in chair.get(f"{PAGES}{meeting.pk}/").content.decode()
    assert DaNotification.objects.get(pk=medium.pk).agreed_rag == ""  # not part of NFA

    other_manager = UserFactory(agency=manager.agency, role=Role.HUB_MANAGER)
    response = chair.post(f"{PAGES}{meeting.pk}/confirm/")
    assert response.status_code == 302, response.content.decode()

    meeting.refresh_from_db()
    assert meeting.is_confirmed
    decided = {c.pk: c for c in Contact.objects.filter(da_notification__meeting=meeting)}
    assert decided[high.contact_id].outcome == "MASH_ENQUIRY"
    assert decided[high.contact_id].initial_rag == "RED"
    assert decided[medium.contact_id].outcome == "NFA"
    assert decided[known.contact_id].outcome == "MASH_ENQUIRY"
    for contact in decided.values():
        assert contact.decided_by == manager
        kinds = set(DecisionEntry.objects.filter(contact=contact).values_list("kind", flat=True))
        assert kinds == {DecisionKind.RECOMMENDATION, DecisionKind.DECISION}
    recommendation = DecisionEntry.objects.get(
        contact_id=high.contact_id, kind=DecisionKind.RECOMMENDATION
    )
    assert recommendation.rationale == "Serious assault with the child present."
    assert Enquiry.objects.filter(contact_id=high.contact_id).exists()  # opened
    assert not Enquiry.objects.filter(contact_id=known.contact_id).exists()
    assert EnquiryContact.objects.filter(
        enquiry=joined_enquiry, contact_id=known.contact_id
    ).exists()  # joined the child's open enquiry
    assert DaNotification.objects.get(pk=high.pk).marac_referral is True
    feedback = OutboxEmail.objects.filter(recipient="pc.khan@police.example")
    assert feedback.count() == 3
    event = AuditEvent.objects.get(name="meeting.confirmed")
    assert event.data["notifications"] == 3
    assert event.data["outcomes"] == {"MASH_ENQUIRY": 2, "NFA": 1}
    assert event.data["marac_referrals"] == 1
    assert event.data["attendees"] == 3
    # Decided in the meeting: no manager is told a decision is waiting for these contacts.
    from deadlines.models import Notification

    waiting = Notification.objects.filter(kind="awaiting_decision", user=other_manager)
    for contact_id in decided:
        assert not waiting.filter(link__contains=f"/contacts/{contact_id}/").exists()

    # Read-only afterwards: no forms on the page, and a late save is a 409 storing nothing.
    page = chair.get(f"{PAGES}{meeting.pk}/").content.decode()
    assert "Confirmed" in page and 'data-testid="outcome-form"' not in page
    late = save(chair, meeting, medium, outcome="SIGNPOST", rationale="Changed our minds")
    assert late.status_code == 409
    assert "can no longer be changed" in late.content.decode()
    assert DaNotification.objects.get(pk=medium.pk).agreed_outcome == "NFA"
    assert chair.post(f"{PAGES}{meeting.pk}/confirm/").status_code == 409


def test_one_meeting_a_date_and_an_earlier_unconfirmed_one_is_finished_first(
    client_for, manager, agency_a
):
    notify(agency_a, "Amira")
    chair = client_for(manager)
    first = start(chair)
    again = chair.post(f"{PAGES}start/")
    assert again.status_code == 302 and TriageMeeting.objects.count() == 1
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(meeting_services.ConflictError) as refused:
        meeting_services.meeting_start(chair=manager, day=tomorrow)
    assert first.date.strftime("%B") in refused.value.message
    assert TriageMeeting.objects.count() == 1


def test_notifications_arriving_during_the_meeting_are_added_on_request(
    client_for, manager, agency_a
):
    notify(agency_a, "Amira")
    chair = client_for(manager)
    meeting = start(chair)
    late = notify(agency_a, "Ben", received_at=timezone.now())
    page = chair.get(f"{PAGES}{meeting.pk}/").content.decode()
    assert "1 more notification arrived since the meeting started" in page
    assert chair.post(f"{PAGES}{meeting.pk}/add-new/").status_code == 302
    assert DaNotification.objects.get(pk=late.pk).meeting == meeting


def test_earlier_notifications_about_the_same_people_are_counted_and_linked(
    client_for, manager, agency_a
):
    before = notify(agency_a, "Cara", risk="standard", family="Lee", nhs_number=VALID_NHS_NUMBER)
    unrelated = notify(agency_a, "Ben", risk="standard", family="Okafor", victim="Grace")
    now = notify(agency_a, "Cara", risk="high", family="Lee", nhs_number=VALID_NHS_NUMBER)
    assert now.children.get().person_id == before.children.get().person_id
    meeting = running_meeting(manager)
    page = client_for(manager).get(f"{PAGES}{meeting.pk}/").content.decode()
    section = page[page.index(f'id="da-{now.pk}"') :]
    assert "1 earlier notification about these people" in section
    assert f'href="/contacts/{before.contact_id}/">{before.contact.reference}</a>' in section
    assert unrelated.contact.reference not in section
    # The earlier, undecided contact is also the child's open work.
    assert f'Contact <a class="govuk-link" href="/contacts/{before.contact_id}/">' in section


# --- Refusals --------------------------------------------------------------------------------


def test_confirm_is_refused_naming_each_notification_without_an_outcome(
    client_for, manager, agency_a
):
    first = notify(agency_a, "Amira")
    second = notify(agency_a, "Ben", risk="medium")
    meeting = running_meeting(manager, attendees=[(agency_a, "DS Patel")])
    agree(manager, meeting, first)
    response = client_for(manager).post(f"{PAGES}{meeting.pk}/confirm/")
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert f'href="#da-{second.pk}"' in page
    assert f"{second.contact.reference} ({second.occurrence_reference}) has no agreed outcome" in (
        page
    )
    assert f'<a href="#da-{first.pk}"' not in page
    meeting.refresh_from_db()
    assert not meeting.is_confirmed
    assert not Contact.objects.exclude(outcome="").exists()


def test_confirm_needs_a_rationale_a_rag_for_an_enquiry_and_an_attendee(manager, agency_a):
    first = notify(agency_a, "Amira")
    meeting = running_meeting(manager)
    agree(manager, meeting, first, outcome="MASH_ENQUIRY", rationale="")
    with pytest.raises(meeting_services.ValidationError) as refused:
        meeting_services.meeting_confirm(meeting=meeting, by=manager)
    errors = refused.value.message_dict
    assert "no RAG rating for the MASH enquiry, no rationale" in errors["notifications"][0]
    assert errors["attendees"] == ["Record who attended before confirming the meeting."]


def test_confirm_is_all_or_nothing_and_names_the_notification_that_failed(
    client_for, manager, hub_worker, agency_a
):
    first = notify(agency_a, "Amira")
    second = notify(agency_a, "Ben", risk="medium")
    meeting = running_meeting(manager, attendees=[(agency_a, "DS Patel")])
    agree(manager, meeting, first, outcome="MASH_ENQUIRY", rag="RED", marac_referral=True)
    agree(manager, meeting, second)
    # Decided outside the meeting meanwhile: the meeting's decision of it fails.
    contact_services.contact_recommend(
        contact=second.contact, user=hub_worker, outcome="SIGNPOST", rationale="Elsewhere"
    )
    contact_services.contact_decide(contact=second.contact, manager=manager, outcome="SIGNPOST")
    outbox_before = OutboxEmail.objects.count()

    response = client_for(manager).post(f"{PAGES}{meeting.pk}/confirm/")

    assert response.status_code == 409
    assert second.contact.reference in response.content.decode()
    assert "has already been decided" in response.content.decode()
    meeting.refresh_from_db()
    assert not meeting.is_confirmed
    first.contact.refresh_from_db()
    assert first.contact.outcome == "" and first.contact.recommended_outcome == ""
    assert not DecisionEntry.objects.filter(contact=first.contact).exists()
    assert not Enquiry.objects.filter(contact=first.contact).exists()
    assert OutboxEmail.objects.count() == outbox_before
    assert not AuditEvent.objects.filter(name="meeting.confirmed").exists()


def test_a_marac_referral_for_a_medium_risk_notification_is_refused_naming_the_field(
    client_for, api_for, manager, agency_a
):
    medium = notify(agency_a, "Ben", risk="medium")
    meeting = running_meeting(manager)
    page = client_for(manager).get(f"{PAGES}{meeting.pk}/").content.decode()
    assert "Refer to MARAC" not in page  # offered for high risk only

    response = save(client_for(manager), meeting, medium, outcome="NFA", marac_referral="on")
    assert response.status_code == 400
    assert "A MARAC referral is agreed only for a high risk notification" in (
        response.content.decode()
    )
    api = api_for(manager).post(
        f"{API}{meeting.pk}/outcomes/",
        {"notification": medium.pk, "outcome": "NFA", "marac_referral": True},
        format="json",
    )
    assert api.status_code == 400
    assert "marac_referral" in api.json()["errors"]
    medium.refresh_from_db()
    assert (medium.marac_referral, medium.agreed_outcome) == (False, "")


@pytest.mark.parametrize(
    "body, field",
    [
        ({"outcome": "MAYBE"}, "outcome"),
        ({"outcome": "NFA", "rag": "RED"}, "rag"),
        ({"outcome": "MASH_ENQUIRY", "rag": "PURPLE"}, "rag"),
        ({"outcome": "NFA", "rationale": "x" * 20_001}, "rationale"),
    ],
)
def test_bad_outcomes_through_the_api_name_their_field(api_for, manager, agency_a, body, field):
    high = notify(agency_a, "Amira")
    meeting = running_meeting(manager)
    response = api_for(manager).post(
        f"{API}{meeting.pk}/outcomes/", {"notification": high.pk, **body}, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()["errors"]
    high.refresh_from_db()
    assert high.agreed_outcome == ""


def test_an_attendee_needs_an_agency_and_a_name(client_for, manager, agency_a):
    notify(agency_a, "Amira")
    meeting = running_meeting(manager)
    response = client_for(manager).post(f"{PAGES}{meeting.pk}/attendees/", {"name": ""})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose the agency they attended for." in page
    assert "Enter the attendee&#x27;s name." in page
    assert not MeetingAttendee.objects.exists()


# --- Who sees what ----------------------------------------------------------------------------


def test_a_police_attendee_sees_exactly_the_meetings_notifications_until_it_is_confirmed(
    client_for, api_for, manager, researcher_a, supervisor_a, agency_a
):
    high = notify(agency_a, "Amira")
    medium = notify(agency_a, "Ben", risk="medium", family="Okafor")
    meeting = running_meeting(manager)
    outside = notify(agency_a, "Zara", family="Quinn")  # after the meeting started
    agree(manager, meeting, high, outcome="MASH_ENQUIRY", rag="RED", rationale="Serious.")
    url = f"{PAGES}{meeting.pk}/"

    # Fail closed: nothing until their agency is recorded as attending.
    assert client_for(researcher_a).get(url).status_code == 404
    assert api_for(researcher_a).get(f"{API}{meeting.pk}/").status_code == 404
    meeting_services.attendee_add(meeting=meeting, agency=agency_a, name="DS Patel", by=manager)

    for member in (researcher_a, supervisor_a):
        response = client_for(member).get(url)
        assert response.status_code == 200
        page = response.content.decode()
        assert page.count('data-testid="meeting-notification"') == 2
        assert "Amira Hussain" in page and "Ben Okafor" in page and "Zara" not in page
        assert "MASH enquiry (Red)" in page and "Serious." in page
        assert "/contacts/" not in page and "/people/" not in page and "/enquiries/" not in page
        assert high.contact.reference not in page  # the hub's own reference
        assert "Open work" not in page and "Earlier notifications" not in page
    body = api_for(researcher_a).get(f"{API}{meeting.pk}/").json()
    assert [row["id"] for row in body["notifications"]] == [high.pk, medium.pk]
    assert "people" not in body["notifications"][0] and "contact" not in body["notifications"][0]
    assert "attendees" not in body and "chair" not in body
    assert [row["id"] for row in api_for(researcher_a).get(API).json()] == [meeting.pk]
    assert outside.pk not in [row["id"] for row in body["notifications"]]
    # Nothing else of the hub's.
    assert client_for(researcher_a).get(f"/contacts/{high.contact_id}/").status_code == 404

    agree(manager, meeting, medium)
    meeting_services.meeting_confirm(meeting=meeting, by=manager)
    assert client_for(researcher_a).get(url).status_code == 404
    assert api_for(researcher_a).get(f"{API}{meeting.pk}/").status_code == 404
    assert client_for(researcher_a).get(PAGES).status_code == 404


def test_an_attendee_removed_loses_sight_of_the_meeting(client_for, manager, researcher_a):
    notify(researcher_a.agency, "Amira")
    meeting = running_meeting(manager)
    attendee = meeting_services.attendee_add(
        meeting=meeting, agency=researcher_a.agency, name="DS Patel", by=manager
    )
    assert client_for(researcher_a).get(f"{PAGES}{meeting.pk}/").status_code == 200
    response = client_for(manager).post(f"{PAGES}{meeting.pk}/attendees/{attendee.pk}/remove/")
    assert response.status_code == 302
    assert client_for(researcher_a).get(f"{PAGES}{meeting.pk}/").status_code == 404


def test_an_education_attendee_sees_the_running_meeting(
    client_for, manager, agency_a, education, education_member
):
    notify(agency_a, "Amira")
    meeting = running_meeting(manager, attendees=[(education, "Ann Lee")])
    response = client_for(education_member).get(f"{PAGES}{meeting.pk}/")
    assert response.status_code == 200
    assert "Amira Hussain" in response.content.decode()


def test_a_health_attendee_is_not_a_member_and_gets_404(
    client_for, api_for, manager, researcher_b, agency_a, agency_b
):
    notify(agency_a, "Amira")
    meeting = running_meeting(manager, attendees=[(agency_b, "Dr Shah")])
    assert client_for(researcher_b).get(f"{PAGES}{meeting.pk}/").status_code == 404
    assert client_for(researcher_b).get(PAGES).status_code == 404
    assert api_for(researcher_b).get(f"{API}{meeting.pk}/").status_code == 404
    assert api_for(researcher_b).get(API).status_code == 404


@pytest.mark.parametrize("who", ["board_member", "referrer", "administrator", "key_adult"])
def test_outsiders_get_404_on_every_meeting_page_and_api(
    request, client_for, api_for, manager, agency_a, education, referrer_agency, who
):
    notify(agency_a, "Amira")
    meeting = running_meeting(
        manager, attendees=[(education, "Ann Lee"), (referrer_agency, "Mr Head")]
    )
    if who == "key_adult":
        user = key_adult_of(SchoolFactory(), agency=education)
    else:
        user = request.getfixturevalue(who)
    client = client_for(user)
    for url in (PAGES, f"{PAGES}{meeting.pk}/"):
        assert client.get(url).status_code == 404, url
    for url in (
        f"{PAGES}start/",
        f"{PAGES}{meeting.pk}/confirm/",
        f"{PAGES}{meeting.pk}/attendees/",
    ):
        assert client.post(url).status_code == 404, url
    api = api_for(user)
    assert api.get(API).status_code == 404
    assert api.get(f"{API}{meeting.pk}/").status_code == 404
    assert api.post(f"{API}{meeting.pk}/confirm/").status_code == 404


def test_hub_workers_read_the_meeting_but_only_managers_change_it(
    client_for, api_for, hub_worker, manager, agency_a
):
    high = notify(agency_a, "Amira")
    meeting = running_meeting(manager)
    page = client_for(hub_worker).get(f"{PAGES}{meeting.pk}/")
    assert page.status_code == 200
    assert 'data-testid="outcome-form"' not in page.content.decode()
    assert save(client_for(hub_worker), meeting, high, outcome="NFA").status_code == 404
    assert client_for(hub_worker).post(f"{PAGES}start/").status_code == 404
    assert api_for(hub_worker).post(f"{API}{meeting.pk}/confirm/").status_code == 404
    high.refresh_from_db()
    assert high.agreed_outcome == ""


# --- The API -----------------------------------------------------------------------------------


def test_the_whole_meeting_through_the_api(api_for, manager, agency_a, hub_agency):
    high = notify(agency_a, "Amira")
    api = api_for(manager)
    started = api.post(API, format="json")
    assert started.status_code == 201
    meeting_id = started.json()["id"]
    assert api.post(API, format="json").status_code == 200
    added = api.post(
        f"{API}{meeting_id}/attendees/", {"agency": hub_agency.pk, "name": "Jo"}, format="json"
    )
    assert added.status_code == 201
    assert [row["name"] for row in added.json()["attendees"]] == ["Jo"]
    refused = api.post(f"{API}{meeting_id}/confirm/", format="json")
    assert refused.status_code == 400
    assert high.contact.reference in refused.json()["errors"]["notifications"][0]
    saved = api.post(
        f"{API}{meeting_id}/outcomes/",
        {
            "notification": high.pk,
            "outcome": "MASH_ENQUIRY",
            "rag": "GREEN",
            "marac_referral": True,
            "rationale": "Agreed by all.",
        },
        format="json",
    )
    assert saved.status_code == 200
    row = saved.json()["notifications"][0]
    assert (row["agreed_outcome"], row["agreed"], row["marac_referral"]) == (
        "MASH_ENQUIRY",
        True,
        True,
    )
    confirmed = api.post(f"{API}{meeting_id}/confirm/", format="json")
    assert confirmed.status_code == 200
    assert confirmed.json()["state"] == "confirmed"
    high.contact.refresh_from_db()
    assert (high.contact.outcome, high.contact.initial_rag) == ("MASH_ENQUIRY", "GREEN")
    assert api.post(f"{API}{meeting_id}/confirm/", format="json").status_code == 409
    other = notify(agency_a, "Ben")
    missing = api.post(
        f"{API}{meeting_id}/outcomes/", {"notification": other.pk, "outcome": "NFA"}, format="json"
    )
    assert missing.status_code == 404


# --- Constant queries ------------------------------------------------------------------------


def _queries_for_meeting_page(client, meeting) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"{PAGES}{meeting.pk}/")
    assert response.status_code == 200
    return len(queries)


def _queries_for_api(api, meeting) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = api.get(f"{API}{meeting.pk}/")
    assert response.status_code == 200
    assert len(response.json()["notifications"]) == meeting.notifications.count()
    return len(queries)


def test_the_meeting_page_costs_the_same_queries_for_5_and_50_notifications(
    client_for, api_for, manager, hub_worker, agency_a, researcher_a
):
    open_enquiry_for(VALID_NHS_NUMBER, hub_worker, manager)
    notify(agency_a, "Cara", family="Lee", nhs_number=VALID_NHS_NUMBER)
    for index in range(4):
        notify(agency_a, f"Child{index}", family=f"Family{index % 2}")
    meeting = running_meeting(manager, attendees=[(agency_a, "DS Patel")])
    chair = client_for(manager)
    member = client_for(researcher_a)
    few = _queries_for_meeting_page(chair, meeting)
    few_member = _queries_for_meeting_page(member, meeting)
    few_api = _queries_for_api(api_for(manager), meeting)
    for index in range(45):
        notify(agency_a, f"Kid{index}", family=f"Family{index % 3}")
    meeting_services.meeting_take_new(meeting=meeting, by=manager)
    assert meeting.notifications.count() == 50
    assert _queries_for_meeting_page(chair, meeting) == few
    assert _queries_for_meeting_page(member, meeting) == few_member
    assert _queries_for_api(api_for(manager), meeting) == few_api


# --- Past due ---------------------------------------------------------------------------------


def at(*args) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def test_a_notification_not_triaged_by_the_end_of_the_next_working_day_is_on_the_breach_list(
    client_for, manager, agency_a
):
    # Monday 9 March 2026 is a working day: due Tuesday 10 March 17:00.
    with time_machine.travel(at(2026, 3, 9, 10, 0), tick=False):
        late = notify(agency_a, "Amira", received_at=at(2026, 3, 9, 9, 30))
    late.contact.refresh_from_db()
    assert late.contact.decision_due_at == at(2026, 3, 10, 17, 0)
    with time_machine.travel(at(2026, 3, 10, 16, 59), tick=False):
        run_deadline_scan()
        before = client_for(manager).get("/breaches/").content.decode()
    assert late.contact.reference not in before
    with time_machine.travel(at(2026, 3, 10, 17, 30), tick=False):
        run_deadline_scan()
        after = client_for(manager).get("/breaches/")
    assert after.status_code == 200
    assert late.contact.reference in after.content.decode()


# --- The meeting's deadline survives recomputation ---------------------------------------------


@pytest.fixture
def fresh_timescales():
    from deadlines import timescales

    timescales.clear_cache()
    yield
    timescales.clear_cache()


def test_a_timescale_change_leaves_a_da_notification_on_the_meetings_deadline(
    fresh_timescales, administrator, agency_a
):
    from deadlines.models import ItemKind
    from deadlines.timescale_services import timescale_set
    from mash.clocks import Clock

    monday = at(2026, 3, 9, 9, 30)
    with time_machine.travel(monday, tick=False):
        medium = notify(agency_a, "Amira", risk="medium", received_at=monday)
        standard = notify(agency_a, "Ben", risk="standard", received_at=monday)
        ordinary = contact_services.contact_create(data=contact_input())
        timescale_set(
            actor=administrator,
            kind=ItemKind.CONTACT_DECISION,
            rag="",
            amount=3,
            clock=Clock.WORKING_DAYS,
        )
    medium.contact.refresh_from_db()
    standard.contact.refresh_from_db()
    ordinary.refresh_from_db()
    assert medium.contact.decision_due_at == at(2026, 3, 10, 17, 0)  # unchanged
    assert standard.contact.decision_due_at == at(2026, 3, 12, 9, 30)  # three working days
    assert ordinary.decision_due_at == at(2026, 3, 12, 9, 30)


def test_a_closure_day_moves_a_da_notification_to_the_next_working_days_end(
    fresh_timescales, administrator, agency_a
):
    from deadlines.timescale_services import closure_day_add

    monday = at(2026, 3, 9, 9, 30)
    with time_machine.travel(monday, tick=False):
        high = notify(agency_a, "Amira", risk="high", received_at=monday)
        closure_day_add(actor=administrator, day=datetime(2026, 3, 10).date(), reason="Move")
    high.contact.refresh_from_db()
    assert high.contact.decision_due_at == at(2026, 3, 11, 17, 0)  # Wednesday, not a timescale


def test_correcting_the_time_received_keeps_the_meetings_deadline(manager, agency_a):
    monday = at(2026, 3, 9, 9, 30)
    with time_machine.travel(at(2026, 3, 11, 9, 0), tick=False):
        high = notify(agency_a, "Amira", risk="high", received_at=monday)
        contact = contact_services.contact_change_received_at(
            contact=high.contact,
            received_at=at(2026, 3, 10, 8, 0),
            reason="The email was read a day late.",
            changed_by=manager,
        )
        ordinary = contact_services.contact_change_received_at(
            contact=contact_services.contact_create(data=contact_input()),
            received_at=at(2026, 3, 10, 8, 0),
            reason="Read late.",
            changed_by=manager,
        )
    assert contact.decision_due_at == at(2026, 3, 11, 17, 0)
    assert ordinary.decision_due_at != at(2026, 3, 11, 17, 0)
