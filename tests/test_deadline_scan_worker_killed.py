"""A worker killed in the middle of a deadline scan (SIGKILL, no warm shutdown) and a fresh one
started: every item still gets exactly one reminder, or one escalation per hub manager and one
breach, none missed and none twice (issue 5; docs/adr/0002-deadline-scan.md, decision 3).

Real ``celery worker`` processes on the test Redis and the test database, as in
tests/test_deadline_scan.py. The kill is placed inside a batch by locks that the test holds in
database sessions of its own, not by timing: the scan is started while the first item of a later
batch is locked (``FOR NO KEY UPDATE``), so the batches before it commit and that batch waits when
it locks its items (``_lock_still_due``). The test then locks the notifications table against
writes (``SHARE``) and releases the item: the batch writes its claims and waits at its INSERT of
notifications. The test sees in ``pg_stat_activity`` and ``pg_locks`` that the worker's session
waits at that very statement with the claims written, kills the worker there, and releases the
table so that PostgreSQL sees the client gone and rolls the batch back. Every run kills at the same
point, whatever the machine's speed or load.

(Not a lock on the recipient's user row: Django's foreign keys are ``DEFERRABLE INITIALLY
DEFERRED``, so that check waits in the COMMIT, which would complete once the lock was released.)

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
from typing import Any, NamedTuple

import pytest
import redis
from django.conf import settings
from django.db import connection, models
from django.utils import timezone

from agencies.models import User
from agencies.roles import Role
from contacts.codes import Channel, Consent, Source
from contacts.models import Contact
from deadlines.models import (
    Breach,
    DeadlineEvent,
    Notification,
    NotificationKind,
    ScanRun,
    Stage,
)
from deadlines.services import BATCH_SIZE
from deadlines.tasks import TASK_NAME, deadline_scan
from mash.audit.models import AuditEvent
from mash.celery import app as celery_app
from tests import worker_killed_settings
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parent.parent

#: Contacts past their deadline: one escalation per hub manager and one breach each (3 batches).
OVERDUE = 2 * BATCH_SIZE + 100
#: Contacts past their warning point, deadline still ahead: one reminder to the assignee each
#: (2 batches).
WARNED = BATCH_SIZE + 100

#: Upper bounds on each wait; normally each takes a second or two.
START_AND_REACH_KILL_POINT = 60.0
FINISH = 60.0

#: The ``application_name`` (PGAPPNAME) of the workers' database sessions starts with this.
WORKER_SESSION = "killed-scan-test "


# --- workers and locks -------------------------------------------------------------------------


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


class HeldLock:
    """A lock held by a database session of its own (not the test's connection, which stays in
    autocommit) until released."""

    def __init__(self, what: str, sql: str, params: list[Any] | None = None) -> None:
        self.what = what
        self._session: Any = connection.Database.connect(**connection.get_connection_params())
        with self._session.cursor() as cursor:
            # A lock that cannot be had at once is a mistake in the test: fail, do not hang.
            cursor.execute("SET lock_timeout = '10s'")
            cursor.execute(sql, params)
            assert cursor.rowcount != 0, f"nothing to lock: {what}"
            cursor.execute("SELECT pg_backend_pid()")
            self.pid: int = cursor.fetchone()[0]

    def release(self) -> None:
        if self._session is not None:
            self._session.rollback()
            self._session.close()
            self._session = None


class Workers:
    """Starts workers against the test database and Redis, and takes the locks that stop them;
    the fixture kills them all and releases the locks."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.started: list[Worker] = []
        self.locks: list[HeldLock] = []
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
            "PGAPPNAME": f"{WORKER_SESSION}{name}",  # libpq names the worker's sessions
        }
        worker = Worker(name, env, self.log_dir / f"{name}.log")
        self.started.append(worker)
        return worker

    def lock_row(self, model: type[models.Model], pk: int, mode: str) -> HeldLock:
        table = model._meta.db_table
        lock = HeldLock(
            f"{mode} on {table} {pk}",
            f"SELECT 1 FROM {connection.ops.quote_name(table)} WHERE id = %s {mode}",
            [pk],
        )
        self.locks.append(lock)
        return lock

    def lock_table(self, model: type[models.Model], mode: str) -> HeldLock:
        table = model._meta.db_table
        lock = HeldLock(
            f"{mode} on {table}", f"LOCK TABLE {connection.ops.quote_name(table)} IN {mode} MODE"
        )
        self.locks.append(lock)
        return lock

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


class Session(NamedTuple):
    """A worker's database session as pg_stat_activity shows it."""

    pid: int
    state: str
    wrote: bool  # has written in its open transaction (it has a transaction id)
    waiting_for: list[int]  # the sessions holding the lock it waits for
    query: str  # the statement it runs, or ran last


def _worker_sessions() -> list[Session]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, state, backend_xid IS NOT NULL, pg_blocking_pids(pid), query "
            "FROM pg_stat_activity WHERE datname = current_database() "
            "AND application_name LIKE %s",
            [f"{WORKER_SESSION}%"],
        )
        return [Session(*row) for row in cursor.fetchall()]


