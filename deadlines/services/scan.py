"""The deadline scan: reminders at the warning point, escalations and breaches at the deadline,
each exactly once per item and deadline (docs/adr/0002-deadline-scan.md).

Each batch runs in one transaction: it inserts the (kind, item, stage, deadline) claims with
``ON CONFLICT DO NOTHING``, reads back the rows this scan inserted, and writes the notifications,
breaches and audit events for those only. A worker that dies mid-batch rolls the whole batch back,
so the next scan does it again; a key another scan claimed is never acted on twice. Emails are
queued in the outbox in the same transaction (``mash.outbox``) and sent by its relay, which sets
``emailed_at`` when the mail server has accepted each one.

Warning points are computed once per item, deadline and basis and stored (``WarningPoint``); the
scan reminds the items whose stored point has come, found by an index range on ``warning_at``.
Before claiming, a batch's items are locked and re-checked open with the same deadline, so a
decision committed meanwhile never gets a breach written after it.
"""

import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from agencies.models import User
from agencies.roles import Role
from mash.audit.events import record_event
from mash.clocks import WorkingCalendar, default_calendar
from mash.outbox.services import queue_emails

from ..kinds import SPECS, DueItem, KindSpec, WarningRule
from ..models import (
    ITEM_FIELD,
    Breach,
    DeadlineEvent,
    Notification,
    NotificationKind,
    ScanRun,
    Stage,
    WarningPoint,
)
from ..points import warning_point
from .notifications import emailed_users, notification_mail

# The scan's log keeps the name it had as one module (log filters and alerts match it).
logger = logging.getLogger("deadlines.services")

#: Items claimed per transaction.
BATCH_SIZE = 500
#: Batches per stage and kind in one scan: what is left waits for the next scan (a minute later).
MAX_BATCHES = 40
#: Warning points computed and stored per query (the prepare step).
PREPARE_BATCH = 2_000
#: Prepare batches per kind and RAG in one scan (100,000 items): the rest wait a minute.
MAX_PREPARE_BATCHES = 50


@dataclass
class ScanResult:
    """What one scan did."""

    reminders: int = 0
    escalations: int = 0
    breaches: int = 0
    skipped: int = 0
    emails: int = 0
    warning_points: int = 0
    scan_run_id: int | None = None

    def __str__(self) -> str:
        return (
            f"{self.reminders} reminders, {self.escalations} escalations, "
            f"{self.breaches} breaches, {self.skipped} notifications skipped, "
            f"{self.emails} emails queued, {self.warning_points} warning points computed"
        )


def run_deadline_scan(*, now: datetime | None = None) -> ScanResult:
    """Run one deadline scan at `now` (default: the current time) and record it as a ScanRun.

    Deadlines first (escalations and breaches, soonest due first, across the three kinds), then
    the warning points of items that have none yet are computed and stored, then the items past
    their stored warning point are reminded. Safe to run twice or concurrently: every action is
    claimed once.
    """
    now = now or timezone.now()
    run = ScanRun.objects.create(started_at=timezone.now())
    result = ScanResult(scan_run_id=run.pk)
    calendar = default_calendar()
    managers = list(_active(User.objects.filter(role=Role.HUB_MANAGER)))
    _scan_deadlines(now=now, managers=managers, result=result)
    WarningPoint.objects.filter(deadline__lte=now).delete()  # passed: the escalation took over
    for spec in SPECS:
        if not spec.warns:
            continue
        rules = {rag: spec.warning_rule(rag, calendar) for rag in spec.rags()}
        result.warning_points += _prepare_warning_points(
            spec=spec, now=now, calendar=calendar, rules=rules
        )
        _scan_warnings(spec=spec, now=now, rules=rules, managers=managers, result=result)
    ScanRun.objects.filter(pk=run.pk).update(
        finished_at=timezone.now(),
        reminders=result.reminders,
        escalations=result.escalations,
        breaches=result.breaches,
        skipped=result.skipped,
        emails=result.emails,
    )
    return result


# --- selection ---------------------------------------------------------------------------------


