"""My work: each member of staff's own open work, soonest due first, with the time left, on
the page and through the API. Agencies see only what their requests show; everyone else 404."""

from datetime import date, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agencies.roles import Role
from contacts import services as contact_services
from contacts.models import Contact
from enquiries import services as enquiry_services
from enquiries.models import Enquiry
from mash.audit.models import AuditEvent
from tests.factories import UserFactory, contact_input, person_input
from work.services import work_allocate

pytestmark = pytest.mark.django_db

SECRET_NARRATIVE = "Narrative-W9: the kitchen incident"
REFERRER = "Referrer-W9 Quillfeather"


# --- Helpers the three work test files share -------------------------------------------------


def make_contact(*, name: str = "Ada", family: str = "Lovelace", **overrides) -> Contact:
    """An undecided contact about one child with their own record (no match with another)."""
    values = {
        "subjects": [
            person_input(given_name=name, family_name=family, date_of_birth=date(2016, 2, 3))
        ],
        "narrative": SECRET_NARRATIVE,
        "referrer_name": REFERRER,
    }
    values.update(overrides)
    return contact_services.contact_create(data=contact_input(**values))


_counter = iter(range(1, 1_000_000))


def unique_family() -> str:
    return f"Family{next(_counter):06d}"


def open_enquiry(hub_worker, manager, *, rag: str = "AMBER", name: str = "Kayden") -> Enquiry:
    """A contact triaged and decided as a MASH enquiry (its own family, so a new enquiry)."""
    contact = make_contact(name=name, family=unique_family())
    contact_services.contact_recommend(
        contact=contact, user=hub_worker, outcome="MASH_ENQUIRY", rag=rag, rationale="Unclear"
    )
    contact_services.contact_decide(
        contact=contact, manager=manager, outcome="MASH_ENQUIRY", rag=rag
    )
    return Enquiry.objects.get(contact=contact)


def recommend_enquiry(enquiry: Enquiry, hub_worker, outcome: str = "EARLY_HELP") -> Enquiry:
    return enquiry_services.enquiry_recommend(
        enquiry=enquiry, user=hub_worker, outcome=outcome, final_rag=enquiry.rag, rationale="Done"
    )


def ask(enquiry: Enquiry, agency, hub_worker):
    return enquiry_services.request_create(
        enquiry=enquiry,
        agency=agency,
        question="Any call-outs to the address?",
        people=list(enquiry.people.all()),
        requested_by=hub_worker,
    )


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
        assert response.status_code == 200, response.content[:500]
    return len(context.captured_queries)


def row_of(content: str, reference: str) -> str:
    import re

    [row] = [row for row in re.split(r"<tr\b", content) if f">{reference}<" in row]
    return row


# --- The page ------------------------------------------------------------------------------


