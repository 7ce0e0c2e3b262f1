"""Domestic abuse notifications (issue 13, item 1): police send them through the API, one or in
batches (idempotent on the occurrence reference, all or nothing); the hub records one by hand;
standard risk ones go to the ordinary triage queue, medium and high risk ones wait for the daily
meeting and are due by the end of the next working day; who may see what."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from contacts.codes import Channel, Concern, Source
from contacts.models import ConcernRole, Contact, ContactPerson, Person
from contacts.selectors import triage_queue
from domestic_abuse.models import DaChild, DaNotification
from domestic_abuse.selectors import awaiting_meeting
from domestic_abuse.services import meeting_decision_due_at
from mash.clocks import LONDON
from tests.factories import AgencyFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/da-notifications/"
BATCH = "/api/v1/da-notifications/batch/"
VALID_NHS_NUMBER = "943 476 5919"
INCIDENT_AT = (timezone.now() - timedelta(hours=3)).replace(microsecond=0).isoformat()


def notification(**overrides) -> dict:
    """A valid notification, as a police system sends it."""
    values = {
        "occurrence_reference": "OCC-2026-0001",
        "incident_at": INCIDENT_AT,
        "dash_risk": "high",
        "victim": {
            "given_name": "Sara",
            "family_name": "Hussain",
            "date_of_birth": "1990-02-01",
            "postcode": "LS1 4AP",
            "relationship": {"type": "parent", "to_child": 0},
        },
        "perpetrator": {
            "given_name": "Daniel",
            "family_name": "Reed",
            "date_of_birth": "1988-07-09",
            "in_household": False,
        },
        "children": [
            {
                "given_name": "Amira",
                "family_name": "Hussain",
                "date_of_birth": "2017-05-04",
                "nhs_number": VALID_NHS_NUMBER,
                "postcode": "LS1 4AP",
                "present": True,
            },
            {
                "given_name": "Yusuf",
                "family_name": "Hussain",
                "date_of_birth": "2020-11-12",
                "postcode": "LS1 4AP",
                "present": False,
            },
        ],
        "narrative": "Police attended a verbal and physical argument at the home.",
    }
    values.update(overrides)
    return values


def nothing_stored() -> bool:
    return (
        not Contact.objects.exists()
        and not Person.objects.exists()
        and not DaNotification.objects.exists()
    )


def errors_of(response) -> dict:
    return response.json()["errors"]


# --- Sending one ---------------------------------------------------------------------------


def test_police_send_a_notification_and_it_is_a_contact_about_the_children(
    api_for, researcher_a, agency_a
):
    response = api_for(researcher_a).post(URL, notification(), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"id", "reference", "occurrence_reference", "received_at", "created"}
    assert body["created"] is True
    da = DaNotification.objects.get()
    contact = da.contact
    assert body["reference"] == contact.reference
    assert (contact.source, contact.channel) == (Source.POLICE, Channel.POLICE_NOTIFICATION)
    assert contact.concerns == [Concern.DOMESTIC_ABUSE]
    assert contact.referring_agency == agency_a
    assert contact.external_reference == "OCC-2026-0001"
    assert da.police_agency == agency_a
    assert sorted(p.given_name for p in contact.subjects.all()) == ["Amira", "Yusuf"]
    assert {(c.person.given_name, c.present) for c in da.children.all()} == {
        ("Amira", True),
        ("Yusuf", False),
    }
    roles = dict(ContactPerson.objects.values_list("person__given_name", "role"))
    assert roles == {"Sara": ConcernRole.VICTIM, "Daniel": ConcernRole.ALLEGED_PERPETRATOR}
    assert (da.victim.given_name, da.perpetrator.given_name) == ("Sara", "Daniel")
    assert da.dash_risk == "high" and da.triage_route == "meeting"


def test_the_same_notification_again_is_the_same_record_and_a_200(api_for, researcher_a):
    api = api_for(researcher_a)
    first = api.post(URL, notification(), format="json")
    again = api.post(URL, notification(), format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["created"] is False
    assert (DaNotification.objects.count(), Contact.objects.count()) == (1, 1)
    assert Person.objects.count() == 4


@pytest.mark.parametrize(
    "change",
    [
        {"dash_risk": "medium"},
        {"narrative": "Something else entirely."},
        {"incident_at": (timezone.now() - timedelta(days=2)).isoformat()},
    ],
)
def test_the_same_reference_with_different_content_is_a_409_naming_it(
    api_for, researcher_a, change
):
    api = api_for(researcher_a)
    assert api.post(URL, notification(), format="json").status_code == 201
    response = api.post(URL, notification(**change), format="json")
    assert response.status_code == 409, response.content
    assert "occurrence_reference" in errors_of(response)
    assert DaNotification.objects.count() == 1
    assert DaNotification.objects.get().dash_risk == "high"


def test_a_child_marked_present_the_second_time_is_different_content(api_for, researcher_a):
    api = api_for(researcher_a)
    api.post(URL, notification(), format="json")
    body = notification()
    body["children"][1]["present"] = True
    assert api.post(URL, body, format="json").status_code == 409


def test_hub_staff_send_one_naming_the_force_and_read_it_in_full(api_for, hub_worker, agency_a):
    api = api_for(hub_worker)
    missing = api.post(URL, notification(), format="json")
    assert missing.status_code == 400
    assert "police_agency" in errors_of(missing)
    response = api.post(URL, notification(police_agency="police"), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["police_agency"] == "police"
    assert body["triage_route"] == "meeting"
    assert [c["present"] for c in body["children"]] == [True, False]
    assert body["victim"]["given_name"] == "Sara"
    detail = api.get(f"{URL}{body['id']}/")
    assert detail.status_code == 200
    assert detail.json()["occurrence_reference"] == "OCC-2026-0001"


def test_hub_staff_cannot_name_an_agency_that_is_not_police(api_for, hub_worker, agency_b):
    response = api_for(hub_worker).post(URL, notification(police_agency="health"), format="json")
    assert response.status_code == 400
    assert errors_of(response)["police_agency"]
    assert nothing_stored()


def test_another_forces_reference_is_refused_and_discloses_nothing(api_for, researcher_a, agency_a):
    other_force = AgencyFactory(name="Other Police", code="police-2", kind="police")
    other = UserFactory(agency=other_force, role="agency_researcher")
    api_for(researcher_a).post(URL, notification(), format="json")
    response = api_for(other).post(URL, notification(), format="json")
    assert response.status_code == 400
    assert "occurrence_reference" in errors_of(response)
    assert "Hussain" not in response.content.decode()
    assert DaNotification.objects.count() == 1


def test_a_police_system_cannot_send_as_another_force(api_for, researcher_a):
    AgencyFactory(name="Other Police", code="police-2", kind="police")
    response = api_for(researcher_a).post(
        URL, notification(police_agency="police-2"), format="json"
    )
    assert response.status_code == 400
    assert "police_agency" in errors_of(response)
    assert nothing_stored()


# --- Bad input: a clear error naming the field, nothing stored ------------------------------


@pytest.mark.parametrize(
    "overrides, field, words",
    [
        ({"children": []}, "children", "at least one child"),
        ({"dash_risk": "very high"}, "dash_risk", "standard, medium or high"),
        ({"dash_risk": ""}, "dash_risk", "standard, medium or high"),
        (
            {"incident_at": (timezone.now() + timedelta(days=1)).isoformat()},
            "incident_at",
            "future",
        ),
        ({"incident_at": "2026-03-02T09:15:00"}, "incident_at", "time zone"),
        ({"victim": None}, "victim", "victim"),
        ({"occurrence_reference": ""}, "occurrence_reference", ""),
        ({"occurrence_reference": "x" * 101}, "occurrence_reference", "100"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_stored(
    api_for, researcher_a, overrides, field, words
):
    response = api_for(researcher_a).post(URL, notification(**overrides), format="json")
    assert response.status_code == 400, response.content
    errors = errors_of(response)
    assert field in errors, errors
    assert words in " ".join(errors[field]), errors
    assert nothing_stored()


def test_a_child_present_with_no_name_is_refused_naming_the_child(api_for, researcher_a):
    body = notification()
    body["children"][0].update(given_name="", family_name="")
    response = api_for(researcher_a).post(URL, body, format="json")
    assert response.status_code == 400
    errors = errors_of(response)
    assert "present must be named" in " ".join(errors["children[0].given_name"])
    assert nothing_stored()


def test_a_child_with_no_first_name_is_refused_naming_that_name(api_for, researcher_a):
    body = notification()
    body["children"][1].update(given_name="")
    response = api_for(researcher_a).post(URL, body, format="json")
    assert response.status_code == 400
    assert list(errors_of(response)) == ["children[1].given_name"]
    assert nothing_stored()


def test_the_perpetrator_may_be_unknown_but_a_named_one_needs_both_names(api_for, researcher_a):
    api = api_for(researcher_a)
    response = api.post(URL, notification(perpetrator={"given_name": "Dan"}), format="json")
    assert response.status_code == 400
    assert "perpetrator.family_name" in errors_of(response)
    assert nothing_stored()
    response = api.post(URL, notification(perpetrator=None), format="json")
    assert response.status_code == 201, response.content
    assert DaNotification.objects.get().perpetrator is None


def test_the_contacts_own_rules_are_named_as_the_notification_names_things(api_for, researcher_a):
    body = notification()
    body["children"][0]["nhs_number"] = "123 456 7890"
    body["victim"]["relationship"]["to_child"] = 5
    response = api_for(researcher_a).post(URL, body, format="json")
    assert response.status_code == 400
    errors = errors_of(response)
    assert "children[0].nhs_number" in errors
    assert "victim.relationship.to_child" in errors
    assert nothing_stored()


def test_an_incident_after_the_time_received_is_refused(api_for, researcher_a):
    now = timezone.now()
    body = notification(
        incident_at=(now - timedelta(hours=1)).isoformat(),
        received_at=(now - timedelta(hours=2)).isoformat(),
    )
    response = api_for(researcher_a).post(URL, body, format="json")
    assert response.status_code == 400
    assert "incident_at" in errors_of(response)


# --- Batches ---------------------------------------------------------------------------------


def batch_items(count: int) -> list[dict]:
    items = []
    for n in range(count):
        body = notification(occurrence_reference=f"OCC-{n}", dash_risk="standard")
        for child in body["children"]:
            child.pop("nhs_number", None)
            child["given_name"] = f"{child['given_name']}{chr(65 + n)}"
        items.append(body)
    return items


def test_a_batch_is_stored_and_sending_it_again_stores_nothing_new(api_for, supervisor_a):
    api = api_for(supervisor_a)
    items = batch_items(3)
    first = api.post(BATCH, {"items": items}, format="json")
    assert first.status_code == 201, first.content
    assert [row["created"] for row in first.json()["results"]] == [True] * 3
    again = api.post(BATCH, {"items": items}, format="json")
    assert again.status_code == 200
    assert [row["id"] for row in again.json()["results"]] == [
        row["id"] for row in first.json()["results"]
    ]
    assert DaNotification.objects.count() == 3


def test_one_bad_item_stores_nothing_and_names_the_item(api_for, supervisor_a):
    items = batch_items(3)
    items[2]["children"] = []
    response = api_for(supervisor_a).post(BATCH, {"items": items}, format="json")
    assert response.status_code == 400
    assert "items[2].children" in errors_of(response)
    assert nothing_stored()


def test_a_batch_conflicting_with_what_was_sent_stores_nothing(api_for, supervisor_a):
    api = api_for(supervisor_a)
    items = batch_items(2)
    api.post(URL, items[1], format="json")
    items[1]["dash_risk"] = "high"
    response = api.post(BATCH, {"items": items}, format="json")
    assert response.status_code == 409
    assert "items[1].occurrence_reference" in errors_of(response)
    assert DaNotification.objects.count() == 1


def test_a_batch_repeating_a_reference_is_refused(api_for, supervisor_a):
    items = batch_items(2)
    items[1]["occurrence_reference"] = items[0]["occurrence_reference"]
    response = api_for(supervisor_a).post(BATCH, {"items": items}, format="json")
    assert response.status_code == 400
    assert "items[1].occurrence_reference" in errors_of(response)
    assert nothing_stored()


# --- People matched as for any contact ------------------------------------------------------


def test_an_existing_child_is_found_by_nhs_number_and_reused(api_for, researcher_a):
    known = PersonFactory(
        given_name="Amira", family_name="Hussain", nhs_number=VALID_NHS_NUMBER.replace(" ", "")
    )
    body = notification()
    body["children"][0]["date_of_birth"] = None  # matched by the NHS number alone
    response = api_for(researcher_a).post(URL, body, format="json")
    assert response.status_code == 201, response.content
    da = DaNotification.objects.get()
    assert da.children.get(present=True).person == known
    assert known.subject_links.get().contact == da.contact
    assert Person.objects.filter(given_name="Amira").count() == 1


# --- Routing ---------------------------------------------------------------------------------


def test_standard_risk_goes_to_the_triage_queue_and_medium_and_high_wait_for_the_meeting(
    api_for, hub_worker, agency_a
):
    api = api_for(hub_worker)
    ids = {}
    for n, risk in enumerate(("standard", "medium", "high")):
        items = batch_items(3)
        body = items[n] | {"dash_risk": risk, "police_agency": "police"}
        ids[risk] = api.post(URL, body, format="json").json()["contact"]
    queue = set(triage_queue(hub_worker).values_list("pk", flat=True))
    assert ids["standard"] in queue
    assert ids["medium"] not in queue and ids["high"] not in queue
    waiting = [da.contact_id for da in awaiting_meeting(hub_worker)]
    assert waiting == [ids["medium"], ids["high"]]  # oldest first
    # The queue page and the API's queue say the same
    listed = {row["id"] for row in api.get("/api/v1/contacts/").json()["results"]}
    assert listed == {ids["standard"]}


def test_a_decided_notification_no_longer_waits(api_for, hub_worker, manager, agency_a):
    from contacts.services import contact_decide, contact_recommend

    api_for(hub_worker).post(URL, notification(police_agency="police"), format="json")
    da = DaNotification.objects.get()
    contact_recommend(contact=da.contact, user=hub_worker, outcome="NFA", rationale="Police dealt.")
    contact_decide(contact=da.contact, manager=manager, outcome="NFA", reason="")
    assert list(awaiting_meeting(hub_worker)) == []


def test_nobody_outside_the_hub_sees_the_meeting_list(researcher_a, board_member, hub_worker):
    for user in (researcher_a, board_member):
        assert list(awaiting_meeting(user)) == []


@pytest.mark.parametrize(
    "received, due",
    [
        # Monday 10:00 -> Tuesday 17:00
        (datetime(2026, 3, 2, 10, 0, tzinfo=LONDON), datetime(2026, 3, 3, 17, 0, tzinfo=LONDON)),
        # Friday 22:00 -> Monday 17:00
        (datetime(2026, 3, 6, 22, 0, tzinfo=LONDON), datetime(2026, 3, 9, 17, 0, tzinfo=LONDON)),
        # Saturday -> Monday 17:00 (the next working day after the day of receipt)
        (datetime(2026, 3, 7, 11, 0, tzinfo=LONDON), datetime(2026, 3, 9, 17, 0, tzinfo=LONDON)),
        # Thursday before Good Friday and Easter Monday -> Tuesday 17:00
        (datetime(2026, 4, 2, 9, 0, tzinfo=LONDON), datetime(2026, 4, 7, 17, 0, tzinfo=LONDON)),
    ],
)
def test_medium_and_high_are_due_by_the_end_of_the_next_working_day(
    api_for, researcher_a, received, due
):
    assert meeting_decision_due_at(received) == due
    with time_machine.travel(received + timedelta(minutes=5), tick=False):
        body = notification(
            received_at=received.isoformat(),
            incident_at=(received - timedelta(hours=1)).isoformat(),
        )
        assert api_for(researcher_a).post(URL, body, format="json").status_code == 201
    assert DaNotification.objects.get().contact.decision_due_at == due


def test_standard_risk_keeps_the_ordinary_contact_clock(api_for, researcher_a):
    received = datetime(2026, 3, 2, 10, 0, tzinfo=LONDON)
    with time_machine.travel(received + timedelta(minutes=5), tick=False):
        body = notification(
            dash_risk="standard",
            received_at=received.isoformat(),
            incident_at=(received - timedelta(hours=1)).isoformat(),
        )
        api_for(researcher_a).post(URL, body, format="json")
    assert DaNotification.objects.get().contact.decision_due_at == datetime(
        2026, 3, 3, 10, 0, tzinfo=LONDON
    )


def test_a_past_due_notification_is_picked_up_by_the_deadline_scan(api_for, researcher_a):
    from deadlines.models import Breach, ItemKind
    from deadlines.services import run_deadline_scan

    received = datetime(2026, 3, 2, 10, 0, tzinfo=LONDON)
    with time_machine.travel(received + timedelta(minutes=5), tick=False):
        body = notification(
            received_at=received.isoformat(),
            incident_at=(received - timedelta(hours=1)).isoformat(),
        )
        api_for(researcher_a).post(URL, body, format="json")
    contact = DaNotification.objects.get().contact
    with time_machine.travel(datetime(2026, 3, 3, 16, 0, tzinfo=LONDON), tick=False):
        run_deadline_scan()
        assert not Breach.objects.filter(contact=contact).exists()
    with time_machine.travel(datetime(2026, 3, 3, 17, 30, tzinfo=LONDON), tick=False):
        run_deadline_scan()
    assert Breach.objects.filter(contact=contact, kind=ItemKind.CONTACT_DECISION).count() == 1


# --- Who may ---------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["researcher_b", "referrer", "board_member", "administrator"])
def test_everyone_else_gets_404_on_every_endpoint(api_for, request, persona, hub_worker, agency_a):
    api_for(hub_worker).post(URL, notification(police_agency="police"), format="json")
    da = DaNotification.objects.get()
    api = api_for(request.getfixturevalue(persona))
    assert api.get(URL).status_code == 404
    assert api.get(f"{URL}{da.pk}/").status_code == 404
    other = notification(occurrence_reference="OCC-9", police_agency="police")
    assert api.post(URL, other, format="json").status_code == 404
    assert api.post(BATCH, {"items": [other]}, format="json").status_code == 404
    assert DaNotification.objects.count() == 1


def test_police_may_send_but_not_read(api_for, researcher_a):
    api = api_for(researcher_a)
    api.post(URL, notification(), format="json")
    da = DaNotification.objects.get()
    assert api.get(URL).status_code == 404
    assert api.get(f"{URL}{da.pk}/").status_code == 404


def test_the_list_takes_the_same_queries_for_5_and_50(api_for, hub_worker, supervisor_a):
    def counted() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = api_for(hub_worker).get(URL, {"page_size": 50})
        assert response.status_code == 200
        return len(queries), len(response.json()["results"])

    sender = api_for(supervisor_a)
    sender.post(BATCH, {"items": batch_items(5)}, format="json")
    counted()  # caches warmed (content types, the token)
    five, shown = counted()
    assert shown == 5
    items = batch_items(50)
    for n, body in enumerate(items):
        body["occurrence_reference"] = f"OCC-B-{n}"
        for child in body["children"]:
            child["given_name"] += str(n)
    sender.post(BATCH, {"items": items[:45]}, format="json")
    fifty, shown = counted()
    assert shown == 50
    assert fifty == five


# --- The hub's page ------------------------------------------------------------------------

PAGE = "/da-notifications/new/"


def page_data(**overrides) -> dict:
    yesterday = timezone.localdate() - timedelta(days=1)
    data = {
        "police_agency": "",
        "occurrence_reference": "OCC-HAND-1",
        "incident_date-day": str(yesterday.day),
        "incident_date-month": str(yesterday.month),
        "incident_date-year": str(yesterday.year),
        "incident_time": "22:30",
        "dash_risk": "medium",
        "narrative": "Neighbour called police; mother had a cut lip.",
        "victim-given_name": "Sara",
        "victim-family_name": "Hussain",
        "victim-relationship_type": "parent",
        "victim-in_household": "on",
        "perpetrator-given_name": "",
        "perpetrator-family_name": "",
        "child-TOTAL_FORMS": "6",
        "child-INITIAL_FORMS": "0",
        "child-MIN_NUM_FORMS": "0",
        "child-MAX_NUM_FORMS": "6",
        "child-0-given_name": "Amira",
        "child-0-family_name": "Hussain",
        "child-0-date_of_birth-day": "4",
        "child-0-date_of_birth-month": "5",
        "child-0-date_of_birth-year": "2017",
        "child-0-present": "on",
        "child-1-given_name": "Yusuf",
        "child-1-family_name": "Hussain",
    }
    data.update(overrides)
    return data


def post_page(client, user, **overrides):
    from tests.forms import submission_token

    data = page_data(**overrides)
    return client.post(PAGE, {**data, **submission_token(user, "record_da_notification")})


def test_the_hub_records_one_by_hand_and_the_contact_page_shows_it(
    client_for, hub_worker, agency_a
):
    browser = client_for(hub_worker)
    page = browser.get(PAGE)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Record a domestic abuse notification" in html
    assert 'name="submission_token"' in html
    assert 'name="incident_date-day"' in html  # the GOV.UK date input
    response = post_page(browser, hub_worker, police_agency=str(agency_a.pk))
    assert response.status_code == 302, response.content.decode()[:2000]
    da = DaNotification.objects.get()
    assert da.occurrence_reference == "OCC-HAND-1"
    assert da.perpetrator is None
    assert [(c.person.given_name, c.present) for c in da.children.order_by("id")] == [
        ("Amira", True),
        ("Yusuf", False),
    ]
    assert da.incident_at.astimezone(LONDON).strftime("%H:%M") == "22:30"
    assert response["Location"] == f"/contacts/{da.contact_id}/"
    detail = browser.get(response["Location"]).content.decode()
    assert "Domestic abuse notification" in detail
    assert "OCC-HAND-1" in detail
    assert "Medium" in detail
    assert "The daily triage meeting" in detail
    assert "present at the incident" in detail and "not present (normally lives there)" in detail
    assert "Not known" in detail  # the perpetrator


def test_an_ordinary_contact_page_has_no_da_section(client_for, hub_worker):
    from contacts import services
    from tests.factories import contact_input

    contact = services.contact_create(data=contact_input())
    html = client_for(hub_worker).get(f"/contacts/{contact.pk}/").content.decode()
    assert "Domestic abuse notification" not in html


def test_the_form_sent_twice_is_one_notification(client_for, hub_worker, agency_a):
    from tests.forms import submission_token

    browser = client_for(hub_worker)
    data = {
        **page_data(police_agency=str(agency_a.pk)),
        **submission_token(hub_worker, "record_da_notification"),
    }
    first = browser.post(PAGE, data)
    again = browser.post(PAGE, data)
    assert first.status_code == again.status_code == 302
    assert again["Location"] == first["Location"]
    assert DaNotification.objects.count() == 1


@pytest.mark.parametrize(
    "overrides, words",
    [
        (
            {"child-0-given_name": "", "child-0-family_name": "", "child-1-given_name": ""},
            "A child who was present must be named",
        ),
        (
            {
                "child-0-given_name": "",
                "child-0-family_name": "",
                "child-0-date_of_birth-day": "",
                "child-0-date_of_birth-month": "",
                "child-0-date_of_birth-year": "",
                "child-0-present": "",
                "child-1-given_name": "",
                "child-1-family_name": "",
            },
            "Add at least one child",
        ),
        ({"dash_risk": "extreme"}, "Select a valid choice"),
        ({"dash_risk": ""}, "Choose the DASH risk level"),
        ({"incident_date-year": str(timezone.localdate().year + 1)}, "cannot be in the future"),
        ({"incident_date-month": ""}, "The date of the incident must include a month"),
        ({"victim-given_name": "", "victim-family_name": ""}, "Enter the victim"),
        ({"occurrence_reference": ""}, "Enter the police occurrence reference"),
        ({"police_agency": ""}, "Choose the police force"),
    ],
)
def test_bad_input_on_the_page_is_explained_and_nothing_stored(
    client_for, hub_worker, agency_a, overrides, words
):
    browser = client_for(hub_worker)
    response = post_page(browser, hub_worker, **{"police_agency": str(agency_a.pk), **overrides})
    assert response.status_code == 400
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert words in html, html[:3000]
    assert nothing_stored()


def test_an_occurrence_reference_sent_before_with_other_details_is_explained(
    client_for, hub_worker, agency_a
):
    browser = client_for(hub_worker)
    post_page(browser, hub_worker, police_agency=str(agency_a.pk))
    response = post_page(browser, hub_worker, police_agency=str(agency_a.pk), dash_risk="high")
    assert response.status_code == 400
    assert "already sent with different content" in response.content.decode()
    assert DaNotification.objects.get().dash_risk == "medium"


@pytest.mark.parametrize(
    "persona", ["researcher_a", "researcher_b", "referrer", "board_member", "administrator"]
)
def test_the_page_is_404_outside_the_hub(client_for, request, persona, agency_a):
    user = request.getfixturevalue(persona)
    browser = client_for(user)
    assert browser.get(PAGE).status_code == 404
    assert post_page(browser, user, police_agency=str(agency_a.pk)).status_code == 404
    assert nothing_stored()


def test_the_demo_data_has_one_notification_of_each_risk_and_is_repeatable(settings):
    from django.core.management import call_command

    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")
    risks = sorted(DaNotification.objects.values_list("dash_risk", flat=True))
    assert risks == ["high", "medium", "standard"]
    assert DaNotification.objects.get(dash_risk="high").perpetrator is None


@pytest.mark.django_db(transaction=True)
def test_the_same_batch_twice_at_once_stores_one_set(supervisor_a):
    from tests.test_once_concurrent import Parallel, api_clients, table_held

    items = batch_items(4)
    forwards, backwards = api_clients(supervisor_a, 2)
    posts = [
        lambda: forwards.post(BATCH, {"items": items}, format="json"),
        lambda: backwards.post(BATCH, {"items": items[::-1]}, format="json"),
    ]
    with table_held("contacts_contact", until_waiting=2):
        running = Parallel(*posts)
    first, second = running.results()
    assert sorted([first.status_code, second.status_code]) == [200, 201], (
        first.content,
        second.content,
    )
    assert DaNotification.objects.count() == 4
    assert Contact.objects.count() == 4
    assert DaChild.objects.count() == 8
    by_reference = dict(DaNotification.objects.values_list("occurrence_reference", "pk"))
    for response, sent in ((first, items), (second, items[::-1])):
        ids = [row["id"] for row in response.json()["results"]]
        assert ids == [by_reference[one["occurrence_reference"]] for one in sent]
