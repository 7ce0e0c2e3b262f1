"""The audit trail: changes with their actor, reads of people, named events; never editable."""

import pytest
from auditlog.models import LogEntry
from django.db import IntegrityError, InternalError, transaction

from contacts.models import Person
from contacts.services import person_create
from mash.access import grant_to_agency
from mash.audit.context import audit_context
from mash.audit.events import record_event
from mash.audit.models import AuditEvent
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def entries_for(obj) -> list[LogEntry]:
    return list(LogEntry.objects.get_for_object(obj).order_by("timestamp", "pk"))


def test_create_change_and_delete_are_logged_with_the_actor(hub_worker):
    with audit_context(actor=hub_worker, remote_addr="10.1.2.3"):
        person = person_create(given_name="John", family_name="Smith")
        person.family_name = "Smyth"
        person.save()
        person_id = person.pk
        person.delete()
    entries = list(
        LogEntry.objects.filter(object_pk=str(person_id), content_type__model="person").order_by(
            "pk"
        )
    )
    assert [entry.action for entry in entries] == [
        LogEntry.Action.CREATE,
        LogEntry.Action.UPDATE,
        LogEntry.Action.DELETE,
    ]
    assert all(entry.actor == hub_worker for entry in entries)
    assert all(entry.remote_addr == "10.1.2.3" for entry in entries)
    assert entries[1].changes_dict["family_name"] == ["Smith", "Smyth"]


def test_a_page_view_of_a_person_writes_an_access_entry(client_for, hub_worker):
    person = PersonFactory()
    response = client_for(hub_worker).get(f"/people/{person.pk}/", REMOTE_ADDR="10.9.8.7")
    assert response.status_code == 200
    access = [e for e in entries_for(person) if e.action == LogEntry.Action.ACCESS]
    assert len(access) == 1
    assert access[0].actor == hub_worker
    assert access[0].remote_addr == "10.9.8.7"


def test_an_api_read_of_a_person_writes_an_access_entry_with_the_token_user(api_for, hub_worker):
    person = PersonFactory()
    assert api_for(hub_worker).get(f"/api/v1/people/{person.pk}/").status_code == 200
    access = [e for e in entries_for(person) if e.action == LogEntry.Action.ACCESS]
    assert [entry.actor for entry in access] == [hub_worker]


def test_a_refused_read_writes_no_access_entry(client_for, researcher_a):
    person = PersonFactory()
    assert client_for(researcher_a).get(f"/people/{person.pk}/").status_code == 404
    assert not [e for e in entries_for(person) if e.action == LogEntry.Action.ACCESS]


def test_a_forged_forwarded_for_header_does_not_change_the_recorded_address(client_for, hub_worker):
    person = PersonFactory()
    client_for(hub_worker).get(
        f"/people/{person.pk}/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4"
    )
    access = [e for e in entries_for(person) if e.action == LogEntry.Action.ACCESS]
    assert access[0].remote_addr == "10.0.0.5"


def test_behind_one_trusted_proxy_the_proxys_view_of_the_client_is_recorded(
    settings, client_for, hub_worker
):
    settings.MASH_TRUSTED_PROXY_COUNT = 1
    person = PersonFactory()
    client_for(hub_worker).get(
        f"/people/{person.pk}/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 81.2.69.160"
    )
    access = [e for e in entries_for(person) if e.action == LogEntry.Action.ACCESS]
    assert access[0].remote_addr == "81.2.69.160"


def test_grants_of_access_are_audited(hub_worker, agency_b):
    person = PersonFactory()
    with audit_context(actor=hub_worker):
        grant_to_agency(obj=person, agency=agency_b, perm="contacts.view_person", reason="request")
    event = AuditEvent.objects.get(name="access.granted")
    assert event.actor == hub_worker
    assert event.object_pk == str(person.pk)
    assert event.data["agency"] == agency_b.code
    grant_rows = LogEntry.objects.filter(content_type__model="persongroupobjectpermission")
    assert grant_rows.filter(action=LogEntry.Action.CREATE, actor=hub_worker).count() == 1


