"""Allocation: a hub manager gives contacts and enquiries to a member of the hub team, one or
many at once, all or nothing; reassigning is the same. The service, the page and the API."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from agencies.roles import Role
from contacts import services as contact_services
from contacts.models import Contact
from enquiries import services as enquiry_services
from enquiries.models import Enquiry
from mash.audit.models import AuditEvent
from mash.errors import ConflictError
from tests.factories import AgencyFactory, UserFactory
from tests.test_work import (
    count_queries,
    make_contact,
    open_enquiry,
    recommend_enquiry,
    unique_family,
)
from work.services import work_allocate
from work.signals import allocated

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleague(hub_agency):
    return UserFactory(
        agency=hub_agency, role=Role.HUB_WORKER, first_name="Colin", last_name="League"
    )


@pytest.fixture
def signals():
    """Every `allocated` signal sent, with whether it came inside a transaction."""
    sent = []

    def receiver(sender, record, assignee, allocated_by, **kwargs):
        sent.append(
            (
                record.reference,
                assignee.pk,
                allocated_by.pk,
                transaction.get_connection().in_atomic_block,
            )
        )

    allocated.connect(receiver, dispatch_uid="test_allocation")
    yield sent
    allocated.disconnect(dispatch_uid="test_allocation")


def unallocated_enquiry(hub_worker, manager, **kwargs) -> Enquiry:
    enquiry = open_enquiry(hub_worker, manager, **kwargs)
    Enquiry.objects.filter(pk=enquiry.pk).update(worker=None)  # e.g. its worker left
    enquiry.refresh_from_db()
    return enquiry


def close(enquiry: Enquiry, hub_worker, manager) -> None:
    recommend_enquiry(enquiry, hub_worker)
    enquiry_services.enquiry_decide(
        enquiry=enquiry, manager=manager, outcome="EARLY_HELP", final_rag=enquiry.rag
    )


def decide(contact: Contact, hub_worker, manager) -> None:
    contact_services.contact_recommend(
        contact=contact, user=hub_worker, outcome="NFA", rationale="-"
    )
    contact_services.contact_decide(contact=contact, manager=manager, outcome="NFA")


def events(name: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(name=name).order_by("id"))


# --- The service -----------------------------------------------------------------------------


class TestService:
    def test_bulk_allocation_allocates_audits_and_signals_once_per_record(
        self, hub_worker, manager, colleague, signals
    ):
        first, second = make_contact(), make_contact(name="Bo")
        enquiry = open_enquiry(hub_worker, manager)  # run by hub_worker: a reassignment
        result = work_allocate(
            allocated_by=manager,
            assignee=colleague,
            contact_ids=[second.pk, first.pk],
            enquiry_ids=[enquiry.pk],
            reason="Leave cover",
        )
        assert [c.reference for c in result.contacts] == [first.reference, second.reference]
        for contact in (first, second):
            contact.refresh_from_db()
            assert contact.assignee == colleague and contact.version == 2
            assert contact.decision_started_at is not None
        enquiry.refresh_from_db()
        assert enquiry.worker == colleague
        allocated_events = events("contact.allocated")
        assert [e.object_pk for e in allocated_events] == [str(first.pk), str(second.pk)]
        assert allocated_events[0].data == {
            "from": None,
            "to": colleague.username,
            "reason": "Leave cover",
            "bulk": 3,
        }
        [moved] = events("enquiry.reassigned")
        assert moved.data["from"] == hub_worker.username and moved.actor == manager
        assert sorted(signals) == sorted(
            [
                (first.reference, colleague.pk, manager.pk, True),
                (second.reference, colleague.pk, manager.pk, True),
                (enquiry.reference, colleague.pk, manager.pk, True),
            ]
        )

    def test_one_decided_contact_refuses_the_lot_naming_it(
        self, hub_worker, manager, colleague, signals
    ):
        fine = make_contact()
        decided = make_contact(name="Dee")
        decide(decided, hub_worker, manager)
        enquiry = unallocated_enquiry(hub_worker, manager)
        with pytest.raises(ValidationError) as error:
            work_allocate(
                allocated_by=manager,
                assignee=colleague,
                contact_ids=[fine.pk, decided.pk],
                enquiry_ids=[enquiry.pk],
            )
        assert decided.reference in error.value.message_dict["contacts"][0]
        fine.refresh_from_db()
        enquiry.refresh_from_db()
        assert fine.assignee is None and fine.version == 1 and enquiry.worker is None
        assert events("contact.allocated") == [] and events("enquiry.allocated") == []
        assert signals == []

    def test_a_closed_enquiry_is_refused_naming_it(self, hub_worker, manager, colleague):
        closed = open_enquiry(hub_worker, manager)
        close(closed, hub_worker, manager)
        with pytest.raises(ValidationError) as error:
            work_allocate(allocated_by=manager, assignee=colleague, enquiry_ids=[closed.pk])
        assert closed.reference in error.value.message_dict["enquiries"][0]

    @pytest.mark.parametrize("who", ["inactive", "researcher", "referrer", "inactive_agency"])
    def test_the_assignee_must_be_an_active_member_of_the_hub(
        self, request, hub_worker, manager, who, signals
    ):
        contact = make_contact()
        if who == "inactive":
            assignee = UserFactory(agency=hub_worker.agency, role=Role.HUB_WORKER, is_active=False)
        elif who == "researcher":
            assignee = request.getfixturevalue("researcher_a")
        elif who == "referrer":
            assignee = request.getfixturevalue("referrer")
        else:
            gone = AgencyFactory(is_active=False)
            assignee = UserFactory(agency=gone, role=Role.HUB_WORKER)
        with pytest.raises(ValidationError) as error:
            work_allocate(allocated_by=manager, assignee=assignee, contact_ids=[contact.pk])
        assert list(error.value.message_dict) == ["assignee"]
        contact.refresh_from_db()
        assert contact.assignee is None and signals == []

    def test_only_a_manager_allocates(self, hub_worker, colleague):
        contact = make_contact()
        with pytest.raises(PermissionError):
            work_allocate(allocated_by=hub_worker, assignee=colleague, contact_ids=[contact.pk])

    def test_a_record_changed_since_the_manager_saw_it_refuses_the_lot(
        self, hub_worker, manager, colleague
    ):
        seen, changed = make_contact(), make_contact(name="Cy")
        stale = {seen.reference: seen.version, changed.reference: changed.version}
        contact_services.contact_pick_up(contact=changed, user=hub_worker)
        with pytest.raises(ConflictError, match=changed.reference):
            work_allocate(
                allocated_by=manager,
                assignee=colleague,
                contact_ids=[seen.pk, changed.pk],
                versions=stale,
            )
        seen.refresh_from_db()
        assert seen.assignee is None

    def test_work_already_with_the_assignee_is_left_alone(self, hub_worker, manager, signals):
        contact = make_contact()
        contact_services.contact_pick_up(contact=contact, user=hub_worker)
        result = work_allocate(allocated_by=manager, assignee=hub_worker, contact_ids=[contact.pk])
        assert result.count == 0 and [r.reference for r in result.unchanged] == [contact.reference]
        assert signals == [] and events("contact.reassigned") == []

    def test_nothing_chosen_or_unknown_ids_name_the_field(self, manager, colleague):
        with pytest.raises(ValidationError) as error:
            work_allocate(allocated_by=manager, assignee=colleague)
        assert "contacts" in error.value.message_dict
        with pytest.raises(ValidationError) as error:
            work_allocate(allocated_by=manager, assignee=colleague, enquiry_ids=[999999])
        assert "enquiries" in error.value.message_dict

    def test_pick_up_goes_through_the_same_step_without_the_signal(self, hub_worker, signals):
        contact = make_contact()
        contact_services.contact_pick_up(contact=contact, user=hub_worker)
        contact.refresh_from_db()
        assert contact.assignee == hub_worker and contact.version == 2
        assert len(events("contact.picked_up")) == 1 and signals == []


# --- The page --------------------------------------------------------------------------------


class TestPage:
    def test_caseloads_and_unallocated_work(self, client_for, hub_worker, manager, colleague):
        now = timezone.now()
        for received in (now, now - timedelta(days=6)):
            contact = make_contact(family=unique_family(), received_at=received)
            contact_services.contact_pick_up(contact=contact, user=colleague)
        nobodys = make_contact(name="Nobody")
        enquiry = unallocated_enquiry(hub_worker, manager, name="Orphan")
        content = client_for(manager).get("/allocation/").content.decode()
        [row] = [r for r in content.split("<tr") if "Colin League" in r and "caseload-row" in r]
        assert 'data-testid="open-contacts">2<' in row
        assert 'data-testid="open-enquiries">0<' in row
        assert 'govuk-tag--pink">1<' in row  # one overdue (the breach's pink, not the RAG's red)
        unallocated = content.split('data-testid="allocate-form"')[1]
        assert nobodys.reference in unallocated and "Nobody Lovelace" in unallocated
        assert enquiry.reference in unallocated and "Orphan" in unallocated
        assert f'id="select-contact-{nobodys.pk}"' in unallocated
        assert f'name="version-{nobodys.reference}" value="1"' in unallocated

    def test_bulk_allocation_from_the_page(self, client_for, hub_worker, manager, colleague):
        first, second = make_contact(), make_contact(name="Bo")
        enquiry = unallocated_enquiry(hub_worker, manager)
        response = client_for(manager).post(
            "/allocation/",
            {
                "contacts": [first.pk, second.pk],
                "enquiries": [enquiry.pk],
                "assignee": colleague.pk,
                f"version-{first.reference}": first.version,
            },
            follow=True,
        )
        assert response.status_code == 200
        assert f"are now with {colleague.display_name}" in response.content.decode()
        assert Contact.objects.filter(assignee=colleague).count() == 2
        enquiry.refresh_from_db()
        assert enquiry.worker == colleague

    def test_a_decided_record_in_the_lot_changes_nothing_and_says_which(
        self, client_for, hub_worker, manager, colleague
    ):
        fine, decided = make_contact(), make_contact(name="Dee")
        decide(decided, hub_worker, manager)
        response = client_for(manager).post(
            "/allocation/", {"contacts": [fine.pk, decided.pk], "assignee": colleague.pk}
        )
        assert response.status_code == 400
        content = response.content.decode()
        summary = content.split('data-testid="error-summary"')[1].split("</div>")[0]
        assert decided.reference in summary and "already been decided" in summary
        assert f'href="#select-contact-{fine.pk}"' in summary
        assert f'value="{fine.pk}" checked' in content  # the choice is kept
        fine.refresh_from_db()
        assert fine.assignee is None

    @pytest.mark.parametrize(
        "assignee, message",
        [
            ("", "Choose who to allocate the work to."),
            ("abc", "Choose who to allocate the work to."),
            ("inactive", "Choose an active member of the hub team"),
            ("outsider", "Choose an active member of the hub team"),
            ("999999", "Choose an active member of the hub team"),
            ("99999999999999999999", "Choose who to allocate the work to."),
        ],
    )
    def test_a_bad_assignee_names_the_field(
        self, client_for, manager, researcher_a, hub_agency, assignee, message
    ):
        contact = make_contact()
        if assignee == "inactive":
            assignee = UserFactory(agency=hub_agency, role=Role.HUB_WORKER, is_active=False).pk
        elif assignee == "outsider":
            assignee = researcher_a.pk
        response = client_for(manager).post(
            "/allocation/", {"contacts": [contact.pk], "assignee": assignee}
        )
        assert response.status_code == 400
        content = response.content.decode()
        assert message in content and 'href="#assignee"' in content
        assert 'class="govuk-select govuk-select--error" id="assignee"' in content
        contact.refresh_from_db()
        assert contact.assignee is None

    def test_nothing_chosen(self, client_for, manager, colleague):
        make_contact()
        response = client_for(manager).post("/allocation/", {"assignee": colleague.pk})
        assert response.status_code == 400
        assert "Choose at least one contact or enquiry" in response.content.decode()

    def test_a_stale_page_is_a_conflict(self, client_for, hub_worker, manager, colleague):
        contact = make_contact()
        version = contact.version
        contact_services.contact_pick_up(contact=contact, user=hub_worker)
        response = client_for(manager).post(
            "/allocation/",
            {
                "contacts": [contact.pk],
                "assignee": colleague.pk,
                f"version-{contact.reference}": version,
            },
        )
        assert response.status_code == 409
        assert "changed by someone else" in response.content.decode()
        contact.refresh_from_db()
        assert contact.assignee == hub_worker

    def test_reassign_one_row_from_a_workers_list(self, client_for, hub_worker, manager, colleague):
        contact = make_contact()
        contact_services.contact_pick_up(contact=contact, user=hub_worker)
        client = client_for(manager)
        content = client.get(f"/allocation/?worker={hub_worker.pk}").content.decode()
        section = content.split('id="worker-work"')[1]
        assert contact.reference in section
        assert f'id="assignee-contact-{contact.pk}"' in section
        bad = client.post(
            "/allocation/",
            {
                "contacts": contact.pk,
                "row": f"contact-{contact.pk}",
                "worker": hub_worker.pk,
                "assignee": "",
            },
        )
        assert bad.status_code == 400
        assert f'href="#assignee-contact-{contact.pk}"' in bad.content.decode()
        response = client.post(
            "/allocation/",
            {
                "contacts": contact.pk,
                "row": f"contact-{contact.pk}",
                "worker": hub_worker.pk,
                "assignee": colleague.pk,
                f"version-{contact.reference}": Contact.objects.get(pk=contact.pk).version,
            },
        )
        assert response.status_code == 302
        assert response.url == f"/allocation/?worker={hub_worker.pk}#worker-work"
        contact.refresh_from_db()
        assert contact.assignee == colleague
        assert events("contact.reassigned")[0].data["from"] == hub_worker.username

    def test_the_contact_pages_reassign_goes_through_allocation(
        self, client_for, hub_worker, manager, colleague, signals
    ):
        contact = make_contact()
        contact_services.contact_pick_up(contact=contact, user=hub_worker)
        response = client_for(manager).post(
            f"/contacts/{contact.pk}/reassign/", {"assignee": colleague.pk, "reason": "Leave"}
        )
        assert response.status_code == 302
        assert [s[0] for s in signals] == [contact.reference]
        assert events("contact.reassigned")[0].data["reason"] == "Leave"

    def test_query_count_is_the_same_for_5_and_50_rows(self, client_for, hub_worker, manager):
        def add(count: int) -> None:
            for _ in range(count):
                make_contact(family=unique_family())
                unallocated_enquiry(hub_worker, manager)
                UserFactory(agency=hub_worker.agency, role=Role.HUB_WORKER)

        client = client_for(manager)
        add(5)
        five = count_queries(client, "/allocation/")
        add(45)
        assert count_queries(client, "/allocation/") == five
        content = client.get("/allocation/").content.decode()
        assert content.count('data-testid="unallocated-row"') == 100


@pytest.mark.parametrize(
    "persona",
    ["hub_worker", "researcher_a", "supervisor_a", "referrer", "board_member", "administrator"],
)
def test_everyone_but_a_manager_gets_404_and_changes_nothing(
    request, client_for, api_for, persona, hub_worker
):
    user = request.getfixturevalue(persona)
    contact = make_contact()
    client = client_for(user)
    assert client.get("/allocation/").status_code == 404
    posted = {"contacts": [contact.pk], "assignee": hub_worker.pk}
    assert client.post("/allocation/", posted).status_code == 404
    assert api_for(user).post("/api/v1/allocations/", posted, format="json").status_code == 404
    contact.refresh_from_db()
    assert contact.assignee is None


# --- The API ---------------------------------------------------------------------------------


class TestApi:
    def test_a_manager_allocates(self, api_for, hub_worker, manager, colleague, signals):
        contact = make_contact()
        enquiry = unallocated_enquiry(hub_worker, manager)
        response = api_for(manager).post(
            "/api/v1/allocations/",
            {"contacts": [contact.pk], "enquiries": [enquiry.pk], "assignee": colleague.pk},
            format="json",
        )
        assert response.status_code == 200
        body = response.json()
        assert body["assignee"] == {"id": colleague.pk, "name": colleague.display_name}
        assert [row["reference"] for row in body["contacts"]] == [contact.reference]
        assert [row["reference"] for row in body["enquiries"]] == [enquiry.reference]
        assert body["contacts"][0]["version"] == 2 and body["unchanged"] == []
        assert len(signals) == 2

    def test_errors_name_the_field_and_change_nothing(
        self, api_for, hub_worker, manager, researcher_a, colleague
    ):
        fine, decided = make_contact(), make_contact(name="Dee")
        decide(decided, hub_worker, manager)
        api = api_for(manager)
        outsider = api.post(
            "/api/v1/allocations/",
            {"contacts": [fine.pk], "assignee": researcher_a.pk},
            format="json",
        )
        assert outsider.status_code == 400 and list(outsider.json()["errors"]) == ["assignee"]
        mixed = api.post(
            "/api/v1/allocations/",
            {"contacts": [fine.pk, decided.pk], "assignee": colleague.pk},
            format="json",
        )
        assert mixed.status_code == 400
        assert decided.reference in mixed.json()["errors"]["contacts"][0]
        garbage = api.post(
            "/api/v1/allocations/", {"contacts": ["x"], "assignee": colleague.pk}, format="json"
        )
        assert garbage.status_code == 400
        assert list(garbage.json()["errors"]) == ["contacts.0"]
        missing = api.post("/api/v1/allocations/", {"contacts": [fine.pk]}, format="json")
        assert missing.status_code == 400 and "assignee" in missing.json()["errors"]
        fine.refresh_from_db()
        assert fine.assignee is None

    def test_ids_beyond_any_record_are_400_not_500(self, api_for, client_for, manager, colleague):
        huge = 99_999_999_999
        api = api_for(manager)
        for body in (
            {"contacts": [huge], "assignee": colleague.pk},
            {"enquiries": [1], "assignee": huge},
            {"assignee": colleague.pk},
        ):
            response = api.post("/api/v1/allocations/", body, format="json")
            assert response.status_code == 400, body
        page = client_for(manager).post(
            "/allocation/", {"contacts": [huge], "assignee": colleague.pk}
        )
        assert page.status_code == 400
        assert "Choose contacts from the list." in page.content.decode()

    def test_a_stale_version_is_409(self, api_for, hub_worker, manager, colleague):
        contact = make_contact()
        contact_services.contact_pick_up(contact=contact, user=hub_worker)
        response = api_for(manager).post(
            "/api/v1/allocations/",
            {
                "contacts": [contact.pk],
                "assignee": colleague.pk,
                "versions": {contact.reference: 1},
            },
            format="json",
        )
        assert response.status_code == 409
