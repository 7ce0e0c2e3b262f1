"""Personas (DOMAIN.md's roles) and shared fixtures for every test."""

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

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


@pytest.fixture
def key_adult(db):
    """A school's key adult (designated safeguarding lead), of an open primary school."""
    from tests.schools_factories import SchoolFactory, key_adult_of

    return key_adult_of(SchoolFactory(), username="school.dsl")


PERSONAS = [
    "hub_worker",
    "manager",
    "researcher_a",
    "researcher_b",
    "supervisor_a",
    "referrer",
    "board_member",
    "administrator",
    "key_adult",
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


#: A one-line ClamAV hash database: the EICAR test file's MD5, size and name.
EICAR_HDB = "44d88612fea8a8f36de82e1278abb02f:68:Eicar-Test-Signature"


# --- A real clamd, for the documents tests ---------------------------------------------------


@pytest.fixture(scope="session")
def clamd_socket(tmp_path_factory) -> str:
    binary = shutil.which("clamd") or "/usr/sbin/clamd"
    if not os.access(binary, os.X_OK):
        pytest.fail(
            "clamd is not installed: `make test` installs Debian's clamav-daemon "
            "(scripts/ensure-services; as root: apt-get install -y clamav-daemon)"
        )
    folder = tmp_path_factory.mktemp("clamd")
    (folder / "db").mkdir()
    (folder / "db" / "test.hdb").write_text(EICAR_HDB + "\n")
    socket_path = folder / "clamd.sock"
    config = folder / "clamd.conf"
    config.write_text(
        f"DatabaseDirectory {folder / 'db'}\n"
        f"LocalSocket {socket_path}\n"
        f"TemporaryDirectory {folder}\n"
        f"LogFile {folder / 'clamd.log'}\n"
        "Foreground yes\n"
        "StreamMaxLength 25M\n"
    )
    process = subprocess.Popen(  # noqa: S603 - our own binary and config
        [binary, "--config-file", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while not socket_path.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            log = (folder / "clamd.log").read_text() if (folder / "clamd.log").exists() else ""
            pytest.fail(f"clamd did not start: {process.stderr.read().decode()} {log}")
        time.sleep(0.05)
    yield str(socket_path)
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def scanner(settings, clamd_socket, media) -> str:
    settings.MASH_CLAMD_SOCKET = clamd_socket
    settings.MASH_CLAMD_HOST = ""
    return clamd_socket


@pytest.fixture
def no_scanner(settings, media) -> None:
    settings.MASH_CLAMD_SOCKET = ""
    settings.MASH_CLAMD_HOST = ""
