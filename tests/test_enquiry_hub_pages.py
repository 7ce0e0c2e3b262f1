"""The hub's enquiry pages as users see them: the queue, the enquiry and its forms, the summary.

Bad input from issue 4 (a RAG change with no reason or to the same rating, a second open request
to the same agency, closing with returns outstanding, a decision by a non-manager) answers a clear
error and changes nothing; everyone outside the hub gets 404 on every page and every form.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from contacts import services as contact_services
from contacts.models import Household, HouseholdMember
from enquiries import services
from enquiries.models import Enquiry, EnquiryState, InformationRequest, RagChange, RequestState
from enquiries.selectors import information_requests_visible_to
from enquiries.services import ReturnInput
from mash.audit.models import AuditEvent
from tests.factories import contact_input, person_input
from tests.forms import submission_token

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
OUTSIDERS = ["researcher_a", "researcher_b", "supervisor_a", "referrer", "board_member"]
OUTSIDERS += ["administrator"]


def at(*args) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def open_enquiry(hub_worker, manager, rag: str = "AMBER", *, household: bool = False) -> Enquiry:
    """A contact about Kayla Brown recommended and decided as a MASH enquiry now."""
    contact = contact_services.contact_create(
        data=contact_input(
            subjects=[person_input(given_name="Kayla", family_name="Brown", nhs_number="")]
        )
    )
    if household:
        child = contact.subjects.get()
        stepdad = contact_services.person_create(given_name="Gary", family_name="Lane")
        home = Household.objects.create(postcode="LS1 4AP")
        HouseholdMember.objects.create(household=home, person=child)
        HouseholdMember.objects.create(
            household=home, person=stepdad, related=False, relationship="Mother's partner"
        )
    contact_services.contact_recommend(
        contact=contact, user=hub_worker, outcome="MASH_ENQUIRY", rag=rag, rationale="Unclear"
    )
    contact_services.contact_decide(
        contact=contact, manager=manager, outcome="MASH_ENQUIRY", rag=rag
    )
    return Enquiry.objects.get(contact=contact)


def ask(enquiry: Enquiry, agency, by, question: str = "Any call-outs?") -> InformationRequest:
    return services.request_create(
        enquiry=enquiry,
        agency=agency,
        question=question,
        people=list(enquiry.people.all()),
        requested_by=by,
    )


def answer(request: InformationRequest, by, **fields) -> None:
    data = {"information_held": False, "systems_checked": "PNC, Niche", **fields}
    services.return_submit(request=request, data=ReturnInput(**data), submitted_by=by)


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


@pytest.fixture
def enquiry(hub_worker, manager) -> Enquiry:
    return open_enquiry(hub_worker, manager, household=True)


class TestQueue:
    def test_open_enquiries_soonest_deadline_first_with_rag_and_counts(
        self, client_for, hub_worker, manager, agency_a, agency_b
    ):
        amber = open_enquiry(hub_worker, manager, "AMBER")
        red = open_enquiry(hub_worker, manager, "RED")
        ask(red, agency_a, hub_worker)
        ask(red, agency_b, hub_worker)
        closed = open_enquiry(hub_worker, manager, "GREEN")
        services.enquiry_recommend(
            enquiry=closed, user=hub_worker, outcome="NFA", final_rag="GREEN", rationale="-"
        )
        services.enquiry_decide(enquiry=closed, manager=manager, outcome="NFA", final_rag="GREEN")
        response = client_for(hub_worker).get("/enquiries/")
        assert response.status_code == 200
        content = response.content.decode()
        assert content.index(red.reference) < content.index(amber.reference)
        assert closed.reference not in content
        assert "govuk-tag--red" in content and ">Red</strong>" in content
        assert "govuk-tag--orange" in content and ">Amber</strong>" in content
        assert "left" in content  # time left
        rows = {row.pk: row for row in response.context["page"].rows}
        assert (rows[red.pk].outstanding, rows[amber.pk].outstanding) == (2, 0)

    def test_overdue_enquiries_and_requests_are_marked(
        self, client_for, hub_worker, manager, agency_a
    ):
        with time_machine.travel(timezone.now() - timedelta(days=1), tick=False):
            late = open_enquiry(hub_worker, manager, "RED")
            ask(late, agency_a, hub_worker)
        content = client_for(hub_worker).get("/enquiries/").content.decode()
        assert "Overdue by" in content
        assert "1 overdue" in content

    def test_the_queue_pages_by_keyset(self, client_for, hub_worker, manager, monkeypatch):
        from enquiries.views.hub import pages

        for _ in range(3):
            open_enquiry(hub_worker, manager)
        original = pages.keyset_page
        monkeypatch.setattr(pages, "keyset_page", lambda qs, **kw: original(qs, **kw, size=2))
        client = client_for(hub_worker)
        first = client.get("/enquiries/")
        second = client.get("/enquiries/", {"after": first.context["page"].next_token})
        first_ids = {row.pk for row in first.context["page"].rows}
        second_ids = {row.pk for row in second.context["page"].rows}
        assert (len(first_ids), len(second_ids)) == (2, 1)
        assert not first_ids & second_ids
        assert 'rel="next"' in first.content.decode()
        assert client.get("/enquiries/", {"after": "tampered"}).status_code == 200

    def test_queue_queries_do_not_grow_with_rows(self, client_for, hub_worker, manager, agency_a):
        client = client_for(hub_worker)
        for _ in range(5):
            ask(open_enquiry(hub_worker, manager), agency_a, hub_worker)
        five = queries_for(client, "/enquiries/")
        for _ in range(45):
            ask(open_enquiry(hub_worker, manager, "RED"), agency_a, hub_worker)
        assert queries_for(client, "/enquiries/") == five


class TestEnquiryPage:
    def test_the_page_shows_the_enquiry_people_and_contact(self, client_for, hub_worker, enquiry):
        response = client_for(hub_worker).get(f"/enquiries/{enquiry.pk}/")
        assert response.status_code == 200
        content = response.content.decode()
        assert enquiry.reference in content
        assert 'class="govuk-tag govuk-tag--orange' in content  # Amber
        assert enquiry.deadline.astimezone(LONDON).strftime("%-d %B %Y, %H:%M") in content
        assert "left)" in content
        assert hub_worker.display_name in content
        assert f'href="/contacts/{enquiry.contact_id}/"' in content
        assert enquiry.contact.reference in content
        # The people are on their own section of the enquiry (the overview counts them)
        assert "2 people" in content
        people = client_for(hub_worker).get(f"/enquiries/{enquiry.pk}/people/").content.decode()
        assert "Kayla Brown" in people and "Gary Lane" in people
        assert "Household: Mother&#x27;s partner" in people

    def test_returns_side_by_side_with_outstanding_highlighted(
        self, client_for, hub_worker, enquiry, agency_a, agency_b, researcher_a
    ):
        police = ask(enquiry, agency_a, hub_worker)
        ask(enquiry, agency_b, hub_worker)
        answer(
            police,
            researcher_a,
            information_held=True,
            summary="Two domestic call-outs in 2026",
            risk_indicators="Violence",
            handling="police_only",
        )
        url = f"/enquiries/{enquiry.pk}/requests/"  # the requests and returns section
        content = client_for(hub_worker).get(url).content.decode()
        returns = content[content.index('data-testid="returns"') :]
        assert "Two domestic call-outs in 2026" in returns and "Violence" in returns
        assert "PNC, Niche" in returns
        assert "Police only: not to leave the MASH" in returns
        assert researcher_a.display_name in returns and "On time" in returns
        assert 'data-testid="outstanding-row"' in returns
        warning = content[content.index('data-testid="outstanding-agencies"') :]
        assert "Returns outstanding from Community Health" in warning

    def test_a_late_return_is_marked_late(
        self, client_for, hub_worker, enquiry, agency_a, researcher_a
    ):
        police = ask(enquiry, agency_a, hub_worker)
        with time_machine.travel(police.due_at + timedelta(minutes=5), tick=False):
            answer(police, researcher_a)
        client = client_for(hub_worker)
        content = client.get(f"/enquiries/{enquiry.pk}/requests/").content.decode()
        assert ">Late</strong>" in content
        history = client.get(f"/enquiries/{enquiry.pk}/history/").content.decode()
        assert "Return from County Police (late)" in history

    def test_the_timeline_has_every_request_return_change_and_decision_in_order(
        self, client_for, hub_worker, manager, enquiry, agency_a, agency_b, researcher_a
    ):
        start = timezone.now()
        with time_machine.travel(start + timedelta(minutes=1), tick=False):
            police = ask(enquiry, agency_a, hub_worker)
        with time_machine.travel(start + timedelta(minutes=2), tick=False):
            health = ask(enquiry, agency_b, hub_worker)
        with time_machine.travel(start + timedelta(minutes=3), tick=False):
            answer(police, researcher_a)
        with time_machine.travel(start + timedelta(minutes=4), tick=False):
            services.enquiry_change_rag(
                enquiry=enquiry, to_rag="RED", reason="Disclosure at school", changed_by=hub_worker
            )
        with time_machine.travel(start + timedelta(minutes=5), tick=False):
            services.request_withdraw(
                request=health, reason="Not registered", withdrawn_by=hub_worker
            )
        with time_machine.travel(start + timedelta(minutes=6), tick=False):
            services.enquiry_recommend(
                enquiry=enquiry,
                user=hub_worker,
                outcome="REFERRAL",
                final_rag="RED",
                rationale="Significant harm",
            )
        with time_machine.travel(start + timedelta(minutes=7), tick=False):
            services.enquiry_decide(
                enquiry=enquiry, manager=manager, outcome="REFERRAL", final_rag="RED"
            )
        client = client_for(hub_worker)
        response = client.get(f"/enquiries/{enquiry.pk}/history/")
        kinds = [entry.kind for entry in response.context["timeline"]]
        assert kinds == [
            "opened",
            "request",
            "request",
            "return",
            "rag",
            "withdrawn",
            "recommendation",
            "decision",
        ]
        content = response.content.decode()
        assert 'class="moj-timeline"' in content
        assert "RAG changed from Amber to Red" in content and "Disclosure at school" in content
        assert "Approved: Referral to social care (Red)" in content
        for section in ("", "people/", "requests/", "history/", "decision/"):
            page = client.get(f"/enquiries/{enquiry.pk}/{section}").content.decode()
            assert 'action="/enquiries/' not in page  # a closed enquiry has no forms
        decision = client.get(f"/enquiries/{enquiry.pk}/decision/").content.decode()
        assert 'data-testid="decision"' in decision

    def test_viewing_an_enquiry_is_audited(self, client_for, hub_worker, enquiry):
        client_for(hub_worker).get(f"/enquiries/{enquiry.pk}/")
        assert LogEntry.objects.filter(
            object_pk=str(enquiry.pk),
            content_type__model="enquiry",
            action=LogEntry.Action.ACCESS,
            actor=hub_worker,
        ).exists()

    def test_an_unknown_enquiry_is_404(self, client_for, hub_worker):
        assert client_for(hub_worker).get("/enquiries/999999/").status_code == 404


class TestRequestInformation:
    def test_the_form_offers_agencies_without_an_open_request_and_ticks_everyone(
        self, client_for, hub_worker, enquiry, agency_a, agency_b
    ):
        ask(enquiry, agency_a, hub_worker)
        response = client_for(hub_worker).get(f"/enquiries/{enquiry.pk}/requests/")
        form = response.context["request_form"]
        offered = [label for value, label in form.fields["agency"].widget.choices if value]
        assert "Community Health" in offered and "County Police" not in offered
        content = response.content.decode()
        for link in enquiry.person_links.all():
            assert f'value="{link.person_id}"' in content
        assert content.count('name="people"') == 2
        assert content.count("checked") >= 2

    def test_a_request_is_sent_and_the_agency_is_granted_it(
        self, client_for, hub_worker, enquiry, agency_a, researcher_a, researcher_b
    ):
        child = enquiry.person_links.get(is_subject=True).person
        response = client_for(hub_worker).post(
            f"/enquiries/{enquiry.pk}/requests/",
            {"agency": agency_a.pk, "question": "Any call-outs?", "people": [child.pk]}
            | submission_token(hub_worker, "information_request"),
            follow=True,
        )
        assert response.redirect_chain[-1][0] == f"/enquiries/{enquiry.pk}/requests/"
        request = enquiry.requests.get()
        assert (request.agency, list(request.people.all())) == (agency_a, [child])
        assert "was sent to County Police" in response.content.decode()
        assert list(information_requests_visible_to(researcher_a)) == [request]
        assert not information_requests_visible_to(researcher_b).exists()

    def test_a_second_open_request_to_the_same_agency_is_refused(
        self, client_for, hub_worker, enquiry, agency_a
    ):
        ask(enquiry, agency_a, hub_worker)
        response = client_for(hub_worker).post(
            f"/enquiries/{enquiry.pk}/requests/",
            {
                "agency": agency_a.pk,
                "question": "Again?",
                "people": [p.pk for p in enquiry.people.all()],
            }
            | submission_token(hub_worker, "information_request"),
        )
        assert response.status_code == 400
        assert "agency" in response.context["error_form"].errors
        content = response.content.decode()
        assert "govuk-error-summary" in content
        assert "County Police already has an open request on this enquiry." in content
        assert 'href="#request_agency"' in content
        assert enquiry.requests.count() == 1

    def test_a_request_needs_a_question_and_people(self, client_for, hub_worker, enquiry, agency_a):
        response = client_for(hub_worker).post(
            f"/enquiries/{enquiry.pk}/requests/",
            {"agency": agency_a.pk, "question": " "}
            | submission_token(hub_worker, "information_request"),
        )
        assert response.status_code == 400
        errors = response.context["error_form"].errors
        assert {"question", "people"} <= set(errors)
        assert "Choose at least one person" in response.content.decode()
        no_agency = client_for(hub_worker).post(
            f"/enquiries/{enquiry.pk}/requests/",
            submission_token(hub_worker, "information_request"),
        )
        assert no_agency.status_code == 400
        assert "Choose the agency to ask" in no_agency.content.decode()
        assert not enquiry.requests.exists()

    def test_people_from_outside_the_enquiry_are_refused(
        self, client_for, hub_worker, manager, enquiry, agency_a
    ):
        other = open_enquiry(hub_worker, manager)
        stranger = other.people.get()
        response = client_for(hub_worker).post(
            f"/enquiries/{enquiry.pk}/requests/",
            {"agency": agency_a.pk, "question": "?", "people": [stranger.pk]}
            | submission_token(hub_worker, "information_request"),
        )
        assert response.status_code == 400
        assert "people" in response.context["error_form"].errors
        assert not enquiry.requests.exists()


class TestWithdraw:
    def test_withdrawing_needs_a_reason_then_the_agency_loses_the_request(
        self, client_for, hub_worker, enquiry, agency_a, researcher_a
    ):
        request = ask(enquiry, agency_a, hub_worker)
        client = client_for(hub_worker)
        url = f"/enquiries/{enquiry.pk}/requests/{request.pk}/withdraw/"
        no_reason = client.post(url, {"reason": " "})
        assert no_reason.status_code == 400
        assert "reason" in no_reason.context["error_form"].errors
        assert f'href="#withdraw_{request.pk}_reason"' in no_reason.content.decode()
        request.refresh_from_db()
        assert request.state == RequestState.OPEN
        assert client.post(url, {"reason": "Asked in error"}).status_code == 302
        request.refresh_from_db()
        assert (request.state, request.withdrawn_reason) == ("withdrawn", "Asked in error")
        assert not information_requests_visible_to(researcher_a).exists()
        again = client.post(url, {"reason": "Twice"})
        assert again.status_code == 409
        assert "already withdrawn" in again.content.decode()

    def test_a_request_of_another_enquiry_is_404(
        self, client_for, hub_worker, manager, enquiry, agency_a
    ):
        other = open_enquiry(hub_worker, manager)
        request = ask(other, agency_a, hub_worker)
        response = client_for(hub_worker).post(
            f"/enquiries/{enquiry.pk}/requests/{request.pk}/withdraw/", {"reason": "x"}
        )
        assert response.status_code == 404
        request.refresh_from_db()
        assert request.state == RequestState.OPEN


class TestRagChange:
    def post(self, client, enquiry, **data):
        return client.post(
            f"/enquiries/{enquiry.pk}/rag/", {"version": enquiry.version, **data}, follow=True
        )

    def test_escalating_moves_the_deadline_and_says_so(
        self, client_for, hub_worker, manager, agency_a
    ):
        # DOMAIN.md: Amber opened Monday 10:00, escalated to Red Monday 15:00 -> due 19:00.
        with time_machine.travel(at(2026, 11, 23, 10, 0), tick=False):
            enquiry = open_enquiry(hub_worker, manager, "AMBER")
        with time_machine.travel(at(2026, 11, 23, 15, 0), tick=False):
            response = self.post(
                client_for(hub_worker), enquiry, rag="RED", reason="Disclosure at school"
            )
        assert response.status_code == 200
        content = response.content.decode()
        assert "is now Red. The enquiry is due 23 November 2026, 19:00." in content
        enquiry.refresh_from_db()
        assert (enquiry.rag, enquiry.deadline) == ("RED", at(2026, 11, 23, 19, 0))
        history = client_for(hub_worker).get(f"/enquiries/{enquiry.pk}/history/")
        assert (
            "Deadline 24 November 2026, 10:00 → 23 November 2026, 19:00" in history.content.decode()
        )

    def test_no_reason_or_the_same_rating_is_refused_and_nothing_changes(
        self, client_for, hub_worker, enquiry
    ):
        client = client_for(hub_worker)
        deadline = enquiry.deadline
        no_reason = client.post(
            f"/enquiries/{enquiry.pk}/rag/", {"rag": "RED", "reason": "", "version": 1}
        )
        assert no_reason.status_code == 400
        assert "reason" in no_reason.context["error_form"].errors
        assert "Give a reason for changing the RAG rating." in no_reason.content.decode()
        assert 'href="#rag_reason"' in no_reason.content.decode()
        # The service's error marks the field as a form error would, described by its message.
        page = no_reason.content.decode()
        assert 'class="govuk-textarea govuk-textarea--error"' in page
        assert 'aria-describedby="reason-error"' in page and 'id="reason-error"' in page
        same = client.post(
            f"/enquiries/{enquiry.pk}/rag/",
            {"rag": "AMBER", "reason": "No change really", "version": enquiry.version},
        )
        assert same.status_code == 400
        assert "rag" in same.context["error_form"].errors
        assert "The enquiry is already Amber." in same.content.decode()
        nothing = client.post(f"/enquiries/{enquiry.pk}/rag/", {"reason": "x", "version": 1})
        assert nothing.status_code == 400
        assert "rag" in nothing.context["error_form"].errors
        enquiry.refresh_from_db()
        assert (enquiry.rag, enquiry.deadline) == ("AMBER", deadline)
        assert not RagChange.objects.exists()

    def test_the_current_rating_is_not_offered(self, client_for, hub_worker, enquiry):
        form = client_for(hub_worker).get(f"/enquiries/{enquiry.pk}/").context["rag_form"]
        assert [value for value, _ in form.fields["rag"].widget.choices] == ["RED", "GREEN"]

    def test_a_stale_form_shows_a_conflict_and_the_current_state(
        self, client_for, hub_worker, manager, enquiry
    ):
        stale = enquiry.version
        services.enquiry_change_rag(
            enquiry=enquiry, to_rag="RED", reason="Police call", changed_by=manager
        )
        response = client_for(hub_worker).post(
            f"/enquiries/{enquiry.pk}/rag/",
            {"rag": "GREEN", "reason": "Calmer", "version": stale},
        )
        assert response.status_code == 409
        content = response.content.decode()
        assert "changed by someone else" in content
        assert "rated Red" in content
        enquiry.refresh_from_db()
        assert enquiry.rag == "RED" and enquiry.rag_changes.count() == 1


class TestRecommendAndDecide:
    def recommend(self, client, enquiry, **data):
        values = {"outcome": "REFERRAL", "final_rag": "RED", "rationale": "Risk"}
        values.update(data)
        return client.post(
            f"/enquiries/{enquiry.pk}/recommend/", {"version": enquiry.version, **values}
        )

    def test_recommending_another_mash_enquiry_or_without_rationale_is_refused(
        self, client_for, hub_worker, enquiry
    ):
        client = client_for(hub_worker)
        again = self.recommend(client, enquiry, outcome="MASH_ENQUIRY")
        assert again.status_code == 400
        assert "outcome" in again.context["error_form"].errors
        assert "not another MASH enquiry" in again.content.decode()
        bare = self.recommend(client, enquiry, rationale=" ")
        assert bare.status_code == 400
        assert "rationale" in bare.context["error_form"].errors
        enquiry.refresh_from_db()
        assert enquiry.recommended_outcome == ""

    def test_the_worker_recommends_and_the_manager_approves(
        self, client_for, hub_worker, manager, enquiry, agency_a, researcher_a
    ):
        police = ask(enquiry, agency_a, hub_worker)
        answer(police, researcher_a)
        assert self.recommend(client_for(hub_worker), enquiry).status_code == 302
        enquiry.refresh_from_db()
        assert enquiry.state == EnquiryState.AWAITING_DECISION
        client = client_for(manager)
        page = client.get(f"/enquiries/{enquiry.pk}/decision/").content.decode()
        assert f'action="/enquiries/{enquiry.pk}/decide/"' in page
        response = client.post(
            f"/enquiries/{enquiry.pk}/decide/",
            {"outcome": "REFERRAL", "final_rag": "RED", "version": enquiry.version},
            follow=True,
        )
        assert "is decided and closed: Referral to social care" in response.content.decode()
        enquiry.refresh_from_db()
        assert (enquiry.state, enquiry.outcome, enquiry.decided_by) == (
            "closed",
            "REFERRAL",
            manager,
        )
        late = client.post(
            f"/enquiries/{enquiry.pk}/rag/",
            {"rag": "GREEN", "reason": "After", "version": enquiry.version},
        )
        assert late.status_code == 409
        assert f"{enquiry.reference} is closed." in late.content.decode()

    def test_an_override_needs_a_reason(self, client_for, hub_worker, manager, enquiry):
        self.recommend(client_for(hub_worker), enquiry)
        enquiry.refresh_from_db()
        client = client_for(manager)
        url = f"/enquiries/{enquiry.pk}/decide/"
        data = {"outcome": "EARLY_HELP", "final_rag": "AMBER", "version": enquiry.version}
        no_reason = client.post(url, data)
        assert no_reason.status_code == 400
        assert "reason" in no_reason.context["error_form"].errors
        assert "Give a reason for deciding differently." in no_reason.content.decode()
        enquiry.refresh_from_db()
        assert enquiry.state == EnquiryState.AWAITING_DECISION
        assert client.post(url, {**data, "reason": "Family engaging"}).status_code == 302
        enquiry.refresh_from_db()
        assert (enquiry.outcome, enquiry.outcome_reason) == ("EARLY_HELP", "Family engaging")
        content = client.get(f"/enquiries/{enquiry.pk}/history/").content.decode()
        assert "Decided otherwise: Early help (Amber)" in content

    def test_closing_with_returns_outstanding_is_refused(
        self, client_for, hub_worker, manager, enquiry, agency_a, agency_b, researcher_a
    ):
        police = ask(enquiry, agency_a, hub_worker)
        ask(enquiry, agency_b, hub_worker)
        answer(police, researcher_a)
        self.recommend(client_for(hub_worker), enquiry)
        enquiry.refresh_from_db()
        response = client_for(manager).post(
            f"/enquiries/{enquiry.pk}/decide/",
            {"outcome": "REFERRAL", "final_rag": "RED", "version": enquiry.version},
        )
        assert response.status_code == 400
        assert "outcome" in response.context["error_form"].errors
        content = response.content.decode()
        assert "Returns are still outstanding from Community Health" in content
        assert 'href="#decide_outcome_0"' in content
        enquiry.refresh_from_db()
        assert enquiry.state == EnquiryState.AWAITING_DECISION and not enquiry.outcome

    def test_a_decision_by_a_non_manager_is_refused(self, client_for, hub_worker, enquiry):
        client = client_for(hub_worker)
        self.recommend(client, enquiry)
        enquiry.refresh_from_db()
        page = client.get(f"/enquiries/{enquiry.pk}/decision/").content.decode()
        assert "/decide/" not in page  # the form is only offered to managers
        response = client.post(
            f"/enquiries/{enquiry.pk}/decide/",
            {"outcome": "REFERRAL", "final_rag": "RED", "version": enquiry.version},
        )
        assert response.status_code == 403
        assert "Your role cannot decide enquiries." in response.content.decode()
        enquiry.refresh_from_db()
        assert enquiry.state == EnquiryState.AWAITING_DECISION and not enquiry.outcome


class TestSummary:
    @pytest.fixture
    def decided(self, hub_worker, manager, enquiry, agency_a, agency_b, researcher_a, researcher_b):
        police = ask(enquiry, agency_a, hub_worker)
        health = ask(enquiry, agency_b, hub_worker)
        answer(
            police,
            researcher_a,
            information_held=True,
            summary="Two domestic call-outs",
            handling="not_to_family",
        )
        answer(
            police,
            researcher_a,
            information_held=True,
            summary="Intelligence on the partner",
            handling="police_only",
        )
        answer(health, researcher_b, information_held=True, summary="Missed appointments")
        services.enquiry_change_rag(
            enquiry=enquiry, to_rag="RED", reason="Disclosure", changed_by=hub_worker
        )
        services.enquiry_recommend(
            enquiry=enquiry,
            user=hub_worker,
            outcome="REFERRAL",
            final_rag="RED",
            rationale="Significant harm suspected",
        )
        services.enquiry_decide(
            enquiry=enquiry,
            manager=manager,
            outcome="REFERRAL",
            final_rag="RED",
        )
        return enquiry

    def test_the_summary_has_the_marking_decision_history_returns_and_people(
        self, client_for, hub_worker, decided
    ):
        response = client_for(hub_worker).get(f"/enquiries/{decided.pk}/summary/")
        assert response.status_code == 200
        content = response.content.decode()
        assert 'data-testid="marking-top"' in content and 'data-testid="marking-bottom"' in content
        assert content.count("OFFICIAL-SENSITIVE</p>") == 2
        assert '<link rel="stylesheet" href="/static/css/print.css" media="print">' in content
        assert "<style" not in content and "style=" not in content
        assert "Referral to social care" in content and "Significant harm suspected" in content
        assert "Amber to Red" in content and "Disclosure" in content
        assert "Two domestic call-outs" in content
        assert "Handling: Not to be shared with the family" in content
        assert "Missed appointments" in content and "Handling: No special handling" in content
        assert "Kayla Brown" in content and "Gary Lane" in content

    def test_police_only_content_does_not_leave_the_mash(self, client_for, hub_worker, decided):
        content = client_for(hub_worker).get(f"/enquiries/{decided.pk}/summary/").content.decode()
        assert "Intelligence on the partner" not in content
        assert "Police only: not to leave the MASH" in content
        assert 'data-testid="withheld"' in content

    def test_producing_the_summary_is_audited(self, client_for, manager, decided):
        client_for(manager).get(f"/enquiries/{decided.pk}/summary/")
        event = AuditEvent.objects.get(name="enquiry.summary_produced")
        assert (event.actor, event.object_pk) == (manager, str(decided.pk))
        assert LogEntry.objects.filter(
            object_pk=str(decided.pk),
            content_type__model="enquiry",
            action=LogEntry.Action.ACCESS,
            actor=manager,
        ).exists()

    def test_an_open_enquiry_has_a_summary_too(self, client_for, hub_worker, enquiry):
        content = client_for(hub_worker).get(f"/enquiries/{enquiry.pk}/summary/").content
        assert b"Not yet decided" in content

    def test_the_print_stylesheet_exists(self):
        from pathlib import Path

        from django.contrib.staticfiles import finders

        path = finders.find("css/print.css")
        assert path is not None
        css = Path(path).read_text(encoding="utf-8")
        assert "@media" not in css  # linked with media="print" already
        assert "OFFICIAL-SENSITIVE" in css and "display: none" in css


class TestOutsiders:
    @pytest.fixture
    def setting(self, hub_worker, manager, enquiry, agency_a, agency_b):
        police = ask(enquiry, agency_a, hub_worker)
        services.enquiry_recommend(
            enquiry=enquiry, user=hub_worker, outcome="NFA", final_rag="GREEN", rationale="-"
        )
        enquiry.refresh_from_db()
        return enquiry, police

    def endpoints(self, enquiry, police, agency_b) -> list[tuple[str, str, dict]]:
        base = f"/enquiries/{enquiry.pk}"
        version = enquiry.version
        people = [p.pk for p in enquiry.people.all()]
        return [
            ("get", "/enquiries/", {}),
            ("get", f"{base}/", {}),
            ("get", f"{base}/summary/", {}),
            (
                "post",
                f"{base}/requests/",
                {"agency": agency_b.pk, "question": "?", "people": people},
            ),
            ("post", f"{base}/requests/{police.pk}/withdraw/", {"reason": "Peeking"}),
            ("post", f"{base}/rag/", {"rag": "RED", "reason": "x", "version": version}),
            (
                "post",
                f"{base}/recommend/",
                {"outcome": "NFA", "final_rag": "GREEN", "rationale": "x", "version": version},
            ),
            (
                "post",
                f"{base}/decide/",
                {"outcome": "NFA", "final_rag": "GREEN", "version": version},
            ),
        ]

    @pytest.mark.parametrize("persona", OUTSIDERS)
    def test_everyone_outside_the_hub_gets_404_and_nothing_changes(
        self, request, client_for, setting, agency_b, persona
    ):
        enquiry, police = setting
        client = client_for(request.getfixturevalue(persona))
        events_before = AuditEvent.objects.count()
        access_before = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count()
        for method, url, data in self.endpoints(enquiry, police, agency_b):
            response = getattr(client, method)(url, data)
            assert response.status_code == 404, (persona, method, url)
            assert enquiry.reference not in response.content.decode()
        fresh = Enquiry.objects.get(pk=enquiry.pk)
        assert (fresh.version, fresh.rag, fresh.state) == (enquiry.version, "AMBER", enquiry.state)
        police.refresh_from_db()
        assert police.state == RequestState.OPEN
        assert enquiry.requests.count() == 1
        assert AuditEvent.objects.count() == events_before
        assert LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count() == access_before

    def test_an_unknown_enquiry_is_404_for_outsiders_too(self, client_for, researcher_a):
        assert client_for(researcher_a).get("/enquiries/999999/").status_code == 404

    def test_signed_out_users_are_sent_to_sign_in(self, client, enquiry):
        response = client.get(f"/enquiries/{enquiry.pk}/")
        assert response.status_code == 302 and "/account/sign-in/" in response["Location"]
        response = client.post(f"/enquiries/{enquiry.pk}/rag/", {"rag": "RED", "reason": "x"})
        assert response.status_code == 302
        enquiry.refresh_from_db()
        assert enquiry.rag == "AMBER"
