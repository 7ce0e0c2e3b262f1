"""What a timescale or closure day change would do, before the administrator confirms it.

A preview makes the change inside a transaction and rolls it back: the setting (or closure day)
is stored, the moves are worked out by the very code that confirming runs
(``timescale_services``: the settings read back through ``deadlines.timescales``, the due times
replayed item by item), and then nothing is kept. So there is no second formula to drift from
the first.

The confirmation is bound to what was previewed by a signed token holding the values and the
basis of the preview (a fingerprint of every stored timescale and closure day). Confirming
checks the signature, the values again, and the basis inside the saving transaction: if another
administrator changed the timescales or closure days in between, nothing is saved and the page
shows the new preview.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core import signing
from django.db import transaction
from django.utils import timezone

from agencies.roles import Role
from mash.access import require_role

from .models import ClosureDay
from .timescale_services import (
    Move,
    _moves_around,
    _moves_for_setting,
    _store_setting,
    closure_day_validate,
    timescale_validate,
    timescales_basis,
)
from .timescales import SETTING_KEYS, clear_cache, setting_label

__all__ = [
    "DeadlinePreview",
    "PreviewError",
    "PreviewGroup",
    "closure_add_preview",
    "closure_remove_preview",
    "preview_token",
    "read_preview_token",
    "timescale_preview",
]

#: How long a preview may be confirmed for.
PREVIEW_MAX_AGE = 60 * 60
_SALT = "deadlines.timescale-preview"


@dataclass(frozen=True)
class PreviewGroup:
    """The open items of one kind (and RAG, as it is now) whose deadlines would move."""

    kind: str
    rag: str
    label: str
    count: int
    earliest: datetime
    overdue_at_once: int


@dataclass(frozen=True)
class DeadlinePreview:
    groups: tuple[PreviewGroup, ...]
    basis: str

    @property
    def total(self) -> int:
        return sum(group.count for group in self.groups)

    @property
    def overdue_at_once(self) -> int:
        return sum(group.overdue_at_once for group in self.groups)

    @property
    def earliest(self) -> datetime | None:
        return min((group.earliest for group in self.groups), default=None)


def _summarise(moves: list[Move], basis: str, now: datetime) -> DeadlinePreview:
    """Per (kind, RAG), in the settings page's order: how many move, the earliest new due
    time, and how many would be overdue at once (due before now, and not already)."""
    groups = []
    for kind, rag in SETTING_KEYS:
        these = [move for move in moves if (move.kind, move.rag) == (kind, rag)]
        if not these:
            continue
        groups.append(
            PreviewGroup(
                kind=kind,
                rag=rag,
                label=setting_label(kind, rag),
                count=len(these),
                earliest=min(move.new for move in these),
                overdue_at_once=sum(1 for m in these if m.new < now <= m.old),
            )
        )
    return DeadlinePreview(groups=tuple(groups), basis=basis)


def _rolled_back(change: Callable[[], list[Move]]) -> DeadlinePreview:
    """The moves ``change`` makes, worked out in a transaction that is then rolled back."""
    basis = timescales_basis()
    now = timezone.now()
    try:
        with transaction.atomic():
            moves = change()
            transaction.set_rollback(True)
    finally:
        clear_cache()  # nothing read inside the rolled-back transaction may outlive it
    return _summarise(moves, basis, now)


def timescale_preview(
    *, actor, kind: str, rag: str, amount: Any, clock: str, warning_percent: Any
) -> DeadlinePreview:
    """What storing this timescale would do to the open items' deadlines; nothing is kept.
    ``ValidationError`` naming each bad field, ``PermissionError`` for a non-administrator."""
    require_role(actor, {Role.ADMINISTRATOR}, "change timescales")
    key, amount, clock, warning_percent = timescale_validate(
        kind=kind, rag=rag, amount=amount, clock=clock, warning_percent=warning_percent
    )

    def change() -> list[Move]:
        _store_setting(actor, key, amount, clock, warning_percent)
        return _moves_for_setting(*key)

    return _rolled_back(change)


def closure_add_preview(*, actor, day: date, reason: str) -> DeadlinePreview:
    """What making ``day`` a closure day would do; nothing is kept."""
    require_role(actor, {Role.ADMINISTRATOR}, "change closure days")
    day, reason = closure_day_validate(day=day, reason=reason)

    def change() -> list[Move]:
        ClosureDay.objects.create(
            date=day, reason=reason, created_at=timezone.now(), created_by=actor
        )
        return _moves_around(day)

    return _rolled_back(change)


def closure_remove_preview(*, actor, closure: ClosureDay) -> DeadlinePreview:
    """What making a closure day a working day again would do; nothing is kept."""
    require_role(actor, {Role.ADMINISTRATOR}, "change closure days")

    def change() -> list[Move]:
        ClosureDay.objects.filter(pk=closure.pk).delete()
        return _moves_around(closure.date)

    return _rolled_back(change)


class PreviewError(ValueError):
    """A confirmation whose token is missing, altered, expired, or for another change."""


def preview_token(*, actor, action: str, values: dict[str, Any], basis: str) -> str:
    """A signed token binding a confirmation to the previewed change: who, what, which values
    and on which basis."""
    payload = {"user": actor.pk, "action": action, "values": values, "basis": basis}
    return signing.dumps(payload, salt=_SALT, compress=True)


def read_preview_token(token: str, *, actor, action: str) -> tuple[dict[str, Any], str]:
    """The (values, basis) of a token made by ``preview_token`` for this user and action in
    the last hour; ``PreviewError`` otherwise."""
    try:
        payload = signing.loads(token or "", salt=_SALT, max_age=PREVIEW_MAX_AGE)
    except signing.SignatureExpired:
        raise PreviewError("This preview is too old to confirm. Check the change again.") from None
    except signing.BadSignature:
        raise PreviewError(
            "This confirmation was not made by this page. Check the change again."
        ) from None
    if payload.get("user") != actor.pk or payload.get("action") != action:
        raise PreviewError("This confirmation is for another change. Check the change again.")
    return dict(payload.get("values") or {}), str(payload.get("basis") or "")
