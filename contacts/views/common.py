"""Small helpers shared by the front door's views."""

from django.http import Http404, HttpRequest

from agencies.roles import HUB_ROLES
from mash.access import is_member
from mash.forms import apply_errors  # noqa: F401 - the views' one way to show service errors


def require_roles(request: HttpRequest, roles) -> None:
    """Outside these roles a page answers 404, like a record outside one's view."""
    if not is_member(request.user) or request.user.role not in roles:
        raise Http404


def require_hub(request: HttpRequest) -> None:
    require_roles(request, HUB_ROLES)
