"""The deadline scan: reminders at the warning point, escalations and breaches at the deadline,
each exactly once per item and deadline (docs/adr/0002-deadline-scan.md).

Each batch runs in one transaction: it inserts the (kind, item, stage, deadline) claims with
``ON CONFLICT DO NOTHING``, reads back the rows this scan inserted, and writes the notifications,
breaches and audit events for those only. A worker that dies mid-batch rolls the whole batch back,
so the next scan does it again; a key another scan claimed is never acted on twice. Emails go
after the commit, each claimed by a conditional update of ``emailed_at``.
"""

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from agencies.models import User
from agencies.roles import Role
from mash.audit.events import record_event
from mash.clocks import WorkingCalendar, default_calendar

from .kinds import SPECS, DueItem, KindSpec
from .models import (
    ITEM_FIELD,
    Breach,
    DeadlineEvent,
    Notification,
    NotificationKind,
    NotificationPreference,
    ScanRun,
    Stage,
)
from .points import warning_point

logger = logging.getLogger(__name__)

#: Items claimed per transaction.
BATCH_SIZE = 500
#: Batches per stage and kind in one scan: what is left waits for the next scan (a minute later).
MAX_BATCHES = 40
#: How far ahead of its deadline an item may reach its warning point. 25% of the longest
#: timescale that settings allow (30 working days, at most ~46 calendar days with holidays).
WARNING_HORIZON = timedelta(days=12)


@dataclass
class ScanResult:
    """What one scan did."""

    reminders: int = 0
    escalations: int = 0
    breaches: int = 0
    skipped: int = 0
    emails: int = 0
    scan_run_id: int | None = None

    def __str__(self) -> str:
        return (
            f"{self.reminders} reminders, {self.escalations} escalations, "
            f"{self.breaches} breaches, {self.skipped} notifications skipped, "
            f"{self.emails} emails sent"
        )


def run_deadline_scan(*, now: datetime | None = None) -> ScanResult:
    """Run one deadline scan at `now` (default: the current time) and record it as a ScanRun.

    Deadlines first (escalations and breaches, soonest due first, across the three kinds), then
    warning points. Safe to run twice or concurrently: every action is claimed once.
    """
    now = now or timezone.now()
    run = ScanRun.objects.create(started_at=timezone.now())
    result = ScanResult(scan_run_id=run.pk)
    calendar = default_calendar()
    managers = list(_active(User.objects.filter(role=Role.HUB_MANAGER)))
    _scan_deadlines(now=now, managers=managers, result=result)
    for spec in SPECS:
        _scan_warnings(spec=spec, now=now, calendar=calendar, managers=managers, result=result)
    result.emails = send_pending_emails()
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


def _scan_warnings(
    *, spec: KindSpec, now: datetime, calendar: WorkingCalendar, managers: list, result: ScanResult
) -> None:
    """Items of one kind past their warning point and not yet at their deadline, soonest due
    first. A reminder whose deadline has already passed is superseded by the escalation."""
    after: tuple[datetime, int] | None = None
    for _ in range(MAX_BATCHES):
        rows = _unclaimed(spec, Stage.WARNING).filter(
            **{f"{spec.due_field}__gt": now, f"{spec.due_field}__lte": now + WARNING_HORIZON}
        )
        if after is not None:
            rows = rows.filter(
                Q(**{f"{spec.due_field}__gt": after[0]})
                | Q(**{spec.due_field: after[0], "pk__gt": after[1]})
            )
        batch = list(rows.order_by(spec.due_field, "pk")[:BATCH_SIZE])
        if not batch:
            return
        after = (getattr(batch[-1], spec.due_field), batch[-1].pk)
        reached = [
            due
            for due in (_due(spec, row) for row in batch)
            if warning_point(
                start=due.start,
                deadline=due.deadline,
                clock=spec.clock(due.item),
                calendar=calendar,
                fraction=spec.warning_fraction(due.item),
            )
            <= now
        ]
        if reached:
            _process(reached, stage=Stage.WARNING, managers=managers, result=result)


# --- acting ------------------------------------------------------------------------------------


def _active(users):
    return users.filter(is_active=True).order_by("pk")


