"""MASH enquiries through the API: the hub's enquiries and requests, each agency's own requests
and returns, who sees what (404 outside one's view), bad input that changes nothing, RAG changes
moving deadlines, and constant query counts on every list."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.roles import Role
from contacts import services as contact_services
from contacts.models import Household, HouseholdMember
from enquiries import services
from enquiries.models import Enquiry, EnquiryState, InformationRequest, RequestState
from enquiries.services import ReturnInput
from tests.factories import AgencyFactory, UserFactory, contact_input, person_input

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")

ENQUIRIES = "/api/v1/enquiries/"
REQUESTS = "/api/v1/information-requests/"
CONTACTS = "/api/v1/contacts/"
PEOPLE = "/api/v1/people/"

POLICE_QUESTION = "Any domestic abuse call-outs to the address? (police question)"
HEALTH_QUESTION = "Is the child registered with a GP and seen recently? (health question)"
POLICE_SUMMARY = "Two call-outs in 2026; the stepfather has a caution (police only)."
REFERRER = "Ms Jones"
NARRATIVE = "Child arrived hungry and unkempt for the third day running."


def at(*args) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def open_enquiry(hub_worker, manager, rag: str = "AMBER", *, name: str = "Amira") -> Enquiry:
    """A contact about a child living with her mother's partner, decided as a MASH enquiry."""
    contact = contact_services.contact_create(
        data=contact_input(
            subjects=[person_input(given_name=name, family_name="Hussain")],
            referrer_name=REFERRER,
            narrative=NARRATIVE,
        )
    )
    child = contact.subjects.get()
    partner = contact_services.person_create(given_name="Gary", family_name="Lane")
    home = Household.objects.create(postcode="LS1 4AP")
    HouseholdMember.objects.create(household=home, person=child)
    HouseholdMember.objects.create(
        household=home, person=partner, related=False, relationship="Mother's partner"
    )
    contact_services.contact_recommend(
        contact=contact, user=hub_worker, outcome="MASH_ENQUIRY", rag=rag, rationale="Unclear"
    )
    contact_services.contact_decide(
        contact=contact, manager=manager, outcome="MASH_ENQUIRY", rag=rag
    )
    return Enquiry.objects.get(contact=contact)


def ask(enquiry: Enquiry, agency, by, *, question: str = POLICE_QUESTION, people=None):
    return services.request_create(
        enquiry=enquiry,
        agency=agency,
        question=question,
        people=list(enquiry.people.all()) if people is None else people,
        requested_by=by,
    )


def answer(request: InformationRequest, by, **overrides):
    values = {"information_held": False, "systems_checked": "PNC, Niche"}
    values.update(overrides)
    return services.return_submit(request=request, data=ReturnInput(**values), submitted_by=by)


def return_body(**overrides) -> dict:
    values = {
        "information_held": True,
        "summary": POLICE_SUMMARY,
        "risk_indicators": "Domestic abuse",
        "systems_checked": "PNC, Niche",
        "handling": "police_only",
    }
    values.update(overrides)
    return values


def snapshot(enquiry: Enquiry) -> tuple:
    """What a refused step must leave untouched."""
    enquiry.refresh_from_db()
    requests = tuple(
        InformationRequest.objects.filter(enquiry=enquiry)
        .order_by("pk")
        .values_list("pk", "state", "due_at", "assignee_id", "returned_at")
    )
    returns = sum(request.returns.count() for request in enquiry.requests.all())
    return (
        enquiry.state,
        enquiry.rag,
        enquiry.deadline,
        enquiry.version,
        enquiry.recommended_outcome,
        enquiry.outcome,
        enquiry.rag_changes.count(),
        requests,
        returns,
    )


@pytest.fixture
def enquiry(hub_worker, manager):
    return open_enquiry(hub_worker, manager)


@pytest.fixture
def child(enquiry):
    return enquiry.person_links.get(is_subject=True).person


@pytest.fixture
def police_request(enquiry, agency_a, hub_worker):
    return ask(enquiry, agency_a, hub_worker)


@pytest.fixture
def health_request(enquiry, agency_b, hub_worker, child):
    return ask(enquiry, agency_b, hub_worker, question=HEALTH_QUESTION, people=[child])


# --- The hub's side ----------------------------------------------------------------------


