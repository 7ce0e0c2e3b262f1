"""Changing the timescales: an administrator's setting for one kind of item (and RAG), and the
local closure days. Each change recomputes, in the same transaction, the stored due time of every
open item it can move, and says how many moved.

How an open item's due time is recomputed: it is the due time the item would have had if today's
settings had been in force from its start.

* A contact not yet decided: ``received_at`` plus the contact decision timescale.
* An open enquiry: ``opened_at`` plus the timescale of its *initial* RAG, then each of its RAG
  changes replayed in order through ``enquiries.timescales.moved_deadline`` (escalation: the
  earlier of the deadline so far and the change time plus the new RAG's timescale;
  de-escalation: the later of the deadline so far and ``opened_at`` plus it). Recomputing from
  ``opened_at`` with the current RAG alone would be simpler, but would move an enquiry escalated
  late in its life to a deadline long past and breach it at once.
* An open information request: ``requested_at`` plus the return timescale of the enquiry's RAG
  at ``requested_at`` (what ``request_create`` used), then the enquiry's later RAG changes
  replayed the same way from ``requested_at``.

The scan keys its events by deadline, so a moved deadline gets fresh reminders and escalations
by itself; events already sent for the old deadline stay as they were. Rows are written with
conditional bulk ``UPDATE``s that still require the item to be open, so an item decided or closed
meanwhile keeps its due time. Those updates bypass django-auditlog's signals, so the named event
of each change lists the items it moved. A change also deletes the stored warning points it can
affect (of its kind; all, for a closure day), which the next scan computes again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Case, Prefetch, Q, Value, When
from django.utils import timezone

from agencies.roles import Role
from contacts.models import Contact
from contacts.timescales import contact_decision_timescale
from domestic_abuse.deadlines import meeting_decision_due_at, triaged_by_meeting
from enquiries.models import Enquiry, EnquiryState, InformationRequest, RagChange, RequestState
from enquiries.timescales import enquiry_deadline, moved_deadline, return_due_at, return_timescale
from enquiries.timescales import enquiry_timescale as _enquiry_timescale
from mash.access import require_role
from mash.audit.events import record_event
from mash.clocks import LONDON, Clock, default_calendar
from mash.errors import ConflictError

from .models import MAX_TIMESCALE_AMOUNT, ClosureDay, ItemKind, TimescaleSetting, WarningPoint
from .timescales import clear_cache, load_snapshot, setting_key, setting_label

#: Rows written per UPDATE statement.
UPDATE_BATCH = 500
_ADMINISTRATORS = {Role.ADMINISTRATOR}
_UNITS = {
    Clock.ELAPSED: "elapsed hours",
    Clock.WORKING_HOURS: "working hours",
    Clock.WORKING_DAYS: "working days",
}


@dataclass
class RecomputeResult:
    """Which open items got a new due time."""

    contacts: list[int] = field(default_factory=list)
    enquiries: list[int] = field(default_factory=list)
    requests: list[int] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return len(self.contacts) + len(self.enquiries) + len(self.requests)

    def as_data(self) -> dict:
        return {
            "items_changed": self.changed,
            "contacts": self.contacts,
            "enquiries": self.enquiries,
            "information_requests": self.requests,
        }


@dataclass(frozen=True)
class Move:
    """One open item whose due time a change moves: its kind, the RAG its deadline runs on now
    ("" for a contact), and the due time before and after."""

    kind: str
    rag: str
    pk: int
    old: datetime
    new: datetime


def timescales_basis() -> str:
    """A fingerprint of every stored timescale value and closure day, read from the database
    now: a preview made on one basis is stale once it differs."""
    snapshot = load_snapshot()
    stored = sorted(
        (kind, rag, value.timescale.amount, str(value.timescale.clock), value.warning_percent)
        for (kind, rag), value in snapshot.stored.items()
    )
    closures = sorted(day.isoformat() for day in snapshot.closures)
    text = json.dumps({"stored": stored, "closures": closures})
    return hashlib.sha256(text.encode()).hexdigest()[:32]


STALE_MESSAGE = (
    "Another administrator changed the timescales or closure days after this preview was made, "
    "so it no longer says what your change would do. Nothing was saved: check the new preview."
)


def _check_basis(basis: str | None) -> None:
    if basis is not None and basis != timescales_basis():
        raise ConflictError(STALE_MESSAGE)


# --- validation ----------------------------------------------------------------------------------


def _whole_number(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def timescale_validate(
    *, kind: str, rag: str, amount, clock: str, warning_percent
) -> tuple[tuple[str, str], int, Clock, int]:
    """The checked (key, amount, clock, warning percent), or a ValidationError naming each bad
    field."""
    errors: dict[str, str] = {}
    key = None
    try:
        key = setting_key(kind, rag)
    except ValueError:
        errors["kind"] = "Choose one of the seven timescales (contact decision, enquiry or return)."
    clock_value = Clock(clock) if clock in Clock.values else None
    if clock_value is None:
        errors["clock"] = "Choose the clock: elapsed hours, working days or working hours."
    number = _whole_number(amount)
    if number is None:
        errors["amount"] = "Enter the duration as a whole number."
    elif number < 1:
        errors["amount"] = "The duration must be at least 1."
    elif clock_value is not None and number > MAX_TIMESCALE_AMOUNT[clock_value]:
        errors["amount"] = (
            f"The duration must be at most {MAX_TIMESCALE_AMOUNT[clock_value]} "
            f"{_UNITS[clock_value]} (30 days of that clock)."
        )
    percent = _whole_number(warning_percent)
    if percent is None or not 1 <= percent <= 99:
        errors["warning_percent"] = (
            "The warning point must be a whole number between 1 and 99 (% of the time used)."
        )
    if errors:
        raise ValidationError(errors)
    return key, number, clock_value, percent


def _long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def closure_day_validate(*, day, reason: str) -> tuple[date, str]:
    """The checked (day, reason): a day from today on, not already closed, with a reason."""
    errors: dict[str, str] = {}
    if not isinstance(day, date) or isinstance(day, datetime):
        errors["day"] = "Enter the closure day as a date."
    elif day < timezone.localdate():
        errors["day"] = "The closure day must be today or in the future, not in the past."
    elif ClosureDay.objects.filter(date=day).exists():
        errors["day"] = f"{_long_date(day)} is already a closure day."
    reason = (reason or "").replace("\x00", "").strip()
    if not reason:
        errors["reason"] = "Enter the reason for the closure."
    elif len(reason) > 200:
        errors["reason"] = "The reason must be 200 characters or fewer."
    if errors:
        raise ValidationError(errors)
    return day, reason


# --- writes --------------------------------------------------------------------------------------


def _describe(setting: TimescaleSetting | None) -> dict | None:
    if setting is None:
        return None
    return {
        "amount": setting.amount,
        "clock": setting.clock,
        "warning_percent": setting.warning_percent,
    }


def timescale_set(
    *,
    actor,
    kind: str,
    rag: str,
    amount: int,
    clock: str,
    warning_percent: int = 75,
    basis: str | None = None,
) -> RecomputeResult:
    """Store the timescale of (kind, RAG) and recompute the due times of the open items of that
    kind whose deadline depends on it. Administrators only (``PermissionError`` otherwise).
    With ``basis`` (from a preview), ``ConflictError`` and nothing stored if the timescales or
    closure days have changed since."""
    require_role(actor, _ADMINISTRATORS, "change timescales")
    key, amount, clock, warning_percent = timescale_validate(
        kind=kind, rag=rag, amount=amount, clock=clock, warning_percent=warning_percent
    )
    try:
        with transaction.atomic():
            before = TimescaleSetting.objects.select_for_update().filter(kind=key[0], rag=key[1])
            previous = _describe(before.first())
            _check_basis(basis)
            setting = _store_setting(actor, key, amount, clock, warning_percent)
            result = _apply(_moves_for_setting(*key))
            _forget_warning_points(kind=key[0])
            record_event(
                "timescales.setting_changed",
                target=setting,
                actor=actor,
                data={
                    "setting": setting_label(*key),
                    "kind": key[0],
                    "rag": key[1],
                    "before": previous,
                    "after": _describe(setting),
                    **result.as_data(),
                },
            )
    except BaseException:
        clear_cache()  # a lookup inside the rolled-back transaction must not outlive it
        raise
    return result


def _store_setting(
    actor, key: tuple[str, str], amount: int, clock: Clock, warning_percent: int
) -> TimescaleSetting:
    setting, _ = TimescaleSetting.objects.update_or_create(
        kind=key[0],
        rag=key[1],
        defaults={
            "amount": amount,
            "clock": clock,
            "warning_percent": warning_percent,
            "updated_at": timezone.now(),
            "updated_by": actor,
        },
    )
    return setting


def closure_day_add(
    *, actor, day: date, reason: str, basis: str | None = None
) -> tuple[ClosureDay, RecomputeResult]:
    """Make ``day`` a local closure (not a working day) and recompute the due times it moves.
    A day in the past is refused: deadlines already reached must not move. With ``basis`` (from
    a preview), ``ConflictError`` and nothing stored if the timescales or closure days have
    changed since."""
    require_role(actor, _ADMINISTRATORS, "change closure days")
    day, reason = closure_day_validate(day=day, reason=reason)
    try:
        with transaction.atomic():
            _check_basis(basis)
            closure = ClosureDay.objects.create(
                date=day, reason=reason, created_at=timezone.now(), created_by=actor
            )
            result = _apply(_moves_around(day))
            _forget_warning_points()
            record_event(
                "timescales.closure_added",
                target=closure,
                actor=actor,
                data={"date": day.isoformat(), "reason": reason, **result.as_data()},
            )
    except BaseException:
        clear_cache()
        raise
    return closure, result


def closure_day_remove(*, actor, closure: ClosureDay, basis: str | None = None) -> RecomputeResult:
    """Make a closure day a working day again and recompute the due times it moves. A closure
    day that has passed stays: removing it would move deadlines already reached. With ``basis``
    (from a preview), ``ConflictError`` and nothing changed if the timescales or closure days
    have changed since."""
    require_role(actor, _ADMINISTRATORS, "change closure days")
    if closure.date < timezone.localdate():
        raise ValidationError({"day": "A closure day that has passed cannot be removed."})
    try:
        with transaction.atomic():
            day, reason = closure.date, closure.reason
            _check_basis(basis)
            deleted, _ = ClosureDay.objects.filter(pk=closure.pk).delete()
            if not deleted:
                raise ValidationError({"day": f"{_long_date(day)} is no longer a closure day."})
            result = _apply(_moves_around(day))
            _forget_warning_points()
            record_event(
                "timescales.closure_removed",
                actor=actor,
                data={"date": day.isoformat(), "reason": reason, **result.as_data()},
            )
    except BaseException:
        clear_cache()
        raise
    return result


def _forget_warning_points(*, kind: str | None = None) -> None:
    """Delete the stored warning points (of one kind, or all): the next deadline scan computes
    them again for the open items with today's settings and closure days. The scan also ignores a
    point stored on another basis (``WarningPoint.basis``), so this keeps the table small rather
    than being what keeps the points right."""
    points = WarningPoint.objects.all() if kind is None else WarningPoint.objects.filter(kind=kind)
    points.delete()


# --- recomputing ---------------------------------------------------------------------------------
#
# A change is worked out in two steps: the moves (which open items would get which new due time,
# read with the settings as they now stand in this transaction), then writing them. A preview
# makes the same moves inside a transaction it rolls back (deadlines.timescale_preview), so what
# it shows is what confirming writes.


def _moves_for_setting(kind: str, rag: str) -> list[Move]:
    if kind == ItemKind.CONTACT_DECISION:
        return _contact_moves(Q())
    if kind == ItemKind.ENQUIRY:
        return _enquiry_moves(_touches_rag(rag))
    return _request_moves(_touches_rag(rag, prefix="enquiry__"))


def _touches_rag(rag: str, *, prefix: str = "") -> Q:
    """Enquiries whose deadline may depend on `rag`'s timescale: it is or was their RAG."""
    changed = RagChange.objects.filter(Q(from_rag=rag) | Q(to_rag=rag)).values("enquiry_id")
    return (
        Q(**{f"{prefix}rag": rag})
        | Q(**{f"{prefix}initial_rag": rag})
        | Q(**{f"{prefix}pk__in": changed})
    )


