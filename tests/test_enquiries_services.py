"""MASH enquiries: opening, deadlines by RAG, RAG changes both ways, requests, returns, closing."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from contacts import services as contact_services
from contacts.models import Household, HouseholdMember
from enquiries import services
from enquiries.models import Enquiry, EnquiryState, RequestState
from enquiries.selectors import agency_queue, information_requests_visible_to, returns_visible_to
from enquiries.services import ReturnInput
from mash.audit.models import AuditEvent
from mash.errors import ConflictError
from tests.factories import contact_input, person_input

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def open_enquiry(hub_worker, manager, rag: str, when: datetime) -> Enquiry:
    """A contact recommended and decided as a MASH enquiry at `when`."""
    with time_machine.travel(when, tick=False):
        contact = contact_services.contact_create(
            data=contact_input(subjects=[person_input(nhs_number="9434765919")], received_at=when)
        )
        contact_services.contact_recommend(
            contact=contact, user=hub_worker, outcome="MASH_ENQUIRY", rag=rag, rationale="Unclear"
        )
        contact_services.contact_decide(
            contact=contact, manager=manager, outcome="MASH_ENQUIRY", rag=rag
        )
    return Enquiry.objects.get(contact=contact)


class TestOpening:
    def test_a_mash_enquiry_decision_opens_an_enquiry_with_subjects_and_household(
        self, hub_worker, manager
    ):
        contact = contact_services.contact_create(
            data=contact_input(subjects=[person_input(nhs_number="9434765919")])
        )
        child = contact.subjects.get()
        stepdad = contact_services.person_create(given_name="Gary", family_name="Lane")
        home = Household.objects.create(postcode="LS1 4AP")
        HouseholdMember.objects.create(household=home, person=child)
        HouseholdMember.objects.create(
            household=home, person=stepdad, related=False, relationship="Mother's partner"
        )
        contact_services.contact_recommend(
            contact=contact, user=hub_worker, outcome="MASH_ENQUIRY", rag="AMBER", rationale="x"
        )
        contact_services.contact_decide(
            contact=contact, manager=manager, outcome="MASH_ENQUIRY", rag="AMBER"
        )
        enquiry = Enquiry.objects.get(contact=contact)
        assert (enquiry.rag, enquiry.initial_rag, enquiry.worker) == ("AMBER", "AMBER", hub_worker)
        links = {(link.person, link.is_subject) for link in enquiry.person_links.all()}
        assert links == {(child, True), (stepdad, False)}
        assert AuditEvent.objects.filter(name="enquiry.opened").exists()

    @pytest.mark.parametrize(
        ("rag", "opened", "deadline"),
        [
            ("RED", at(2026, 11, 24, 22, 0), at(2026, 11, 25, 2, 0)),  # 4 elapsed hours at night
            ("AMBER", at(2026, 11, 20, 16, 0), at(2026, 11, 23, 16, 0)),  # Friday to Monday
            ("GREEN", at(2026, 12, 23, 10, 0), at(2026, 12, 30, 10, 0)),  # over Christmas
            (
                "AMBER",
                at(2026, 3, 27, 16, 0),
                at(2026, 3, 30, 16, 0),
            ),  # over the clocks going forward
            (
                "RED",
                at(2026, 10, 25, 0, 30),
                at(2026, 10, 25, 3, 30),
            ),  # the clocks going back: 4 real hours
        ],
    )
    def test_the_deadline_follows_the_rag_timescale(
        self, hub_worker, manager, rag, opened, deadline
    ):
        enquiry = open_enquiry(hub_worker, manager, rag, opened)
        assert enquiry.deadline == deadline


class TestRagChanges:
    def test_escalation_takes_the_earlier_deadline(self, hub_worker, manager, agency_a):
        # DOMAIN.md: Amber opened Monday 10:00, escalated to Red Monday 15:00 -> due 19:00.
        enquiry = open_enquiry(hub_worker, manager, "AMBER", at(2026, 11, 23, 10, 0))
        with time_machine.travel(at(2026, 11, 23, 11, 0), tick=False):
            request = services.request_create(
                enquiry=enquiry,
                agency=agency_a,
                question="What do you hold?",
                people=list(enquiry.people.all()),
                requested_by=hub_worker,
            )
        assert request.due_at == at(2026, 11, 23, 17, 0)  # 6 working hours
        with time_machine.travel(at(2026, 11, 23, 15, 0), tick=False):
            services.enquiry_change_rag(
                enquiry=enquiry, to_rag="RED", reason="Disclosure", changed_by=hub_worker
            )
        enquiry.refresh_from_db()
        request.refresh_from_db()
        assert enquiry.deadline == at(2026, 11, 23, 19, 0)
        assert request.due_at == at(2026, 11, 23, 17, 0)  # earlier than 15:00 + 2h
        change = enquiry.rag_changes.get()
        assert (change.from_rag, change.to_rag, change.changed_by) == ("AMBER", "RED", hub_worker)
        assert change.previous_deadline == at(2026, 11, 24, 10, 0)

    def test_de_escalation_takes_the_later_deadline(self, hub_worker, manager):
        # DOMAIN.md: Red opened Monday 10:00, de-escalated to Green at 11:00 -> due Thursday 10:00.
        enquiry = open_enquiry(hub_worker, manager, "RED", at(2026, 11, 23, 10, 0))
        assert enquiry.deadline == at(2026, 11, 23, 14, 0)
        with time_machine.travel(at(2026, 11, 23, 11, 0), tick=False):
            services.enquiry_change_rag(
                enquiry=enquiry, to_rag="GREEN", reason="Police: no concerns", changed_by=hub_worker
            )
        enquiry.refresh_from_db()
        assert enquiry.deadline == at(2026, 11, 26, 10, 0)

    def test_a_change_needs_a_reason_and_a_different_rating(self, hub_worker, manager):
        enquiry = open_enquiry(hub_worker, manager, "AMBER", at(2026, 11, 23, 10, 0))
        with pytest.raises(ValidationError) as no_reason:
            services.enquiry_change_rag(
                enquiry=enquiry, to_rag="RED", reason=" ", changed_by=hub_worker
            )
        assert "reason" in no_reason.value.message_dict
        with pytest.raises(ValidationError) as same:
            services.enquiry_change_rag(
                enquiry=enquiry, to_rag="AMBER", reason="x", changed_by=hub_worker
            )
        assert "rag" in same.value.message_dict
        enquiry.refresh_from_db()
        assert enquiry.rag == "AMBER" and not enquiry.rag_changes.exists()


class TestRequestsAndReturns:
    @pytest.fixture
    def enquiry(self, hub_worker, manager):
        return open_enquiry(hub_worker, manager, "AMBER", at(2026, 11, 23, 10, 0))

    def ask(self, enquiry, agency, by):
        return services.request_create(
            enquiry=enquiry,
            agency=agency,
            question="Any domestic abuse call-outs?",
            people=list(enquiry.people.all()),
            requested_by=by,
        )

    def test_one_open_request_per_agency(self, enquiry, agency_a, hub_worker):
        self.ask(enquiry, agency_a, hub_worker)
        with pytest.raises(ValidationError) as error:
            self.ask(enquiry, agency_a, hub_worker)
        assert "agency" in error.value.message_dict
        assert enquiry.requests.count() == 1

    def test_each_agency_sees_only_its_own_request(
        self, enquiry, agency_a, agency_b, hub_worker, researcher_a, researcher_b
    ):
        police = self.ask(enquiry, agency_a, hub_worker)
        health = self.ask(enquiry, agency_b, hub_worker)
        assert list(information_requests_visible_to(researcher_a)) == [police]
        assert list(information_requests_visible_to(researcher_b)) == [health]
        assert list(agency_queue(researcher_a)) == [police]

    def test_a_withdrawn_request_disappears_from_the_agency(
        self, enquiry, agency_a, hub_worker, researcher_a
    ):
        request = self.ask(enquiry, agency_a, hub_worker)
        with pytest.raises(ValidationError):
            services.request_withdraw(request=request, reason="", withdrawn_by=hub_worker)
        services.request_withdraw(request=request, reason="Asked in error", withdrawn_by=hub_worker)
        assert not information_requests_visible_to(researcher_a).exists()
        with pytest.raises(ConflictError, match="withdrawn"):
            services.return_submit(
                request=request,
                data=ReturnInput(information_held=False, systems_checked="PNC"),
                submitted_by=researcher_a,
            )

    def test_a_return_is_final_and_more_is_an_addendum(
        self, enquiry, agency_a, hub_worker, researcher_a
    ):
        request = self.ask(enquiry, agency_a, hub_worker)
        data = ReturnInput(
            information_held=True,
            summary="Two call-outs in 2026",
            systems_checked="Niche, PNC",
            handling="police_only",
        )
        first = services.return_submit(request=request, data=data, submitted_by=researcher_a)
        second = services.return_submit(request=request, data=data, submitted_by=researcher_a)
        request.refresh_from_db()
        assert request.state == RequestState.RETURNED
        assert (first.is_addendum, second.is_addendum) == (False, True)

    def test_a_return_needs_what_was_checked(self, enquiry, agency_a, hub_worker, researcher_a):
        request = self.ask(enquiry, agency_a, hub_worker)
        with pytest.raises(ValidationError) as error:
            services.return_submit(
                request=request,
                data=ReturnInput(information_held=True, systems_checked=""),
                submitted_by=researcher_a,
            )
        assert {"systems_checked", "summary"} <= set(error.value.message_dict)
        assert not request.returns.exists()

    def test_another_agency_cannot_return_for_this_request(
        self, enquiry, agency_a, hub_worker, researcher_b
    ):
        request = self.ask(enquiry, agency_a, hub_worker)
        with pytest.raises(PermissionError):
            services.return_submit(
                request=request,
                data=ReturnInput(information_held=False, systems_checked="SystmOne"),
                submitted_by=researcher_b,
            )
        assert not returns_visible_to(researcher_b).exists()

    def test_a_supervisor_assigns_within_the_agency(
        self, enquiry, agency_a, hub_worker, supervisor_a, researcher_a, researcher_b
    ):
        request = self.ask(enquiry, agency_a, hub_worker)
        services.request_assign(request=request, researcher=researcher_a, assigned_by=supervisor_a)
        request.refresh_from_db()
        assert request.assignee == researcher_a
        with pytest.raises(ValidationError):
            services.request_assign(
                request=request, researcher=researcher_b, assigned_by=supervisor_a
            )
        with pytest.raises(PermissionError):
            services.request_assign(
                request=request, researcher=researcher_a, assigned_by=researcher_a
            )

    def test_the_enquiry_awaits_returns_until_none_is_outstanding(
        self, enquiry, agency_a, agency_b, hub_worker, researcher_a
    ):
        police = self.ask(enquiry, agency_a, hub_worker)
        health = self.ask(enquiry, agency_b, hub_worker)
        enquiry.refresh_from_db()
        assert enquiry.state == EnquiryState.AWAITING_RETURNS
        services.return_submit(
            request=police,
            data=ReturnInput(information_held=False, systems_checked="PNC"),
            submitted_by=researcher_a,
        )
        enquiry.refresh_from_db()
        assert enquiry.state == EnquiryState.AWAITING_RETURNS  # health still outstanding
        services.request_withdraw(request=health, reason="Not registered", withdrawn_by=hub_worker)
        enquiry.refresh_from_db()
        assert enquiry.state == EnquiryState.OPEN  # ready for a recommendation
        self.ask(enquiry, agency_b, hub_worker)
        enquiry.refresh_from_db()
        assert enquiry.state == EnquiryState.AWAITING_RETURNS  # a new request: waiting again

    def test_closing_needs_every_request_returned_or_withdrawn(
        self, enquiry, agency_a, agency_b, hub_worker, manager, researcher_a
    ):
        police = self.ask(enquiry, agency_a, hub_worker)
        health = self.ask(enquiry, agency_b, hub_worker)
        services.return_submit(
            request=police,
            data=ReturnInput(information_held=False, systems_checked="PNC"),
            submitted_by=researcher_a,
        )
        services.enquiry_recommend(
            enquiry=enquiry, user=hub_worker, outcome="REFERRAL", final_rag="RED", rationale="Risk"
        )
        with pytest.raises(ValidationError, match="outstanding from Community Health"):
            services.enquiry_decide(
                enquiry=enquiry, manager=manager, outcome="REFERRAL", final_rag="RED"
            )
        services.request_withdraw(request=health, reason="Not registered", withdrawn_by=hub_worker)
        with pytest.raises(PermissionError):
            services.enquiry_decide(
                enquiry=enquiry, manager=hub_worker, outcome="REFERRAL", final_rag="RED"
            )
        services.enquiry_decide(
            enquiry=enquiry, manager=manager, outcome="REFERRAL", final_rag="RED"
        )
        enquiry.refresh_from_db()
        assert enquiry.state == EnquiryState.CLOSED and enquiry.closed_at is not None
        with pytest.raises(ConflictError, match="closed"):
            services.return_submit(
                request=police,
                data=ReturnInput(information_held=False, systems_checked="PNC"),
                submitted_by=researcher_a,
            )
        with pytest.raises(ConflictError):
            services.enquiry_change_rag(
                enquiry=enquiry, to_rag="GREEN", reason="late", changed_by=hub_worker
            )

    def test_an_agency_researcher_sees_the_people_to_check_only_while_asked(
        self, enquiry, agency_a, hub_worker, researcher_a, researcher_b
    ):
        from contacts.selectors import people_visible_to

        request = self.ask(enquiry, agency_a, hub_worker)
        child = enquiry.people.get()
        assert list(people_visible_to(researcher_a)) == [child]
        assert not people_visible_to(researcher_b).exists()
        services.request_withdraw(request=request, reason="Error", withdrawn_by=hub_worker)
        assert not people_visible_to(researcher_a).exists()


class TestReturnDeadlines:
    """Each agency's return is due by the enquiry's RAG on its own clock (DOMAIN.md)."""

    @pytest.mark.parametrize(
        ("rag", "requested", "due"),
        [
            # Red: 2 elapsed hours, through the night and across the clocks going back
            ("RED", at(2026, 11, 27, 23, 30), at(2026, 11, 28, 1, 30)),
            ("RED", at(2026, 10, 25, 0, 30), at(2026, 10, 25, 1, 30)),  # 2 real hours
            # Amber: 6 working hours, over a weekend and over a bank holiday
            ("AMBER", at(2026, 11, 27, 15, 0), at(2026, 11, 30, 13, 0)),
            ("AMBER", at(2026, 12, 24, 15, 0), at(2026, 12, 29, 13, 0)),
            # Green: 1 working day, over the clocks going forward
            ("GREEN", at(2026, 3, 27, 16, 0), at(2026, 3, 30, 16, 0)),
        ],
    )
    def test_return_due_times(self, hub_worker, manager, agency_a, rag, requested, due):
        enquiry = open_enquiry(hub_worker, manager, rag, requested)
        with time_machine.travel(requested, tick=False):
            request = services.request_create(
                enquiry=enquiry,
                agency=agency_a,
                question="What do you hold?",
                people=list(enquiry.people.all()),
                requested_by=hub_worker,
            )
        assert request.due_at == due

    def test_de_escalation_gives_the_request_the_later_due_time(
        self, hub_worker, manager, agency_a
    ):
        enquiry = open_enquiry(hub_worker, manager, "RED", at(2026, 11, 23, 10, 0))
        with time_machine.travel(at(2026, 11, 23, 10, 30), tick=False):
            request = services.request_create(
                enquiry=enquiry,
                agency=agency_a,
                question="What do you hold?",
                people=list(enquiry.people.all()),
                requested_by=hub_worker,
            )
        assert request.due_at == at(2026, 11, 23, 12, 30)
        with time_machine.travel(at(2026, 11, 23, 11, 0), tick=False):
            services.enquiry_change_rag(
                enquiry=enquiry, to_rag="AMBER", reason="Lower risk", changed_by=hub_worker
            )
        request.refresh_from_db()
        assert request.due_at == at(2026, 11, 23, 16, 30)  # requested 10:30 + 6 working hours