def test_the_hub_runs_an_enquiry_through_the_api(
    api_for, hub_worker, manager, enquiry, agency_a, agency_b, researcher_a, researcher_b
):
    worker = api_for(hub_worker)
    queue = worker.get(ENQUIRIES)
    assert queue.status_code == 200, queue.json()
    (row,) = queue.json()["results"]
    assert (row["id"], row["reference"], row["rag"], row["state"]) == (
        enquiry.pk,
        enquiry.reference,
        "AMBER",
        "open",
    )
    assert {person["family_name"] for person in row["people"]} == {"Hussain", "Lane"}

    body = worker.get(f"{ENQUIRIES}{enquiry.pk}/").json()
    people = {person["given_name"]: person["id"] for person in body["people"]}
    nested = f"{ENQUIRIES}{enquiry.pk}/information-requests/"
    police = worker.post(
        nested,
        {"agency": "police", "question": POLICE_QUESTION, "people": list(people.values())},
        format="json",
    )
    assert police.status_code == 201, police.json()
    assert police.json()["agency"] == "police"
    assert police.json()["state"] == "open"
    health = worker.post(
        nested,
        {"agency": "health", "question": HEALTH_QUESTION, "people": [people["Amira"]]},
        format="json",
    )
    assert health.status_code == 201, health.json()

    police_id = police.json()["id"]
    returned = api_for(researcher_a).post(f"{REQUESTS}{police_id}/return/", return_body())
    assert returned.status_code == 201, returned.json()
    assert returned.json()["state"] == "returned"
    assert [r["summary"] for r in returned.json()["returns"]] == [POLICE_SUMMARY]
    health_id = health.json()["id"]
    assert (
        api_for(researcher_b)
        .post(f"{REQUESTS}{health_id}/return/", return_body(handling="health_only"))
        .status_code
        == 201
    )

    side_by_side = worker.get(nested).json()["results"]
    assert [(r["agency"], r["state"]) for r in side_by_side] == [
        ("police", "returned"),
        ("health", "returned"),
    ]
    assert side_by_side[0]["returns"][0]["handling"] == "police_only"
    assert side_by_side[0]["returns"][0]["submitted_by_name"] == researcher_a.display_name
    assert side_by_side[0]["returned_on_time"] is True

    version = worker.get(f"{ENQUIRIES}{enquiry.pk}/").json()["version"]
    recommendation = {
        "outcome": "REFERRAL",
        "final_rag": "RED",
        "rationale": "Police hold a caution for the mother's partner.",
        "version": version,
    }
    recommended = worker.post(f"{ENQUIRIES}{enquiry.pk}/recommend/", recommendation)
    assert recommended.status_code == 200, recommended.json()
    assert recommended.json()["state"] == "awaiting_decision"
    assert recommended.json()["recommendation"]["outcome"] == "REFERRAL"
    decision = {"outcome": "REFERRAL", "final_rag": "RED", "version": version + 1}
    decided = api_for(manager).post(f"{ENQUIRIES}{enquiry.pk}/decide/", decision)
    assert decided.status_code == 200, decided.json()
    assert decided.json()["state"] == "closed"
    assert decided.json()["decision"]["outcome"] == "REFERRAL"
    assert decided.json()["decision"]["made_by"] == manager.display_name
    assert worker.get(ENQUIRIES).json()["results"] == []  # the queue holds open ones only


def test_the_queue_lists_open_enquiries_soonest_deadline_first_with_cursor_pages(
    api_for, hub_worker, manager, agency_a
):
    green = open_enquiry(hub_worker, manager, "GREEN", name="Gemma")
    red = open_enquiry(hub_worker, manager, "RED", name="Rita")
    amber = open_enquiry(hub_worker, manager, "AMBER", name="Anna")
    ask(amber, agency_a, hub_worker)
    api = api_for(hub_worker)
    page = api.get(f"{ENQUIRIES}?page_size=2").json()
    rest = api.get(page["next"]).json()
    rows = page["results"] + rest["results"]
    assert [row["id"] for row in rows] == [red.pk, amber.pk, green.pk]
    assert [row["outstanding_requests"] for row in rows] == [0, 1, 0]


def test_reading_an_enquiry_or_a_request_writes_an_access_entry(
    api_for, hub_worker, researcher_a, enquiry, police_request
):
    api_for(hub_worker).get(f"{ENQUIRIES}{enquiry.pk}/")
    api_for(researcher_a).get(f"{REQUESTS}{police_request.pk}/")
    enquiry_reads = LogEntry.objects.get_for_object(enquiry).filter(action=LogEntry.Action.ACCESS)
    request_reads = LogEntry.objects.get_for_object(police_request).filter(
        action=LogEntry.Action.ACCESS
    )
    assert [entry.actor for entry in enquiry_reads] == [hub_worker]
    assert [entry.actor for entry in request_reads] == [researcher_a]