def _moves_around(day: date) -> list[Move]:
    """The moves of the open items whose count could pass over `day`: started before its end
    and due at or after its start (an item on the elapsed clock is looked at and left alone)."""
    begins = datetime.combine(day, datetime.min.time(), tzinfo=LONDON)
    ends = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=LONDON)
    return [
        *_contact_moves(Q(received_at__lt=ends, decision_due_at__gte=begins)),
        *_enquiry_moves(Q(opened_at__lt=ends, deadline__gte=begins)),
        *_request_moves(Q(requested_at__lt=ends, due_at__gte=begins)),
    ]


def _apply(moves: list[Move]) -> RecomputeResult:
    """Write the moves of the items still open; which were written."""

    def of(kind: str) -> dict[int, datetime]:
        return {move.pk: move.new for move in moves if move.kind == kind}

    return RecomputeResult(
        contacts=_write(_open_contacts(), "decision_due_at", of(ItemKind.CONTACT_DECISION)),
        enquiries=_write(_open_enquiries(), "deadline", of(ItemKind.ENQUIRY)),
        requests=_write(_open_requests(), "due_at", of(ItemKind.INFORMATION_RETURN)),
    )


def _open_contacts():
    return Contact.objects.filter(outcome="")


def _open_enquiries():
    return Enquiry.objects.exclude(state=EnquiryState.CLOSED)


