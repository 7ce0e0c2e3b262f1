"""Who sees what: a record granted to agency B is invisible (404) to agency A everywhere."""

import pytest

from contacts.selectors import people_visible_to
from mash.access import grant_to_agency, revoke_from_agency
from tests.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def person_granted_to_b(agency_b):
    person = PersonFactory(given_name="Kayla", family_name="Smith")
    grant_to_agency(obj=person, agency=agency_b, perm="contacts.view_person", reason="request")
    return person


def test_researcher_of_agency_a_gets_404_for_a_person_granted_only_to_agency_b(
    client_for, researcher_a, person_granted_to_b
):
    response = client_for(researcher_a).get(f"/people/{person_granted_to_b.pk}/")
    assert response.status_code == 404
    assert b"Kayla" not in response.content


def test_researcher_of_agency_a_gets_404_for_it_through_the_api(
    api_for, researcher_a, person_granted_to_b
):
    response = api_for(researcher_a).get(f"/api/v1/people/{person_granted_to_b.pk}/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "errors": {}}


def test_researcher_of_agency_a_does_not_find_it_in_the_api_list(
    api_for, researcher_a, person_granted_to_b
):
    response = api_for(researcher_a).get("/api/v1/people/")
    assert response.status_code == 200
    assert response.json()["results"] == []


def test_researcher_of_agency_b_sees_the_granted_person_through_the_api(
    client_for, api_for, researcher_b, person_granted_to_b
):
    detail = api_for(researcher_b).get(f"/api/v1/people/{person_granted_to_b.pk}/")
    assert detail.status_code == 200
    assert detail.json()["family_name"] == "Smith"
    # The hub's person page (contacts, merges) is not theirs: they see people on the request.
    assert client_for(researcher_b).get(f"/people/{person_granted_to_b.pk}/").status_code == 404
    listing = api_for(researcher_b).get("/api/v1/people/").json()["results"]
    assert [row["id"] for row in listing] == [person_granted_to_b.pk]


def test_revoking_the_grant_hides_the_person_again(researcher_b, agency_b, person_granted_to_b):
    assert people_visible_to(researcher_b).filter(pk=person_granted_to_b.pk).exists()
    revoke_from_agency(
        obj=person_granted_to_b, agency=agency_b, perm="contacts.view_person", reason="withdrawn"
    )
    assert not people_visible_to(researcher_b).filter(pk=person_granted_to_b.pk).exists()


def test_hub_staff_see_every_person(hub_worker, manager, person_granted_to_b):
    other = PersonFactory()
    for user in (hub_worker, manager):
        assert set(people_visible_to(user)) == {person_granted_to_b, other}


@pytest.mark.parametrize("persona", ["referrer", "board_member", "administrator"])
def test_roles_without_case_access_see_no_person(
    request, client_for, api_for, persona, person_granted_to_b
):
    user = request.getfixturevalue(persona)
    assert not people_visible_to(user).exists()
    assert client_for(user).get(f"/people/{person_granted_to_b.pk}/").status_code == 404
    assert api_for(user).get(f"/api/v1/people/{person_granted_to_b.pk}/").status_code == 404


def test_a_user_with_no_agency_or_role_sees_nothing(client_for, api_for, person_granted_to_b):
    no_agency = UserFactory(agency=None, role="hub_worker")
    no_role = UserFactory(role="")
    for user in (no_agency, no_role):
        assert not people_visible_to(user).exists()
        assert client_for(user).get(f"/people/{person_granted_to_b.pk}/").status_code == 404
        assert api_for(user).get("/api/v1/people/").status_code == 404


def test_staff_of_an_inactive_agency_see_nothing(hub_worker, hub_agency, person_granted_to_b):
    hub_agency.is_active = False
    hub_agency.save()
    hub_worker.refresh_from_db()
    assert not people_visible_to(hub_worker).exists()


def test_a_superuser_without_a_role_sees_no_case_records(person_granted_to_b):
    root = UserFactory(role="", is_superuser=True)
    assert not people_visible_to(root).exists()


def test_a_model_permission_alone_does_not_open_another_agencys_records(
    researcher_a, person_granted_to_b
):
    # Researchers hold contacts.view_person as a model permission through their role group;
    # only the object grant to their own agency may show a record.
    assert researcher_a.has_perm("contacts.view_person")
    assert not people_visible_to(researcher_a).exists()


def test_anonymous_is_sent_to_sign_in_and_the_api_answers_401(client, person_granted_to_b):
    page = client.get(f"/people/{person_granted_to_b.pk}/")
    assert page.status_code == 302
    assert page["Location"].startswith("/account/sign-in/")
    assert client.get("/api/v1/people/").status_code in (401, 403)


@pytest.mark.parametrize(
    ("persona", "path", "expected"),
    [
        ("hub_worker", "/people/", 200),
        ("manager", "/people/", 200),
        ("researcher_a", "/people/", 404),
        ("supervisor_a", "/people/", 404),
        ("referrer", "/people/", 404),
        ("board_member", "/people/", 404),
        ("administrator", "/people/", 404),
        ("hub_worker", "/staff/users/", 404),
        ("researcher_a", "/staff/users/", 404),
        ("board_member", "/staff/agencies/", 404),
        ("administrator", "/staff/users/", 200),
        ("administrator", "/staff/agencies/", 200),
    ],
)
def test_permission_table(request, client_for, persona, path, expected):
    user = request.getfixturevalue(persona)
    assert client_for(user).get(path).status_code == expected