# --- RAG changes move deadlines ----------------------------------------------------------


def test_escalating_through_the_api_moves_the_deadlines(api_for, hub_worker, manager, agency_a):
    # DOMAIN.md: Amber opened Monday 10:00, escalated to Red Monday 15:00 -> due 19:00.
    with time_machine.travel(at(2026, 11, 23, 10, 0), tick=False):
        enquiry = open_enquiry(hub_worker, manager, "AMBER")
    with time_machine.travel(at(2026, 11, 23, 11, 0), tick=False):
        request = ask(enquiry, agency_a, hub_worker)
    assert enquiry.deadline == at(2026, 11, 24, 10, 0)
    assert request.due_at == at(2026, 11, 23, 17, 0)  # 6 working hours
    with time_machine.travel(at(2026, 11, 23, 15, 0), tick=False):
        response = api_for(hub_worker).post(
            f"{ENQUIRIES}{enquiry.pk}/rag/",
            {"rag": "RED", "reason": "Disclosure at school", "version": enquiry.version},
        )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["rag"] == "RED"
    assert datetime.fromisoformat(body["deadline"]) == at(2026, 11, 23, 19, 0)
    (change,) = body["rag_changes"]
    assert (change["from_rag"], change["to_rag"], change["reason"]) == (
        "AMBER",
        "RED",
        "Disclosure at school",
    )
    assert change["changed_by"] == hub_worker.pk
    assert change["is_escalation"] is True
    assert datetime.fromisoformat(change["previous_deadline"]) == at(2026, 11, 24, 10, 0)
    request.refresh_from_db()
    assert request.due_at == at(2026, 11, 23, 17, 0)  # earlier than 15:00 + 2 hours


def test_de_escalating_through_the_api_takes_the_later_deadline(api_for, hub_worker, manager):
    # DOMAIN.md: Red opened Monday 10:00, de-escalated to Green at 11:00 -> due Thursday 10:00.
    with time_machine.travel(at(2026, 11, 23, 10, 0), tick=False):
        enquiry = open_enquiry(hub_worker, manager, "RED")
    with time_machine.travel(at(2026, 11, 23, 11, 0), tick=False):
        response = api_for(hub_worker).post(
            f"{ENQUIRIES}{enquiry.pk}/rag/", {"rag": "GREEN", "reason": "Police: no concerns"}
        )
    assert response.status_code == 200, response.json()
    assert datetime.fromisoformat(response.json()["deadline"]) == at(2026, 11, 26, 10, 0)


def test_the_agency_sees_the_new_rag_and_due_time(
    api_for, hub_worker, manager, agency_a, researcher_a
):
    with time_machine.travel(at(2026, 11, 23, 10, 0), tick=False):
        enquiry = open_enquiry(hub_worker, manager, "GREEN")
        request = ask(enquiry, agency_a, hub_worker)
    assert request.due_at == at(2026, 11, 24, 10, 0)  # 1 working day
    with time_machine.travel(at(2026, 11, 23, 12, 0), tick=False):
        api_for(hub_worker).post(f"{ENQUIRIES}{enquiry.pk}/rag/", {"rag": "RED", "reason": "x"})
        body = api_for(researcher_a).get(f"{REQUESTS}{request.pk}/").json()
    assert body["rag"] == "RED"
    assert datetime.fromisoformat(body["due_at"]) == at(2026, 11, 23, 14, 0)  # 12:00 + 2 hours


# --- The agency's side -------------------------------------------------------------------

AGENCY_REQUEST_KEYS = {
    "id",
    "reference",
    "state",
    "rag",
    "question",
    "people",
    "requested_at",
    "due_at",
    "is_overdue",
    "assignee",
    "assignee_name",
    "returned_at",
    "returns",
}
PERSON_TO_CHECK_KEYS = {
    "id",
    "given_name",
    "family_name",
    "aliases",
    "date_of_birth",
    "expected_date_of_delivery",
    "nhs_number",
    "upn",
    "address",
    "postcode",
}


