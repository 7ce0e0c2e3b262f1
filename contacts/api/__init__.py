"""The front door's REST API: people, person search, contacts and their triage steps."""

from .contacts import ContactViewSet
from .people import PersonViewSet

__all__ = ["ContactViewSet", "PersonViewSet"]
