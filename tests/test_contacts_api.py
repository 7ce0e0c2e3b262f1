"""The front door's API: intake (one and batch, idempotent), the queue, person search, the triage
steps and their conflicts, who may see what, and constant query counts on lists."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agencies.roles import Role
from contacts import services
from contacts.models import Contact, DecisionEntry, Person
from mash.errors import ConflictError
from tests.factories import PersonFactory, UserFactory, contact_input, person_input

pytestmark = pytest.mark.django_db

CONTACTS = "/api/v1/contacts/"
BATCH = "/api/v1/contacts/batch/"
PEOPLE = "/api/v1/people/"
SEARCH = "/api/v1/people/search/"
VALID_NHS_NUMBER = "943 476 5919"


def item(**overrides) -> dict:
    """A valid intake item, as a police system would send it."""
    values = {
        "source": "6",
        "channel": "police_notification",
        "external_reference": "PPN-2026-0001",
        "referrer_name": "PC Patel",
        "referrer_organisation": "County Police",
        "subjects": [
            {
                "given_name": "Amira",
                "family_name": "Hussain",
                "date_of_birth": "2017-05-04",
                "nhs_number": VALID_NHS_NUMBER,
                "postcode": "LS1 4AP",
            }
        ],
        "concerns": ["domestic_abuse"],
        "narrative": "Police attended a domestic incident; the child was present.",
        "consent": "not_given",
        "consent_detail": "Shared under Children Act 1989 s.47 duties.",
        "received_at": (timezone.now() - timedelta(hours=1)).isoformat(),
    }
    values.update(overrides)
    return values


def subject(**overrides) -> dict:
    return {**item()["subjects"][0], **overrides}


def nothing_stored() -> bool:
    return not Contact.objects.exists() and not Person.objects.exists()


@pytest.fixture
def contact(hub_agency):
    return services.contact_create(data=contact_input(referrer_email=""))


@pytest.fixture
def recommended(contact, hub_worker):
    return services.contact_recommend(
        contact=contact, user=hub_worker, outcome="EARLY_HELP", rationale="Family asks for help."
    )


# --- Intake: one contact -----------------------------------------------------------------


def test_hub_staff_send_a_contact_and_the_same_item_again_is_the_same_contact(
    api_for, hub_worker, agency_a
):
    api = api_for(hub_worker)
    first = api.post(CONTACTS, item(referring_agency="police"), format="json")
    assert first.status_code == 201, first.json()
    body = first.json()
    assert body["reference"] == f"C{body['id']:06d}"
    assert body["state"] == "new"
    assert body["referring_agency"] == "police"
    assert [s["family_name"] for s in body["subjects"]] == ["Hussain"]
    again = api.post(CONTACTS, item(referring_agency="police"), format="json")
    assert again.status_code == 200
    assert again.json()["id"] == body["id"]
    assert Contact.objects.count() == 1
    assert Person.objects.count() == 1


def test_an_agency_system_sends_contacts_gets_a_receipt_and_cannot_read_them(
    api_for, supervisor_a, researcher_a
):
    api = api_for(supervisor_a)
    first = api.post(CONTACTS, item(), format="json")
    assert first.status_code == 201, first.json()
    receipt = first.json()
    assert set(receipt) == {"id", "reference", "received_at", "created"}
    assert receipt["created"] is True
    again = api_for(researcher_a).post(CONTACTS, item(), format="json")
    assert again.status_code == 200
    assert again.json()["id"] == receipt["id"]
    assert again.json()["created"] is False
    contact = Contact.objects.get()
    assert contact.referring_agency == supervisor_a.agency  # their own agency, by default
    assert contact.created_by == supervisor_a
    assert api.get(f"{CONTACTS}{contact.pk}/").status_code == 404
    assert api.get(CONTACTS).status_code == 404


def test_an_agency_system_cannot_send_as_another_agency(api_for, researcher_a, agency_b):
    response = api_for(researcher_a).post(CONTACTS, item(referring_agency="health"), format="json")
    assert response.status_code == 400
    assert "referring_agency" in response.json()["errors"]
    assert nothing_stored()


def test_another_senders_reference_is_refused_and_not_disclosed(
    api_for, researcher_a, researcher_b
):
    assert api_for(researcher_b).post(CONTACTS, item(), format="json").status_code == 201
    response = api_for(researcher_a).post(CONTACTS, item(), format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"external_reference"}
    assert "id" not in response.json()
    assert Contact.objects.count() == 1


def test_an_unknown_agency_code_is_refused(api_for, hub_worker):
    response = api_for(hub_worker).post(CONTACTS, item(referring_agency="nowhere"), format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"referring_agency"}
    assert nothing_stored()


def test_a_contact_without_external_reference_is_new_each_time(api_for, hub_worker):
    api = api_for(hub_worker)
    for _ in range(2):
        response = api.post(CONTACTS, item(external_reference=""), format="json")
        assert response.status_code == 201
    assert Contact.objects.count() == 2
    assert Person.objects.count() == 1  # the child is matched on her NHS number


# --- Bad input ---------------------------------------------------------------------------

TODAY = timezone.localdate()

BAD_INPUT = [
    pytest.param(
        {"subjects": [subject(nhs_number="9434765918")]}, "subjects[0].nhs_number", id="nhs"
    ),
    pytest.param({"subjects": [subject(upn="A801200005001")]}, "subjects[0].upn", id="upn"),
    pytest.param({"subjects": [subject(postcode="12345")]}, "subjects[0].postcode", id="postcode"),
    pytest.param(
        {"subjects": [subject(date_of_birth=str(TODAY + timedelta(days=2)))]},
        "subjects[0].date_of_birth",
        id="future-dob",
    ),
    pytest.param(
        {
            "subjects": [
                subject(
                    date_of_birth=None, expected_date_of_delivery=str(TODAY - timedelta(days=2))
                )
            ]
        },
        "subjects[0].expected_date_of_delivery",
        id="edd-past",
    ),
    pytest.param(
        {
            "subjects": [
                subject(
                    date_of_birth=None, expected_date_of_delivery=str(TODAY + timedelta(days=320))
                )
            ]
        },
        "subjects[0].expected_date_of_delivery",
        id="edd-beyond-10-months",
    ),
    pytest.param({"subjects": []}, "subjects", id="no-subject"),
    pytest.param(
        {"subjects": [subject(date_of_birth="yesterday")]},
        "subjects[0].date_of_birth",
        id="dob-not-a-date",
    ),
    pytest.param(
        {"subjects": [subject(), subject(family_name="")]},
        "subjects[1].family_name",
        id="no-family-name",
    ),
    pytest.param({"source": "99"}, "source", id="unknown-source"),
    pytest.param({"channel": "fax"}, "channel", id="unknown-channel"),
    pytest.param({"concerns": ["gossip"]}, "concerns", id="unknown-concern"),
    pytest.param(
        {"received_at": (timezone.now() + timedelta(days=1)).isoformat()},
        "received_at",
        id="received-in-future",
    ),
    pytest.param({"received_at": "2026-01-05T09:00:00"}, "received_at", id="received-naive"),
    pytest.param({"narrative": "x" * 20_001}, "narrative", id="narrative-too-long"),
    pytest.param({"consent": "not_given", "consent_detail": ""}, "consent_detail", id="consent"),
]


@pytest.mark.parametrize(("overrides", "field"), BAD_INPUT)
def test_bad_input_is_400_naming_the_field_and_stores_nothing(
    api_for, hub_worker, overrides, field
):
    response = api_for(hub_worker).post(CONTACTS, item(**overrides), format="json")
    assert response.status_code == 400, response.json()
    body = response.json()
    assert body["detail"] == "Invalid input."
    assert field in body["errors"], body
    assert nothing_stored()


@pytest.mark.parametrize(("overrides", "field"), BAD_INPUT)
def test_bad_input_in_a_batch_names_the_item_and_stores_nothing(
    api_for, hub_worker, overrides, field
):
    items = [item(external_reference="A"), item(external_reference="B", **overrides)]
    response = api_for(hub_worker).post(BATCH, {"items": items}, format="json")
    assert response.status_code == 400, response.json()
    assert f"items[1].{field}" in response.json()["errors"], response.json()
    assert nothing_stored()


# --- Intake: batches ---------------------------------------------------------------------


def test_a_batch_is_stored_and_sending_it_again_stores_nothing_new(api_for, supervisor_a):
    api = api_for(supervisor_a)
    items = [item(external_reference=f"PPN-{n}") for n in range(3)]
    items[2]["subjects"] = [subject(given_name="Zain", nhs_number="", date_of_birth="2019-01-02")]
    first = api.post(BATCH, {"items": items}, format="json")
    assert first.status_code == 201, first.json()
    results = first.json()["results"]
    assert [row["index"] for row in results] == [0, 1, 2]
    assert all(row["created"] for row in results)
    assert set(results[0]) == {"index", "id", "reference", "created"}
    again = api.post(BATCH, {"items": items}, format="json")
    assert again.status_code == 200
    assert [row["id"] for row in again.json()["results"]] == [row["id"] for row in results]
    assert not any(row["created"] for row in again.json()["results"])
    assert Contact.objects.count() == 3
    assert Person.objects.count() == 2


def test_one_bad_item_stores_nothing_and_names_its_index_and_field(api_for, hub_worker):
    items = [item(external_reference=f"PPN-{n}") for n in range(5)]
    items[3]["subjects"] = [subject(), subject(given_name="Sam", nhs_number="1234567890")]
    response = api_for(hub_worker).post(BATCH, {"items": items}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "items[3].subjects[1].nhs_number": [
            "Enter a valid 10-digit NHS number (its last digit is a check digit)."
        ]
    }
    assert nothing_stored()


def test_a_batch_of_501_items_is_refused_naming_items(api_for, hub_worker):
    items = [item(external_reference=f"PPN-{n}") for n in range(501)]
    response = api_for(hub_worker).post(BATCH, {"items": items}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"items": ["Send at most 500 items in one batch."]}
    assert nothing_stored()


@pytest.mark.parametrize("body", [{"items": []}, {"items": "lots"}, {}])
def test_an_empty_or_malformed_batch_is_refused_naming_items(api_for, hub_worker, body):
    response = api_for(hub_worker).post(BATCH, body, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"items"}


def test_a_batch_repeating_a_reference_is_refused_naming_each_repeat_and_stores_nothing(
    api_for, hub_worker
):
    items = [item(), item(external_reference="OTHER-1"), item(), item(narrative="Changed")]
    response = api_for(hub_worker).post(BATCH, {"items": items}, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"items[2].external_reference", "items[3].external_reference"}
    assert "items[0] has this reference already" in errors["items[2].external_reference"][0]
    assert Contact.objects.count() == 0


def test_a_batch_reusing_another_senders_reference_stores_nothing(
    api_for, researcher_a, researcher_b
):
    api_for(researcher_b).post(CONTACTS, item(external_reference="X-1"), format="json")
    items = [item(external_reference="X-0"), item(external_reference="X-1")]
    response = api_for(researcher_a).post(BATCH, {"items": items}, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"items[1].external_reference"}
    assert Contact.objects.count() == 1


# --- The queue ---------------------------------------------------------------------------


def test_the_queue_lists_open_contacts_soonest_due_first_with_cursor_pages(
    api_for, hub_worker, manager
):
    now = timezone.now()
    made = [
        services.contact_create(data=contact_input(received_at=now - timedelta(days=days)))
        for days in (1, 5, 3)
    ]
    decided = services.contact_create(data=contact_input(received_at=now - timedelta(days=9)))
    services.contact_recommend(contact=decided, user=hub_worker, outcome="NFA", rationale="No.")
    services.contact_decide(contact=decided, manager=manager, outcome="NFA")
    api = api_for(hub_worker)
    page = api.get(f"{CONTACTS}?page_size=2").json()
    rest = api.get(page["next"]).json()
    ids = [row["id"] for row in page["results"] + rest["results"]]
    assert ids == [made[1].pk, made[2].pk, made[0].pk]
    assert page["results"][0]["is_overdue"] is True


def test_queue_filters_narrow_the_list(api_for, hub_worker):
    police = services.contact_create(
        data=contact_input(source="6", channel="police_notification", concerns=["missing"])
    )
    services.contact_create(data=contact_input())
    mine = services.contact_create(data=contact_input(external_reference="M"))
    services.contact_pick_up(contact=mine, user=hub_worker)
    api = api_for(hub_worker)

    def ids(query: str) -> list[int]:
        response = api.get(f"{CONTACTS}?{query}")
        assert response.status_code == 200, response.json()
        return [row["id"] for row in response.json()["results"]]

    assert ids("channel=police_notification") == [police.pk]
    assert ids("source=6&concern=missing") == [police.pk]
    assert ids("mine=1") == [mine.pk]
    assert mine.pk not in ids("unassigned=true")


@pytest.mark.parametrize(
    ("query", "param"),
    [
        ("source=ZZ", "source"),
        ("channel=fax", "channel"),
        ("concern=gossip", "concern"),
        ("overdue=maybe", "overdue"),
        ("mine=2", "mine"),
    ],
)
def test_an_unknown_filter_value_is_400_naming_the_parameter(api_for, hub_worker, query, param):
    response = api_for(hub_worker).get(f"{CONTACTS}?{query}")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {param}


# --- Reading a contact -------------------------------------------------------------------


def test_hub_staff_read_a_contact_in_full(api_for, hub_worker, contact):
    response = api_for(hub_worker).get(f"{CONTACTS}{contact.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["narrative"] == contact.narrative
    assert body["version"] == contact.version
    assert body["recommendation"] is None
    assert body["decision"] is None


def test_reading_a_contact_writes_an_access_entry(api_for, hub_worker, contact):
    from auditlog.models import LogEntry

    api_for(hub_worker).get(f"{CONTACTS}{contact.pk}/")
    entries = LogEntry.objects.get_for_object(contact).filter(action=LogEntry.Action.ACCESS)
    assert [entry.actor for entry in entries] == [hub_worker]


# --- Triage steps ------------------------------------------------------------------------


def test_pick_up_recommend_and_decide_through_the_api(api_for, hub_worker, manager, contact):
    worker = api_for(hub_worker)
    picked = worker.post(f"{CONTACTS}{contact.pk}/pick-up/")
    assert picked.status_code == 200, picked.json()
    assert picked.json()["assignee"] == hub_worker.pk
    assert picked.json()["state"] == "in_triage"
    recommendation = {
        "outcome": "EARLY_HELP",
        "rationale": "Parents ask for support with routines.",
        "version": picked.json()["version"],
    }
    recommended = worker.post(f"{CONTACTS}{contact.pk}/recommend/", recommendation, format="json")
    assert recommended.status_code == 200, recommended.json()
    assert recommended.json()["recommendation"]["outcome"] == "EARLY_HELP"
    decision = {
        "outcome": "MASH_ENQUIRY",
        "rag": "AMBER",
        "reason": "Police notifications show a pattern.",
        "version": recommended.json()["version"],
    }
    decided = api_for(manager).post(f"{CONTACTS}{contact.pk}/decide/", decision, format="json")
    assert decided.status_code == 200, decided.json()
    assert decided.json()["state"] == "decided"
    assert decided.json()["decision"]["outcome"] == "MASH_ENQUIRY"
    assert decided.json()["decision"]["rag"] == "AMBER"
    assert DecisionEntry.objects.filter(contact=contact).count() == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"outcome": "REFERRAL", "rationale": "Significant harm."}, "threshold_rationale"),
        ({"outcome": "MASH_ENQUIRY", "rationale": "Need information."}, "rag"),
        ({"outcome": "EARLY_HELP", "rationale": ""}, "rationale"),
        ({"outcome": "ADOPT", "rationale": "?"}, "outcome"),
    ],
)
def test_a_bad_recommendation_is_400_naming_the_field(api_for, hub_worker, contact, body, field):
    body = {**body, "version": contact.version}
    response = api_for(hub_worker).post(f"{CONTACTS}{contact.pk}/recommend/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not DecisionEntry.objects.exists()


def test_a_recommendation_without_the_version_seen_is_refused(api_for, hub_worker, contact):
    body = {"outcome": "NFA", "rationale": "No concern."}
    response = api_for(hub_worker).post(f"{CONTACTS}{contact.pk}/recommend/", body, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"version"}


def test_a_second_pick_up_by_someone_else_is_409_with_the_current_state(
    api_for, hub_worker, hub_agency, contact
):
    services.contact_pick_up(contact=contact, user=hub_worker)
    colleague = UserFactory(agency=hub_agency, role=Role.HUB_WORKER)
    response = api_for(colleague).post(f"{CONTACTS}{contact.pk}/pick-up/")
    assert response.status_code == 409
    body = response.json()
    assert "already being triaged" in body["detail"]
    assert body["errors"] == {}
    assert body["current"]["assignee"] == hub_worker.pk


def test_a_hub_worker_cannot_decide(api_for, hub_worker, recommended):
    body = {"outcome": "EARLY_HELP", "version": recommended.version}
    response = api_for(hub_worker).post(f"{CONTACTS}{recommended.pk}/decide/", body, format="json")
    assert response.status_code == 403
    assert response.json() == {"detail": "Your role cannot decide outcomes.", "errors": {}}
    assert not Contact.objects.get(pk=recommended.pk).is_decided


def test_two_managers_deciding_on_the_same_version_one_wins_one_gets_409(
    api_for, manager, hub_agency, recommended
):
    other_manager = UserFactory(agency=hub_agency, role=Role.HUB_MANAGER)
    url = f"{CONTACTS}{recommended.pk}/decide/"
    seen = api_for(manager).get(f"{CONTACTS}{recommended.pk}/").json()["version"]
    first = api_for(manager).post(url, {"outcome": "EARLY_HELP", "version": seen}, format="json")
    assert first.status_code == 200
    second = api_for(other_manager).post(
        url, {"outcome": "NFA", "reason": "Not needed.", "version": seen}, format="json"
    )
    assert second.status_code == 409
    body = second.json()
    assert "changed by someone else" in body["detail"]
    assert body["current"]["state"] == "decided"
    assert body["current"]["decision"]["outcome"] == "EARLY_HELP"
    assert Contact.objects.get(pk=recommended.pk).outcome == "EARLY_HELP"
    assert DecisionEntry.objects.filter(kind="decision").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_managers_deciding_at_the_same_moment(api_for, hub_worker, manager, hub_agency):
    contact = services.contact_create(data=contact_input(referrer_email=""))
    contact = services.contact_recommend(
        contact=contact, user=hub_worker, outcome="EARLY_HELP", rationale="Support at home."
    )
    other_manager = UserFactory(agency=hub_agency, role=Role.HUB_MANAGER)
    clients = [api_for(manager), api_for(other_manager)]
    bodies = [
        {"outcome": "EARLY_HELP", "version": contact.version},
        {"outcome": "NFA", "reason": "No need.", "version": contact.version},
    ]
    start = threading.Barrier(2)
    answers: list[tuple[int, dict]] = []

    def decide(client, body) -> None:
        try:
            start.wait(timeout=10)
            response = client.post(f"{CONTACTS}{contact.pk}/decide/", body, format="json")
            answers.append((response.status_code, response.json()))
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=decide, args=pair) for pair in zip(clients, bodies, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(code for code, _ in answers) == [200, 409]
    winner = next(body for code, body in answers if code == 200)
    loser = next(body for code, body in answers if code == 409)
    assert loser["current"]["decision"]["outcome"] == winner["decision"]["outcome"]
    assert DecisionEntry.objects.filter(contact=contact, kind="decision").count() == 1


def test_the_exception_handler_answers_a_conflict_with_409():
    from mash.api.errors import exception_handler

    response = exception_handler(ConflictError("Changed by someone else."), {})
    assert response.status_code == 409
    assert response.data == {"detail": "Changed by someone else.", "errors": {}}


# --- Who sees what -----------------------------------------------------------------------

OUTSIDERS = [
    "researcher_a",
    "researcher_b",
    "supervisor_a",
    "referrer",
    "board_member",
    "administrator",
]


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_no_one_outside_the_hub_sees_a_contact_or_a_person(request, api_for, persona, referrer):
    # Even the referrer's own MARF is theirs only through its status page, not the API.
    contact = services.contact_create(data=contact_input(), referrer_user=referrer)
    person = contact.subjects.get()
    api = api_for(request.getfixturevalue(persona))
    for path in (
        f"{CONTACTS}{contact.pk}/",
        CONTACTS,
        f"{PEOPLE}{person.pk}/",
        f"{SEARCH}?q=Smith",
    ):
        response = api.get(path)
        assert response.status_code == 404, path
        assert response.json() == {"detail": "Not found.", "errors": {}}
    for step in ("pick-up", "recommend", "decide"):
        body = {"outcome": "NFA", "rationale": "x", "version": contact.version}
        assert api.post(f"{CONTACTS}{contact.pk}/{step}/", body, format="json").status_code == 404
    people = api.get(PEOPLE)
    if persona.startswith(("researcher", "supervisor")):
        assert people.status_code == 200  # agency staff list only people granted to them
        assert people.json()["results"] == []
    else:
        assert people.status_code == 404
    assert Contact.objects.get(pk=contact.pk).assignee_id is None


@pytest.mark.parametrize("persona", ["referrer", "board_member", "administrator"])
def test_other_roles_cannot_send_contacts(request, api_for, persona):
    api = api_for(request.getfixturevalue(persona))
    assert api.post(CONTACTS, item(), format="json").status_code == 404
    assert api.post(BATCH, {"items": [item()]}, format="json").status_code == 404
    assert nothing_stored()


# --- Person search -----------------------------------------------------------------------


def test_search_finds_near_spellings_with_their_contacts(api_for, hub_worker, contact):
    response = api_for(hub_worker).get(f"{SEARCH}?q=Jon Smyth")
    assert response.status_code == 200
    (hit,) = response.json()["results"]
    assert hit["family_name"] == "Smith"
    assert hit["has_open_contact"] is True
    assert hit["contact_count"] == 1
    assert hit["contacts"] == [
        {
            "id": contact.pk,
            "reference": contact.reference,
            "received_at": hit["contacts"][0]["received_at"],
            "outcome": "",
            "is_open": True,
        }
    ]


@pytest.mark.parametrize("query", ["", "?q=", "?q=%20%20", "?q=" + "a" * 201])
def test_search_needs_a_short_query(api_for, hub_worker, query):
    response = api_for(hub_worker).get(f"{SEARCH}{query}")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"q"}


# --- Constant query counts ---------------------------------------------------------------


def _count_queries(api, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = api.get(path)
    assert response.status_code == 200
    return len(queries)


def _make_contacts(n: int, assignee) -> None:
    for index in range(n):
        contact = services.contact_create(
            data=contact_input(
                subjects=[
                    person_input(given_name=f"Child{index}", family_name="Smith"),
                    person_input(given_name=f"Sibling{index}", family_name="Smith"),
                ]
            )
        )
        if index % 2:
            services.contact_pick_up(contact=contact, user=assignee)


def test_the_queue_runs_the_same_queries_for_5_and_50_contacts(api_for, hub_worker):
    api = api_for(hub_worker)
    _make_contacts(5, hub_worker)
    few = _count_queries(api, CONTACTS)
    _make_contacts(45, hub_worker)
    assert len(api.get(CONTACTS).json()["results"]) == 50
    assert _count_queries(api, CONTACTS) == few


def test_people_list_and_search_run_the_same_queries_for_5_and_50_people(api_for, hub_worker):
    api = api_for(hub_worker)
    _make_contacts(3, hub_worker)  # 6 people named Smith, with contacts
    few = (_count_queries(api, PEOPLE), _count_queries(api, f"{SEARCH}?q=Smith"))
    _make_contacts(22, hub_worker)
    PersonFactory.create_batch(5)
    assert len(api.get(f"{SEARCH}?q=Smith").json()["results"]) == 20
    many = (_count_queries(api, PEOPLE), _count_queries(api, f"{SEARCH}?q=Smith"))
    assert many == few


def test_the_schema_documents_the_contacts_api(client_for, hub_worker):
    body = client_for(hub_worker).get("/api/schema/").content.decode()
    for path in (
        "/api/v1/contacts/",
        "/api/v1/contacts/batch/",
        "/api/v1/contacts/{id}/pick-up/",
        "/api/v1/contacts/{id}/recommend/",
        "/api/v1/contacts/{id}/decide/",
        "/api/v1/people/search/",
    ):
        assert path in body
