"""The timescales in force: for each kind of item (and RAG rating) how long it has, on which clock,
and at what share of that time the warning comes; and the local closure days (DOMAIN.md, "RAG
ratings and timescales").

Where each value comes from, first match wins:

1. a deployment setting (``MASH_CONTACT_DECISION_TIMESCALE``, ``MASH_ENQUIRY_TIMESCALES``,
   ``MASH_RETURN_TIMESCALES``): fixed by whoever runs the service, and what tests override;
2. the administrator's stored ``TimescaleSetting`` row;
3. the code default below (the table in DOMAIN.md).

The stored rows and closure days are read together as one ``Snapshot`` and kept per process. The
web and the worker are separate processes, so a process forgets its snapshot at the start of each
request (``request_started``) and each Celery task (``task_prerun``), whenever a row is saved or
deleted in it (then again on commit), and after ``CACHE_SECONDS`` in any case (a shell or a long
command). One request or one deadline scan thus costs at most two small queries, and never sees a
setting older than the request or scan itself.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import date, datetime

from celery.signals import task_prerun
from django.conf import settings
from django.core.signals import request_started
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from contacts.codes import Rag
from mash.clocks import Clock, Timescale

from .models import DEFAULT_WARNING_PERCENT, ClosureDay, ItemKind, TimescaleSetting

__all__ = [
    "DEFAULT_TIMESCALES",
    "SETTING_KEYS",
    "Snapshot",
    "TimescaleRow",
    "clear_cache",
    "closure_days",
    "current_snapshot",
    "load_snapshot",
    "setting_key",
    "timescale_for",
    "timescale_rows",
    "warning_percent_for",
]

#: The code defaults (DOMAIN.md's table), by (kind, RAG); the contact decision has no RAG.
DEFAULT_TIMESCALES: dict[tuple[str, str], Timescale] = {
    (ItemKind.CONTACT_DECISION, ""): Timescale(1, Clock.WORKING_DAYS),
    (ItemKind.ENQUIRY, Rag.RED): Timescale(4, Clock.ELAPSED),
    (ItemKind.ENQUIRY, Rag.AMBER): Timescale(1, Clock.WORKING_DAYS),
    (ItemKind.ENQUIRY, Rag.GREEN): Timescale(3, Clock.WORKING_DAYS),
    (ItemKind.INFORMATION_RETURN, Rag.RED): Timescale(2, Clock.ELAPSED),
    (ItemKind.INFORMATION_RETURN, Rag.AMBER): Timescale(6, Clock.WORKING_HOURS),
    (ItemKind.INFORMATION_RETURN, Rag.GREEN): Timescale(1, Clock.WORKING_DAYS),
}
#: Every setting, in the order the settings page lists them.
SETTING_KEYS: tuple[tuple[str, str], ...] = tuple(DEFAULT_TIMESCALES)

#: The deployment settings that override a kind's timescales (tests use them).
_OVERRIDE_SETTINGS = {
    ItemKind.ENQUIRY: "MASH_ENQUIRY_TIMESCALES",
    ItemKind.INFORMATION_RETURN: "MASH_RETURN_TIMESCALES",
}
_CONTACT_OVERRIDE_SETTING = "MASH_CONTACT_DECISION_TIMESCALE"

#: The longest a process keeps a snapshot without a request, a task or a save clearing it.
CACHE_SECONDS = 60.0


def setting_key(kind: str, rag: str = "") -> tuple[str, str]:
    """The (kind, RAG) key of a setting; ``ValueError`` for a pair that has no setting."""
    key = (str(kind), str(rag or ""))
    if key not in DEFAULT_TIMESCALES:
        raise ValueError(f"No timescale setting for kind {kind!r} and RAG {rag!r}.")
    return key


@dataclass(frozen=True)
class Stored:
    """One stored setting, as read."""

    timescale: Timescale
    warning_percent: int
    updated_at: datetime
    updated_by: str


@dataclass(frozen=True)
class Snapshot:
    """The stored settings by (kind, RAG) and the local closure days, read at one moment."""

    stored: dict[tuple[str, str], Stored]
    closures: frozenset[date]


def load_snapshot() -> Snapshot:
    """Read the stored settings and closure days from the database (two queries, no cache)."""
    stored = {}
    for row in TimescaleSetting.objects.select_related("updated_by"):
        stored[(row.kind, row.rag)] = Stored(
            timescale=Timescale(row.amount, row.clock),
            warning_percent=row.warning_percent,
            updated_at=row.updated_at,
            updated_by=row.updated_by.get_username() if row.updated_by else "",
        )
    closures = frozenset(ClosureDay.objects.values_list("date", flat=True))
    return Snapshot(stored=stored, closures=closures)


_lock = threading.Lock()
_cached: tuple[float, Snapshot] | None = None


def current_snapshot() -> Snapshot:
    """The snapshot this process uses now (see the module docstring for when it is re-read)."""
    global _cached
    cached = _cached
    if cached is not None and time.monotonic() - cached[0] < CACHE_SECONDS:
        return cached[1]
    snapshot = load_snapshot()
    with _lock:
        _cached = (time.monotonic(), snapshot)
    return snapshot


def clear_cache(**_kwargs) -> None:
    """Forget this process's snapshot: the next lookup reads the database."""
    global _cached
    with _lock:
        _cached = None


