"""The agency workspace as agency staff see it: their own agency's requests and nothing more.

DOMAIN.md, "Who sees what": agency staff see only their own agency's information requests and
returns, and of the enquiry only the people to check, the question, the RAG and the due time.
A record outside one's view answers 404.
"""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from contacts import services as contact_services
from enquiries import services
from enquiries.models import Enquiry, InformationRequest, InformationReturn, RequestState
from enquiries.services import ReturnInput
from tests.factories import contact_input, person_input
from tests.forms import submission_token

pytestmark = pytest.mark.django_db

# Distinctive strings: each may appear only where DOMAIN.md allows it.
REFERRER = "Verity Quillfeather"
NARRATIVE = "Narrative-Zq7: the child described the kitchen incident"
RATIONALE = "Rationale-Zq7: hub worker thinks police hold call-outs"
RAG_REASON = "RagReason-Zq7: disclosure at school"
POLICE_QUESTION = "PoliceQuestion-Zq7: any domestic abuse call-outs to the address?"
HEALTH_QUESTION = "HealthQuestion-Zq7: any A&E attendances?"
HEALTH_SECRET = "HealthSecret-Zq7: attended A&E twice with burns"
POLICE_SUMMARY = "PoliceSummary-Zq7: three call-outs in 2026"


def open_enquiry(hub_worker, manager, *, rag: str = "AMBER", **contact) -> Enquiry:
    """A contact triaged and decided as a MASH enquiry, through the services."""
    values = {
        "referrer_name": REFERRER,
        "narrative": NARRATIVE,
        "subjects": [
            person_input(
                given_name="Kayden",
                family_name="Marlowe",
                date_of_birth=date(2015, 6, 1),
                nhs_number="9434765919",
                upn="A123456789012",
                address="12 Larch Road, Leeds",
                postcode="LS6 2QP",
                aliases=[("Kayden", "Brightwater")],
            ),
            person_input(
                given_name="Baby",
                family_name="Marlowe",
                expected_date_of_delivery=date(2027, 1, 15),
                postcode="LS6 2QP",
            ),
        ],
    }
    values.update(contact)
    created = contact_services.contact_create(data=contact_input(**values))
    contact_services.contact_recommend(
        contact=created, user=hub_worker, outcome="MASH_ENQUIRY", rag=rag, rationale=RATIONALE
    )
    contact_services.contact_decide(
        contact=created, manager=manager, outcome="MASH_ENQUIRY", rag=rag
    )
    return Enquiry.objects.get(contact=created)


def ask(enquiry: Enquiry, agency, hub_worker, question: str = POLICE_QUESTION):
    return services.request_create(
        enquiry=enquiry,
        agency=agency,
        question=question,
        people=list(enquiry.people.all()),
        requested_by=hub_worker,
    )


def send_return(request, user, summary: str = POLICE_SUMMARY) -> InformationReturn:
    return services.return_submit(
        request=request,
        data=ReturnInput(information_held=True, summary=summary, systems_checked="Niche, PNC"),
        submitted_by=user,
    )


RETURN_FORM = {
    "information_held": "yes",
    "summary": POLICE_SUMMARY,
    "risk_indicators": "Domestic abuse",
    "systems_checked": "Niche, PNC",
    "handling": "police_only",
}


@pytest.fixture
def enquiry(hub_worker, manager) -> Enquiry:
    enquiry = open_enquiry(hub_worker, manager)
    services.enquiry_change_rag(
        enquiry=enquiry, to_rag="RED", reason=RAG_REASON, changed_by=hub_worker
    )
    enquiry.refresh_from_db()
    return enquiry


@pytest.fixture
def police_request(enquiry, agency_a, hub_worker) -> InformationRequest:
    return ask(enquiry, agency_a, hub_worker)


@pytest.fixture
def health_request(enquiry, agency_b, hub_worker) -> InformationRequest:
    return ask(enquiry, agency_b, hub_worker, HEALTH_QUESTION)


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


