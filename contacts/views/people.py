"""Finding people and looking at one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from mash.audit.events import record_access, record_listing

from .. import services
from ..forms import MergeForm
from ..selectors import contacts_of_people, people_search, people_visible_to
from .common import apply_errors, require_hub


@login_required
def person_search(request: HttpRequest) -> HttpResponse:
    """One box: name (aliases, near spellings), date of birth, NHS number or postcode."""
    require_hub(request)
    q = request.GET.get("q", "").strip()[:200]
    people = people_search(request.user, q) if q else []
    record_listing(people, query=q)
    context = {"q": q, "people": people, "history": contacts_of_people(people)}
    template = (
        "contacts/_person_results.html"
        if request.headers.get("HX-Request")
        else "contacts/person_search.html"
    )
    return render(request, template, context)


def _person_page(request: HttpRequest, person, *, form=None, status: int = 200) -> HttpResponse:
    record_access(person)  # every response showing the person, error pages included
    return render(
        request,
        "contacts/person_detail.html",
        {
            "person": person,
            "aliases": person.aliases.all(),
            "contacts": contacts_of_people([person])[person.pk],
            "can_merge": request.user.is_hub_staff,
            "merge_form": form or MergeForm(),
        },
        status=status,
    )


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_hub(request)  # agencies see their people to check on the request page only
    person = get_object_or_404(people_visible_to(request.user), pk=pk)
    return _person_page(request, person)


@login_required
@require_POST
def person_merge(request: HttpRequest, pk: int) -> HttpResponse:
    require_hub(request)
    visible = people_visible_to(request.user)
    person = get_object_or_404(visible, pk=pk)
    form = MergeForm(request.POST)
    if form.is_valid():
        duplicate = visible.filter(pk=form.cleaned_data["duplicate"]).first()
        if duplicate is None:
            form.add_error("duplicate", "There is no person with that record number.")
        else:
            try:
                services.person_merge(
                    keep=person,
                    duplicate=duplicate,
                    reason=form.cleaned_data["reason"],
                    merged_by=request.user,
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(
                    request, f"{duplicate.full_name}'s record was merged into this one."
                )
                return redirect("contacts:person_detail", pk=person.pk)
    return _person_page(request, person, form=form, status=400)