def _unclaimed(spec: KindSpec, stage: Stage):
    """Open items of `spec` with no claimed event of `stage` for their current deadline."""
    claimed = DeadlineEvent.objects.filter(
        kind=spec.kind,
        stage=stage,
        deadline=OuterRef(spec.due_field),
        **{ITEM_FIELD[spec.kind]: OuterRef("pk")},
    )
    return spec.open_items().filter(~Exists(claimed))


def _stored_points(spec: KindSpec, rule: WarningRule) -> QuerySet:
    """The stored warning points, on `rule`'s basis, of the outer item's current deadline."""
    return WarningPoint.objects.filter(
        kind=spec.kind,
        basis=rule.basis,
        deadline=OuterRef(spec.due_field),
        **{ITEM_FIELD[spec.kind]: OuterRef("pk")},
    )


def _after(spec: KindSpec, after: tuple[datetime, int] | None) -> Q:
    """Keyset paging: rows after (due time, pk) in (due time, pk) order."""
    if after is None:
        return Q()
    return Q(**{f"{spec.due_field}__gt": after[0]}) | Q(
        **{spec.due_field: after[0], "pk__gt": after[1]}
    )


def _due(spec: KindSpec, item) -> DueItem:
    return DueItem(
        spec=spec,
        item=item,
        deadline=getattr(item, spec.due_field),
        start=getattr(item, spec.start_field),
    )


def _scan_deadlines(*, now: datetime, managers: list, result: ScanResult) -> None:
    """Items past their deadline, soonest due first across the kinds, a batch at a time."""
    for _ in range(MAX_BATCHES * len(SPECS)):
        candidates: list[DueItem] = []
        for spec in SPECS:
            rows = (
                _unclaimed(spec, Stage.DEADLINE)
                .filter(**{f"{spec.due_field}__lte": now})
                .order_by(spec.due_field, "pk")[:BATCH_SIZE]
            )
            candidates.extend(_due(spec, row) for row in rows)
        if not candidates:
            return
        candidates.sort(key=lambda due: (due.deadline, due.kind, due.item.pk))
        _process(candidates[:BATCH_SIZE], stage=Stage.DEADLINE, managers=managers, result=result)


def _prepare_warning_points(
    *, spec: KindSpec, now: datetime, calendar: WorkingCalendar, rules: dict[str, WarningRule]
) -> int:
    """Compute and store the warning point of each open item of one kind that has none on the
    basis in force for its current deadline and has not been reminded for it, soonest due first.
    Each item and deadline is computed once, not every minute; returns how many were stored."""
    stored = 0
    for rag, rule in rules.items():
        after: tuple[datetime, int] | None = None
        for _ in range(MAX_PREPARE_BATCHES):
            rows = (
                spec.with_rag(_unclaimed(spec, Stage.WARNING), rag)
                .filter(~Exists(_stored_points(spec, rule)), **{f"{spec.due_field}__gt": now})
                .filter(_after(spec, after))
                .order_by(spec.due_field, "pk")
                .values_list("pk", spec.start_field, spec.due_field)[:PREPARE_BATCH]
            )
            batch = list(rows)
            if not batch:
                break
            after = (batch[-1][2], batch[-1][0])
            _store_points(
                spec,
                rule.basis,
                [
                    (
                        pk,
                        deadline,
                        warning_point(
                            start=start,
                            deadline=deadline,
                            clock=rule.clock,
                            calendar=calendar,
                            fraction=rule.fraction,
                        ),
                    )
                    for pk, start, deadline in batch
                ],
            )
            stored += len(batch)
            if stored == len(batch) == PREPARE_BATCH:
                _analyze_warning_points()
    if stored >= PREPARE_BATCH:
        _analyze_warning_points()
    return stored