class TestIsolation:
    def test_health_gets_404_for_the_police_request_and_its_return(
        self, client_for, researcher_b, police_request, health_request
    ):
        client = client_for(researcher_b)
        assert client.get(f"/requests/{police_request.pk}/").status_code == 404
        assert client.get(f"/requests/{police_request.pk}/return/").status_code == 404
        response = client.post(f"/requests/{police_request.pk}/return/", RETURN_FORM)
        assert response.status_code == 404
        assert not police_request.returns.exists()
        police_request.refresh_from_db()
        assert police_request.state == RequestState.OPEN
        assert client.get(f"/requests/{health_request.pk}/").status_code == 200

    def test_health_sees_no_police_data_in_its_queue(
        self, client_for, researcher_b, police_request, health_request
    ):
        response = client_for(researcher_b).get("/requests/")
        content = response.content.decode()
        assert [row.pk for row in response.context["page"].rows] == [health_request.pk]
        assert health_request.reference in content
        assert police_request.reference not in content
        assert POLICE_QUESTION not in content

    def test_a_withdrawn_request_leaves_the_queue_and_its_page_is_404(
        self, client_for, researcher_a, hub_worker, police_request
    ):
        client = client_for(researcher_a)
        assert police_request.reference in client.get("/requests/").content.decode()
        services.request_withdraw(
            request=police_request, reason="Asked in error", withdrawn_by=hub_worker
        )
        assert police_request.reference not in client.get("/requests/").content.decode()
        assert client.get(f"/requests/{police_request.pk}/").status_code == 404
        assert client.post(f"/requests/{police_request.pk}/return/", RETURN_FORM).status_code == 404
        assert not police_request.returns.exists()

    def test_the_request_page_shows_only_what_the_request_needs(
        self, client_for, researcher_a, researcher_b, police_request, health_request
    ):
        send_return(health_request, researcher_b, HEALTH_SECRET)
        response = client_for(researcher_a).get(f"/requests/{police_request.pk}/")
        assert response.status_code == 200
        content = response.content.decode()
        # The people to check, with what identifies them
        for shown in (
            "Kayden Marlowe",
            "Kayden Brightwater",  # an alias
            "1 June 2015",
            "Unborn, due 15 January 2027",
            "12 Larch Road, Leeds",
            "LS6 2QP",
            "943 476 5919",
            "A123456789012",
        ):
            assert shown in content, shown
        assert POLICE_QUESTION in content
        assert "Red" in content and "left" in content
        # Never the referrer, the narrative, the hub's rationale or notes, other requests or
        # other agencies' returns
        for hidden in (
            REFERRER,
            NARRATIVE,
            RATIONALE,
            RAG_REASON,
            HEALTH_QUESTION,
            HEALTH_SECRET,
            health_request.reference,
            "Community Health",
            police_request.enquiry.reference,
            police_request.enquiry.contact.reference,
        ):
            assert hidden not in content, hidden

    def test_viewing_a_request_is_audited(self, client_for, researcher_a, police_request):
        from auditlog.models import LogEntry

        client_for(researcher_a).get(f"/requests/{police_request.pk}/")
        assert LogEntry.objects.filter(
            object_pk=str(police_request.pk),
            content_type__model="informationrequest",
            action=LogEntry.Action.ACCESS,
            actor=researcher_a,
        ).exists()


