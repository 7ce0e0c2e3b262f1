from ..codes import Channel, Concern, Consent, Ethnicity, Gender, Outcome, Rag, Source
from .contacts import Contact, ContactSubject, DecisionEntry, DecisionKind, Marf
from .people import (
    Household,
    HouseholdMember,
    Person,
    PersonAlias,
    PersonGroupObjectPermission,
    PersonUserObjectPermission,
)

__all__ = [
    "Channel",
    "Concern",
    "Consent",
    "Contact",
    "ContactSubject",
    "DecisionEntry",
    "DecisionKind",
    "Ethnicity",
    "Gender",
    "Household",
    "HouseholdMember",
    "Marf",
    "Outcome",
    "Person",
    "PersonAlias",
    "PersonGroupObjectPermission",
    "PersonUserObjectPermission",
    "Rag",
    "Source",
]
