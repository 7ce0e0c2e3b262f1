"""Every write of the front door. Views and API views call these, never the ORM directly."""

from .intake import (
    ContactInput,
    NamedPersonInput,
    contact_change_received_at,
    contact_create,
    contact_intake,
)
from .people import (
    PersonInput,
    person_address_record,
    person_correct,
    person_create,
    person_match_or_create,
    person_merge,
    relationship_add,
)
from .repeats import repeats_recompute
from .triage import (
    contact_correct_decision,
    contact_decide,
    contact_mark_feedback_sent,
    contact_pick_up,
    contact_reassign,
    contact_recommend,
)

__all__ = [
    "ContactInput",
    "NamedPersonInput",
    "PersonInput",
    "person_address_record",
    "person_correct",
    "relationship_add",
    "contact_change_received_at",
    "contact_correct_decision",
    "contact_create",
    "contact_decide",
    "contact_intake",
    "contact_mark_feedback_sent",
    "contact_pick_up",
    "contact_reassign",
    "contact_recommend",
    "person_create",
    "person_match_or_create",
    "person_merge",
    "repeats_recompute",
]
