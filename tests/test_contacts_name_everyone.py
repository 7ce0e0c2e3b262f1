"""Contacts name everyone (issue 11, item 2): besides its subjects a contact names parents,
carers, siblings, partners, other adults in the home and any alleged perpetrator. Each is
matched (saying why) or created like a subject, linked with their role in the concern, and the
relationships named are stored, learnt from the contact. The address given is kept on the
contact and in the person's address history, also when the child matches an existing record."""

from datetime import timedelta

import pytest
from django.utils import timezone

from contacts.models import (
    Contact,
    ContactSubject,
    HouseholdMember,
    MatchReason,
    Person,
    PersonAddress,
    Relationship,
)
from mash.idempotency.models import ReplayFingerprint
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

CONTACTS = "/api/v1/contacts/"
BATCH = "/api/v1/contacts/batch/"
ADDRESS = "12 Orchard Way, Leeds"
POSTCODE = "LS1 4AP"


def family_item(**overrides) -> dict:
    """Two children, their mother, her partner (alleged perpetrator) and a lodger."""
    values = {
        "source": "6",
        "channel": "police_notification",
        "external_reference": "PPN-FAM-1",
        "referrer_name": "PC Patel",
        "subjects": [
            {
                "given_name": "Amira",
                "family_name": "Hussain",
                "date_of_birth": "2017-05-04",
                "address": ADDRESS,
                "postcode": POSTCODE,
            },
            {
                "given_name": "Zain",
                "family_name": "Hussain",
                "date_of_birth": "2019-02-11",
                "address": ADDRESS,
                "postcode": POSTCODE,
            },
        ],
        "people": [
            {
                "given_name": "Sara",
                "family_name": "Hussain",
                "date_of_birth": "1990-03-01",
                "gender": "2",
                "role": "parent_carer",
                "relationship": {"to_subject": 0, "type": "parent"},
            },
            {
                "given_name": "Dean",
                "family_name": "Cole",
                "role": "alleged_perpetrator",
                "relationship": {"to_person": 0, "type": "partner"},
            },
            {
                "given_name": "Tom",
                "family_name": "Lodge",
                "role": "other",
                "relationship": {"to_subject": 0, "type": "unrelated_household_member"},
            },
        ],
        "concerns": ["domestic_abuse"],
        "narrative": "Police attended a domestic incident; both children were present.",
        "consent": "not_given",
        "consent_detail": "Shared under Children Act 1989 s.47 duties.",
        "received_at": (timezone.now() - timedelta(hours=1)).isoformat(),
    }
    values.update(overrides)
    return values


def nothing_stored() -> bool:
    return not (
        Contact.objects.exists()
        or Person.objects.exists()
        or Relationship.objects.exists()
        or PersonAddress.objects.exists()
    )


def assert_family_recorded(contact: Contact) -> None:
    assert Person.objects.count() == 5
    subjects = {link.person.given_name for link in contact.subject_links.all()}
    assert subjects == {"Amira", "Zain"}  # subjects still mean the children alone
    roles = {link.person.given_name: link.role for link in contact.person_links.all()}
    assert roles == {"Sara": "parent_carer", "Dean": "alleged_perpetrator", "Tom": "other"}
    kinds = {
        (r.from_person.given_name, r.kind, r.to_person.given_name): r.learnt_from_id
        for r in Relationship.objects.select_related("from_person", "to_person")
    }
    assert kinds == {
        ("Sara", "parent", "Amira"): contact.pk,
        ("Dean", "partner", "Sara"): contact.pk,
        ("Tom", "unrelated_household_member", "Amira"): contact.pk,
    }
    # the household holds everyone at the address, the lodger as unrelated
    household = HouseholdMember.objects.get(person__given_name="Amira").household
    members = {m.person.given_name: m.related for m in household.members.select_related("person")}
    assert members == {"Amira": True, "Zain": True, "Sara": True, "Dean": True, "Tom": False}
    # the address is on the contact and in the children's history
    link = ContactSubject.objects.get(contact=contact, person__given_name="Amira")
    assert (link.address, link.postcode) == (ADDRESS, POSTCODE)
    history = PersonAddress.objects.get(person=link.person)
    assert history.is_current and history.learnt_from_id == contact.pk