class TestReturns:
    def test_a_return_then_read_only_with_an_addendum(
        self, client_for, researcher_a, police_request
    ):
        client = client_for(researcher_a)
        content = client.get(f"/requests/{police_request.pk}/").content.decode()
        assert "Send your return" in content and "Add an addendum" not in content
        token = submission_token(researcher_a, "return")
        response = client.post(f"/requests/{police_request.pk}/return/", RETURN_FORM | token)
        assert response.status_code == 302
        police_request.refresh_from_db()
        assert police_request.state == RequestState.RETURNED
        sent = police_request.returns.get()
        assert (sent.information_held, sent.handling, sent.is_addendum) == (
            True,
            "police_only",
            False,
        )
        content = client.get(f"/requests/{police_request.pk}/").content.decode()
        assert POLICE_SUMMARY in content
        assert "Police only: not to leave the MASH" in content
        assert "Add an addendum" in content and "Send your return" not in content
        # The queue holds open requests only
        assert police_request.reference not in client.get("/requests/").content.decode()
        addendum = dict(RETURN_FORM, summary="A fourth call-out, last night", handling="none")
        addendum |= submission_token(researcher_a, "return")
        assert client.post(f"/requests/{police_request.pk}/return/", addendum).status_code == 302
        first, second = police_request.returns.order_by("pk")
        assert first.summary == POLICE_SUMMARY  # unchanged
        assert second.is_addendum and second.summary == "A fourth call-out, last night"

    def test_missing_answers_are_named_in_the_error_summary(
        self, client_for, researcher_a, police_request
    ):
        response = client_for(researcher_a).post(
            f"/requests/{police_request.pk}/return/",
            {"information_held": "yes"} | submission_token(researcher_a, "return"),
        )
        assert response.status_code == 400
        content = response.content.decode()
        assert "govuk-error-summary" in content
        assert 'href="#id_systems_checked">List the systems you checked.' in content
        assert 'href="#id_summary">Summarise the relevant information' in content
        assert not police_request.returns.exists()
        nothing = client_for(researcher_a).post(
            f"/requests/{police_request.pk}/return/",
            {"systems_checked": "PNC", "handling": "none"}
            | submission_token(researcher_a, "return"),
        )
        assert nothing.status_code == 400
        assert 'href="#id_information_held_0">Say whether your agency holds information' in (
            nothing.content.decode()
        )
        bad = client_for(researcher_a).post(
            f"/requests/{police_request.pk}/return/",
            dict(RETURN_FORM, handling="<script>") | submission_token(researcher_a, "return"),
        )
        assert bad.status_code == 400
        assert "Choose a handling marking." in bad.content.decode()
        assert not police_request.returns.exists()

    def test_a_return_on_a_closed_enquiry_is_refused(
        self, client_for, researcher_a, hub_worker, manager, enquiry, police_request
    ):
        send_return(police_request, researcher_a)
        services.enquiry_recommend(
            enquiry=enquiry, user=hub_worker, outcome="NFA", final_rag="GREEN", rationale="x"
        )
        services.enquiry_decide(enquiry=enquiry, manager=manager, outcome="NFA", final_rag="GREEN")
        client = client_for(researcher_a)
        content = client.get(f"/requests/{police_request.pk}/").content.decode()
        assert "Add an addendum" not in content and "closed this enquiry" in content
        token = submission_token(researcher_a, "return")
        response = client.post(f"/requests/{police_request.pk}/return/", RETURN_FORM | token)
        assert response.status_code == 409
        assert 'data-testid="conflict"' in response.content.decode()
        assert "closed" in response.content.decode()
        assert police_request.returns.count() == 1


