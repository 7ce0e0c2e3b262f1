"""An enquiry holds one or more contacts: a second MASH_ENQUIRY decision about a child with an
open enquiry joins it (timeline, RAG raised, people added); with a stated reason a second one
opens; a closed enquiry refuses a contact. K3 and K7 keep their definitions."""

from importlib import import_module

import pytest
from django.apps import apps as django_apps

from contacts import services as contact_services
from contacts.models import Contact, Household, HouseholdMember
from enquiries import services
from enquiries.models import Enquiry, EnquiryContact, RagChange
from mash.audit.models import AuditEvent
from mash.errors import ConflictError
from tests.factories import contact_input, person_input

pytestmark = pytest.mark.django_db
CHILD = "9434765919"


def decided(hub_worker, manager, rag: str, *, nhs: str = CHILD, reason: str = "", **extra):
    contact = contact_services.contact_create(
        data=contact_input(subjects=[person_input(nhs_number=nhs)], **extra)
    )
    contact_services.contact_recommend(
        contact=contact, user=hub_worker, outcome="MASH_ENQUIRY", rag=rag, rationale="Unclear"
    )
    return contact_services.contact_decide(
        contact=contact,
        manager=manager,
        outcome="MASH_ENQUIRY",
        rag=rag,
        separate_enquiry_reason=reason,
    )


def close(enquiry: Enquiry, hub_worker, manager) -> Enquiry:
    services.enquiry_recommend(
        enquiry=enquiry, user=hub_worker, outcome="NFA", final_rag="GREEN", rationale="Safe"
    )
    return services.enquiry_decide(
        enquiry=enquiry, manager=manager, outcome="NFA", final_rag="GREEN"
    )