def test_the_api_records_everyone_a_contact_names(api_for, hub_worker):
    response = api_for(hub_worker).post(CONTACTS, family_item(), format="json")
    assert response.status_code == 201, response.json()
    assert_family_recorded(Contact.objects.get())


def test_a_batch_records_everyone_and_replays_as_one(api_for, supervisor_a):
    api = api_for(supervisor_a)
    items = [family_item(), family_item(external_reference="PPN-FAM-2")]
    first = api.post(BATCH, {"items": items}, format="json")
    assert first.status_code == 201, first.json()
    again = api.post(BATCH, {"items": items}, format="json")
    assert again.status_code == 200, again.json()
    assert Contact.objects.count() == 2
    # the second item matched the children and their mother (name and date of birth); the
    # partner and the lodger, named without a date of birth, cannot be recognised: new records
    assert Person.objects.count() == 7
    second = Contact.objects.get(external_reference="PPN-FAM-2")
    assert second.person_links.get(person__given_name="Sara").match_reason == (
        MatchReason.NAME_AND_DATE_OF_BIRTH
    )
    # the same reference with other people is different content: a conflict, not a drop
    changed = family_item(external_reference="PPN-FAM-2")
    changed["people"][2]["role"] = "witness"
    conflict = api.post(BATCH, {"items": [changed]}, format="json")
    assert conflict.status_code == 409
    assert ReplayFingerprint.objects.count() == 2


def test_an_item_without_people_fingerprints_as_before(hub_agency):
    from contacts.services.intake import intake_digest
    from tests.factories import contact_input

    data = contact_input(external_reference="X")
    assert data.people == []
    from dataclasses import asdict

    from mash.idempotency.locks import content_digest

    content = asdict(data)
    for name in ("received_at", "batch_references", "people"):
        content.pop(name)
    content["referring_agency"] = None
    content["external_reference"] = "X"
    content["concerns"] = sorted(set(data.concerns))
    assert intake_digest(data) == content_digest(content)


def _with_person(index: int, **changes) -> dict:
    body = family_item()
    person = body["people"][index]
    relationship = changes.pop("relationship", None)
    if relationship is not None:
        person["relationship"] = relationship
    person.update(changes)
    return body


BAD_PEOPLE = [
    (
        _with_person(0, relationship={"to_subject": 0, "type": "cousin"}),
        "people[0].relationship.type",
    ),
    (_with_person(1, role="bystander"), "people[1].role"),
    (
        _with_person(1, relationship={"to_person": 1, "type": "partner"}),
        "people[1].relationship.to_person",
    ),
    (
        _with_person(0, relationship={"to_subject": 5, "type": "parent"}),
        "people[0].relationship.to_subject",
    ),
    (_with_person(0, nhs_number="1234567890"), "people[0].nhs_number"),
]


