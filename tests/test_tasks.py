"""Celery tasks carry the actor and correlation id of whoever enqueued them (real worker, Redis)."""

import pytest
from auditlog.models import LogEntry
from celery.contrib.testing.worker import start_worker

from contacts.services import person_create
from mash.audit.context import audit_context
from mash.audit.models import AuditEvent
from mash.celery import app as celery_app


@celery_app.task(name="tests.create_person_on_behalf")
def create_person_on_behalf(given_name: str) -> int:
    return person_create(given_name=given_name, family_name="Task").pk


@pytest.fixture
def worker(transactional_db):
    celery_app.control.purge()  # tasks other tests enqueued on the test broker are not ours
    with start_worker(celery_app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
        yield


@pytest.mark.celery_worker
def test_a_task_enqueued_by_a_user_audits_as_that_user(worker, hub_worker):
    with audit_context(actor=hub_worker, correlation_id="req-77"):
        create_person_on_behalf.delay("Maisie")
    event = _wait_for(lambda: AuditEvent.objects.filter(name="person.created").first())
    assert event.actor == hub_worker
    assert event.correlation_id == "req-77"
    entry = LogEntry.objects.get(
        object_pk=event.object_pk, content_type__model="person", action=LogEntry.Action.CREATE
    )
    assert entry.actor == hub_worker


@pytest.mark.celery_worker
def test_a_task_enqueued_by_nobody_audits_as_the_system(worker, db):
    create_person_on_behalf.delay("Grace")
    event = _wait_for(lambda: AuditEvent.objects.filter(name="person.created").first())
    assert event.actor is None
    assert event.correlation_id  # a fresh one, so its entries can still be traced together


def _wait_for(probe, timeout: float = 20.0):
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("the worker did not finish the task in time")


def test_every_task_can_be_queued_with_its_time_limits():
    """Celery refuses to queue a task whose soft time limit is above its hard one (the
    documents' scan could never be queued while the default hard limit was lower)."""
    from django.conf import settings

    from mash.celery import app

    app.loader.import_default_modules()
    ours = {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}
    assert "documents.scan_document" in ours
    for name, task in ours.items():
        soft = task.soft_time_limit or settings.CELERY_TASK_SOFT_TIME_LIMIT
        hard = task.time_limit or settings.CELERY_TASK_TIME_LIMIT
        assert soft <= hard, f"{name}: soft limit {soft} s above hard limit {hard} s"
