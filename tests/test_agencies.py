"""Agencies, users and roles: groups follow the role and agency; administrators manage them."""

import pytest
from django.contrib.auth.models import Group

from agencies.models import Agency, User
from agencies.roles import ROLE_PERMISSIONS, Role, role_group_name
from agencies.services import user_create
from mash.audit.models import AuditEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_every_role_has_a_group_with_exactly_its_permissions():
    for role in Role:
        group = Group.objects.get(name=role_group_name(role))
        held = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        assert held == ROLE_PERMISSIONS[role]


def test_each_agency_has_its_own_group(agency_a, agency_b):
    assert agency_a.group != agency_b.group
    assert agency_a.group.name == "agency:police"


def test_a_users_groups_follow_role_and_agency(researcher_a, agency_b):
    names = set(researcher_a.groups.values_list("name", flat=True))
    assert names == {"role:agency_researcher", "agency:police"}
    researcher_a.agency = agency_b
    researcher_a.role = Role.AGENCY_SUPERVISOR
    researcher_a.save()
    names = set(researcher_a.groups.values_list("name", flat=True))
    assert names == {"role:agency_supervisor", "agency:health"}


def test_a_deactivated_user_leaves_every_group(researcher_a):
    researcher_a.is_active = False
    researcher_a.save()
    assert not researcher_a.groups.exists()


def test_only_administrators_are_admin_site_staff(administrator, hub_worker):
    assert administrator.is_staff
    assert not hub_worker.is_staff


def test_hub_roles_belong_to_social_care(agency_a):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        user_create(
            username="x",
            password="purple tractor breakfast",
            agency=agency_a,
            role=Role.HUB_WORKER,
        )
    assert "role" in error.value.message_dict


class TestStaffPages:
    def test_administrator_adds_a_user_who_can_then_sign_in(
        self, client_for, administrator, agency_a
    ):
        client = client_for(administrator)
        response = client.post(
            "/staff/users/new/",
            {
                "username": "new.researcher",
                "first_name": "Nia",
                "last_name": "Cole",
                "email": "nia@example.org",
                "agency": agency_a.pk,
                "role": Role.AGENCY_RESEARCHER,
                "password": "lantern orchard seventy",
            },
        )
        assert response.status_code == 302
        user = User.objects.get(username="new.researcher")
        assert (user.agency, user.role) == (agency_a, Role.AGENCY_RESEARCHER)
        assert AuditEvent.objects.filter(name="user.created", object_pk=str(user.pk)).exists()
        from django.test import Client

        signed_in = Client().post(
            "/account/sign-in/",
            {"username": "new.researcher", "password": "lantern orchard seventy"},
        )
        assert signed_in.status_code == 302

    def test_a_weak_password_and_missing_fields_are_named_and_nothing_is_stored(
        self, client_for, administrator
    ):
        response = client_for(administrator).post(
            "/staff/users/new/", {"username": "weak", "password": "password"}
        )
        assert response.status_code == 200
        content = response.content.decode()
        assert "There is a problem" in content
        assert "This password is too short" in content or "too common" in content
        assert 'href="#id_agency"' in content
        assert 'href="#id_role"' in content
        assert not User.objects.filter(username="weak").exists()

    def test_administrator_changes_a_users_role(self, client_for, administrator, hub_worker):
        response = client_for(administrator).post(
            f"/staff/users/{hub_worker.pk}/",
            {
                "first_name": hub_worker.first_name,
                "last_name": hub_worker.last_name,
                "email": hub_worker.email,
                "job_title": "",
                "agency": hub_worker.agency_id,
                "role": Role.HUB_MANAGER,
            },
        )
        assert response.status_code == 302
        hub_worker.refresh_from_db()
        assert hub_worker.role == Role.HUB_MANAGER

    def test_deactivation_needs_a_reason_and_signs_the_user_out(
        self, client_for, administrator, hub_worker
    ):
        client = client_for(administrator)
        victim = client_for(hub_worker)
        no_reason = client.post(f"/staff/users/{hub_worker.pk}/deactivate/", {"reason": ""})
        assert no_reason.status_code == 400
        assert b"Say why this account is being deactivated" in no_reason.content
        hub_worker.refresh_from_db()
        assert hub_worker.is_active
        client.post(f"/staff/users/{hub_worker.pk}/deactivate/", {"reason": "Left"})
        hub_worker.refresh_from_db()
        assert not hub_worker.is_active
        assert victim.get("/").status_code == 302

    def test_administrator_adds_and_deactivates_an_agency(self, client_for, administrator):
        client = client_for(administrator)
        client.post(
            "/staff/agencies/new/",
            {
                "name": "Fire and Rescue",
                "code": "fire",
                "kind": "fire_rescue",
                "membership": "affiliate",
            },
        )
        agency = Agency.objects.get(code="fire")
        assert agency.group.name == "agency:fire"
        client.post(
            f"/staff/agencies/{agency.pk}/",
            {
                "name": "Fire and Rescue",
                "code": "fire",
                "kind": "fire_rescue",
                "membership": "affiliate",
            },
        )
        agency.refresh_from_db()
        assert not agency.is_active

    def test_a_bad_agency_kind_is_named(self, client_for, administrator):
        response = client_for(administrator).post(
            "/staff/agencies/new/",
            {"name": "X", "code": "x", "kind": "spies", "membership": "core"},
        )
        assert b"Select a valid choice" in response.content
        assert not Agency.objects.filter(code="x").exists()

    def test_query_strings_are_validated(self, client_for, administrator):
        client = client_for(administrator)
        assert client.get("/staff/users/?agency=abc&role=nonsense&page=zz").status_code == 200

    def test_the_user_list_filters_by_agency_and_role(
        self, client_for, administrator, researcher_a, researcher_b
    ):
        response = client_for(administrator).get(
            f"/staff/users/?agency={researcher_a.agency_id}&role=agency_researcher"
        )
        content = response.content.decode()
        assert researcher_a.username in content
        assert researcher_b.username not in content


def test_users_cannot_be_deleted_in_the_admin(client, hub_worker):
    root = UserFactory(username="root", role=Role.ADMINISTRATOR, is_superuser=True)
    client.force_login(root, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post(f"/admin/agencies/user/{hub_worker.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert User.objects.filter(pk=hub_worker.pk).exists()


def test_seed_demo_makes_one_user_per_role_and_is_repeatable(settings):
    from django.core.management import call_command

    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")
    from agencies.management.commands.seed_demo import USERS

    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    assert User.objects.count() == len(USERS)
    from django.test import Client

    from agencies.management.commands.seed_demo import DEMO_PASSWORD

    for username, *_rest in USERS:  # every printed demo login signs in
        response = Client().post(
            "/account/sign-in/", {"username": username, "password": DEMO_PASSWORD}
        )
        assert response.status_code == 302, username


def test_seed_demo_refuses_without_debug(settings):
    from django.core.management import CommandError, call_command

    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG off"):
        call_command("seed_demo")
