"""The access machinery every visibility selector is built from.

Rules (DOMAIN.md, "Who sees what") live in each app's selectors; this module holds the mechanics:
who counts as a member at all (fail closed), and which rows a django-guardian grant gives an
agency. Grants go to the agency's group through direct foreign-key permission tables, never to
single users and never through global model permissions.
"""

from typing import TypeVar

from django.db import models, transaction
from django.db.models import Exists, OuterRef, QuerySet
from guardian.shortcuts import assign_perm, remove_perm
from guardian.utils import get_group_obj_perms_model

from mash.audit.events import record_event

M = TypeVar("M", bound=models.Model)


def is_member(user) -> bool:
    """A signed-in, active user with both an agency and a role. Anyone else sees nothing."""
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.is_active
        and getattr(user, "agency_id", None)
        and getattr(user, "role", "")
        and user.agency.is_active
    )


def require_role(user, roles, action: str) -> None:
    """Services refuse a user outside `roles` (views and API turn this into 404 or 403)."""
    if getattr(user, "role", None) not in roles:
        raise PermissionError(f"Your role cannot {action}.")


def _codename(perm: str) -> str:
    return perm.split(".", 1)[-1]


def agency_grant_exists(user, model: type[models.Model], perm: str) -> Exists:
    """An EXISTS condition: the user's agency group holds object permission `perm` on the row.

    Only for members (check `is_member` first)."""
    permission_model = get_group_obj_perms_model(model)
    grants = permission_model.objects.filter(
        content_object=OuterRef("pk"),
        group_id=user.agency.group_id,
        permission__codename=_codename(perm),
    )
    return Exists(grants)


def granted_to_agency(user, queryset: QuerySet[M], perm: str) -> QuerySet[M]:
    """Rows of `queryset` on which the user's agency group holds the object permission `perm`."""
    if not is_member(user):
        return queryset.none()
    return queryset.filter(agency_grant_exists(user, queryset.model, perm))


@transaction.atomic
def grant_to_agency(*, obj: models.Model, agency, perm: str, reason: str = "") -> None:
    """Give `agency` the object permission `perm` on `obj`, and audit the grant."""
    assign_perm(perm, agency.group, obj)
    record_event(
        "access.granted",
        target=obj,
        data={"agency": agency.code, "permission": _codename(perm), "reason": reason},
    )


@transaction.atomic
def revoke_from_agency(*, obj: models.Model, agency, perm: str, reason: str) -> None:
    """Take the object permission `perm` on `obj` away from `agency`, and audit the removal."""
    remove_perm(perm, agency.group, obj)
    record_event(
        "access.revoked",
        target=obj,
        data={"agency": agency.code, "permission": _codename(perm), "reason": reason},
    )