def test_an_agency_sees_only_what_its_request_needs(
    api_for, researcher_a, researcher_b, police_request, health_request
):
    answer(health_request, researcher_b, information_held=True, summary="Registered, seen 2026")
    response = api_for(researcher_a).get(f"{REQUESTS}{police_request.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == AGENCY_REQUEST_KEYS
    assert body["question"] == POLICE_QUESTION
    assert body["rag"] == "AMBER"
    assert body["returns"] == []
    assert {person["family_name"] for person in body["people"]} == {"Hussain", "Lane"}
    assert all(set(person) == PERSON_TO_CHECK_KEYS for person in body["people"])
    text = response.content.decode()
    for secret in (REFERRER, NARRATIVE, "Registered, seen 2026", HEALTH_QUESTION, "Unclear"):
        assert secret not in text


def test_an_agency_lists_its_requests_soonest_due_first_and_filters_them(
    api_for, hub_worker, manager, agency_a, researcher_a, supervisor_a
):
    red = open_enquiry(hub_worker, manager, "RED", name="Rita")
    green = open_enquiry(hub_worker, manager, "GREEN", name="Gemma")
    green_request = ask(green, agency_a, hub_worker)
    red_request = ask(red, agency_a, hub_worker)
    answer(green_request, researcher_a)
    services.request_assign(request=red_request, researcher=researcher_a, assigned_by=supervisor_a)
    api = api_for(researcher_a)

    def ids(query: str = "") -> list[int]:
        response = api.get(f"{REQUESTS}{query}")
        assert response.status_code == 200, response.json()
        return [row["id"] for row in response.json()["results"]]

    assert ids() == [red_request.pk, green_request.pk]
    assert ids("?state=open") == [red_request.pk]
    assert ids("?state=returned") == [green_request.pk]
    assert ids("?mine=true") == [red_request.pk]
    row = api.get(REQUESTS).json()["results"][0]
    assert (row["rag"], row["people_count"], row["assignee"]) == ("RED", 2, researcher_a.pk)
    bad = api.get(f"{REQUESTS}?state=withdrawn")
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) == {"state"}


def test_a_return_is_final_and_another_is_an_addendum(api_for, researcher_a, police_request):
    api = api_for(researcher_a)
    first = api.post(f"{REQUESTS}{police_request.pk}/return/", return_body())
    assert first.status_code == 201, first.json()
    second = api.post(
        f"{REQUESTS}{police_request.pk}/return/",
        return_body(summary="A third call-out last night."),
    )
    assert second.status_code == 201
    returns = second.json()["returns"]
    assert [(r["is_addendum"], r["summary"]) for r in returns] == [
        (False, POLICE_SUMMARY),
        (True, "A third call-out last night."),
    ]


def test_a_supervisor_assigns_within_the_agency(
    api_for, police_request, supervisor_a, researcher_a, researcher_b
):
    url = f"{REQUESTS}{police_request.pk}/assign/"
    assigned = api_for(supervisor_a).post(url, {"assignee": researcher_a.pk})
    assert assigned.status_code == 200, assigned.json()
    assert assigned.json()["assignee"] == researcher_a.pk
    assert assigned.json()["assignee_name"] == researcher_a.display_name
    elsewhere = api_for(supervisor_a).post(url, {"assignee": researcher_b.pk})
    assert elsewhere.status_code == 400
    assert set(elsewhere.json()["errors"]) == {"assignee"}
    refused = api_for(researcher_a).post(url, {"assignee": researcher_a.pk})
    assert refused.status_code == 403
    assert refused.json() == {"detail": "Your role cannot assign requests.", "errors": {}}


# --- Who sees what -----------------------------------------------------------------------


def test_a_health_researcher_gets_404_for_the_police_request_and_its_return(
    api_for, researcher_b, enquiry, police_request, health_request
):
    before = snapshot(enquiry)
    api = api_for(researcher_b)
    assert api.get(f"{REQUESTS}{police_request.pk}/").status_code == 404
    response = api.post(f"{REQUESTS}{police_request.pk}/return/", return_body())
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "errors": {}}
    assert api.post(f"{REQUESTS}{police_request.pk}/assign/", {"assignee": 1}).status_code == 404
    assert snapshot(enquiry) == before


def test_a_health_researcher_gets_404_for_an_enquiry_without_a_health_request_and_its_contact(
    api_for, researcher_b, enquiry, police_request
):
    api = api_for(researcher_b)
    for path in (
        f"{ENQUIRIES}{enquiry.pk}/",
        f"{ENQUIRIES}{enquiry.pk}/information-requests/",
        f"{ENQUIRIES}{enquiry.pk}/information-requests/{police_request.pk}/",
        f"{CONTACTS}{enquiry.contact_id}/",
        f"{PEOPLE}{enquiry.people.first().pk}/",
    ):
        response = api.get(path)
        assert response.status_code == 404, path
        assert response.json() == {"detail": "Not found.", "errors": {}}
    assert api.get(REQUESTS).json()["results"] == []
    assert api.get(PEOPLE).json()["results"] == []