def _store_points(spec: KindSpec, basis: str, rows: list[tuple[int, datetime, datetime]]) -> None:
    """Insert (item id, deadline, warning_at) rows; a row a concurrent scan stored is skipped.

    On PostgreSQL one ``INSERT ... SELECT FROM unnest(...) ON CONFLICT DO NOTHING`` of three
    arrays: building 2,000 model instances and seven bound values each (``bulk_create``) cost
    more than the working-time arithmetic itself in the first scan over 100,000 items."""
    if connection.vendor != "postgresql":
        WarningPoint.objects.bulk_create(
            [
                WarningPoint(
                    kind=spec.kind,
                    deadline=deadline,
                    warning_at=warning_at,
                    basis=basis,
                    **{f"{ITEM_FIELD[spec.kind]}_id": pk},
                )
                for pk, deadline, warning_at in rows
            ],
            ignore_conflicts=True,
        )
        return
    quote = connection.ops.quote_name
    meta = WarningPoint._meta
    item_column = meta.get_field(ITEM_FIELD[spec.kind]).column
    columns = ", ".join(quote(name) for name in ("kind", item_column, "deadline", "warning_at"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(meta.db_table)} ({columns}, {quote('basis')}) "
            "SELECT %s, item, deadline, warning_at, %s "
            "FROM unnest(%s::bigint[], %s::timestamptz[], %s::timestamptz[]) "
            "AS point(item, deadline, warning_at) ON CONFLICT DO NOTHING",
            [
                str(spec.kind),
                basis,
                [row[0] for row in rows],
                [row[1] for row in rows],
                [row[2] for row in rows],
            ],
        )


