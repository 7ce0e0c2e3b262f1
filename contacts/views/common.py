"""Small helpers shared by the front door's views."""

from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest

from agencies.roles import HUB_ROLES
from mash.access import is_member


def require_roles(request: HttpRequest, roles) -> None:
    """Outside these roles a page answers 404, like a record outside one's view."""
    if not is_member(request.user) or request.user.role not in roles:
        raise Http404


def require_hub(request: HttpRequest) -> None:
    require_roles(request, HUB_ROLES)


def apply_errors(form: Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form, field by field."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)
