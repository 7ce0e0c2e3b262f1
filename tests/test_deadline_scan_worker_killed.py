"""A worker killed in the middle of a deadline scan (SIGKILL, no warm shutdown) and a fresh one
started: every item still gets exactly one reminder, or one escalation per hub manager and one
breach, none missed and none twice (issue 5; docs/adr/0002-deadline-scan.md, decision 3).

Real ``celery worker`` processes on the test Redis and the test database, as in
tests/test_deadline_scan.py. The kill is aimed inside a batch: once a batch has committed, the
worker is frozen (SIGSTOP) at a moment when its database session holds an open transaction that has
already written (the batch's claims), and then killed, so every run exercises a batch rolled back
half-way.

With Redis, the killed task's message stays unacknowledged (``acks_late``) until the broker's
``visibility_timeout`` has passed - an hour in the real settings - so in production the next scan
from beat, a minute later, finishes the work. The second test shortens the timeout for its
workers (tests/worker_killed_settings.py) to show that the redelivered message alone finishes it.
"""

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone

from agencies.models import User
from agencies.roles import Role
from contacts.codes import Channel, Consent, Source
from contacts.models import Contact
from mash.audit.models import AuditEvent
from mash.celery import app as celery_app
from mash.deadlines.models import (
    Breach,
    DeadlineEvent,
    Notification,
    NotificationKind,
    ScanRun,
    Stage,
)
from mash.deadlines.services import BATCH_SIZE
from mash.deadlines.tasks import TASK_NAME, deadline_scan
from tests import worker_killed_settings
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parent.parent

#: Contacts past their deadline: one escalation per hub manager and one breach each.
OVERDUE = 3000
#: Contacts past their warning point, deadline still ahead: one reminder to the assignee each.
WARNED = 1500
TOTAL = OVERDUE + WARNED  # nine batches of 500: a scan of several seconds

#: Upper bounds on each wait; normally each takes a few seconds.
START_AND_REACH_KILL_POINT = 60.0
FINISH = 60.0


# --- workers -----------------------------------------------------------------------------------


class Worker:
    """One ``celery -A mash worker`` process (solo pool) in its own process group, logging to a
    file that failure messages quote."""

    def __init__(self, name: str, env: dict[str, str], log: Path) -> None:
        self.name = name
        self.log = log
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "mash",
                    "worker",
                    "--pool=solo",
                    f"--hostname={name}@test",
                    "--loglevel=INFO",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                ],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, killed as one
            )

    def signal(self, signum: int) -> None:
        if self.process.poll() is not None:
            return  # already gone (and reaped): its group id may be reused
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signum)

    def kill(self) -> None:
        """A hard kill of the whole group: no warm shutdown, nothing acknowledged or restored."""
        self.signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def tail(self, lines: int = 30) -> str:
        try:
            text = self.log.read_text(errors="replace").splitlines()
        except FileNotFoundError:
            return "(no log)"
        return "\n".join(text[-lines:]) or "(empty log)"