class TestHubWorker:
    def test_my_contacts_and_enquiries_soonest_due_first_with_time_left(
        self, client_for, hub_worker, manager
    ):
        now = timezone.now()
        later = make_contact(name="Later", received_at=now - timedelta(minutes=10))
        sooner = make_contact(name="Sooner", received_at=now - timedelta(days=6))
        someone_elses = make_contact(name="Other")
        contact_services.contact_pick_up(contact=later, user=hub_worker)
        contact_services.contact_pick_up(contact=sooner, user=hub_worker)
        contact_services.contact_pick_up(contact=someone_elses, user=manager)
        enquiry = open_enquiry(hub_worker, manager, rag="RED", name="Redd")

        content = client_for(hub_worker).get("/my-work/").content.decode()
        assert content.index(sooner.reference) < content.index(later.reference)
        assert someone_elses.reference not in content
        assert "Overdue by" in row_of(content, sooner.reference)
        assert " left" in row_of(content, later.reference)
        assert "Sooner Lovelace" in row_of(content, sooner.reference)
        enquiry_row = row_of(content, enquiry.reference)
        assert "Redd" in enquiry_row, enquiry_row
        assert "app-rag--red" in enquiry_row
        assert "3 hours 59 minutes left" in enquiry_row or "4 hours left" in enquiry_row

    def test_time_left_in_hours_and_minutes(self, client_for, hub_worker, manager):
        start = timezone.now().replace(microsecond=0)
        with time_machine.travel(start, tick=False):
            enquiry = open_enquiry(hub_worker, manager, rag="RED")
        with time_machine.travel(start + timedelta(hours=1, minutes=50), tick=False):
            content = client_for(hub_worker).get("/my-work/").content.decode()
        assert "2 hours 10 minutes left" in row_of(content, enquiry.reference)
        with time_machine.travel(start + timedelta(days=1, hours=4, minutes=5), tick=False):
            content = client_for(hub_worker).get("/my-work/").content.decode()
        assert "Overdue by 1 day" in row_of(content, enquiry.reference)

    def test_decided_contacts_and_closed_enquiries_leave_my_work(
        self, client_for, hub_worker, manager
    ):
        enquiry = open_enquiry(hub_worker, manager)
        recommend_enquiry(enquiry, hub_worker)
        enquiry_services.enquiry_decide(
            enquiry=enquiry, manager=manager, outcome="EARLY_HELP", final_rag=enquiry.rag
        )
        content = client_for(hub_worker).get("/my-work/").content.decode()
        assert enquiry.reference not in content
        assert enquiry.contact.reference not in content  # decided
        assert "No contacts are assigned to you." in content
        assert "You are not running any open enquiries." in content

    def test_a_manager_sees_how_much_awaits_their_decision(self, client_for, hub_worker, manager):
        waiting = make_contact()
        contact_services.contact_recommend(
            contact=waiting, user=hub_worker, outcome="NFA", rationale="-"
        )
        recommend_enquiry(open_enquiry(hub_worker, manager), hub_worker)
        content = client_for(manager).get("/my-work/").content.decode()
        assert "<strong>2</strong> contacts and enquiries are waiting for your decision" in content
        assert 'href="/decisions/"' in content
        worker_page = client_for(hub_worker).get("/my-work/").content.decode()
        assert 'data-testid="awaiting-decision"' not in worker_page

    def test_my_work_is_in_the_navigation_and_first_on_the_home_page(self, client_for, hub_worker):
        content = client_for(hub_worker).get("/").content.decode()
        nav = content.split('data-testid="navigation"')[1].split("</ul>")[0]
        nav_links = [chunk.split('"')[0] for chunk in nav.split('href="')[1:]]
        assert nav_links[:2] == ["/", "/my-work/"]
        main = content.split('id="main-content"')[1]
        main_links = [chunk.split('"')[0] for chunk in main.split('href="')[1:]]
        assert main_links[0] == "/my-work/"


class TestAgency:
    def test_a_researcher_sees_only_their_requests_and_no_one_named(
        self, client_for, hub_worker, manager, agency_a, agency_b, researcher_a, supervisor_a
    ):
        theirs = ask(open_enquiry(hub_worker, manager, name="Zebedee"), agency_a, hub_worker)
        enquiry_services.request_assign(
            request=theirs, researcher=researcher_a, assigned_by=supervisor_a
        )
        unassigned = ask(open_enquiry(hub_worker, manager), agency_a, hub_worker)
        health = ask(open_enquiry(hub_worker, manager), agency_b, hub_worker)
        content = client_for(researcher_a).get("/my-work/").content.decode()
        row = row_of(content, theirs.reference)
        assert "1 person to check" in row
        assert unassigned.reference not in content and health.reference not in content
        for secret in ("Zebedee", SECRET_NARRATIVE, REFERRER, theirs.enquiry.reference):
            assert secret not in content
        assert f'href="/requests/{theirs.pk}/"' in row

    def test_a_supervisor_also_sees_the_agencys_unassigned_requests(
        self, client_for, hub_worker, manager, agency_a, agency_b, supervisor_a, researcher_a
    ):
        mine = ask(open_enquiry(hub_worker, manager), agency_a, hub_worker)
        enquiry_services.request_assign(
            request=mine, researcher=supervisor_a, assigned_by=supervisor_a
        )
        researchers = ask(open_enquiry(hub_worker, manager), agency_a, hub_worker)
        enquiry_services.request_assign(
            request=researchers, researcher=researcher_a, assigned_by=supervisor_a
        )
        nobodys = ask(open_enquiry(hub_worker, manager), agency_a, hub_worker)
        health = ask(open_enquiry(hub_worker, manager), agency_b, hub_worker)
        response = client_for(supervisor_a).get("/my-work/")
        content = response.content.decode()
        mine_table = content.split('data-testid="my-requests"')[1].split("</table>")[0]
        unassigned_table = content.split('data-testid="my-unassigned_requests"')[1]
        unassigned_table = unassigned_table.split("</table>")[0]
        assert mine.reference in mine_table and nobodys.reference not in mine_table
        assert nobodys.reference in unassigned_table and mine.reference not in unassigned_table
        assert researchers.reference not in content and health.reference not in content

    def test_empty_states(self, client_for, supervisor_a):
        content = client_for(supervisor_a).get("/my-work/").content.decode()
        assert "No open requests are assigned to you." in content
        assert "Every open request of your agency is assigned." in content


