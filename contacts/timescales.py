"""The front door's clock: a contact is decided within 1 working day of receipt (DOMAIN.md)."""

from datetime import datetime

from django.conf import settings

from mash.clocks import Clock, Timescale, due_at

DEFAULT_CONTACT_DECISION = Timescale(1, Clock.WORKING_DAYS)


def contact_decision_timescale() -> Timescale:
    return getattr(settings, "MASH_CONTACT_DECISION_TIMESCALE", DEFAULT_CONTACT_DECISION)


def contact_decision_due_at(received_at: datetime) -> datetime:
    return due_at(received_at, contact_decision_timescale())