class TestSupervisor:
    def test_a_supervisor_assigns_within_the_agency_and_sees_timeliness(
        self, client_for, supervisor_a, researcher_a, police_request
    ):
        client = client_for(supervisor_a)
        response = client.get("/requests/")
        content = response.content.decode()
        assert 'data-testid="timeliness"' in content
        assert response.context["timeliness"]["open"] == 1
        assert f'action="/requests/{police_request.pk}/assign/"' in content
        assert researcher_a.display_name in content
        response = client.post(
            f"/requests/{police_request.pk}/assign/?mine=", {"assignee": researcher_a.pk}
        )
        assert response.status_code == 302 and response["Location"] == "/requests/?mine="
        police_request.refresh_from_db()
        assert police_request.assignee == researcher_a
        mine = client_for(researcher_a).get("/requests/?mine=1")
        assert [row.pk for row in mine.context["page"].rows] == [police_request.pk]

    def test_assigning_outside_the_agency_is_refused_on_the_page(
        self, client_for, supervisor_a, researcher_b, police_request
    ):
        response = client_for(supervisor_a).post(
            f"/requests/{police_request.pk}/assign/", {"assignee": researcher_b.pk}
        )
        assert response.status_code == 400
        content = response.content.decode()
        assert "govuk-error-summary" in content
        assert f'href="#assignee-{police_request.pk}"' in content
        assert "Choose an active researcher of your agency." in content
        police_request.refresh_from_db()
        assert police_request.assignee is None

    def test_assigning_a_returned_request_shows_a_conflict(
        self, client_for, supervisor_a, researcher_a, police_request
    ):
        send_return(police_request, researcher_a)
        response = client_for(supervisor_a).post(
            f"/requests/{police_request.pk}/assign/", {"assignee": researcher_a.pk}
        )
        assert response.status_code == 409
        assert "no longer open" in response.content.decode()

    def test_a_supervisor_cannot_assign_another_agencys_request(
        self, client_for, supervisor_a, researcher_b, health_request
    ):
        response = client_for(supervisor_a).post(
            f"/requests/{health_request.pk}/assign/", {"assignee": researcher_b.pk}
        )
        assert response.status_code == 404
        health_request.refresh_from_db()
        assert health_request.assignee is None

    def test_a_researcher_cannot_assign(self, client_for, researcher_a, police_request):
        client = client_for(researcher_a)
        response = client.post(
            f"/requests/{police_request.pk}/assign/", {"assignee": researcher_a.pk}
        )
        assert response.status_code == 404
        police_request.refresh_from_db()
        assert police_request.assignee is None
        content = client.get("/requests/").content.decode()
        assert "/assign/" not in content and 'data-testid="timeliness"' not in content


@pytest.mark.parametrize(
    "persona", ["hub_worker", "manager", "referrer", "board_member", "administrator"]
)
def test_everyone_else_gets_404_on_every_agency_page(request, client_for, persona, police_request):
    client = client_for(request.getfixturevalue(persona))
    pk = police_request.pk
    for url in ("/requests/", f"/requests/{pk}/", f"/requests/{pk}/return/"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/requests/{pk}/return/", RETURN_FORM).status_code == 404
    assert client.post(f"/requests/{pk}/assign/", {"assignee": 1}).status_code == 404
    police_request.refresh_from_db()
    assert police_request.state == RequestState.OPEN and police_request.assignee is None
    assert not police_request.returns.exists()


def test_signed_out_visitors_are_sent_to_sign_in(client, police_request):
    response = client.get(f"/requests/{police_request.pk}/")
    assert response.status_code == 302 and "sign-in" in response["Location"]


@pytest.mark.parametrize("persona", ["researcher_a", "supervisor_a"])
def test_queue_queries_do_not_grow_with_rows(
    request, client_for, persona, hub_worker, manager, agency_a, researcher_a, supervisor_a
):
    user = request.getfixturevalue(persona)
    client = client_for(user)

    def requests(count: int) -> None:
        for _ in range(count):
            enquiry = open_enquiry(hub_worker, manager, subjects=[person_input(nhs_number="")])
            made = ask(enquiry, agency_a, hub_worker)
            services.request_assign(
                request=made,
                researcher=researcher_a,
                assigned_by=supervisor_a,
            )

    requests(5)
    five = queries_for(client, "/requests/")
    requests(45)
    fifty = queries_for(client, "/requests/")
    assert fifty == five
    rows = client.get("/requests/").context["page"].rows
    assert len(rows) == 50
    assert [row.due_at for row in rows] == sorted(row.due_at for row in rows)
    assert queries_for(client, "/requests/?mine=1") <= five


def test_overdue_requests_are_tagged(client_for, researcher_a, police_request):
    InformationRequest.objects.filter(pk=police_request.pk).update(
        due_at=timezone.now() - timedelta(hours=3)
    )
    content = client_for(researcher_a).get("/requests/").content.decode()
    assert "Overdue by 3 hours" in content
