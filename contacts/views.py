from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from agencies.roles import HUB_ROLES
from mash.access import is_member
from mash.audit.events import record_access

from .selectors import people_visible_to


@login_required
def person_list(request: HttpRequest) -> HttpResponse:
    if not is_member(request.user) or request.user.role not in HUB_ROLES:
        raise Http404
    page = Paginator(people_visible_to(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "contacts/person_list.html", {"page": page})


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(people_visible_to(request.user), pk=pk)
    record_access(person)
    return render(request, "contacts/person_detail.html", {"person": person})
