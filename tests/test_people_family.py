"""People and their families (issue 11, item 1): relationships with direction and type, the
household, address history, and hub staff correcting a person's details with the old values kept.
The person page shows it all, with open work and a link to the chronology, to hub staff only."""

from datetime import date

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contacts import services
from contacts.models import (
    Gender,
    Household,
    HouseholdMember,
    Person,
    PersonAddress,
    PersonCorrection,
    Relationship,
    RelationshipType,
)
from mash.audit.models import AuditEvent
from tests.factories import PersonFactory, contact_input

pytestmark = pytest.mark.django_db


@pytest.fixture
def mother(db):
    return PersonFactory(
        given_name="Sara", family_name="Hussain", gender=Gender.FEMALE, date_of_birth=None
    )


@pytest.fixture
def child(db):
    return PersonFactory(given_name="Amira", family_name="Hussain", gender=Gender.FEMALE)


# --- Relationships ---------------------------------------------------------------------------


def test_a_relationship_has_a_direction_and_is_recorded_once(mother, child, hub_worker):
    first, created = services.relationship_add(
        from_person=mother, to_person=child, kind=RelationshipType.PARENT, created_by=hub_worker
    )
    assert created and first.created_by == hub_worker
    again, created = services.relationship_add(
        from_person=mother, to_person=child, kind=RelationshipType.PARENT
    )
    assert again == first and not created
    # one that reads the same both ways is the same relationship from the other end
    sibling = PersonFactory()
    one, _ = services.relationship_add(from_person=child, to_person=sibling, kind="sibling")
    other, created = services.relationship_add(from_person=sibling, to_person=child, kind="sibling")
    assert other == one and not created
    assert Relationship.objects.count() == 2


def test_a_person_cannot_be_related_to_themselves(child):
    with pytest.raises(ValidationError) as error:
        services.relationship_add(from_person=child, to_person=child, kind="parent")
    assert set(error.value.message_dict) == {"to_person"}
    assert not Relationship.objects.exists()


def test_an_unknown_kind_is_refused_naming_it(mother, child):
    with pytest.raises(ValidationError) as error:
        services.relationship_add(from_person=mother, to_person=child, kind="cousin")
    assert set(error.value.message_dict) == {"kind"}


def test_nobody_becomes_their_own_ancestor(mother, child):
    grandmother = PersonFactory()
    services.relationship_add(from_person=grandmother, to_person=mother, kind="parent")
    services.relationship_add(from_person=mother, to_person=child, kind="step_parent")
    for kind in ("parent", "step_parent", "grandparent"):
        with pytest.raises(ValidationError) as error:
            services.relationship_add(from_person=child, to_person=grandmother, kind=kind)
        assert set(error.value.message_dict) == {"kind"}
    # other relationships make no chain
    services.relationship_add(from_person=child, to_person=grandmother, kind="other_relative")
    assert Relationship.objects.count() == 3


# --- Address history -------------------------------------------------------------------------


def test_a_new_address_closes_the_current_one_and_the_person_follows(child, hub_worker):
    contact = services.contact_create(data=contact_input())
    services.person_address_record(
        person=child, address="2 New Street", postcode="LS2 9JT", learnt_from=contact
    )
    child.refresh_from_db()
    assert (child.address, child.postcode) == ("2 New Street", "LS2 9JT")
    history = list(PersonAddress.objects.filter(person=child).order_by("id"))
    assert [(a.postcode, a.is_current) for a in history] == [("LS1 4AP", False), ("LS2 9JT", True)]
    assert history[0].date_to == history[1].date_from
    assert history[1].learnt_from == contact
    # the same address again changes nothing
    services.person_address_record(person=child, address="2 New  Street", postcode="ls29jt")
    assert PersonAddress.objects.filter(person=child).count() == 2


# --- Corrections -----------------------------------------------------------------------------


def test_a_correction_keeps_the_old_values_and_is_audited(child, hub_worker):
    child.nhs_number = ""
    child.save()
    corrections = services.person_correct(
        person=child,
        changes={"family_name": "Hussein", "nhs_number": "943 476 5919", "school": "Northfield"},
        reason="Spelling confirmed with the school.",
        corrected_by=hub_worker,
    )
    child.refresh_from_db()
    assert (child.family_name, child.nhs_number, child.school) == (
        "Hussein",
        "9434765919",
        "Northfield",
    )
    rows = {c.field: (c.old_value, c.new_value) for c in corrections}
    assert rows == {
        "family_name": ("Hussain", "Hussein"),
        "nhs_number": ("", "9434765919"),
        "school": ("", "Northfield"),
    }
    assert PersonCorrection.objects.filter(person=child, corrected_by=hub_worker).count() == 3
    assert AuditEvent.objects.filter(name="person.corrected").count() == 1
    entry = LogEntry.objects.get_for_object(child).order_by("-timestamp").first()
    assert "family_name" in entry.changes_dict


