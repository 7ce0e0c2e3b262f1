"""The managers' operational backlog: undecided contacts past due, open enquiries past their
deadline and overdue returns by agency, live, with links to the records. Hub managers only;
everyone else (board members included) gets 404."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from ..selectors_backlog import backlog_for


@never_cache
@login_required
@require_safe
def backlog(request: HttpRequest) -> HttpResponse:
    data = backlog_for(request.user)
    if data is None:
        raise Http404
    return render(request, "reporting/backlog.html", {"backlog": data})
