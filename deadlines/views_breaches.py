"""The managers' live breach list: every current breach, counted by kind and by agency, the
soonest missed first, refreshed every minute. Hub managers only; anyone else gets 404."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from agencies.roles import Role
from contacts.views.common import require_roles

from .selectors import breach_board

PAGE_TEMPLATE = "deadlines/breach_list.html"
#: The part of the page that htmx fetches again every minute.
BOARD_TEMPLATE = "deadlines/breach_board.html"


@never_cache
@login_required
@require_safe
def breach_list(request: HttpRequest) -> HttpResponse:
    """The whole page, or (for htmx's refresh) just the board."""
    require_roles(request, {Role.HUB_MANAGER})
    template = BOARD_TEMPLATE if request.headers.get("HX-Request") else PAGE_TEMPLATE
    context = {"board": breach_board(request.user), "now": timezone.now()}
    return render(request, template, context)
