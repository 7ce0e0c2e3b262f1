"""Factories for KPI tests: contacts, enquiries and information requests made directly with the
ORM at the instants a test states (no services, so no clocks or side effects get in the way)."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from contacts.codes import Channel, Consent, Rag, Source
from contacts.models import Contact, ContactSubject
from enquiries.models import Enquiry, InformationRequest
from tests.factories import AgencyFactory, PersonFactory, UserFactory


class ContactFactory(DjangoModelFactory):
    """A contact received at ``received_at`` (aware), due a day later unless told otherwise.
    ``subjects=[person, ...]`` links subject people (one new person by default)."""

    class Meta:
        model = Contact
        skip_postgeneration_save = True

    source = Source.SCHOOLS
    channel = Channel.PHONE
    consent = Consent.GIVEN
    narrative = "Concern for the tests."
    received_at = factory.LazyFunction(timezone.now)
    decision_due_at = factory.LazyAttribute(lambda c: c.received_at + timedelta(days=1))

    @factory.post_generation
    def subjects(self, create: bool, extracted, **kwargs) -> None:
        if not create:
            return
        people = extracted if extracted is not None else [PersonFactory()]
        for person in people:
            ContactSubject.objects.create(contact=self, person=person)


class EnquiryFactory(DjangoModelFactory):
    class Meta:
        model = Enquiry

    contact = factory.SubFactory(
        ContactFactory,
        outcome="MASH_ENQUIRY",
        initial_rag=factory.SelfAttribute("..initial_rag"),
        decided_at=factory.LazyAttribute(lambda c: c.received_at + timedelta(hours=1)),
    )
    initial_rag = Rag.AMBER
    rag = factory.SelfAttribute("initial_rag")
    opened_at = factory.SelfAttribute("contact.received_at")
    deadline = factory.LazyAttribute(lambda e: e.opened_at + timedelta(days=1))


class InformationRequestFactory(DjangoModelFactory):
    class Meta:
        model = InformationRequest

    enquiry = factory.SubFactory(EnquiryFactory)
    agency = factory.SubFactory(AgencyFactory)
    question = "What do you hold about these people?"
    requested_at = factory.SelfAttribute("enquiry.opened_at")
    due_at = factory.LazyAttribute(lambda r: r.requested_at + timedelta(hours=6))
    requested_by = factory.SubFactory(UserFactory)