def test_even_with_a_health_request_the_enquiry_and_contact_stay_hidden_from_health(
    api_for, researcher_b, enquiry, police_request, health_request
):
    api = api_for(researcher_b)
    for path in (
        ENQUIRIES,
        f"{ENQUIRIES}{enquiry.pk}/",
        f"{ENQUIRIES}{enquiry.pk}/information-requests/",
        f"{CONTACTS}{enquiry.contact_id}/",
    ):
        assert api.get(path).status_code == 404, path


def test_a_health_researcher_sees_no_police_data_in_any_list(
    api_for, researcher_a, researcher_b, enquiry, police_request, health_request, child
):
    answer(police_request, researcher_a, information_held=True, summary=POLICE_SUMMARY)
    api = api_for(researcher_b)
    requests = api.get(REQUESTS)
    assert [row["id"] for row in requests.json()["results"]] == [health_request.pk]
    people = api.get(PEOPLE)
    assert [row["id"] for row in people.json()["results"]] == [child.pk]  # not the partner
    for query in ("", "?state=open", "?state=returned", "?mine=true"):
        text = api.get(f"{REQUESTS}{query}").content.decode()
        assert POLICE_QUESTION not in text and POLICE_SUMMARY not in text
        assert police_request.reference not in text
    assert "Lane" not in people.content.decode()
    body = api.get(f"{REQUESTS}{health_request.pk}/").content.decode()
    assert POLICE_SUMMARY not in body and POLICE_QUESTION not in body and "Lane" not in body


def test_a_withdrawn_request_disappears_from_the_agency(
    api_for, hub_worker, researcher_a, enquiry, police_request
):
    agency = api_for(researcher_a)
    assert [row["id"] for row in agency.get(REQUESTS).json()["results"]] == [police_request.pk]
    url = f"{ENQUIRIES}{enquiry.pk}/information-requests/{police_request.pk}/withdraw/"
    withdrawn = api_for(hub_worker).post(url, {"reason": "Asked in error"})
    assert withdrawn.status_code == 200, withdrawn.json()
    assert withdrawn.json()["state"] == "withdrawn"
    assert withdrawn.json()["withdrawn_reason"] == "Asked in error"
    assert agency.get(REQUESTS).json()["results"] == []
    assert agency.get(f"{REQUESTS}{police_request.pk}/").status_code == 404
    assert agency.get(PEOPLE).json()["results"] == []
    # The hub still lists it, withdrawn.
    listed = api_for(hub_worker).get(f"{ENQUIRIES}{enquiry.pk}/information-requests/").json()
    assert [(row["id"], row["state"]) for row in listed["results"]] == [
        (police_request.pk, "withdrawn")
    ]


OUTSIDERS = ["board_member", "referrer", "administrator"]


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_outsiders_get_404_for_every_enquiry_record_and_list(
    request, api_for, persona, enquiry, police_request
):
    before = snapshot(enquiry)
    api = api_for(request.getfixturevalue(persona))
    nested = f"{ENQUIRIES}{enquiry.pk}/information-requests/"
    reads = [
        ENQUIRIES,
        f"{ENQUIRIES}{enquiry.pk}/",
        nested,
        f"{nested}{police_request.pk}/",
        REQUESTS,
        f"{REQUESTS}{police_request.pk}/",
        f"{CONTACTS}{enquiry.contact_id}/",
    ]
    for path in reads:
        response = api.get(path)
        assert response.status_code == 404, path
        assert response.json() == {"detail": "Not found.", "errors": {}}
    writes = [
        (f"{ENQUIRIES}{enquiry.pk}/rag/", {"rag": "RED", "reason": "x"}),
        (
            f"{ENQUIRIES}{enquiry.pk}/recommend/",
            {"outcome": "NFA", "final_rag": "GREEN", "rationale": "x"},
        ),
        (f"{ENQUIRIES}{enquiry.pk}/decide/", {"outcome": "NFA", "final_rag": "GREEN"}),
        (nested, {"agency": "health", "question": "x", "people": []}),
        (f"{nested}{police_request.pk}/withdraw/", {"reason": "x"}),
        (f"{REQUESTS}{police_request.pk}/return/", return_body()),
        (f"{REQUESTS}{police_request.pk}/assign/", {"assignee": 1}),
    ]
    for path, body in writes:
        assert api.post(path, body, format="json").status_code == 404, path
    assert snapshot(enquiry) == before