def _open_requests():
    return InformationRequest.objects.filter(state=RequestState.OPEN)


def _contact_moves(condition: Q) -> list[Move]:
    """A contact's due time from its receipt: the contact decision timescale, or for a medium
    or high risk DA notification the daily meeting's deadline (domestic_abuse.deadlines)."""
    calendar = default_calendar()
    timescale = contact_decision_timescale()
    rows = (
        _open_contacts()
        .filter(condition)
        .annotate(by_meeting=triaged_by_meeting())
        .values_list("pk", "received_at", "decision_due_at", "by_meeting")
    )
    moves = []
    for pk, received_at, due, by_meeting in rows.iterator(chunk_size=2000):
        if by_meeting:
            new = meeting_decision_due_at(received_at, calendar=calendar)
        else:
            new = calendar.add(received_at, timescale)
        if new != due:
            moves.append(Move(ItemKind.CONTACT_DECISION, "", pk, due, new))
    return moves


def _rag_changes() -> Prefetch:
    return Prefetch(
        "rag_changes",
        queryset=RagChange.objects.only("enquiry_id", "from_rag", "to_rag", "changed_at").order_by(
            "changed_at", "pk"
        ),
    )


def _replayed_enquiry_deadline(enquiry: Enquiry) -> datetime:
    deadline = enquiry_deadline(enquiry.opened_at, enquiry.initial_rag)
    for change in enquiry.rag_changes.all():
        deadline = moved_deadline(
            current=deadline,
            started_at=enquiry.opened_at,
            changed_at=change.changed_at,
            from_rag=change.from_rag,
            to_rag=change.to_rag,
            timescale=_enquiry_timescale(change.to_rag),
        )
    return deadline


