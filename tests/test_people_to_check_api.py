"""People to check through the API: the hub adds someone found by the people search and takes
someone off before sending, with the same rules as the page; everyone else gets 404."""

import pytest

from contacts import services as contact_services
from enquiries import services
from mash.audit.models import AuditEvent
from tests.test_people_to_check import family_enquiry

pytestmark = pytest.mark.django_db


def people_of(body: dict) -> dict[str, bool]:
    return {f"{p['given_name']} {p['family_name']}": p["is_subject"] for p in body["people"]}


def test_the_hub_adds_and_removes_people_through_the_api(hub_worker, manager, api_for):
    enquiry, child, adults = family_enquiry(hub_worker, manager)
    uncle = contact_services.person_create(given_name="Barnaby", family_name="Quist")
    api = api_for(hub_worker)
    url = f"/api/v1/enquiries/{enquiry.pk}/people/"

    found = api.get("/api/v1/people/search/", {"q": "Barnaby Quist"}).json()
    assert [row["id"] for row in found["results"]] == [uncle.pk]
    version = api.get(f"/api/v1/enquiries/{enquiry.pk}/").json()["version"]

    added = api.post(url, {"person": uncle.pk, "version": version}, format="json")
    assert added.status_code == 200, added.content
    assert people_of(added.json())["Barnaby Quist"] is False
    assert added.json()["version"] == version + 1

    removed = api.delete(f"{url}{adults['Lee'].pk}/?version={version + 1}")
    assert removed.status_code == 200, removed.content
    assert "Lee Lane" not in people_of(removed.json())
    assert set(people_of(removed.json())) == {
        "Amy Smith",
        "Kelly Lane",
        "Gary Lane",
        "Barnaby Quist",
    }

    events = AuditEvent.objects.filter(name__startswith="enquiry.person_").order_by("pk")
    assert [(e.name, e.data["person"]) for e in events] == [
        ("enquiry.person_added", uncle.pk),
        ("enquiry.person_removed", adults["Lee"].pk),
    ]


def test_bad_input_names_the_field_and_changes_nothing(hub_worker, manager, api_for):
    enquiry, child, adults = family_enquiry(hub_worker, manager)
    api = api_for(hub_worker)
    url = f"/api/v1/enquiries/{enquiry.pk}/people/"
    before = set(enquiry.person_links.values_list("person_id", flat=True))

    for body, field, words in (
        ({}, "person", "Give the id"),
        ({"person": "Kelly"}, "person", "whole number"),
        ({"person": 999999}, "person", "No person has this id"),
        ({"person": adults["Kelly"].pk}, "person", "already a person to check"),
        ({"person": adults["Kelly"].pk, "version": "x"}, "version", "valid integer"),
    ):
        response = api.post(url, body, format="json")
        assert response.status_code == 400, body
        assert words in " ".join(response.json()["errors"][field]), response.json()

    subject = api.delete(f"{url}{child.pk}/")
    assert subject.status_code == 400
    assert "always checked" in " ".join(subject.json()["errors"]["person"])
    stranger = contact_services.person_create(given_name="Nobody", family_name="Here")
    not_on = api.delete(f"{url}{stranger.pk}/")
    assert not_on.status_code == 400 and "person" in not_on.json()["errors"]
    bad_version = api.delete(f"{url}{adults['Lee'].pk}/?version=0")
    assert bad_version.status_code == 400 and "version" in bad_version.json()["errors"]

    stale = api.delete(f"{url}{adults['Lee'].pk}/?version={enquiry.version + 5}")
    assert stale.status_code == 409
    assert "changed by someone else" in stale.json()["detail"]
    assert stale.json()["current"]["id"] == enquiry.pk
    assert set(enquiry.person_links.values_list("person_id", flat=True)) == before


def test_a_closed_enquiry_answers_409(hub_worker, manager, api_for):
    enquiry, child, adults = family_enquiry(hub_worker, manager)
    services.enquiry_recommend(
        enquiry=enquiry, user=hub_worker, outcome="NFA", final_rag="GREEN", rationale="x"
    )
    services.enquiry_decide(enquiry=enquiry, manager=manager, outcome="NFA", final_rag="GREEN")
    response = api_for(hub_worker).delete(
        f"/api/v1/enquiries/{enquiry.pk}/people/{adults['Lee'].pk}/"
    )
    assert response.status_code == 409 and "closed" in response.json()["detail"]
    assert enquiry.person_links.filter(person=adults["Lee"]).exists()


@pytest.mark.parametrize(
    "persona", ["researcher_a", "supervisor_a", "referrer", "board_member", "administrator"]
)
def test_everyone_outside_the_hub_gets_404(request, persona, hub_worker, manager, api_for):
    enquiry, child, adults = family_enquiry(hub_worker, manager)
    api = api_for(request.getfixturevalue(persona))
    url = f"/api/v1/enquiries/{enquiry.pk}/people/"
    assert api.post(url, {"person": adults["Lee"].pk}, format="json").status_code == 404
    assert api.delete(f"{url}{adults['Lee'].pk}/").status_code == 404
    assert enquiry.person_links.count() == 4
