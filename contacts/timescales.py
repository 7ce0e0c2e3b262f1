"""The front door's clock: a contact is decided within 1 working day of receipt (DOMAIN.md), or
whatever an administrator has set instead (deadlines.timescales: the deployment setting
``MASH_CONTACT_DECISION_TIMESCALE`` first, then the stored setting, then this default)."""

from datetime import datetime

from deadlines.models import ItemKind
from deadlines.timescales import DEFAULT_TIMESCALES, timescale_for
from mash.clocks import Timescale, due_at

DEFAULT_CONTACT_DECISION: Timescale = DEFAULT_TIMESCALES[(ItemKind.CONTACT_DECISION, "")]


def contact_decision_timescale() -> Timescale:
    return timescale_for(ItemKind.CONTACT_DECISION)


def contact_decision_due_at(received_at: datetime) -> datetime:
    return due_at(received_at, contact_decision_timescale())
