"""Front door services: intake, matching, repeats, triage steps, decisions, merges."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from contacts import services
from contacts.models import Contact, DecisionEntry, Person
from contacts.services.repeats import prior_contacts_count
from mash.audit.models import AuditEvent
from mash.errors import ConflictError
from mash.outbox.models import OutboxEmail
from mash.outbox.services import relay
from tests.factories import contact_input, person_input

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=LONDON)


class TestIntake:
    def test_a_contact_gets_its_one_working_day_clock(self):
        received = at(2026, 11, 20, 16, 0)  # a Friday
        contact = services.contact_create(data=contact_input(received_at=received))
        assert contact.decision_due_at == at(2026, 11, 23, 16, 0)  # Monday 16:00
        assert AuditEvent.objects.filter(
            name="contact.received", object_pk=str(contact.pk)
        ).exists()

    def test_a_known_person_is_matched_not_duplicated(self):
        first = services.contact_create(
            data=contact_input(subjects=[person_input(nhs_number="943 476 5919")])
        )
        second = services.contact_create(
            data=contact_input(
                subjects=[
                    person_input(given_name="Jon", family_name="Smyth", nhs_number="9434765919")
                ]
            )
        )
        assert Person.objects.count() == 1
        assert list(second.subjects.all()) == list(first.subjects.all())

    def test_name_and_date_of_birth_match_too(self):
        services.contact_create(
            data=contact_input(subjects=[person_input(date_of_birth=date(2014, 3, 2))])
        )
        services.contact_create(
            data=contact_input(
                subjects=[
                    person_input(
                        given_name="john", family_name="SMITH", date_of_birth=date(2014, 3, 2)
                    )
                ]
            )
        )
        assert Person.objects.count() == 1

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"subjects": []}, "subjects"),
            ({"source": "99"}, "source"),
            ({"channel": "fax"}, "channel"),
            ({"concerns": []}, "concerns"),
            ({"concerns": ["witchcraft"]}, "concerns"),
            ({"narrative": "x" * 20_001}, "narrative"),
            ({"received_at": timezone.now() + timedelta(hours=1)}, "received_at"),
            ({"consent": "not_given", "consent_detail": ""}, "consent_detail"),
            ({"subjects": [person_input(nhs_number="9434765918")]}, "subjects[0].nhs_number"),
            ({"subjects": [person_input(upn="A801200005001")]}, "subjects[0].upn"),
            ({"subjects": [person_input(postcode="NOT A CODE")]}, "subjects[0].postcode"),
            (
                {
                    "subjects": [
                        person_input(date_of_birth=timezone.localdate() + timedelta(days=1))
                    ]
                },
                "subjects[0].date_of_birth",
            ),
            (
                {
                    "subjects": [
                        person_input(),
                        person_input(
                            expected_date_of_delivery=timezone.localdate() - timedelta(days=1)
                        ),
                    ]
                },
                "subjects[1].expected_date_of_delivery",
            ),
            (
                {
                    "subjects": [
                        person_input(
                            expected_date_of_delivery=timezone.localdate() + timedelta(days=320)
                        )
                    ]
                },
                "subjects[0].expected_date_of_delivery",
            ),
        ],
    )
    def test_bad_input_names_the_field_and_stores_nothing(self, overrides, field):
        with pytest.raises(ValidationError) as error:
            services.contact_create(data=contact_input(**overrides))
        assert field in error.value.message_dict
        assert Contact.objects.count() == 0
        assert Person.objects.count() == 0

    def test_intake_is_idempotent_on_external_reference_per_source(self):
        first, created = services.contact_intake(data=contact_input(external_reference="PPN-1"))
        again, created_again = services.contact_intake(
            data=contact_input(external_reference="PPN-1")
        )
        assert (created, created_again) == (True, False)
        assert first.pk == again.pk
        other_source, created_other = services.contact_intake(
            data=contact_input(external_reference="PPN-1", source="6")
        )
        assert created_other and other_source.pk != first.pk


class TestRepeats:
    def make(self, when: datetime, **person) -> Contact:
        return services.contact_create(
            data=contact_input(received_at=when, subjects=[person_input(**person)])
        )

    def test_exactly_12_months_before_counts_and_one_second_more_does_not(self):
        child = {"nhs_number": "9434765919"}
        self.make(at(2025, 6, 1, 10, 0), **child)
        on_edge = self.make(at(2026, 6, 1, 10, 0), **child)
        assert on_edge.is_repeat and on_edge.prior_contacts_12m == 1
        Contact.objects.all().delete()
        self.make(at(2025, 6, 1, 10, 0), **child)
        outside = self.make(at(2026, 6, 1, 10, 0, 1), **child)
        assert not outside.is_repeat

    def test_one_second_inside_counts(self):
        child = {"nhs_number": "9434765919"}
        self.make(at(2025, 6, 1, 10, 0, 1), **child)
        assert self.make(at(2026, 6, 1, 10, 0), **child).is_repeat

    def test_a_different_subject_is_not_a_repeat(self):
        self.make(at(2026, 3, 1, 10, 0), nhs_number="9434765919")
        assert not self.make(at(2026, 6, 1, 10, 0), given_name="Kayla", nhs_number="").is_repeat

    def test_back_dating_a_contact_updates_repeats_and_its_clock(self, hub_worker):
        child = {"nhs_number": "9434765919"}
        earlier = self.make(at(2026, 6, 10, 10, 0), **child)
        later = self.make(at(2026, 6, 20, 10, 0), **child)
        assert later.is_repeat and not earlier.is_repeat
        # The "earlier" email had in fact arrived after the other one.
        moved = services.contact_change_received_at(
            contact=earlier,
            received_at=at(2026, 6, 25, 9, 0),
            reason="Email read late",
            changed_by=hub_worker,
        )
        later.refresh_from_db()
        assert moved.is_repeat and not later.is_repeat
        assert moved.decision_due_at == at(2026, 6, 26, 9, 0)
        assert AuditEvent.objects.filter(name="contact.received_at_corrected").exists()

    def test_merging_people_makes_the_later_contact_a_repeat(self, hub_worker):
        first = self.make(at(2026, 3, 1, 10, 0), given_name="Jon", family_name="Smyth")
        second = self.make(at(2026, 6, 1, 10, 0), given_name="John", family_name="Smith")
        assert not second.is_repeat
        services.person_merge(
            keep=second.subjects.get(),
            duplicate=first.subjects.get(),
            reason="Same child, misspelt",
            merged_by=hub_worker,
        )
        second.refresh_from_db()
        assert second.is_repeat and second.prior_contacts_12m == 1
        assert prior_contacts_count(second) == 1
        assert AuditEvent.objects.filter(name="person.merged").count() == 1
        kept = second.subjects.get()
        assert set(kept.contacts.all()) == {first, second}
        assert kept.aliases.filter(given_name="Jon", family_name="Smyth").exists()


class TestTriage:
    @pytest.fixture
    def contact(self):
        return services.contact_create(data=contact_input())

    def test_pick_up_once_and_refuse_a_second_pick_up(self, contact, hub_worker, hub_agency):
        from agencies.roles import Role
        from tests.factories import UserFactory

        services.contact_pick_up(contact=contact, user=hub_worker)
        contact.refresh_from_db()
        assert contact.assignee == hub_worker and contact.decision_started_at is not None
        started = contact.decision_started_at
        colleague = UserFactory(agency=hub_agency, role=Role.HUB_WORKER)
        with pytest.raises(ConflictError, match="already being triaged by"):
            services.contact_pick_up(contact=contact, user=colleague)
        services.contact_pick_up(contact=contact, user=hub_worker)  # picking up again is harmless
        contact.refresh_from_db()
        assert contact.decision_started_at == started

    def test_a_manager_reassigns_without_resetting_the_clock(self, contact, hub_worker, manager):
        services.contact_pick_up(contact=contact, user=hub_worker)
        started = Contact.objects.get(pk=contact.pk).decision_started_at
        services.contact_reassign(contact=contact, to_user=manager, by=manager, reason="Leave")
        contact.refresh_from_db()
        assert contact.assignee == manager and contact.decision_started_at == started

    def test_a_referral_needs_a_threshold_rationale(self, contact, hub_worker):
        with pytest.raises(ValidationError) as error:
            services.contact_recommend(
                contact=contact, user=hub_worker, outcome="REFERRAL", rationale="Serious"
            )
        assert "threshold_rationale" in error.value.message_dict

    def test_a_mash_enquiry_needs_an_initial_rag(self, contact, hub_worker):
        with pytest.raises(ValidationError) as error:
            services.contact_recommend(
                contact=contact, user=hub_worker, outcome="MASH_ENQUIRY", rationale="Unclear"
            )
        assert "rag" in error.value.message_dict

    def test_approve_records_the_decision_and_sends_feedback(
        self, contact, hub_worker, manager, django_capture_on_commit_callbacks
    ):
        services.contact_recommend(
            contact=contact, user=hub_worker, outcome="EARLY_HELP", rationale="Family support"
        )
        with django_capture_on_commit_callbacks() as callbacks:
            services.contact_decide(contact=contact, manager=manager, outcome="EARLY_HELP")
        assert len(callbacks) == 1  # the outbox relay is asked for once the decision commits
        [queued] = OutboxEmail.objects.filter(purpose="contact.feedback")
        assert (queued.recipient, queued.state) == ("jones@school.example", "queued")
        contact.refresh_from_db()
        assert contact.outcome == "EARLY_HELP" and contact.decided_by == manager
        assert contact.feedback_sent_at is None  # queued, not yet accepted by the mail server
        assert relay().sent == 1
        assert relay().sent == 0  # run twice, sent once
        contact.refresh_from_db()
        queued.refresh_from_db()
        assert contact.feedback_sent_at == queued.sent_at
        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert message.to == ["jones@school.example"]
        assert message.extra_headers["Message-ID"] == queued.message_id
        assert "early help" in message.body
        assert "John" not in message.body and "Smith" not in message.body

    def test_choosing_another_outcome_needs_a_reason(self, contact, hub_worker, manager):
        services.contact_recommend(
            contact=contact, user=hub_worker, outcome="EARLY_HELP", rationale="Family support"
        )
        with pytest.raises(ValidationError) as error:
            services.contact_decide(
                contact=contact, manager=manager, outcome="MASH_ENQUIRY", rag="AMBER"
            )
        assert "reason" in error.value.message_dict
        services.contact_decide(
            contact=contact,
            manager=manager,
            outcome="MASH_ENQUIRY",
            rag="AMBER",
            reason="Police intelligence needed",
        )
        contact.refresh_from_db()
        assert (contact.outcome, contact.initial_rag) == ("MASH_ENQUIRY", "AMBER")

    def test_a_decision_is_final_and_a_correction_is_a_new_entry(
        self, contact, hub_worker, manager
    ):
        services.contact_recommend(contact=contact, user=hub_worker, outcome="NFA", rationale="-")
        services.contact_decide(contact=contact, manager=manager, outcome="NFA")
        with pytest.raises(ConflictError, match="already decided"):
            services.contact_decide(contact=contact, manager=manager, outcome="NFA")
        services.contact_correct_decision(
            contact=contact, manager=manager, outcome="SIGNPOST", reason="Wrong button"
        )
        kinds = list(DecisionEntry.objects.filter(contact=contact).values_list("kind", "outcome"))
        assert kinds == [
            ("recommendation", "NFA"),
            ("decision", "NFA"),
            ("correction", "SIGNPOST"),
        ]
        assert AuditEvent.objects.filter(name="contact.decision_corrected").exists()

    def test_a_stale_version_is_a_conflict_and_nothing_is_lost(self, contact, hub_worker, manager):
        seen = Contact.objects.get(pk=contact.pk).version
        services.contact_recommend(
            contact=contact,
            user=hub_worker,
            outcome="NFA",
            rationale="first",
            expected_version=seen,
        )
        with pytest.raises(ConflictError, match="changed by someone else"):
            services.contact_recommend(
                contact=contact,
                user=manager,
                outcome="SIGNPOST",
                rationale="second",
                expected_version=seen,
            )
        contact.refresh_from_db()
        assert (contact.recommended_outcome, contact.recommendation_rationale) == ("NFA", "first")

    def test_only_managers_decide(self, contact, hub_worker):
        services.contact_recommend(contact=contact, user=hub_worker, outcome="NFA", rationale="-")
        with pytest.raises(PermissionError):
            services.contact_decide(contact=contact, manager=hub_worker, outcome="NFA")


def test_a_refused_feedback_email_is_retried_later_and_not_marked_sent(
    hub_worker, manager, monkeypatch
):
    from smtplib import SMTPException

    from django.core.mail.backends.locmem import EmailBackend

    contact = services.contact_create(data=contact_input())
    services.contact_recommend(contact=contact, user=hub_worker, outcome="NFA", rationale="-")
    services.contact_decide(contact=contact, manager=manager, outcome="NFA")

    def refuse(self, messages):
        raise SMTPException("451 mail server busy")

    monkeypatch.setattr(EmailBackend, "send_messages", refuse)
    result = relay()
    assert (result.sent, result.retried) == (0, 1)
    queued = OutboxEmail.objects.get(purpose="contact.feedback")
    assert queued.state == "queued" and queued.attempts == 1
    assert "451 mail server busy" in queued.last_error
    assert queued.next_attempt_at > timezone.now()  # backed off: not retried at once
    assert relay().retried == 0
    contact.refresh_from_db()
    assert contact.feedback_sent_at is None