def _enquiry_moves(condition: Q) -> list[Move]:
    rows = (
        _open_enquiries()
        .filter(condition)
        .only("id", "opened_at", "deadline", "initial_rag", "rag")
        .prefetch_related(_rag_changes())
    )
    moves = []
    for enquiry in rows.iterator(chunk_size=1000):
        new = _replayed_enquiry_deadline(enquiry)
        if new != enquiry.deadline:
            moves.append(Move(ItemKind.ENQUIRY, enquiry.rag, enquiry.pk, enquiry.deadline, new))
    return moves


def _replayed_return_due(request: InformationRequest, changes: Iterable[RagChange]) -> datetime:
    changes = list(changes)
    rag = request.enquiry.initial_rag
    for change in changes:
        if change.changed_at <= request.requested_at:
            rag = change.to_rag
    due = return_due_at(request.requested_at, rag)
    for change in changes:
        if change.changed_at > request.requested_at:
            due = moved_deadline(
                current=due,
                started_at=request.requested_at,
                changed_at=change.changed_at,
                from_rag=change.from_rag,
                to_rag=change.to_rag,
                timescale=return_timescale(change.to_rag),
            )
    return due


def _request_moves(condition: Q) -> list[Move]:
    rows = (
        _open_requests()
        .filter(condition)
        .select_related("enquiry")
        .only("id", "requested_at", "due_at", "enquiry__initial_rag", "enquiry__rag")
        .prefetch_related(Prefetch("enquiry__rag_changes", queryset=_rag_changes().queryset))
    )
    moves = []
    for request in rows.iterator(chunk_size=1000):
        new = _replayed_return_due(request, request.enquiry.rag_changes.all())
        if new != request.due_at:
            rag = request.enquiry.rag
            moves.append(Move(ItemKind.INFORMATION_RETURN, rag, request.pk, request.due_at, new))
    return moves


def _write(open_items: models.QuerySet, field_name: str, changes: dict[int, datetime]) -> list[int]:
    """Set `field_name` of each item in `changes` that is still open, a batch per UPDATE; the
    ids actually written."""
    written: list[int] = []
    ids = sorted(changes)
    output = open_items.model._meta.get_field(field_name)
    for start in range(0, len(ids), UPDATE_BATCH):
        batch = ids[start : start + UPDATE_BATCH]
        still_open = list(
            open_items.filter(pk__in=batch)
            .select_for_update()
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if not still_open:
            continue
        open_items.filter(pk__in=still_open).update(
            **{
                field_name: Case(
                    *(When(pk=pk, then=Value(changes[pk])) for pk in still_open),
                    output_field=output,
                )
            }
        )
        written.extend(still_open)
    return sorted(written)


__all__ = [
    "STALE_MESSAGE",
    "Move",
    "RecomputeResult",
    "closure_day_add",
    "closure_day_remove",
    "closure_day_validate",
    "timescale_set",
    "timescale_validate",
    "timescales_basis",
]
