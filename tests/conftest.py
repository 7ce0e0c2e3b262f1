"""Personas (DOMAIN.md's roles) and shared fixtures for every test."""

import pytest
from django.test import Client

from agencies.models import AgencyKind
from agencies.roles import Role
from tests.factories import AgencyFactory, UserFactory


@pytest.fixture
def hub_agency(db):
    return AgencyFactory(
        name="Children's Social Care", code="csc", kind=AgencyKind.CHILDRENS_SOCIAL_CARE
    )


@pytest.fixture
def agency_a(db):
    """Partner agency A: the police."""
    return AgencyFactory(name="County Police", code="police", kind=AgencyKind.POLICE)


@pytest.fixture
def agency_b(db):
    """Partner agency B: health."""
    return AgencyFactory(name="Community Health", code="health", kind=AgencyKind.HEALTH)


@pytest.fixture
def referrer_agency(db):
    return AgencyFactory(name="Northfield Primary", code="school", kind=AgencyKind.EDUCATION)


@pytest.fixture
def hub_worker(hub_agency):
    return UserFactory(username="hub.worker", agency=hub_agency, role=Role.HUB_WORKER)


@pytest.fixture
def manager(hub_agency):
    return UserFactory(username="hub.manager", agency=hub_agency, role=Role.HUB_MANAGER)


@pytest.fixture
def researcher_a(agency_a):
    return UserFactory(username="police.researcher", agency=agency_a, role=Role.AGENCY_RESEARCHER)


@pytest.fixture
def researcher_b(agency_b):
    return UserFactory(username="health.researcher", agency=agency_b, role=Role.AGENCY_RESEARCHER)


@pytest.fixture
def supervisor_a(agency_a):
    return UserFactory(username="police.supervisor", agency=agency_a, role=Role.AGENCY_SUPERVISOR)


@pytest.fixture
def referrer(referrer_agency):
    return UserFactory(username="referrer", agency=referrer_agency, role=Role.REFERRER)


@pytest.fixture
def board_member(hub_agency):
    return UserFactory(username="board", agency=hub_agency, role=Role.BOARD_MEMBER)


@pytest.fixture
def administrator(hub_agency):
    return UserFactory(username="admin", agency=hub_agency, role=Role.ADMINISTRATOR)


PERSONAS = [
    "hub_worker",
    "manager",
    "researcher_a",
    "researcher_b",
    "supervisor_a",
    "referrer",
    "board_member",
    "administrator",
]


@pytest.fixture
def client_for(db):
    """A signed-in test client for a user (by session, as a browser would be)."""

    def make(user) -> Client:
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return make


@pytest.fixture
def api_for(db):
    """A DRF API client authenticated as the user with a token, as an agency system would be."""
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    def make(user) -> APIClient:
        client = APIClient()
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


@pytest.fixture(autouse=True)
def _celery_sends_to_the_broker(request):
    """A real-worker test fails at once, rather than hanging, if something earlier in the run
    left Celery running tasks in-process (eagerly)."""
    if request.node.get_closest_marker("celery_worker"):
        from mash.celery import app

        assert app.conf.task_always_eager is False, "an earlier test left Celery eager"
