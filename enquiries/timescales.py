"""Enquiry and return deadlines by RAG rating, and how a RAG change moves them (DOMAIN.md)."""

from datetime import datetime

from django.conf import settings

from contacts.codes import Rag
from mash.clocks import Clock, Timescale, due_at

from .models.enquiries import RAG_SEVERITY

DEFAULT_ENQUIRY_TIMESCALES = {
    Rag.RED: Timescale(4, Clock.ELAPSED),
    Rag.AMBER: Timescale(1, Clock.WORKING_DAYS),
    Rag.GREEN: Timescale(3, Clock.WORKING_DAYS),
}
DEFAULT_RETURN_TIMESCALES = {
    Rag.RED: Timescale(2, Clock.ELAPSED),
    Rag.AMBER: Timescale(6, Clock.WORKING_HOURS),
    Rag.GREEN: Timescale(1, Clock.WORKING_DAYS),
}


def enquiry_timescale(rag: str) -> Timescale:
    table = getattr(settings, "MASH_ENQUIRY_TIMESCALES", DEFAULT_ENQUIRY_TIMESCALES)
    return table[Rag(rag)]


def return_timescale(rag: str) -> Timescale:
    table = getattr(settings, "MASH_RETURN_TIMESCALES", DEFAULT_RETURN_TIMESCALES)
    return table[Rag(rag)]


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