class Workers:
    """Starts workers against the test database and Redis; the fixture kills them all."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.started: list[Worker] = []
        db = connection.settings_dict
        self.database_url = (
            f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}"
        )

    def start(self, name: str, settings_module: str = "mash.settings.test") -> Worker:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": settings_module,
            "DATABASE_URL": self.database_url,
            "REDIS_URL": settings.CELERY_BROKER_URL,
        }
        worker = Worker(name, env, self.log_dir / f"{name}.log")
        self.started.append(worker)
        return worker

    def logs(self) -> str:
        return "\n".join(f"--- {worker.name} log ---\n{worker.tail()}" for worker in self.started)


def _broker() -> redis.Redis:
    return redis.Redis.from_url(settings.CELERY_BROKER_URL)


def _parked_scans() -> dict[str, float]:
    """Deadline-scan messages delivered and not acknowledged, by task id: how long ago each was
    delivered (kombu's Redis transport keeps them in the ``unacked`` hash and index)."""
    client = _broker()
    parked: dict[str, float] = {}
    for tag, raw in client.hgetall("unacked").items():
        message = json.loads(raw)[0]
        headers = message.get("headers") or {}
        if headers.get("task") == TASK_NAME:
            delivered = client.zscore("unacked_index", tag) or 0.0
            parked[headers["id"]] = time.time() - delivered
    return parked


def _drop_parked_scans() -> None:
    """Forget unacknowledged deadline-scan messages, so that none is delivered into a later test."""
    client = _broker()
    for tag, raw in client.hgetall("unacked").items():
        if (json.loads(raw)[0].get("headers") or {}).get("task") == TASK_NAME:
            client.zrem("unacked_index", tag)
            client.hdel("unacked", tag)


def _other_sessions() -> list[tuple[str, bool]]:
    """(state, has written in its open transaction) of every other session on the test database:
    the worker's."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT state, backend_xid IS NOT NULL FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND backend_type = 'client backend'"
        )
        return cursor.fetchall()


@pytest.fixture
def workers(transactional_db, tmp_path) -> Iterator[Workers]:
    _drop_parked_scans()
    # No worker runs now: a sweep lock left by one killed earlier would delay the redelivery.
    _broker().delete("unacked_mutex")
    celery_app.control.purge()
    started = Workers(tmp_path)
    try:
        yield started
    finally:
        try:
            for worker in started.started:
                worker.kill()
            # The killed sessions' transactions end when PostgreSQL sees them gone; wait for
            # that, so that the database flush after the test is not blocked by them.
            _wait_until(lambda: not _other_sessions(), 15, "the workers' sessions to end")
        finally:
            _drop_parked_scans()
            celery_app.control.purge()


def _wait_until(
    probe: Callable[[], Any], timeout: float, what: str, logs: Callable[[], str] = str
) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"gave up after {timeout:.0f} s waiting for {what}\n{logs()}")


# --- data --------------------------------------------------------------------------------------


@pytest.fixture
def people(hub_agency, hub_worker, manager) -> dict[str, Any]:
    """Two active hub managers, one inactive one, and the hub worker every contact is assigned
    to; OVERDUE contacts past their deadline and WARNED ones past their warning point (received
    twenty days ago, due in three hours on a one-working-day clock: far beyond 75% of their working
    time)."""
    second = UserFactory(username="hub.manager2", agency=hub_agency, role=Role.HUB_MANAGER)
    UserFactory(
        username="hub.manager.left", agency=hub_agency, role=Role.HUB_MANAGER, is_active=False
    )
    # No addresses: emails come after each scan, at most once by design (ADR 0002, decision 4),
    # and are not what this test is about; sending thousands would only slow the scans down.
    User.objects.filter(role__in=[Role.HUB_MANAGER, Role.HUB_WORKER]).update(email="")
    now = timezone.now()

    def contact(received: Any, due: Any) -> Contact:
        return Contact(
            source=Source.SCHOOLS,
            channel=Channel.PHONE,
            consent=Consent.GIVEN,
            received_at=received,
            decision_due_at=due,
            assignee=hub_worker,
        )

    overdue = Contact.objects.bulk_create(
        contact(due - timedelta(days=1), due)
        for due in (now - timedelta(hours=2, seconds=index) for index in range(OVERDUE))
    )
    warned = Contact.objects.bulk_create(
        contact(now - timedelta(days=20), now + timedelta(hours=3, seconds=index))
        for index in range(WARNED)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE contacts_contact")
    return {
        "managers": [manager, second],
        "assignee": hub_worker,
        "overdue": [item.pk for item in overdue],
        "warned": [item.pk for item in warned],
    }


# --- the kill ----------------------------------------------------------------------------------


def _events_by_stage() -> Counter:
    return Counter(DeadlineEvent.objects.values_list("stage", flat=True))


def _kill_inside_a_batch(worker: Worker, *, after: int, before: int, workers: Workers) -> Counter:
    """Kill `worker` once at least `after` events and fewer than `before` have committed, at a
    moment when it is inside a batch's transaction that has written its claims. Returns the
    committed events by stage at the kill."""

    def frozen_inside_a_batch() -> Counter | None:
        count = DeadlineEvent.objects.count()
        if count >= before:
            raise AssertionError(
                f"the scan committed {count} events before it could be caught inside a batch "
                f"with {after} to {before - 1} committed\n{workers.logs()}"
            )
        if count < after:
            return None
        if not any(wrote for _, wrote in _other_sessions()):
            return None
        worker.signal(signal.SIGSTOP)
        # Let a statement already sent finish: the session then waits for the frozen worker.
        settle = time.monotonic() + 2
        while any(state == "active" for state, _ in _other_sessions()):
            if time.monotonic() > settle:
                break
            time.sleep(0.01)
        sessions = _other_sessions()
        committed = _events_by_stage()
        if ("idle in transaction", True) in sessions and after <= committed.total() < before:
            worker.kill()
            return committed
        worker.signal(signal.SIGCONT)  # the batch committed in between: try the next one
        return None

    committed = _wait_until(
        frozen_inside_a_batch,
        START_AND_REACH_KILL_POINT,
        f"the scan to be inside a batch with {after} to {before - 1} events committed",
        workers.logs,
    )
    # PostgreSQL notices the dead client and rolls the open batch back.
    _wait_until(lambda: not _other_sessions(), 15, "the killed worker's session to end")
    return committed


def _state_at_the_kill(committed: Counter, people: dict[str, Any]) -> None:
    """What had committed is whole batches, each with all its effects."""
    deadlines, warnings = committed[Stage.DEADLINE], committed[Stage.WARNING]
    assert committed.total() % BATCH_SIZE == 0, committed
    assert _events_by_stage() == committed  # the open batch was rolled back, not half-kept
    _assert_all_processed()
    assert Breach.objects.count() == deadlines
    escalations = Notification.objects.filter(kind=NotificationKind.ESCALATION).count()
    assert escalations == len(people["managers"]) * deadlines
    assert Notification.objects.filter(kind=NotificationKind.REMINDER).count() == warnings
    assert not ScanRun.objects.filter(finished_at__isnull=False).exists()


# --- the outcome -------------------------------------------------------------------------------


def _difference(expected: Counter, actual: Counter) -> str:
    missing = expected - actual
    extra = actual - expected
    return (
        f"{sum(missing.values())} missing (e.g. {list(missing)[:5]}), "
        f"{sum(extra.values())} extra or duplicated (e.g. {list(extra)[:5]})"
    )


def _assert_each_item_acted_on_exactly_once(people: dict[str, Any]) -> None:
    overdue, warned = people["overdue"], people["warned"]
    assignee = people["assignee"].pk

    events = Counter(DeadlineEvent.objects.values_list("contact_id", "stage"))
    expected = Counter(
        [(pk, Stage.DEADLINE) for pk in overdue] + [(pk, Stage.WARNING) for pk in warned]
    )
    assert events == expected, f"deadline events: {_difference(expected, events)}"

    notifications = Counter(
        Notification.objects.values_list("user_id", "kind", "event__contact_id")
    )
    expected = Counter(
        [
            (manager.pk, NotificationKind.ESCALATION, pk)
            for pk in overdue
            for manager in people["managers"]
        ]
        + [(assignee, NotificationKind.REMINDER, pk) for pk in warned]
    )
    assert notifications == expected, f"notifications: {_difference(expected, notifications)}"

    breaches = Counter(Breach.objects.values_list("contact_id", flat=True))
    expected = Counter(overdue)
    assert breaches == expected, f"breaches: {_difference(expected, breaches)}"

    audit = Counter(AuditEvent.objects.values_list("name", flat=True))
    assert (audit["deadline.breached"], audit["deadline.reminder"]) == (OVERDUE, WARNED)
    _assert_all_processed()


def _assert_all_processed() -> None:
    unprocessed = DeadlineEvent.objects.filter(processed_at__isnull=True).count()
    assert unprocessed == 0, f"{unprocessed} deadline events claimed but never processed"


def _assert_finished_what_the_killed_scan_left(committed: Counter) -> None:
    """The killed scan never finished; the one that did did exactly what was left."""
    killed, finished = ScanRun.objects.order_by("pk")
    assert killed.finished_at is None
    assert (finished.escalations, finished.breaches, finished.reminders) == (
        OVERDUE - committed[Stage.DEADLINE],
        OVERDUE - committed[Stage.DEADLINE],
        WARNED - committed[Stage.WARNING],
    )


# --- the tests ---------------------------------------------------------------------------------


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_batch_leaves_the_rest_to_the_next_scan_from_beat(workers, people):
    first = workers.start("scan-killed")
    task = deadline_scan.delay()
    # Killed among the escalations, at least one batch of them committed.
    committed = _kill_inside_a_batch(first, after=BATCH_SIZE, before=OVERDUE, workers=workers)
    assert (0 < committed[Stage.DEADLINE] < OVERDUE, committed[Stage.WARNING]) == (True, 0)
    _state_at_the_kill(committed, people)
    # Not acknowledged, so not lost; with the real hour-long visibility timeout it stays parked.
    assert list(_parked_scans()) == [task.id]

    workers.start("scan-fresh")
    deadline_scan.delay()  # beat's next minute
    _wait_until(
        lambda: ScanRun.objects.filter(finished_at__isnull=False).exists(),
        FINISH,
        "the next scan to finish",
        workers.logs,
    )

    _assert_finished_what_the_killed_scan_left(committed)
    _assert_each_item_acted_on_exactly_once(people)


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_batch_has_its_scan_redelivered_to_a_fresh_worker(workers, people):
    short = worker_killed_settings.__name__
    first = workers.start("scan-killed", short)
    task = deadline_scan.delay()
    # Killed among the reminders, every escalation already committed.
    committed = _kill_inside_a_batch(
        first, after=OVERDUE + BATCH_SIZE, before=TOTAL, workers=workers
    )
    assert committed[Stage.DEADLINE] == OVERDUE
    assert 0 < committed[Stage.WARNING] < WARNED
    _state_at_the_kill(committed, people)
    parked = _parked_scans()
    assert list(parked) == [task.id]
    # A starting worker takes back what has been unacknowledged longer than the timeout.
    time.sleep(max(0.0, worker_killed_settings.VISIBILITY_TIMEOUT + 0.5 - parked[task.id]))

    workers.start("scan-fresh", short)  # nothing else enqueued: only the redelivery can run
    _wait_until(
        lambda: ScanRun.objects.filter(finished_at__isnull=False).exists(),
        FINISH,
        "the redelivered scan to finish",
        workers.logs,
    )
    _wait_until(lambda: not _parked_scans(), 10, "the redelivered scan's ack", workers.logs)

    _assert_finished_what_the_killed_scan_left(committed)
    _assert_each_item_acted_on_exactly_once(people)
