"""Housekeeping from beat: expired sessions are deleted nightly, live ones stay (a MARF's draft is
not in the session: it is the referrer's own Draft, kept through sign-outs and purged after 30
days, tests/test_drafts.py); the schedule is made by a data migration and names a task the
worker has."""

import importlib
from datetime import timedelta

import pytest
import time_machine
from django.apps import apps
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from agencies.models import SignedInSession
from agencies.tasks import clear_expired_sessions
from drafts.models import Draft
from mash.celery import app
from tests.test_marf import ABOUT, people_post, person

pytestmark = pytest.mark.django_db

MIGRATION = "agencies.migrations.0002_clear_expired_sessions_schedule"


def start_a_marf(client) -> str:
    """A referrer answers the first two pages of the MARF (naming a child) and walks away."""
    assert client.post("/marf/about-you/", ABOUT).status_code == 302
    people = people_post(person(0, given_name="Amy", family_name="Smith", born="2 3 2014"))
    assert client.post("/marf/people/", people).status_code == 302
    return client.session.session_key


def test_an_expired_session_is_gone_its_marf_draft_kept_and_a_live_session_stays(
    client_for, referrer, hub_worker
):
    started = timezone.now()
    with time_machine.travel(started, tick=False):
        drafting = client_for(referrer)
        draft_key = start_a_marf(drafting)
    # The child's name is in the referrer's own draft, not in the session table.
    assert "Amy" not in str(Session.objects.get(session_key=draft_key).get_decoded())
    assert Draft.objects.get(owner=referrer).data["people"][0]["given_name"] == "Amy"

    later = started + timedelta(seconds=settings.SESSION_COOKIE_AGE + 60)
    with time_machine.travel(later, tick=False):
        working = client_for(hub_worker)
        assert working.get("/contacts/").status_code == 200
        live_key = working.session.session_key
        forgotten = clear_expired_sessions()

    assert not Session.objects.filter(session_key=draft_key).exists()
    assert Session.objects.filter(session_key=live_key).exists()
    assert forgotten == 1
    assert list(SignedInSession.objects.values_list("session_key", flat=True)) == [live_key]
    assert Draft.objects.filter(owner=referrer).exists()  # kept for when they sign in again
    # The referrer who comes back is asked to sign in again; the worker carries on.
    with time_machine.travel(later, tick=False):
        assert drafting.get("/marf/people/").status_code == 302
        assert working.get("/contacts/").status_code == 200


def test_a_session_not_yet_expired_is_kept(client_for, referrer):
    drafting = client_for(referrer)
    draft_key = start_a_marf(drafting)
    just_before = timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)
    with time_machine.travel(just_before, tick=False):
        assert clear_expired_sessions() == 0
    assert Session.objects.filter(session_key=draft_key).exists()
    assert SignedInSession.objects.filter(session_key=draft_key).exists()


def test_the_task_runs_through_celery_as_the_worker_would(client_for, referrer):
    drafting = client_for(referrer)
    draft_key = start_a_marf(drafting)
    Session.objects.filter(session_key=draft_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    app.loader.import_default_modules()  # what a worker does at start-up
    result = app.tasks["agencies.clear_expired_sessions"].apply()
    assert result.successful() and result.get() == 1
    assert not Session.objects.filter(session_key=draft_key).exists()


def test_beat_clears_expired_sessions_every_night():
    task = PeriodicTask.objects.get(name="Clear expired sessions")
    assert task.task == "agencies.clear_expired_sessions" and task.enabled
    crontab = task.crontab
    assert (crontab.minute, crontab.hour, str(crontab.timezone)) == ("10", "3", "Europe/London")
    assert (crontab.day_of_week, crontab.day_of_month, crontab.month_of_year) == ("*", "*", "*")
    app.loader.import_default_modules()
    assert task.task in app.tasks


def test_the_schedule_migration_is_idempotent_and_reversible():
    migration = importlib.import_module(MIGRATION)
    migration.create_schedule(apps, None)  # a second run (the migration already ran)
    assert PeriodicTask.objects.filter(name="Clear expired sessions").count() == 1
    migration.remove_schedule(apps, None)
    assert not PeriodicTask.objects.filter(task="agencies.clear_expired_sessions").exists()
    migration.create_schedule(apps, None)
    assert PeriodicTask.objects.get(name="Clear expired sessions").enabled
