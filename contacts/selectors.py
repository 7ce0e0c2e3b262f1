"""Reads of people, always through `people_visible_to`."""

from django.db.models import QuerySet

from agencies.roles import AGENCY_ROLES, HUB_ROLES
from mash.access import granted_to_agency, is_member

from .models import Person


def people_visible_to(user, *, queryset: QuerySet[Person] | None = None) -> QuerySet[Person]:
    """The people `user` may see. Fails closed.

    Hub staff see every person of the hub; partner agency staff see only the people their agency
    has been given (an information request's people to check); everyone else sees none.
    """
    queryset = Person.objects.all() if queryset is None else queryset
    if not is_member(user):
        return queryset.none()
    if user.role in HUB_ROLES:
        return queryset
    if user.role in AGENCY_ROLES:
        return granted_to_agency(user, queryset, "contacts.view_person")
    return queryset.none()