def _analyze_warning_points() -> None:
    """Refresh PostgreSQL's statistics of the warning points after a scan stored many (the first
    scan after a deployment or a settings change): planned on an apparently empty table, the
    "no point stored yet" anti-join becomes a nested loop over every stored row for each item -
    minutes instead of milliseconds - until autovacuum catches up. At most twice per scan, and
    only in scans that store a full batch."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(WarningPoint._meta.db_table)}")


def _scan_warnings(
    *,
    spec: KindSpec,
    now: datetime,
    rules: dict[str, WarningRule],
    managers: list,
    result: ScanResult,
) -> None:
    """Items of one kind past their stored warning point and not yet at their deadline, soonest
    due first. A reminder whose deadline has already passed is superseded by the escalation."""
    for rag, rule in rules.items():
        reached = _stored_points(spec, rule).filter(warning_at__lte=now)
        after: tuple[datetime, int] | None = None
        for _ in range(MAX_BATCHES):
            rows = (
                spec.with_rag(_unclaimed(spec, Stage.WARNING), rag)
                .filter(Exists(reached), **{f"{spec.due_field}__gt": now})
                .filter(_after(spec, after))
                .order_by(spec.due_field, "pk")
            )
            batch = list(rows[:BATCH_SIZE])
            if not batch:
                break
            after = (getattr(batch[-1], spec.due_field), batch[-1].pk)
            _process(
                [_due(spec, row) for row in batch],
                stage=Stage.WARNING,
                managers=managers,
                result=result,
            )


# --- acting ------------------------------------------------------------------------------------


def _active(users):
    return users.filter(is_active=True).order_by("pk")


@transaction.atomic
def _process(items: list[DueItem], *, stage: Stage, managers: list, result: ScanResult) -> None:
    """Claim `items` at `stage` and act on those this call claimed, in one transaction.

    The items are selected before this transaction, so each is first locked and checked again:
    one decided, closed, returned or withdrawn since, or whose deadline moved, is left out and
    nothing is claimed for it (``_lock_still_due``). A reminder's stored warning points go in the
    same transaction as its claim."""
    items = _lock_still_due(items)
    if not items:
        return
    if stage == Stage.WARNING:
        _forget_warning_points(items)
    now = timezone.now()
    token = uuid.uuid4()
    DeadlineEvent.objects.bulk_create(
        [
            DeadlineEvent(
                kind=due.kind,
                stage=stage,
                deadline=due.deadline,
                claim_token=token,
                claimed_at=now,
                **{ITEM_FIELD[due.kind]: due.item},
            )
            for due in items
        ],
        ignore_conflicts=True,
    )
    events = {
        (event.kind, getattr(event, f"{ITEM_FIELD[event.kind]}_id"), event.deadline): event
        for event in DeadlineEvent.objects.filter(claim_token=token)
    }
    mine = [
        (due, events[(due.kind, due.item.pk, due.deadline)])
        for due in items
        if (due.kind, due.item.pk, due.deadline) in events
    ]
    if not mine:
        return
    agency_staff = _agency_staff({due.agency_id for due, _ in mine if due.agency_id})
    # Each recipient with the kind of notification they get about the event: at the warning
    # point a reminder; at the deadline an escalation to the managers (or the agency's
    # supervisors) and a breach to whoever was reminded and is not escalated to (the assignee,
    # or an unassigned request's researchers): one notification per person and event.
    recipients: dict[int, list[tuple[User, NotificationKind]]] = {}
    for due, event in mine:
        reminded = _recipients(
            due, stage=Stage.WARNING, managers=managers, agency_staff=agency_staff
        )
        if stage == Stage.DEADLINE:
            escalated = _recipients(
                due, stage=Stage.DEADLINE, managers=managers, agency_staff=agency_staff
            )
            told = {user.pk for user in escalated}
            recipients[event.pk] = [(user, NotificationKind.ESCALATION) for user in escalated] + [
                (user, NotificationKind.BREACH) for user in reminded if user.pk not in told
            ]
        else:
            recipients[event.pk] = [(user, NotificationKind.REMINDER) for user in reminded]
    emailed = {
        kind: emailed_users(
            kind, {user.pk for users in recipients.values() for user, of in users if of == kind}
        )
        for kind in {kind for users in recipients.values() for _, kind in users}
    }
    notifications: list[Notification] = []
    breaches: list[Breach] = []
    for due, event in mine:
        for user, kind in recipients[event.pk]:
            if not user.is_active:
                logger.warning(
                    "Deadline %s of %s %s: %s is deactivated, notification skipped",
                    stage,
                    due.kind,
                    due.item.pk,
                    user.get_username(),
                )
                result.skipped += 1
                continue
            notifications.append(
                _notification(due, event, user, kind=kind, email=user.pk in emailed[kind], now=now)
            )
        if stage == Stage.DEADLINE:
            breaches.append(
                Breach(
                    kind=due.kind,
                    event=event,
                    deadline=due.deadline,
                    detected_at=now,
                    agency_id=due.agency_id,
                    **{ITEM_FIELD[due.kind]: due.item},
                )
            )
    Notification.objects.bulk_create(notifications, ignore_conflicts=True)
    result.emails += _queue_emails(token)
    Breach.objects.bulk_create(breaches)
    for due, event in mine:
        sent_to = [user.pk for user, _ in recipients[event.pk] if user.is_active]
        record_event(
            "deadline.breached" if stage == Stage.DEADLINE else "deadline.reminder",
            target=due.item,
            data={"kind": due.kind, "deadline": due.deadline.isoformat(), "notified": sent_to},
        )
    if stage == Stage.DEADLINE:
        for spec in SPECS:
            escalated_pks = [due.item.pk for due, _ in mine if due.kind == spec.kind]
            if spec.on_escalated is not None and escalated_pks:
                spec.on_escalated(escalated_pks, now)
        result.escalations += len(mine)
        result.breaches += len(breaches)
    else:
        result.reminders += len(mine)
    DeadlineEvent.objects.filter(claim_token=token).update(processed_at=timezone.now())


def _lock_still_due(items: list[DueItem]) -> list[DueItem]:
    """Lock the rows of `items` (``SELECT ... FOR UPDATE``, kind by kind, in id order) and keep
    those still open with the deadline they were selected for.

    This closes the gap between the scan's selection and its writes: a decision (or close, return
    or withdrawal) that commits in that gap has already changed the row, and PostgreSQL re-checks
    the locked row against the open filter, so the item is left out; one that comes after waits
    for this transaction, and its ``resolve_breaches`` then sees and resolves the breach written
    here. Nothing is claimed for an item left out, so its key stays free and no event, breach or
    notification exists for it: a moved deadline is claimed afresh under its new key."""
    by_kind: dict[str, list[DueItem]] = defaultdict(list)
    for due in items:
        by_kind[due.kind].append(due)
    kept: set[tuple[str, int]] = set()
    for spec in SPECS:
        dues = by_kind.get(spec.kind)
        if not dues:
            continue
        current = dict(
            spec.open_items()
            .filter(pk__in=[due.item.pk for due in dues])
            .select_for_update(of=("self",))
            .order_by("pk")
            .values_list("pk", spec.due_field)
        )
        kept.update(
            (spec.kind, due.item.pk) for due in dues if current.get(due.item.pk) == due.deadline
        )
    return [due for due in items if (due.kind, due.item.pk) in kept]


def _forget_warning_points(items: list[DueItem]) -> None:
    """Delete the stored warning points of `items` (reminded now, or by the scan that claimed
    first): any basis, any older deadline of the same item."""
    by_kind: dict[str, list[int]] = defaultdict(list)
    for due in items:
        by_kind[due.kind].append(due.item.pk)
    for kind, pks in by_kind.items():
        WarningPoint.objects.filter(kind=kind, **{f"{ITEM_FIELD[kind]}_id__in": pks}).delete()


def _agency_staff(agency_ids: set[int]) -> dict[int, list[User]]:
    """The active researchers and supervisors of each agency (one query per batch)."""
    staff: dict[int, list[User]] = {agency_id: [] for agency_id in agency_ids}
    if agency_ids:
        users = _active(
            User.objects.filter(
                agency_id__in=agency_ids,
                role__in=[Role.AGENCY_RESEARCHER, Role.AGENCY_SUPERVISOR],
            )
        )
        for user in users:
            staff[user.agency_id].append(user)
    return staff


def _recipients(
    due: DueItem, *, stage: Stage, managers: list, agency_staff: dict[int, list[User]]
) -> list[User]:
    """Reminder: the assignee; an unassigned request, the agency's team; an unassigned contact
    or enquiry, the hub managers who allocate work. Escalation: the hub managers, or for a
    return the agency's supervisors. An inactive assignee is returned so it can be logged."""
    team = agency_staff.get(due.agency_id, []) if due.agency_id else []
    if stage == Stage.DEADLINE:
        if due.agency_id:
            return [user for user in team if user.role == Role.AGENCY_SUPERVISOR]
        return managers
    if due.assignee is not None:
        return [due.assignee]
    return team if due.agency_id else managers