@pytest.mark.parametrize("persona", ["referrer", "board_member", "administrator"])
def test_roles_without_work_get_404(request, client_for, api_for, persona):
    user = request.getfixturevalue(persona)
    assert client_for(user).get("/my-work/").status_code == 404
    assert api_for(user).get("/api/v1/my-work/").status_code == 404


def test_an_inactive_agency_sees_no_work(client_for, hub_worker, hub_agency):
    hub_agency.is_active = False
    hub_agency.save()
    assert client_for(hub_worker).get("/my-work/").status_code == 404


# --- The API -------------------------------------------------------------------------------


class TestApi:
    def test_the_same_rows_for_the_caller(self, api_for, hub_worker, manager):
        contact = make_contact()
        contact_services.contact_pick_up(contact=contact, user=hub_worker)
        enquiry = open_enquiry(hub_worker, manager, rag="RED")
        body = api_for(hub_worker).get("/api/v1/my-work/").json()
        lists = {item["key"]: item for item in body["lists"]}
        [contact_row] = lists["contacts"]["rows"]
        assert contact_row["reference"] == contact.reference
        assert contact_row["subjects"][0]["name"] == "Ada Lovelace"
        assert contact_row["people_to_check"] is None
        [enquiry_row] = lists["enquiries"]["rows"]
        assert (enquiry_row["reference"], enquiry_row["rag"]) == (enquiry.reference, "RED")
        assert enquiry_row["time_left"].endswith("left") and enquiry_row["overdue"] is False
        assert body["awaiting_decision"] is None
        listed = AuditEvent.objects.filter(name="records.listed", actor=hub_worker)
        assert {event.data["model"] for event in listed} == {
            "contacts.contact",
            "enquiries.enquiry",
        }

    def test_an_agency_gets_no_subjects(
        self, api_for, hub_worker, manager, agency_a, researcher_a, supervisor_a
    ):
        info_request = ask(open_enquiry(hub_worker, manager, name="Zebedee"), agency_a, hub_worker)
        enquiry_services.request_assign(
            request=info_request, researcher=researcher_a, assigned_by=supervisor_a
        )
        response = api_for(researcher_a).get("/api/v1/my-work/")
        assert "Zebedee" not in response.content.decode()
        [row] = response.json()["lists"][0]["rows"]
        assert (row["reference"], row["people_to_check"], row["subjects"]) == (
            info_request.reference,
            1,
            [],
        )

    def test_unauthenticated_is_401(self, client):
        assert client.get("/api/v1/my-work/").status_code in (401, 403)


# --- Query counts ----------------------------------------------------------------------------


class TestQueryCounts:
    def test_hub_my_work_page_and_api(self, client_for, api_for, hub_worker, manager):
        def add(count: int) -> None:
            for _ in range(count):
                contact = make_contact(family=unique_family())
                contact_services.contact_pick_up(contact=contact, user=manager)
                enquiry = open_enquiry(hub_worker, manager)
                work_allocate(allocated_by=manager, assignee=manager, enquiry_ids=[enquiry.pk])
                waiting = make_contact(family=unique_family())
                contact_services.contact_recommend(
                    contact=waiting, user=hub_worker, outcome="NFA", rationale="-"
                )

        page, api = client_for(manager), api_for(manager)
        add(5)
        five = (count_queries(page, "/my-work/"), count_queries(api, "/api/v1/my-work/"))
        add(45)
        assert (count_queries(page, "/my-work/"), count_queries(api, "/api/v1/my-work/")) == five
        assert len(page.get("/my-work/").context["work"].lists[0].rows) == 50

    def test_agency_my_work(self, client_for, api_for, hub_worker, manager, agency_a, supervisor_a):
        def add(count: int) -> None:
            for index in range(count):
                info_request = ask(open_enquiry(hub_worker, manager), agency_a, hub_worker)
                if index % 2:
                    enquiry_services.request_assign(
                        request=info_request, researcher=supervisor_a, assigned_by=supervisor_a
                    )

        page, api = client_for(supervisor_a), api_for(supervisor_a)
        add(5)
        five = (count_queries(page, "/my-work/"), count_queries(api, "/api/v1/my-work/"))
        add(45)
        assert (count_queries(page, "/my-work/"), count_queries(api, "/api/v1/my-work/")) == five


def test_a_second_hub_worker_has_their_own_work(client_for, hub_agency, hub_worker):
    colleague = UserFactory(agency=hub_agency, role=Role.HUB_WORKER)
    contact = make_contact()
    contact_services.contact_pick_up(contact=contact, user=colleague)
    assert contact.reference in client_for(colleague).get("/my-work/").content.decode()
    assert contact.reference not in client_for(hub_worker).get("/my-work/").content.decode()
