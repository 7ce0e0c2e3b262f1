"""Every read of Operation Encompass notices, already scoped to the user: the only way in.

- A school key adult sees their own school's notices, nothing else (a key adult with no school,
  none).
- Hub staff see every notice, and the children of DA notifications still waiting for a school.
- Everyone else sees none (fail closed).
"""

from __future__ import annotations

from django.db.models import Exists, F, OuterRef, QuerySet

from agencies.roles import HUB_ROLES, Role
from mash.access import is_member

from .models import EncompassNotice


def notices_visible_to(
    user, *, queryset: QuerySet[EncompassNotice] | None = None
) -> QuerySet[EncompassNotice]:
    queryset = EncompassNotice.objects.all() if queryset is None else queryset
    if not is_member(user):
        return queryset.none()
    if user.role == Role.SCHOOL_KEY_ADULT:
        school_id = getattr(user, "school_id", None)
        return queryset.filter(school_id=school_id) if school_id else queryset.none()
    if user.role in HUB_ROLES:
        return queryset
    return queryset.none()


def with_details(queryset: QuerySet[EncompassNotice]) -> QuerySet[EncompassNotice]:
    """The notices with what their pages show loaded: one query however many there are."""
    return queryset.select_related("child", "school", "notification", "acknowledged_by")


def newest_unacknowledged_first(queryset: QuerySet[EncompassNotice]) -> QuerySet[EncompassNotice]:
    return queryset.order_by(F("acknowledged_at").asc(nulls_first=True), "-available_at", "-id")


def key_adult_notices(user) -> QuerySet[EncompassNotice]:
    """A key adult's school's notices: those still to acknowledge first, then newest first."""
    return newest_unacknowledged_first(with_details(notices_visible_to(user)))


def notice_for(user, pk: int) -> EncompassNotice:
    """One notice `user` may see (``EncompassNotice.DoesNotExist`` otherwise: a 404)."""
    return with_details(notices_visible_to(user)).get(pk=pk)


def unresolved_children(user):
    """Children of DA notifications who have no Encompass notice (no school was recorded for
    them, or only a closed one), oldest incident first, for hub staff; nobody else sees any."""
    from domestic_abuse.models import DaChild

    if not is_member(user) or user.role not in HUB_ROLES:
        return DaChild.objects.none()
    notices = EncompassNotice.objects.filter(
        notification_id=OuterRef("notification_id"), child_id=OuterRef("person_id")
    )
    return (
        DaChild.objects.filter(~Exists(notices))
        .select_related("person", "person__current_school", "notification", "notification__contact")
        .order_by("notification__incident_at", "id")
    )