def test_hub_staff_use_the_enquiry_endpoints_not_the_agency_workspace(
    api_for, hub_worker, researcher_a, enquiry, police_request
):
    api = api_for(hub_worker)
    assert api.get(REQUESTS).status_code == 404
    assert api.get(f"{REQUESTS}{police_request.pk}/").status_code == 404
    assert api.post(f"{REQUESTS}{police_request.pk}/return/", return_body()).status_code == 404
    agency = api_for(researcher_a)
    assert (
        agency.post(f"{ENQUIRIES}{enquiry.pk}/rag/", {"rag": "RED", "reason": "x"}).status_code
        == 404
    )
    assert not police_request.returns.exists()


# --- Bad input: a clear error, and nothing changes ---------------------------------------


def test_a_return_on_a_closed_enquiry_is_409_and_adds_nothing(
    api_for, hub_worker, manager, researcher_a, enquiry, police_request
):
    answer(police_request, researcher_a)
    services.enquiry_recommend(
        enquiry=enquiry, user=hub_worker, outcome="NFA", final_rag="GREEN", rationale="Nothing held"
    )
    services.enquiry_decide(enquiry=enquiry, manager=manager, outcome="NFA", final_rag="GREEN")
    before = snapshot(enquiry)
    response = api_for(researcher_a).post(f"{REQUESTS}{police_request.pk}/return/", return_body())
    assert response.status_code == 409
    body = response.json()
    assert "is closed" in body["detail"]
    assert body["current"]["state"] == "returned"
    assert len(body["current"]["returns"]) == 1
    assert snapshot(enquiry) == before


def test_a_return_on_a_withdrawn_request_is_404_and_adds_nothing(
    api_for, hub_worker, researcher_a, enquiry, police_request
):
    services.request_withdraw(request=police_request, reason="Error", withdrawn_by=hub_worker)
    before = snapshot(enquiry)
    response = api_for(researcher_a).post(f"{REQUESTS}{police_request.pk}/return/", return_body())
    assert response.status_code == 404
    assert snapshot(enquiry) == before