def test_named_events_carry_actor_address_and_correlation_id(manager):
    person = PersonFactory()
    with audit_context(actor=manager, remote_addr="10.0.0.9", correlation_id="abc-123"):
        event = record_event("contact.decided", target=person, data={"outcome": "NFA"})
    event.refresh_from_db()
    assert (event.name, event.actor, event.actor_label) == (
        "contact.decided",
        manager,
        "hub.manager",
    )
    assert (event.remote_addr, event.correlation_id) == ("10.0.0.9", "abc-123")
    assert event.object_repr == str(person)
    assert event.data == {"outcome": "NFA"}


def test_each_response_carries_a_correlation_id(client_for, hub_worker):
    response = client_for(hub_worker).get("/", HTTP_X_CORRELATION_ID="trace-42")
    assert response["X-Correlation-ID"] == "trace-42"
    unsafe = client_for(hub_worker).get("/", HTTP_X_CORRELATION_ID="<script>")
    assert unsafe["X-Correlation-ID"] != "<script>"
    assert len(unsafe["X-Correlation-ID"]) == 32


def test_sign_in_and_failed_sign_in_are_recorded(client, hub_worker):
    from tests.factories import PASSWORD

    client.post("/account/sign-in/", {"username": "hub.worker", "password": "wrong-password-1"})
    client.post("/account/sign-in/", {"username": "hub.worker", "password": PASSWORD})
    names = list(AuditEvent.objects.order_by("pk").values_list("name", flat=True))
    assert names[-2:] == ["auth.sign_in_failed", "auth.signed_in"]
    failed = AuditEvent.objects.get(name="auth.sign_in_failed")
    assert failed.data == {"username": "hub.worker"}
    assert AuditEvent.objects.get(name="auth.signed_in").actor == hub_worker


def test_audit_rows_cannot_be_changed_or_deleted_in_the_database(hub_worker):
    with audit_context(actor=hub_worker):
        person = person_create(given_name="Ava", family_name="Nowak")
        event = record_event("person.checked", target=person)
    entry = entries_for(person)[0]
    for statement in (
        lambda: LogEntry.objects.filter(pk=entry.pk).update(changes_text="forged"),
        lambda: LogEntry.objects.filter(pk=entry.pk).delete(),
        lambda: AuditEvent.objects.filter(pk=event.pk).update(name="forged"),
        lambda: AuditEvent.objects.filter(pk=event.pk).delete(),
    ):
        with pytest.raises((InternalError, IntegrityError)), transaction.atomic():
            statement()
    assert AuditEvent.objects.get(pk=event.pk).name == "person.checked"
    assert Person.objects.filter(pk=person.pk).exists()


@pytest.mark.parametrize("model", ["audit/auditevent", "auditlog/logentry"])
def test_audit_entries_cannot_be_changed_or_deleted_through_the_admin(client, model, hub_worker):
    from tests.factories import UserFactory

    root = UserFactory(username="root", role="administrator", is_superuser=True)
    client.force_login(root, backend="django.contrib.auth.backends.ModelBackend")
    with audit_context(actor=hub_worker):
        person = person_create(given_name="Leo", family_name="Murphy")
        event = record_event("person.checked", target=person)
    pk = event.pk if model == "audit/auditevent" else entries_for(person)[0].pk
    change_url = f"/admin/{model}/{pk}/change/"
    delete_url = f"/admin/{model}/{pk}/delete/"
    page = client.get(change_url)
    assert page.status_code == 200  # viewable, read-only
    assert b'name="_save"' not in page.content
    assert client.post(change_url, {"name": "forged"}).status_code == 403
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    listing = client.get(f"/admin/{model}/")
    assert b'name="action"' not in listing.content  # no bulk delete action
