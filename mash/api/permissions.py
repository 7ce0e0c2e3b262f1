from rest_framework.exceptions import NotAuthenticated, NotFound
from rest_framework.permissions import BasePermission

from mash.access import is_member


class HasRole(BasePermission):
    """Signed in, a member (agency and role), and of a role the view serves.

    A role the view does not serve gets 404, as a record outside one's view does: the API does not
    disclose what exists beyond the caller's remit.
    """

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not getattr(user, "is_authenticated", False):
            raise NotAuthenticated()
        if not is_member(user):
            raise NotFound()
        allowed = getattr(view, "allowed_roles", None)
        if allowed is not None and user.role not in allowed:
            raise NotFound()
        return True