def _notification(
    due: DueItem, event: DeadlineEvent, user, *, kind: NotificationKind, email: bool, now: datetime
) -> Notification:
    """A reminder, escalation or breach of `due`: its reference, label and due time, no names
    (the email leaves the system)."""
    reference = due.item.reference
    when = timezone.localtime(due.deadline).strftime("%a %d %b %Y %H:%M")
    if kind == NotificationKind.ESCALATION:
        title = f"{reference} has missed its deadline"
        body = f"{due.spec.label} {reference} was due at {when} and is overdue. It is a breach."
    elif kind == NotificationKind.BREACH:
        title = f"{reference} has missed its deadline: a breach is recorded"
        body = (
            f"{due.spec.label} {reference} was due at {when} and is overdue. A breach is "
            "recorded and your manager or supervisor has been told."
        )
    else:
        title = f"{reference} is due at {when}"
        body = f"{due.spec.label} {reference} is due at {when}. Most of its time has been used."
    return Notification(
        user=user,
        kind=kind,
        event=event,
        key=f"event:{event.pk}",
        title=title,
        body=body,
        link=due.spec.link(due.item),
        created_at=now,
        email_wanted=email and bool(user.email),
    )


def _queue_emails(token: uuid.UUID) -> int:
    """Queue in the outbox, in the batch's transaction, the emails of the notifications this
    batch wrote (its claims carry `token`): they commit or roll back with the claims."""
    wanted = (
        Notification.objects.filter(
            event__claim_token=token, email_wanted=True, emailed_at__isnull=True
        )
        .select_related("user")
        .order_by("pk")
    )
    return len(queue_emails(notification_mail(notification) for notification in wanted))
