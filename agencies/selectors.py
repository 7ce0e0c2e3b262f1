"""Reads of agencies and users."""

from django.db.models import Q, QuerySet

from mash.access import is_member

from .models import Agency, User
from .roles import SCHOOL_ROLES, Role


def agencies_visible_to(user, *, queryset: QuerySet[Agency] | None = None) -> QuerySet[Agency]:
    """Every member may see the list of partner agencies (names are not personal data), but a
    school key adult, whose view is their own school's notices and nothing else."""
    queryset = Agency.objects.all() if queryset is None else queryset
    if not is_member(user) or user.role in SCHOOL_ROLES:
        return queryset.none()
    if user.role == Role.ADMINISTRATOR:
        return queryset
    return queryset.filter(is_active=True)


def users_for_staff_page(
    user, *, search: str = "", agency_id: int | None = None, role: str = ""
) -> QuerySet[User]:
    """The administrator's list of users, with the filters of the staff page."""
    if not is_member(user) or user.role != Role.ADMINISTRATOR:
        return User.objects.none()
    users = User.objects.select_related("agency").order_by("last_name", "first_name", "username")
    if search:
        users = users.filter(
            Q(username__icontains=search)
            | Q(first_name__icontains=search)
            | Q(last_name__icontains=search)
            | Q(email__icontains=search)
        )
    if agency_id:
        users = users.filter(agency_id=agency_id)
    if role:
        users = users.filter(role=role)
    return users
