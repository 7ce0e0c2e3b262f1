"""People to check: the subjects and everyone in their households (adults too); the hub adds
or removes people before sending; a request's people are fixed once sent; an agency sees
exactly the people of its own request, and another agency gets 404."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contacts import services as contact_services
from contacts.models import Household, HouseholdMember
from enquiries import services
from enquiries.models import Enquiry
from mash.audit.models import AuditEvent
from tests.factories import contact_input, person_input

pytestmark = pytest.mark.django_db


def family_enquiry(hub_worker, manager):
    """A child, their mother, her partner and an unrelated lodger at one address."""
    contact = contact_services.contact_create(
        data=contact_input(
            subjects=[
                person_input(
                    given_name="Amy",
                    family_name="Smith",
                    nhs_number="9434765919",
                    address="1 Mill Lane, Leeds",
                    postcode="LS1 4AP",
                    aliases=[("Amelia", "Smith")],
                )
            ],
            narrative="SECRET-NARRATIVE about the family",
            referrer_name="SECRET-REFERRER",
        )
    )
    child = contact.subjects.get()
    home = Household.objects.create(postcode="LS1 4AP")
    HouseholdMember.objects.create(household=home, person=child)
    adults = {}
    for given, relationship in (("Kelly", "Mother"), ("Gary", "Mother's partner"), ("Lee", "")):
        adult = contact_services.person_create(given_name=given, family_name="Lane")
        HouseholdMember.objects.create(
            household=home, person=adult, related=False, relationship=relationship
        )
        adults[given] = adult
    contact_services.contact_recommend(
        contact=contact, user=hub_worker, outcome="MASH_ENQUIRY", rag="AMBER", rationale="x"
    )
    contact_services.contact_decide(
        contact=contact, manager=manager, outcome="MASH_ENQUIRY", rag="AMBER"
    )
    return Enquiry.objects.get(contact=contact), child, adults


def test_the_subjects_and_every_household_member_are_checked(hub_worker, manager):
    enquiry, child, adults = family_enquiry(hub_worker, manager)
    people = dict(enquiry.person_links.values_list("person_id", "is_subject"))
    assert people == {child.pk: True, **{adult.pk: False for adult in adults.values()}}


def test_the_hub_adds_and_removes_people_before_sending(
    hub_worker, manager, board_member, client_for
):
    enquiry, child, adults = family_enquiry(hub_worker, manager)
    uncle = contact_services.person_create(given_name="Barnaby", family_name="Quist")
    hub = client_for(hub_worker)
    page = hub.get(f"/enquiries/{enquiry.pk}/people/", {"find": "Barnaby Quist"}).content.decode()
    assert 'data-testid="found-people"' in page and "Barnaby Quist" in page
    added = hub.post(f"/enquiries/{enquiry.pk}/people/add/", {"person": uncle.pk})
    assert added.status_code == 302 and added["Location"] == f"/enquiries/{enquiry.pk}/people/"
    assert enquiry.person_links.filter(person=uncle, added_by=hub_worker).exists()
    again = hub.post(f"/enquiries/{enquiry.pk}/people/add/", {"person": uncle.pk})
    assert again.status_code == 400 and "already a person to check" in again.content.decode()

    removed = hub.post(f"/enquiries/{enquiry.pk}/people/remove/", {"person": adults["Lee"].pk})
    assert removed.status_code == 302
    assert not enquiry.person_links.filter(person=adults["Lee"]).exists()
    subject = hub.post(f"/enquiries/{enquiry.pk}/people/remove/", {"person": child.pk})
    assert subject.status_code == 400 and "always checked" in subject.content.decode()
    missing = hub.post(f"/enquiries/{enquiry.pk}/people/add/", {"person": 999999})
    assert missing.status_code == 400 and "search results" in missing.content.decode()
    names = [
        e.name for e in AuditEvent.objects.filter(name__startswith="enquiry.person_").order_by("pk")
    ]
    assert names == ["enquiry.person_added", "enquiry.person_removed"]

    # Outside the hub: 404, and nothing changes.
    outsider = client_for(board_member)
    assert outsider.post(f"/enquiries/{enquiry.pk}/people/add/", {"person": 1}).status_code == 404
    assert outsider.get(f"/enquiries/{enquiry.pk}/people/", {"find": "Quist"}).status_code == 404


def test_a_closed_enquiry_refuses_changes(hub_worker, manager, client_for):
    enquiry, child, adults = family_enquiry(hub_worker, manager)
    services.enquiry_recommend(
        enquiry=enquiry, user=hub_worker, outcome="NFA", final_rag="GREEN", rationale="x"
    )
    services.enquiry_decide(enquiry=enquiry, manager=manager, outcome="NFA", final_rag="GREEN")
    response = client_for(hub_worker).post(
        f"/enquiries/{enquiry.pk}/people/remove/", {"person": adults["Lee"].pk}
    )
    assert response.status_code == 409 and "closed" in response.content.decode()
    assert enquiry.person_links.filter(person=adults["Lee"]).exists()


def test_agencies_see_exactly_the_people_of_their_request(
    hub_worker, manager, agency_a, agency_b, researcher_a, researcher_b, client_for
):
    enquiry, child, adults = family_enquiry(hub_worker, manager)
    services.enquiry_remove_person(enquiry=enquiry, person=adults["Lee"], removed_by=hub_worker)
    people = [link.person for link in enquiry.person_links.all()]
    police = services.request_create(
        enquiry=enquiry,
        agency=agency_a,
        question="What do you hold?",
        people=people,
        requested_by=hub_worker,
    )
    # Added after the request was sent: not on it, not granted to the police.
    late = contact_services.person_create(given_name="Orla", family_name="Late")
    services.enquiry_add_person(enquiry=enquiry, person=late, added_by=hub_worker)
    assert set(police.people.all()) == {child, adults["Kelly"], adults["Gary"]}

    page = client_for(researcher_a).get(f"/requests/{police.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('data-testid="person"') == 3
    for shown in ("Amy Smith", "Amelia Smith", "Kelly Lane", "Gary Lane", "1 Mill Lane"):
        assert shown in html, shown
    assert "943 476 5919" in html
    for hidden in ("Lee Lane", "Orla Late", "SECRET-NARRATIVE", "SECRET-REFERRER"):
        assert hidden not in html, hidden

    assert client_for(researcher_b).get(f"/requests/{police.pk}/").status_code == 404
    assert client_for(researcher_a).get(f"/people/{late.pk}/").status_code == 404


def test_the_people_list_runs_the_same_queries_for_5_and_50(hub_worker, manager, client_for):
    enquiry, child, adults = family_enquiry(hub_worker, manager)
    hub = client_for(hub_worker)

    def add(count: int) -> None:
        for n in range(count):
            person = contact_services.person_create(given_name=f"Kin{n}", family_name="Many")
            services.enquiry_add_person(enquiry=enquiry, person=person, added_by=hub_worker)

    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            response = hub.get(f"/enquiries/{enquiry.pk}/people/")
        assert response.status_code == 200
        return len(captured), response.content.decode().count('data-testid="person-row"')

    add(1)  # 5 people
    few, rows = queries()
    assert rows == 5
    add(45)
    many, rows = queries()
    assert rows == 50 and few == many