def test_a_corrected_address_replaces_the_current_history_entry(child, hub_worker):
    services.person_address_record(person=child, address="1 Wrong Road", postcode="LS1 4AP")
    services.person_correct(
        person=child,
        changes={"address": "1 Right Road"},
        reason="Typo",
        corrected_by=hub_worker,
    )
    current = PersonAddress.objects.get(person=child, is_current=True)
    assert current.address == "1 Right Road"
    assert PersonCorrection.objects.get(field="address").old_value == "1 Wrong Road"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"nhs_number": "1234567890"}, "nhs_number"),
        ({"upn": "X"}, "upn"),
        ({"postcode": "NOT A CODE"}, "postcode"),
        ({"given_name": ""}, "given_name"),
        ({"date_of_birth": date(2100, 1, 1)}, "date_of_birth"),
    ],
)
def test_a_bad_correction_names_the_field_and_changes_nothing(child, hub_worker, changes, field):
    before = Person.objects.filter(pk=child.pk).values().get()
    with pytest.raises(ValidationError) as error:
        services.person_correct(
            person=child, changes=changes, reason="Checked", corrected_by=hub_worker
        )
    assert field in error.value.message_dict
    assert Person.objects.filter(pk=child.pk).values().get() == before
    assert not PersonCorrection.objects.exists()


def test_a_correction_needs_a_reason(child, hub_worker):
    with pytest.raises(ValidationError) as error:
        services.person_correct(
            person=child, changes={"given_name": "Amy"}, reason=" ", corrected_by=hub_worker
        )
    assert set(error.value.message_dict) == {"reason"}


# --- The person page -------------------------------------------------------------------------


def _family(mother, child):
    partner = PersonFactory(given_name="Dean", family_name="Cole", gender=Gender.MALE)
    services.relationship_add(from_person=mother, to_person=child, kind="parent")
    services.relationship_add(from_person=partner, to_person=mother, kind="partner")
    household = Household.objects.create(address="12 Orchard Way", postcode="LS1 4AP")
    for person in (mother, child, partner):
        HouseholdMember.objects.create(household=household, person=person)
    services.person_address_record(person=child, address="12 Orchard Way", postcode="LS1 4AP")
    return partner


def test_the_person_page_shows_the_family_in_words(client_for, hub_worker, mother, child):
    partner = _family(mother, child)
    page = client_for(hub_worker).get(f"/people/{mother.pk}/").content.decode()
    assert "Mother of" in page and child.full_name in page
    assert "Partner of" in page and partner.full_name in page
    assert f'href="/people/{mother.pk}/chronology/"' in page
    assert "No open contacts or enquiries." in page
    page = client_for(hub_worker).get(f"/people/{child.pk}/").content.decode()
    assert "Daughter of" in page and mother.full_name in page
    assert "12 Orchard Way" in page and "Current" in page


def test_the_person_page_shows_open_work(client_for, hub_worker, child):
    data = contact_input(
        subjects=[
            services.PersonInput(
                given_name=child.given_name,
                family_name=child.family_name,
                date_of_birth=child.date_of_birth,
            )
        ]
    )
    contact = services.contact_create(data=data)
    page = client_for(hub_worker).get(f"/people/{child.pk}/").content.decode()
    assert f'href="/contacts/{contact.pk}/"' in page


def test_hub_staff_correct_details_on_the_person_page(client_for, hub_worker, child):
    browser = client_for(hub_worker)
    form = {
        f"correct-{name}": value
        for name, value in {
            "given_name": "Amira",
            "family_name": "Hussein",
            "date_of_birth": child.date_of_birth.isoformat(),
            "gender": child.gender,
            "ethnicity": child.ethnicity,
            "address": "",
            "postcode": child.postcode,
            "school": "",
            "nhs_number": "",
            "upn": "",
            "reason": "Birth certificate seen.",
        }.items()
    }
    response = browser.post(f"/people/{child.pk}/correct/", form)
    assert response.status_code == 302
    child.refresh_from_db()
    assert child.family_name == "Hussein"
    page = browser.get(f"/people/{child.pk}/").content.decode()
    assert "Birth certificate seen." in page and "Hussain" in page  # the old value is shown

    bad = {**form, "correct-nhs_number": "1234567890", "correct-family_name": "Other"}
    response = browser.post(f"/people/{child.pk}/correct/", bad)
    assert response.status_code == 400
    assert "Enter a valid 10-digit NHS number" in response.content.decode()
    assert 'href="#id_correct-nhs_number"' in response.content.decode()
    child.refresh_from_db()
    assert child.family_name == "Hussein"
    assert PersonCorrection.objects.count() == 1