@transaction.atomic
def _process(items: list[DueItem], *, stage: Stage, managers: list, result: ScanResult) -> None:
    """Claim `items` at `stage` and act on those this call claimed, in one transaction."""
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
    recipients = {
        event.pk: _recipients(due, stage=stage, managers=managers, agency_staff=agency_staff)
        for due, event in mine
    }
    everyone = {user.pk for users in recipients.values() for user in users}
    no_reminder_email = set(
        NotificationPreference.objects.filter(
            user_id__in=everyone, email_reminders=False
        ).values_list("user_id", flat=True)
    )
    notifications: list[Notification] = []
    breaches: list[Breach] = []
    for due, event in mine:
        for user in recipients[event.pk]:
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
                _notification(due, event, user, stage=stage, opted_out=no_reminder_email, now=now)
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
    Breach.objects.bulk_create(breaches)
    for due, event in mine:
        sent_to = [user.pk for user in recipients[event.pk] if user.is_active]
        record_event(
            "deadline.breached" if stage == Stage.DEADLINE else "deadline.reminder",
            target=due.item,
            data={"kind": due.kind, "deadline": due.deadline.isoformat(), "notified": sent_to},
        )
    if stage == Stage.DEADLINE:
        result.escalations += len(mine)
        result.breaches += len(breaches)
    else:
        result.reminders += len(mine)
    DeadlineEvent.objects.filter(claim_token=token).update(processed_at=timezone.now())


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
    due: DueItem, event: DeadlineEvent, user, *, stage: Stage, opted_out: set[int], now: datetime
) -> Notification:
    reference = due.item.reference
    when = timezone.localtime(due.deadline).strftime("%a %d %b %Y %H:%M")
    if stage == Stage.DEADLINE:
        kind = NotificationKind.ESCALATION
        title = f"{reference} has missed its deadline"
        body = f"{due.spec.label} {reference} was due at {when} and is overdue. It is a breach."
        email = True
    else:
        kind = NotificationKind.REMINDER
        title = f"{reference} is due at {when}"
        body = f"{due.spec.label} {reference} is due at {when}. Most of its time has been used."
        email = user.pk not in opted_out
    return Notification(
        user=user,
        kind=kind,
        event=event,
        title=title,
        body=body,
        link=due.spec.link(due.item),
        created_at=now,
        email_wanted=email and bool(user.email),
    )


def absolute_link(link: str) -> str:
    """A notification's link as a full address for an email (SITE_URL + path)."""
    if not link or "://" in link:
        return link
    return f"{settings.SITE_URL}{link}"


def send_pending_emails(*, limit: int = BATCH_SIZE * 4) -> int:
    """Email the notifications that want it and have not been emailed, each claimed by a
    conditional update so two scans never send the same one. A failed send is released for the
    next scan."""
    sent = 0
    pending = (
        Notification.objects.filter(email_wanted=True, emailed_at__isnull=True)
        .select_related("user")
        .order_by("pk")[:limit]
    )
    for notification in pending:
        claimed = Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        )
        if not claimed:
            continue
        try:
            send_mail(
                subject=f"{settings.SERVICE_NAME}: {notification.title}",
                message=f"{notification.body}\n\n{absolute_link(notification.link)}",
                from_email=None,
                recipient_list=[notification.user.email],
            )
        except Exception:  # noqa: BLE001 - one bad address must not stop the scan
            logger.exception("Email of notification %s failed; kept for retry", notification.pk)
            Notification.objects.filter(pk=notification.pk).update(emailed_at=None)
            continue
        sent += 1
    return sent


def notifications_mark_read(*, user, ids: list[int]) -> int:
    """Mark the user's own notifications read; returns how many changed."""
    return Notification.objects.filter(user=user, pk__in=ids, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def preference_set(*, user, email_reminders: bool) -> NotificationPreference:
    """Turn reminder emails on or off for `user` (escalations are always emailed)."""
    preference, _ = NotificationPreference.objects.update_or_create(
        user=user, defaults={"email_reminders": email_reminders}
    )
    record_event(
        "notifications.preference_changed",
        target=preference,
        actor=user,
        data={"email_reminders": email_reminders},
    )
    return preference