class TestJoining:
    def test_a_second_decision_about_the_child_joins_the_open_enquiry(
        self, hub_worker, manager, client_for
    ):
        first = decided(hub_worker, manager, "GREEN")
        enquiry = Enquiry.objects.get(contact=first)
        lodger = contact_services.person_create(given_name="Lee", family_name="Ward")
        home = Household.objects.create(postcode="LS1 4AP")
        HouseholdMember.objects.create(household=home, person=first.subjects.get())
        HouseholdMember.objects.create(household=home, person=lodger, relationship="Lodger")
        second = contact_services.contact_create(
            data=contact_input(
                subjects=[
                    person_input(nhs_number=CHILD),
                    person_input(given_name="Amy", family_name="Smith", date_of_birth=None),
                ]
            )
        )
        assert second.subjects.count() == 2
        sibling = second.subjects.exclude(nhs_number=CHILD).get()
        contact_services.contact_recommend(
            contact=second, user=hub_worker, outcome="MASH_ENQUIRY", rag="RED", rationale="Worse"
        )
        deadline_before = enquiry.deadline
        contact_services.contact_decide(
            contact=second, manager=manager, outcome="MASH_ENQUIRY", rag="RED"
        )

        assert Enquiry.objects.count() == 1
        enquiry.refresh_from_db()
        assert set(enquiry.contact_links.values_list("contact_id", flat=True)) == {
            first.pk,
            second.pk,
        }
        assert enquiry.contact_id == first.pk  # still the one that opened it
        assert enquiry.rag == "RED" and enquiry.deadline < deadline_before
        change = RagChange.objects.get(enquiry=enquiry)
        assert (change.from_rag, change.to_rag) == ("GREEN", "RED")
        assert second.reference in change.reason
        people = dict(enquiry.person_links.values_list("person_id", "is_subject"))
        assert people[sibling.pk] is True and people[lodger.pk] is False
        event = AuditEvent.objects.get(name="enquiry.contact_added")
        assert event.data["contact"] == second.reference
        # K3 counts both contacts (outcome MASH_ENQUIRY); K7 one enquiry.
        assert Contact.objects.filter(outcome="MASH_ENQUIRY").count() == 2

        client = client_for(hub_worker)
        html = client.get(f"/enquiries/{enquiry.pk}/history/").content.decode()
        assert f"Contact {second.reference} added" in html
        assert 'data-testid="timeline-contact-added"' in html
        html = client.get(f"/enquiries/{enquiry.pk}/").content.decode()
        assert 'data-testid="added-contact-link"' in html

    def test_a_lower_rag_joins_without_changing_it(self, hub_worker, manager):
        first = decided(hub_worker, manager, "AMBER")
        decided(hub_worker, manager, "GREEN")
        enquiry = Enquiry.objects.get(contact=first)
        assert enquiry.rag == "AMBER" and enquiry.contact_links.count() == 2
        assert not RagChange.objects.exists()

    def test_with_a_reason_a_second_enquiry_opens(self, hub_worker, manager):
        first = decided(hub_worker, manager, "AMBER")
        second = decided(hub_worker, manager, "AMBER", reason="A different concern, other team")
        assert Enquiry.objects.count() == 2
        other = Enquiry.objects.get(contact=second)
        assert other.separate_reason == "A different concern, other team"
        assert Enquiry.objects.get(contact=first).contact_links.count() == 1
        event = AuditEvent.objects.filter(name="enquiry.opened").order_by("pk").last()
        assert event.data["separate_reason"] == "A different concern, other team"

    def test_a_closed_enquiry_is_not_joined_a_new_one_opens(self, hub_worker, manager):
        first = decided(hub_worker, manager, "AMBER")
        close(Enquiry.objects.get(contact=first), hub_worker, manager)
        second = decided(hub_worker, manager, "AMBER", reason="ignored: nothing open")
        assert Enquiry.objects.get(contact=second).separate_reason == ""
        assert Enquiry.objects.count() == 2

    def test_adding_to_a_closed_enquiry_is_refused_and_nothing_is_stored(self, hub_worker, manager):
        first = decided(hub_worker, manager, "AMBER")
        enquiry = close(Enquiry.objects.get(contact=first), hub_worker, manager)
        second = decided(hub_worker, manager, "RED", nhs="9434765870")
        extra = second.subjects.get()
        links_before = EnquiryContact.objects.count()
        with pytest.raises(ConflictError) as refused:
            services.enquiry_add_contact(enquiry=enquiry, contact=second, added_by=manager)
        assert "enquiry" in refused.value.errors
        assert "closed" in refused.value.message
        assert EnquiryContact.objects.count() == links_before
        assert not enquiry.person_links.filter(person=extra).exists()
        assert not AuditEvent.objects.filter(name="enquiry.contact_added").exists()

    def test_the_decision_closing_in_between_rolls_the_whole_decision_back(
        self, hub_worker, manager, monkeypatch
    ):
        first = decided(hub_worker, manager, "AMBER")
        enquiry = close(Enquiry.objects.get(contact=first), hub_worker, manager)
        # The lookup saw it open; by the lock it is closed.
        monkeypatch.setattr(
            services.enquiries,
            "open_enquiries_of_subjects",
            lambda contact: Enquiry.objects.filter(pk=enquiry.pk),
        )
        second = contact_services.contact_create(
            data=contact_input(subjects=[person_input(nhs_number=CHILD)])
        )
        contact_services.contact_recommend(
            contact=second, user=hub_worker, outcome="MASH_ENQUIRY", rag="RED", rationale="x"
        )
        with pytest.raises(ConflictError):
            contact_services.contact_decide(
                contact=second, manager=manager, outcome="MASH_ENQUIRY", rag="RED"
            )
        second.refresh_from_db()
        assert second.outcome == "" and not EnquiryContact.objects.filter(contact=second).exists()


