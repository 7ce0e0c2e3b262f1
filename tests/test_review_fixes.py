"""Rules found by review: admin user changes keep the access rules, odd input is not a 500,
every page that shows a record is audited, lists of people are audited, administrators do not
read the audit trail (it names people)."""

import pytest

from agencies.models import User
from agencies.roles import Role
from mash.audit.models import AuditEvent
from tests.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_admin_refuses_a_hub_role_for_a_partner_agency_user(client, researcher_a):
    root = UserFactory(username="root", role=Role.ADMINISTRATOR, is_superuser=True)
    client.force_login(root, backend="django.contrib.auth.backends.ModelBackend")
    page = client.get(f"/admin/agencies/user/{researcher_a.pk}/change/")
    data = {
        key: value
        for key, value in page.context["adminform"].form.initial.items()
        if value is not None and key not in ("password", "groups", "user_permissions")
    }
    data.update({"role": Role.HUB_MANAGER, "agency": researcher_a.agency_id})
    data["date_joined_0"], data["date_joined_1"] = "2026-01-01", "09:00:00"
    response = client.post(f"/admin/agencies/user/{researcher_a.pk}/change/", data)
    assert response.status_code == 200
    assert "Hub roles are for staff of" in response.content.decode()
    researcher_a.refresh_from_db()
    assert researcher_a.role == Role.AGENCY_RESEARCHER


def test_an_administrator_cannot_promote_or_deactivate_themselves(client_for, administrator):
    client = client_for(administrator)
    response = client.post(
        f"/staff/users/{administrator.pk}/",
        {
            "first_name": "A",
            "last_name": "B",
            "email": "a@example.org",
            "job_title": "",
            "agency": administrator.agency_id,
            "role": Role.HUB_MANAGER,
        },
    )
    assert response.status_code == 200
    assert "You cannot change your own role" in response.content.decode()
    client.post(f"/staff/users/{administrator.pk}/deactivate/", {"reason": "bored"})
    administrator.refresh_from_db()
    assert (administrator.role, administrator.is_active) == (Role.ADMINISTRATOR, True)


@pytest.mark.parametrize(
    "url", ["/staff/users/?agency=%C2%B2", "/staff/users/?q=a%00b", "/staff/users/?agency=9" * 1]
)
def test_odd_query_strings_are_not_server_errors(client_for, administrator, url):
    assert client_for(administrator).get(url).status_code == 200


def test_administrators_do_not_read_the_audit_trail(client_for, administrator):
    client = client_for(administrator)
    assert client.get("/admin/audit/auditevent/").status_code == 403
    assert client.get("/admin/auditlog/logentry/").status_code == 403
    assert User.objects.get(pk=administrator.pk).is_staff


def test_a_refused_form_still_audits_the_view_of_the_record(client_for, hub_worker):
    from auditlog.models import LogEntry

    person = PersonFactory()
    client_for(hub_worker).post(f"/people/{person.pk}/merge/", {})
    assert LogEntry.objects.filter(
        object_pk=str(person.pk), action=LogEntry.Action.ACCESS, actor=hub_worker
    ).exists()


def test_agency_staff_use_the_request_page_not_the_hubs_person_page(client_for, researcher_a):
    from mash.access import grant_to_agency

    person = PersonFactory()
    grant_to_agency(obj=person, agency=researcher_a.agency, perm="contacts.view_person")
    assert client_for(researcher_a).get(f"/people/{person.pk}/").status_code == 404


def test_lists_and_searches_of_people_are_audited(client_for, api_for, hub_worker):
    PersonFactory(given_name="Ann", family_name="Lee")
    client_for(hub_worker).get("/people/", {"q": "lee"})
    api_for(hub_worker).get("/api/v1/people/")
    listed = AuditEvent.objects.filter(name="records.listed", actor=hub_worker)
    assert listed.count() == 2
    assert listed.first().data["model"] == "contacts.person"