def _clear_now_and_on_commit(**_kwargs) -> None:
    # Now, so that the rest of the saving transaction sees the change; on commit, so that a
    # lookup made inside the transaction does not outlive it.
    clear_cache()
    transaction.on_commit(clear_cache)


request_started.connect(clear_cache, dispatch_uid="timescales_clear_on_request")
task_prerun.connect(clear_cache, weak=False, dispatch_uid="timescales_clear_on_task")
for _model in (TimescaleSetting, ClosureDay):
    for _signal in (post_save, post_delete):
        _signal.connect(
            _clear_now_and_on_commit, sender=_model, dispatch_uid=f"timescales_{_model.__name__}"
        )


# --- lookups -------------------------------------------------------------------------------------


def _override(key: tuple[str, str]) -> Timescale | None:
    kind, rag = key
    if kind == ItemKind.CONTACT_DECISION:
        return getattr(settings, _CONTACT_OVERRIDE_SETTING, None)
    table = getattr(settings, _OVERRIDE_SETTINGS[kind], None)
    return table.get(rag) if table else None


def timescale_for(kind: str, rag: str = "", *, snapshot: Snapshot | None = None) -> Timescale:
    """The timescale in force for (kind, RAG): deployment setting, else stored, else default."""
    key = setting_key(kind, rag)
    override = _override(key)
    if override is not None:
        return override
    stored = (snapshot or current_snapshot()).stored.get(key)
    return stored.timescale if stored else DEFAULT_TIMESCALES[key]


def warning_percent_for(kind: str, rag: str = "", *, snapshot: Snapshot | None = None) -> int:
    """The share of the time (1-99%) at which (kind, RAG) items are warned: stored, else 75."""
    stored = (snapshot or current_snapshot()).stored.get(setting_key(kind, rag))
    return stored.warning_percent if stored else DEFAULT_WARNING_PERCENT


def closure_days() -> frozenset[date]:
    """The local closure days (on top of the bank holidays)."""
    return current_snapshot().closures


@dataclass(frozen=True)
class TimescaleRow:
    """One setting as the settings page shows it."""

    kind: str
    rag: str
    label: str
    timescale: Timescale
    warning_percent: int
    source: str  # "default", "stored" or "deployment"
    updated_at: datetime | None
    updated_by: str


def setting_label(kind: str, rag: str = "") -> str:
    """E.g. "Contact decision", "Enquiry (Amber)", "Information return (Red)"."""
    label = ItemKind(kind).label
    label = "Enquiry" if kind == ItemKind.ENQUIRY else label
    return f"{label} ({Rag(rag).label})" if rag else label


def timescale_rows() -> list[TimescaleRow]:
    """Every setting in force, with where it comes from (read fresh from the database)."""
    snapshot = load_snapshot()
    rows = []
    for key in SETTING_KEYS:
        stored = snapshot.stored.get(key)
        source = "deployment" if _override(key) is not None else "stored" if stored else "default"
        rows.append(
            TimescaleRow(
                kind=key[0],
                rag=key[1],
                label=setting_label(*key),
                timescale=timescale_for(*key, snapshot=snapshot),
                warning_percent=warning_percent_for(*key, snapshot=snapshot),
                source=source,
                updated_at=stored.updated_at if stored else None,
                updated_by=stored.updated_by if stored else "",
            )
        )
    return rows