class TestPagesAndApi:
    def test_the_decision_page_says_the_contact_will_join(self, hub_worker, manager, client_for):
        first = decided(hub_worker, manager, "AMBER")
        enquiry = Enquiry.objects.get(contact=first)
        second = contact_services.contact_create(
            data=contact_input(subjects=[person_input(nhs_number=CHILD)])
        )
        contact_services.contact_recommend(
            contact=second, user=hub_worker, outcome="MASH_ENQUIRY", rag="AMBER", rationale="x"
        )
        html = client_for(manager).get(f"/contacts/{second.pk}/").content.decode()
        assert 'data-testid="enquiry-to-join"' in html and enquiry.reference in html
        assert 'name="separate_enquiry_reason"' in html
        posted = client_for(manager).post(
            f"/contacts/{second.pk}/decide/",
            {
                "outcome": "MASH_ENQUIRY",
                "rag": "AMBER",
                "version": Contact.objects.get(pk=second.pk).version,
                "separate_enquiry_reason": "Separate incident, separate team",
            },
        )
        assert posted.status_code == 302
        assert Enquiry.objects.get(contact=second).separate_reason.startswith("Separate")

    def test_the_api_decide_says_which_enquiry(self, hub_worker, manager, api_for):
        first = decided(hub_worker, manager, "AMBER")
        enquiry = Enquiry.objects.get(contact=first)
        second = contact_services.contact_create(
            data=contact_input(subjects=[person_input(nhs_number=CHILD)])
        )
        second = contact_services.contact_recommend(
            contact=second, user=hub_worker, outcome="MASH_ENQUIRY", rag="RED", rationale="x"
        )
        response = api_for(manager).post(
            f"/api/v1/contacts/{second.pk}/decide/",
            {"outcome": "MASH_ENQUIRY", "rag": "RED", "version": second.version},
            format="json",
        )
        assert response.status_code == 200, response.content
        assert response.json()["enquiry"] == {
            "id": enquiry.pk,
            "reference": enquiry.reference,
            "joined": True,
        }
        detail = api_for(hub_worker).get(f"/api/v1/enquiries/{enquiry.pk}/").json()
        assert [(row["reference"], row["how"]) for row in detail["contacts"]] == [
            (first.reference, "opened"),
            (second.reference, "added"),
        ]
        assert detail["rag"] == "RED" and detail["separate_reason"] == ""


def test_the_data_migration_gives_each_enquiry_its_opening_contact(hub_worker, manager):
    first = decided(hub_worker, manager, "AMBER")
    other = decided(hub_worker, manager, "RED", nhs="9434765870")
    EnquiryContact.objects.all().delete()
    # The migration's own function, run on today's models (a superset of the historical ones):
    # migrating the schema back and forth inside the test's transaction is not possible.
    migration = import_module("enquiries.migrations.0005_opening_contacts")
    migration.opening_contacts(django_apps, None)
    migration.opening_contacts(django_apps, None)  # twice: no duplicates
    assert EnquiryContact.objects.count() == 2
    links = {
        (link.enquiry.contact_id, link.contact_id, link.how)
        for link in EnquiryContact.objects.select_related("enquiry")
    }
    assert links == {(first.pk, first.pk, "opened"), (other.pk, other.pk, "opened")}
    assert EnquiryContact.objects.get(contact=first).added_at == (
        Enquiry.objects.get(contact=first).opened_at
    )


def test_k3_counts_both_contacts_and_k7_the_one_enquiry(hub_worker, manager):
    from django.utils import timezone

    from reporting.kpis.contacts import k3_became_enquiries
    from reporting.kpis.enquiries import k7_enquiries
    from reporting.periods import Period

    decided(hub_worker, manager, "AMBER")
    decided(hub_worker, manager, "RED")  # joins the open enquiry
    decided(hub_worker, manager, "GREEN", nhs="9434765870")  # another child: its own enquiry
    period = Period.month_of(timezone.localdate())
    assert k3_became_enquiries(period).headline["count"].value == 3
    assert k7_enquiries(period).headline["count"].value == 2


def test_an_enquiry_opened_without_a_link_is_still_the_contacts_own(hub_worker, manager):
    """Rows made in bulk (the demo year) have no EnquiryContact: a correction never opens a
    second enquiry for their contact."""
    first = decided(hub_worker, manager, "AMBER")
    EnquiryContact.objects.filter(contact=first).delete()
    enquiry, joined = services.enquiry_for_decision(contact=first, decided_by=manager)
    assert enquiry == Enquiry.objects.get(contact=first) and joined is False
    assert Enquiry.objects.count() == 1