@pytest.mark.parametrize("persona", ["researcher_a", "referrer", "board_member"])
def test_outsiders_get_404_on_the_person_page_and_correction(request, client_for, child, persona):
    browser = client_for(request.getfixturevalue(persona))
    assert browser.get(f"/people/{child.pk}/").status_code == 404
    assert browser.get(f"/people/{child.pk}/correct/").status_code == 404
    response = browser.post(
        f"/people/{child.pk}/correct/", {"correct-given_name": "X", "correct-reason": "x"}
    )
    assert response.status_code == 404
    child.refresh_from_db()
    assert child.given_name == "Amira"
    assert not PersonCorrection.objects.exists()


def _page_queries(browser, person) -> int:
    with CaptureQueriesContext(connection) as context:
        response = browser.get(f"/people/{person.pk}/")
    assert response.status_code == 200
    return len(context.captured_queries)


def _grow(person, n: int, hub_worker) -> None:
    household = Household.objects.create()
    HouseholdMember.objects.get_or_create(household=household, person=person)
    start = Relationship.objects.filter(from_person=person).count()
    for index in range(start, n):
        other = PersonFactory()
        services.relationship_add(
            from_person=person,
            to_person=other,
            kind=RelationshipType.PARENT if index % 2 else RelationshipType.CARER,
        )
        HouseholdMember.objects.create(household=household, person=other)
        services.person_address_record(
            person=person, address=f"{index} Long Lane", postcode="LS1 4AP"
        )
        PersonCorrection.objects.create(
            person=person,
            field="school",
            old_value=str(index),
            new_value=str(index + 1),
            reason="r",
            corrected_by=hub_worker,
            corrected_at=other.created_at,
        )


def test_the_person_page_costs_the_same_for_5_and_50_relationships(client_for, hub_worker, mother):
    browser = client_for(hub_worker)
    _grow(mother, 5, hub_worker)
    few = _page_queries(browser, mother)
    _grow(mother, 50, hub_worker)
    assert PersonAddress.objects.filter(person=mother).count() >= 50
    assert _page_queries(browser, mother) == few


# --- The API ---------------------------------------------------------------------------------


def test_the_api_gives_hub_staff_the_family(api_for, hub_worker, mother, child):
    partner = _family(mother, child)
    response = api_for(hub_worker).get(f"/api/v1/people/{child.pk}/family/")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert {m["person"]["id"] for m in body["household"]} == {mother.pk, partner.pk}
    assert body["relationships"] == [
        {
            "type": "parent",
            "direction": "to",
            "words": "Daughter of",
            "person": {
                "id": mother.pk,
                "given_name": "Sara",
                "family_name": "Hussain",
                "date_of_birth": None,
            },
            "learnt_from": None,
        }
    ]
    assert [a["is_current"] for a in body["addresses"]] == [True, False]


@pytest.mark.parametrize("persona", ["researcher_a", "referrer", "board_member"])
def test_outsiders_get_404_for_the_family(request, api_for, child, persona):
    api = api_for(request.getfixturevalue(persona))
    assert api.get(f"/api/v1/people/{child.pk}/family/").status_code == 404


def test_the_family_endpoint_costs_the_same_for_5_and_50(api_for, hub_worker, mother):
    api = api_for(hub_worker)

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert api.get(f"/api/v1/people/{mother.pk}/family/").status_code == 200
        return len(context.captured_queries)

    _grow(mother, 5, hub_worker)
    few = queries()
    _grow(mother, 50, hub_worker)
    assert queries() == few


def test_a_contact_giving_only_the_postcode_moves_nobody(child):
    services.person_address_record(person=child, address="12 Orchard Way", postcode="LS1 4AP")
    services.person_address_record(person=child, address="", postcode="ls1 4ap")
    child.refresh_from_db()
    assert (child.address, child.postcode) == ("12 Orchard Way", "LS1 4AP")
    assert PersonAddress.objects.filter(person=child, is_current=True).count() == 1
    services.person_address_record(person=child, address="", postcode="LS2 9JT")
    child.refresh_from_db()
    assert (child.address, child.postcode) == ("", "LS2 9JT")
    assert PersonAddress.objects.filter(person=child).count() == 3
