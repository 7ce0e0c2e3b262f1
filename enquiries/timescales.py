"""Enquiry and return deadlines by RAG rating, and how a RAG change moves them (DOMAIN.md).

The timescale of each RAG comes from deadlines.timescales: the deployment settings
``MASH_ENQUIRY_TIMESCALES`` / ``MASH_RETURN_TIMESCALES`` first, then what an administrator has
stored, then the defaults (DOMAIN.md's table, kept in deadlines.timescales)."""

from datetime import datetime

from contacts.codes import Rag
from deadlines.models import ItemKind
from deadlines.timescales import DEFAULT_TIMESCALES, timescale_for
from mash.clocks import Timescale, due_at

from .models.enquiries import RAG_SEVERITY

DEFAULT_ENQUIRY_TIMESCALES: dict[Rag, Timescale] = {
    rag: DEFAULT_TIMESCALES[(ItemKind.ENQUIRY, rag)] for rag in Rag
}
DEFAULT_RETURN_TIMESCALES: dict[Rag, Timescale] = {
    rag: DEFAULT_TIMESCALES[(ItemKind.INFORMATION_RETURN, rag)] for rag in Rag
}


def enquiry_timescale(rag: str) -> Timescale:
    return timescale_for(ItemKind.ENQUIRY, Rag(rag))


def return_timescale(rag: str) -> Timescale:
    return timescale_for(ItemKind.INFORMATION_RETURN, Rag(rag))


def enquiry_deadline(opened_at: datetime, rag: str) -> datetime:
    return due_at(opened_at, enquiry_timescale(rag))


def return_due_at(requested_at: datetime, rag: str) -> datetime:
    return due_at(requested_at, return_timescale(rag))


def moved_deadline(
    *,
    current: datetime,
    started_at: datetime,
    changed_at: datetime,
    from_rag: str,
    to_rag: str,
    timescale: Timescale,
) -> datetime:
    """The deadline after a RAG change at `changed_at`.

    Escalation: the earlier of the current deadline and the change time plus the new timescale.
    De-escalation: the later of the current deadline and the item's start plus the new timescale.
    """
    if RAG_SEVERITY[Rag(to_rag)] > RAG_SEVERITY[Rag(from_rag)]:
        return min(current, due_at(changed_at, timescale))
    return max(current, due_at(started_at, timescale))