def _waiting_for(lock: HeldLock) -> Session | None:
    """The worker's session that waits for `lock`, if one does."""
    return next((s for s in _worker_sessions() if lock.pid in s.waiting_for), None)


def _has_inserted_into(session: Session, model: type[models.Model]) -> bool:
    """Whether `session` has written to `model`'s table in its open transaction: the table lock
    an INSERT takes is held until the transaction ends."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE pid = %s AND relation = %s::regclass "
            "AND mode = 'RowExclusiveLock' AND granted)",
            [session.pid, model._meta.db_table],
        )
        return cursor.fetchone()[0]


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
            # A killed worker's session waiting for a lock ends once the lock is released.
            for lock in started.locks:
                lock.release()
            # The killed sessions' transactions end when PostgreSQL sees them gone; wait for
            # that, so that the database flush after the test is not blocked by them.
            _wait_until(lambda: not _worker_sessions(), 15, "the workers' sessions to end")
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
    time). Each list of contact ids is in the scan's order: soonest due first."""
    second = UserFactory(username="hub.manager2", agency=hub_agency, role=Role.HUB_MANAGER)
    UserFactory(
        username="hub.manager.left", agency=hub_agency, role=Role.HUB_MANAGER, is_active=False
    )
    # No addresses: emails come after each scan, at most once by design (ADR 0002, decision 4),
    # and are not what this test is about.
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
        for due in (now - timedelta(hours=2, seconds=OVERDUE - index) for index in range(OVERDUE))
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


def _kill_inside_a_batch(worker: Worker, *, gate: HeldLock, workers: Workers) -> Counter:
    """Kill `worker`, whose scan was started with `gate` held on the first item of a batch, in
    that batch's transaction after it has written its claims; returns the events committed at the
    kill, by stage.

    The batch waits for `gate` when it locks its items, the batches before it committed. Then the
    notifications table is locked against writes and the gate released: the batch locks its
    items, claims them and waits when it inserts its notifications. The worker is killed there;
    the table is released after, so that the session, its INSERT done, finds its client gone and
    PostgreSQL rolls the batch back."""
    contacts = connection.ops.quote_name(Contact._meta.db_table)
    at_gate = _wait_until(
        lambda: _waiting_for(gate),
        START_AND_REACH_KILL_POINT,
        f"the scan to wait for {gate.what}",
        workers.logs,
    )
    # A plain SELECT never waits for a row lock: this is the batch's SELECT ... FOR UPDATE of
    # its items (pg_stat_activity cuts the text at 1 kB, before the id list ends).
    assert at_gate.query.startswith(f"SELECT {contacts}."), at_gate.query
    committed = _events_by_stage()

    hold = workers.lock_table(Notification, "SHARE")
    gate.release()
    inside = _wait_until(
        lambda: _waiting_for(hold),
        START_AND_REACH_KILL_POINT,
        f"the scan to wait for {hold.what}",
        workers.logs,
    )
    notifications = connection.ops.quote_name(Notification._meta.db_table)
    assert inside.query.startswith(f"INSERT INTO {notifications}"), inside.query
    assert inside.pid == at_gate.pid and inside.wrote
    assert _has_inserted_into(inside, DeadlineEvent), "the batch waits before writing its claims"
    assert _events_by_stage() == committed  # the claims are not committed

    worker.kill()
    hold.release()
    # PostgreSQL notices the dead client and rolls the open batch back.
    _wait_until(lambda: not _worker_sessions(), 15, "the killed worker's session to end")
    return committed


def _state_at_the_kill(committed: Counter, people: dict[str, Any]) -> None:
    """What had committed is whole batches, each with all its effects."""
    deadlines, warnings = committed[Stage.DEADLINE], committed[Stage.WARNING]
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
        # The assignee, reminded before and not escalated to, is told of each breach (ADR 9).
        + [(assignee, NotificationKind.BREACH, pk) for pk in overdue]
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
    # Killed in the second batch of escalations, the first committed.
    gate = workers.lock_row(Contact, people["overdue"][BATCH_SIZE], "FOR NO KEY UPDATE")
    first = workers.start("scan-killed")
    task = deadline_scan.delay()
    committed = _kill_inside_a_batch(first, gate=gate, workers=workers)
    assert committed == Counter({Stage.DEADLINE: BATCH_SIZE})
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
    # Killed in the second batch of reminders, every escalation and the first reminders committed.
    gate = workers.lock_row(Contact, people["warned"][BATCH_SIZE], "FOR NO KEY UPDATE")
    first = workers.start("scan-killed", short)
    task = deadline_scan.delay()
    committed = _kill_inside_a_batch(first, gate=gate, workers=workers)
    assert committed == Counter({Stage.DEADLINE: OVERDUE, Stage.WARNING: BATCH_SIZE})
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