def test_a_second_open_request_to_the_same_agency_is_refused(
    api_for, hub_worker, enquiry, police_request, child
):
    before = snapshot(enquiry)
    body = {"agency": "police", "question": "Again?", "people": [child.pk]}
    response = api_for(hub_worker).post(
        f"{ENQUIRIES}{enquiry.pk}/information-requests/", body, format="json"
    )
    assert response.status_code == 400
    assert "already has an open request" in response.json()["errors"]["agency"][0]
    assert snapshot(enquiry) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"agency": "nowhere", "question": "Q?"}, "agency"),
        ({"agency": "health", "question": " "}, "question"),
        ({"agency": "health", "question": "Q?", "people": []}, "people"),
        ({"agency": "health", "question": "Q?", "people": [999999]}, "people"),
        ({"agency": "health", "question": "Q?", "people": ["x"]}, "people"),
    ],
)
def test_a_bad_request_is_400_naming_the_field(
    api_for, hub_worker, agency_b, enquiry, child, body, field
):
    body = {"people": [child.pk], **body}
    before = snapshot(enquiry)
    response = api_for(hub_worker).post(
        f"{ENQUIRIES}{enquiry.pk}/information-requests/", body, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert snapshot(enquiry) == before


def test_withdrawing_needs_a_reason_and_an_open_request(
    api_for, hub_worker, researcher_a, enquiry, police_request
):
    url = f"{ENQUIRIES}{enquiry.pk}/information-requests/{police_request.pk}/withdraw/"
    api = api_for(hub_worker)
    no_reason = api.post(url, {"reason": " "})
    assert no_reason.status_code == 400
    assert set(no_reason.json()["errors"]) == {"reason"}
    answer(police_request, researcher_a)
    before = snapshot(enquiry)
    returned = api.post(url, {"reason": "Too late"})
    assert returned.status_code == 409
    assert returned.json()["current"]["state"] == "returned"
    assert snapshot(enquiry) == before


def test_a_request_of_another_enquiry_is_404_under_this_one(
    api_for, hub_worker, manager, enquiry, police_request
):
    other = open_enquiry(hub_worker, manager, name="Zara")
    url = f"{ENQUIRIES}{other.pk}/information-requests/{police_request.pk}/"
    assert api_for(hub_worker).get(url).status_code == 404
    assert api_for(hub_worker).post(f"{url}withdraw/", {"reason": "x"}).status_code == 404
    police_request.refresh_from_db()
    assert police_request.state == RequestState.OPEN


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"rag": "RED", "reason": " "}, "reason"),
        ({"rag": "RED"}, "reason"),
        ({"rag": "AMBER", "reason": "Still amber"}, "rag"),
        ({"rag": "PURPLE", "reason": "x"}, "rag"),
        ({"rag": "RED", "reason": "x", "version": 0}, "version"),
    ],
)
def test_a_bad_rag_change_is_400_naming_the_field(api_for, hub_worker, enquiry, body, field):
    before = snapshot(enquiry)
    response = api_for(hub_worker).post(f"{ENQUIRIES}{enquiry.pk}/rag/", body, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {field}
    assert snapshot(enquiry) == before


def test_a_stale_version_is_409_with_the_current_state(api_for, hub_worker, enquiry):
    api = api_for(hub_worker)
    seen = enquiry.version
    first = api.post(
        f"{ENQUIRIES}{enquiry.pk}/rag/", {"rag": "RED", "reason": "Disclosure", "version": seen}
    )
    assert first.status_code == 200
    before = snapshot(enquiry)
    second = api.post(
        f"{ENQUIRIES}{enquiry.pk}/rag/", {"rag": "GREEN", "reason": "Calmer", "version": seen}
    )
    assert second.status_code == 409
    assert "changed by someone else" in second.json()["detail"]
    assert second.json()["current"]["rag"] == "RED"
    assert snapshot(enquiry) == before


def test_closing_with_returns_outstanding_is_refused(
    api_for, hub_worker, manager, researcher_a, enquiry, police_request, health_request
):
    answer(police_request, researcher_a)
    services.enquiry_recommend(
        enquiry=enquiry, user=hub_worker, outcome="REFERRAL", final_rag="RED", rationale="Risk"
    )
    before = snapshot(enquiry)
    response = api_for(manager).post(
        f"{ENQUIRIES}{enquiry.pk}/decide/", {"outcome": "REFERRAL", "final_rag": "RED"}
    )
    assert response.status_code == 400
    assert "outstanding from Community Health" in response.json()["errors"]["outcome"][0]
    assert snapshot(enquiry) == before
    assert enquiry.state == EnquiryState.AWAITING_DECISION


def test_a_decision_by_someone_who_is_not_a_manager_is_refused(
    api_for, hub_worker, researcher_a, enquiry
):
    services.enquiry_recommend(
        enquiry=enquiry, user=hub_worker, outcome="EARLY_HELP", final_rag="GREEN", rationale="x"
    )
    before = snapshot(enquiry)
    body = {"outcome": "EARLY_HELP", "final_rag": "GREEN"}
    worker = api_for(hub_worker).post(f"{ENQUIRIES}{enquiry.pk}/decide/", body)
    assert worker.status_code == 403
    assert worker.json() == {"detail": "Your role cannot decide enquiries.", "errors": {}}
    agency = api_for(researcher_a).post(f"{ENQUIRIES}{enquiry.pk}/decide/", body)
    assert agency.status_code == 404
    assert snapshot(enquiry) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"outcome": "MASH_ENQUIRY", "final_rag": "RED", "rationale": "x"}, "outcome"),
        ({"outcome": "REFERRAL", "final_rag": "", "rationale": "x"}, "final_rag"),
        ({"outcome": "REFERRAL", "final_rag": "RED", "rationale": " "}, "rationale"),
    ],
)
def test_a_bad_recommendation_is_400_naming_the_field(api_for, hub_worker, enquiry, body, field):
    before = snapshot(enquiry)
    response = api_for(hub_worker).post(f"{ENQUIRIES}{enquiry.pk}/recommend/", body)
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {field}
    assert snapshot(enquiry) == before


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"information_held": True, "systems_checked": ""}, {"summary", "systems_checked"}),
        ({"systems_checked": "PNC"}, {"information_held"}),
        ({"information_held": False, "systems_checked": "PNC", "handling": "gossip"}, {"handling"}),
    ],
)
def test_a_bad_return_is_400_naming_the_fields(
    api_for, researcher_a, enquiry, police_request, body, fields
):
    before = snapshot(enquiry)
    response = api_for(researcher_a).post(
        f"{REQUESTS}{police_request.pk}/return/", body, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == fields
    assert snapshot(enquiry) == before


def test_an_agency_cannot_return_for_another_agencys_request_id(
    api_for, researcher_b, supervisor_a, enquiry, police_request, health_request
):
    before = snapshot(enquiry)
    response = api_for(researcher_b).post(f"{REQUESTS}{police_request.pk}/return/", return_body())
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "errors": {}}
    # ... nor the Police for Health's.
    response = api_for(supervisor_a).post(f"{REQUESTS}{health_request.pk}/return/", return_body())
    assert response.status_code == 404
    assert snapshot(enquiry) == before


