"""The one thing the chronology writes: the audit entry of each view of it."""

from contacts.models import Person
from mash.audit.events import record_event

from .filters import Filters
from .selectors import Event


def record_chronology_viewed(
    user, person: Person, filters: Filters, events: list[Event], *, via: str
) -> None:
    """`chronology.viewed`: who saw whose chronology, with which filters and how many events,
    through the page or the API. One insert however many events."""
    record_event(
        "chronology.viewed",
        target=person,
        actor=user,
        data={**filters.as_query(), "events": len(events), "via": via},
    )