@pytest.mark.parametrize(("body", "field"), BAD_PEOPLE)
def test_bad_people_are_refused_naming_the_field(api_for, hub_worker, body, field):
    response = api_for(hub_worker).post(CONTACTS, body, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"], response.json()
    assert nothing_stored()


@pytest.mark.parametrize(("body", "field"), BAD_PEOPLE)
def test_bad_people_in_a_batch_name_the_item(api_for, hub_worker, body, field):
    items = [family_item(external_reference="OK"), body]
    response = api_for(hub_worker).post(BATCH, {"items": items}, format="json")
    assert response.status_code == 400
    assert f"items[1].{field}" in response.json()["errors"], response.json()
    assert nothing_stored()


def test_a_cycle_of_parents_is_refused_naming_the_field(api_for, hub_worker):
    # Amira is already recorded as Sara's parent: Sara cannot be Amira's parent too.
    api = api_for(hub_worker)
    body = family_item(external_reference="FIRST", people=[])
    body["subjects"] = body["subjects"][:1]
    body["people"] = [
        {
            "given_name": "Sara",
            "family_name": "Hussain",
            "date_of_birth": "1990-03-01",
            "role": "other",
            "relationship": {"to_subject": 0, "type": "grandparent"},
        }
    ]
    assert api.post(CONTACTS, body, format="json").status_code == 201
    amira = Person.objects.get(given_name="Amira")
    sara = Person.objects.get(given_name="Sara")
    before = (Contact.objects.count(), Relationship.objects.count(), Person.objects.count())
    cyclic = family_item(external_reference="SECOND")
    cyclic["subjects"] = [
        cyclic["subjects"][0] | {"given_name": "Sara", "date_of_birth": "1990-03-01"}
    ]
    cyclic["people"] = [
        {
            "given_name": "Amira",
            "family_name": "Hussain",
            "date_of_birth": "2017-05-04",
            "role": "other",
            "relationship": {"to_subject": 0, "type": "parent"},
        }
    ]
    response = api.post(CONTACTS, cyclic, format="json")
    assert response.status_code == 400, response.json()
    assert "people[0].relationship.type" in response.json()["errors"]
    assert (Contact.objects.count(), Relationship.objects.count(), Person.objects.count()) == before
    assert Relationship.objects.get().from_person == sara
    assert amira.relationships_from.count() == 0


def test_a_named_person_who_is_a_subject_is_refused(api_for, hub_worker):
    body = family_item()
    body["people"][0] = {**body["subjects"][1], "role": "victim"}
    response = api_for(hub_worker).post(CONTACTS, body, format="json")
    assert response.status_code == 400
    assert "people[0].given_name" in response.json()["errors"]
    assert nothing_stored()


def test_the_address_is_kept_when_the_child_matches_an_existing_record(api_for, hub_worker):
    child = PersonFactory(
        given_name="Amira",
        family_name="Hussain",
        date_of_birth="2017-05-04",
        address="1 Old Road",
        postcode="LS2 9JT",
    )
    response = api_for(hub_worker).post(CONTACTS, family_item(), format="json")
    assert response.status_code == 201, response.json()
    contact = Contact.objects.get()
    link = contact.subject_links.get(person=child)
    assert link.match_reason == MatchReason.NAME_AND_DATE_OF_BIRTH
    assert (link.address, link.postcode) == (ADDRESS, POSTCODE)
    child.refresh_from_db()
    assert (child.address, child.postcode) == (ADDRESS, POSTCODE)
    history = list(child.addresses.order_by("id").values_list("postcode", "is_current"))
    assert history == [("LS2 9JT", False), (POSTCODE, True)]


def test_the_schema_documents_people(api_for, hub_worker):
    schema = api_for(hub_worker).get("/api/schema/").content.decode()
    assert "NamedPersonIntake" in schema and "to_subject" in schema


# --- The hub's "Record a contact" form --------------------------------------------------------


def hub_form(**overrides) -> dict:
    data = {
        "channel": "phone",
        "source": "2A",
        "referring_agency": "",
        "received_date": "",
        "received_time": "",
        "referrer_name": "Ms Jones",
        "referrer_role": "DSL",
        "referrer_organisation": "Northfield Primary",
        "referrer_phone": "0113 000 0000",
        "referrer_email": "",
        "concerns": ["domestic_abuse"],
        "narrative": "Amira said mum's boyfriend hit mum last night; Zain saw it.",
        "consent": "given",
        "consent_detail": "",
        "subject-TOTAL_FORMS": "3",
        "subject-INITIAL_FORMS": "0",
        "subject-MIN_NUM_FORMS": "1",
        "subject-MAX_NUM_FORMS": "3",
        "subject-0-given_name": "Amira",
        "subject-0-family_name": "Hussain",
        "subject-0-date_of_birth": "2017-05-04",
        "subject-0-address": ADDRESS,
        "subject-0-postcode": "ls1 4ap",
        "subject-1-given_name": "Zain",
        "subject-1-family_name": "Hussain",
        "subject-1-date_of_birth": "2019-02-11",
        "subject-1-address": ADDRESS,
        "subject-1-postcode": POSTCODE,
        "other-TOTAL_FORMS": "6",
        "other-INITIAL_FORMS": "0",
        "other-MIN_NUM_FORMS": "0",
        "other-MAX_NUM_FORMS": "6",
        "other-0-given_name": "Sara",
        "other-0-family_name": "Hussain",
        "other-0-date_of_birth": "1990-03-01",
        "other-0-role": "parent_carer",
        "other-0-relationship_type": "parent",
        "other-0-related_to": "subject-0",
        "other-0-in_household": "on",
        "other-1-given_name": "Dean",
        "other-1-family_name": "Cole",
        "other-1-role": "alleged_perpetrator",
        "other-1-relationship_type": "partner",
        "other-1-related_to": "other-0",
        "other-1-in_household": "on",
        "other-2-given_name": "Tom",
        "other-2-family_name": "Lodge",
        "other-2-role": "other",
        "other-2-relationship_type": "unrelated_household_member",
        "other-2-related_to": "subject-0",
        "other-2-in_household": "on",
    }
    data.update(overrides)
    return data


def test_the_hub_form_records_five_people_and_a_second_contact_matches_the_mother(
    client_for, hub_worker
):
    from tests.forms import submission_token

    browser = client_for(hub_worker)
    page = browser.get("/contacts/new/").content.decode()
    assert "Everyone else the contact names" in page and 'name="other-0-role"' in page
    response = browser.post(
        "/contacts/new/", hub_form() | submission_token(hub_worker, "record_contact")
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    first = Contact.objects.get()
    assert_family_recorded(first)
    sara = Person.objects.get(given_name="Sara")

    second_form = hub_form(
        narrative="Second call about Amira.",
        **{
            "subject-1-given_name": "",
            "subject-1-family_name": "",
            "subject-1-date_of_birth": "",
            "subject-1-address": "",
            "subject-1-postcode": "",
            "other-1-given_name": "",
            "other-1-family_name": "",
            "other-1-role": "",
            "other-1-relationship_type": "",
            "other-1-related_to": "",
            "other-2-given_name": "",
            "other-2-family_name": "",
            "other-2-role": "",
            "other-2-relationship_type": "",
            "other-2-related_to": "",
        },
    )
    response = browser.post(
        "/contacts/new/", second_form | submission_token(hub_worker, "record_contact")
    )
    assert response.status_code == 302
    second = Contact.objects.exclude(pk=first.pk).get()
    link = second.person_links.get()
    assert link.person == sara and link.match_reason == MatchReason.NAME_AND_DATE_OF_BIRTH
    assert Person.objects.count() == 5
    page = browser.get(f"/contacts/{second.pk}/").content.decode()
    assert "Same name and date of birth" in page and "Parent or carer" in page
    # the relationship is not stored twice
    assert Relationship.objects.filter(from_person=sara, kind="parent").count() == 1


def test_the_hub_form_names_a_bad_person_field_and_stores_nothing(client_for, hub_worker):
    from tests.forms import submission_token

    browser = client_for(hub_worker)
    cases = [
        ({"other-1-role": ""}, "Choose the role of other person 2 in the concern"),
        ({"other-1-related_to": "other-4"}, "There is nobody in that part of the form"),
        ({"other-1-related_to": "other-1"}, "A person cannot be related to themselves"),
        ({"other-0-relationship_type": ""}, "Choose how other person 1 is related"),
        ({"other-0-nhs_number": "1234567890"}, "Enter a valid 10-digit NHS number"),
    ]
    for overrides, message in cases:
        response = browser.post(
            "/contacts/new/", hub_form(**overrides) | submission_token(hub_worker, "record_contact")
        )
        assert response.status_code == 400, overrides
        assert message in response.content.decode(), overrides
        assert nothing_stored()


# --- The MARF ---------------------------------------------------------------------------------


def _marf_other(index: int, **values) -> dict:
    data = {"in_household": "yes", "date_of_birth-day": "", "date_of_birth-month": ""}
    data["date_of_birth-year"] = ""
    data.update(values)
    return {f"other-{index}-{name}": value for name, value in data.items()}


def _send_family_marf(client, user, *, others: list[dict], people) -> Contact:
    from tests.forms import submission_token
    from tests.test_marf import ABOUT, CONCERN, CONSENT, people_post

    assert client.post("/marf/about-you/", ABOUT).status_code == 302
    assert client.post("/marf/people/", people_post(*people)).status_code == 302
    assert client.post("/marf/concern/", CONCERN).status_code == 302
    page = client.get("/marf/household/").content.decode()
    assert 'name="other-0-role"' in page and "Amira Hussain" in page
    household = {"other_family": "", "others-count": str(len(others)), "action": "continue"}
    for row in others:
        household.update(row)
    response = client.post("/marf/household/", household)
    assert response.status_code == 302, response.content.decode()[:4000]
    assert client.post("/marf/consent/", CONSENT).status_code == 302
    check = client.get("/marf/check/").content.decode()
    assert "Other person 1" in check
    response = client.post("/marf/check/", submission_token(user, "marf"))
    assert response.status_code == 302, response.content.decode()[:4000]
    return Contact.objects.order_by("-pk").first()


def _children():
    from tests.test_marf import person

    amira = person(
        0,
        given_name="Amira",
        family_name="Hussain",
        born="4 5 2017",
        address=ADDRESS,
        postcode=POSTCODE,
    )
    zain = person(1, given_name="Zain", family_name="Hussain", born="11 2 2019", address=ADDRESS)
    return amira, zain


FAMILY_OTHERS = [
    _marf_other(
        0,
        given_name="Sara",
        family_name="Hussain",
        **{"date_of_birth-day": "1", "date_of_birth-month": "3", "date_of_birth-year": "1990"},
        relationship_type="parent",
        related_to="subject-0",
        role="parent_carer",
    ),
    # a blank row in between is nobody, and the rows after it are renumbered
    _marf_other(1, given_name="", family_name="", role="", in_household=""),
    _marf_other(
        2,
        given_name="Dean",
        family_name="Cole",
        relationship_type="partner",
        related_to="other-0",
        role="alleged_perpetrator",
    ),
    _marf_other(
        3,
        given_name="Tom",
        family_name="Lodge",
        relationship_type="unrelated_household_member",
        related_to="subject-0",
        role="other",
    ),
]


def test_a_marf_names_five_people_and_a_second_marf_matches_the_mother(
    client_for, referrer, hub_worker
):
    browser = client_for(referrer)
    first = _send_family_marf(browser, referrer, others=FAMILY_OTHERS, people=_children())
    assert_family_recorded(first)
    assert [p["given_name"] for p in first.marf.answers["household"]["people"]] == [
        "Sara",
        "Dean",
        "Tom",
    ]
    sara = Person.objects.get(given_name="Sara")

    amira, _zain = _children()
    second = _send_family_marf(browser, referrer, others=FAMILY_OTHERS[:1], people=[amira])
    assert second.pk != first.pk
    link = second.person_links.get()
    assert link.person == sara and link.match_reason == MatchReason.NAME_AND_DATE_OF_BIRTH
    assert Person.objects.count() == 5
    page = client_for(hub_worker).get(f"/contacts/{second.pk}/").content.decode()
    assert "Same name and date of birth" in page and "Sara Hussain" in page
    # the referrer is told nothing of the hub's records
    mine = browser.get(f"/marfs/{second.pk}/").content.decode()
    assert "Same name and date of birth" not in mine


def test_a_marf_person_related_to_nobody_is_named_on_the_household_page(client_for, referrer):
    from tests.test_marf import ABOUT, CONCERN, marf_draft, people_post

    browser = client_for(referrer)
    amira, _zain = _children()
    browser.post("/marf/about-you/", ABOUT)
    browser.post("/marf/people/", people_post(amira))
    browser.post("/marf/concern/", CONCERN)
    bad = {"other_family": "", "others-count": "2", "action": "continue"}
    bad |= _marf_other(0, given_name="Dean", family_name="Cole", role="alleged_perpetrator")
    bad |= _marf_other(1, given_name="Sara", family_name="Hussain", role="villain")
    bad |= {"other-0-relationship_type": "partner", "other-0-related_to": "other-5"}
    response = browser.post("/marf/household/", bad)
    assert response.status_code == 400
    body = response.content.decode()
    assert 'href="#id_other-1-role"' in body
    assert "household" not in marf_draft(referrer)
    assert nothing_stored()