def test_a_request_on_a_closed_enquiry_is_409(
    api_for, hub_worker, manager, enquiry, agency_b, child
):
    services.enquiry_recommend(
        enquiry=enquiry, user=hub_worker, outcome="NFA", final_rag="GREEN", rationale="x"
    )
    services.enquiry_decide(enquiry=enquiry, manager=manager, outcome="NFA", final_rag="GREEN")
    before = snapshot(enquiry)
    body = {"agency": "health", "question": "Q?", "people": [child.pk]}
    response = api_for(hub_worker).post(
        f"{ENQUIRIES}{enquiry.pk}/information-requests/", body, format="json"
    )
    assert response.status_code == 409
    assert "is closed" in response.json()["detail"]
    rag = api_for(hub_worker).post(f"{ENQUIRIES}{enquiry.pk}/rag/", {"rag": "RED", "reason": "x"})
    assert rag.status_code == 409
    assert rag.json()["current"]["state"] == "closed"
    assert snapshot(enquiry) == before


# --- Constant query counts ---------------------------------------------------------------


def _count_queries(api, path: str, rows: int) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = api.get(path)
    assert response.status_code == 200, response.json()
    assert len(response.json()["results"]) == rows
    return len(queries)


def _enquiries_with_police_requests(n: int, hub_worker, manager, agency_a, researcher_a) -> None:
    for index in range(n):
        enquiry = open_enquiry(hub_worker, manager, name=f"Child{index}")
        request = ask(enquiry, agency_a, hub_worker)
        if index % 2:
            answer(request, researcher_a)


def test_the_enquiry_queue_and_the_agency_list_run_the_same_queries_for_5_and_50(
    api_for, hub_worker, manager, agency_a, researcher_a
):
    hub = api_for(hub_worker)
    agency = api_for(researcher_a)
    open_only = f"{REQUESTS}?state=open&mine=false"

    def counts(rows: int) -> list[int]:
        still_open = InformationRequest.objects.filter(state=RequestState.OPEN).count()
        return [
            _count_queries(hub, ENQUIRIES, rows),
            _count_queries(agency, REQUESTS, rows),
            _count_queries(agency, open_only, still_open),
        ]

    _enquiries_with_police_requests(5, hub_worker, manager, agency_a, researcher_a)
    few = counts(5)
    _enquiries_with_police_requests(45, hub_worker, manager, agency_a, researcher_a)
    assert counts(50) == few


def test_an_enquirys_requests_run_the_same_queries_for_5_and_50(
    api_for, hub_worker, enquiry, child
):
    hub = api_for(hub_worker)
    url = f"{ENQUIRIES}{enquiry.pk}/information-requests/"

    def ask_agencies(first: int, last: int) -> None:
        for index in range(first, last):
            agency = AgencyFactory(name=f"Partner {index}", code=f"partner-{index}")
            request = ask(enquiry, agency, hub_worker)
            if index % 2:
                researcher = UserFactory(agency=agency, role=Role.AGENCY_RESEARCHER)
                answer(request, researcher, information_held=True, summary="Known")

    ask_agencies(0, 5)
    few = _count_queries(hub, url, 5)
    ask_agencies(5, 50)
    assert _count_queries(hub, url, 50) == few


# --- The schema ---------------------------------------------------------------------------


def test_the_schema_documents_the_enquiries_api(client_for, hub_worker):
    body = client_for(hub_worker).get("/api/schema/").content.decode()
    for path in (
        "/api/v1/enquiries/",
        "/api/v1/enquiries/{id}/",
        "/api/v1/enquiries/{id}/rag/",
        "/api/v1/enquiries/{id}/recommend/",
        "/api/v1/enquiries/{id}/decide/",
        "/api/v1/enquiries/{enquiry_id}/information-requests/",
        "/api/v1/enquiries/{enquiry_id}/information-requests/{request_id}/withdraw/",
        "/api/v1/information-requests/",
        "/api/v1/information-requests/{id}/",
        "/api/v1/information-requests/{id}/return/",
        "/api/v1/information-requests/{id}/assign/",
    ):
        assert path in body
