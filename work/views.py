"""My work, the allocation page and the Decisions queue: thin views over work.selectors and
work.services. Anyone whose role has no such page gets 404, as for a record outside their view."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from mash.errors import ConflictError
from mash.forms import apply_errors

from .forms import AllocationForm, row_from, versions_from
from .selectors import allocation_view, decisions_page, hub_member, is_manager, my_work
from .services import work_allocate


@login_required
@require_safe
def my_work_page(request: HttpRequest) -> HttpResponse:
    """The user's own open work, soonest due first, with the time left on each."""
    work = my_work(request.user)
    if work is None:
        raise Http404
    return render(request, "work/my_work.html", {"work": work})


def _allocation_url(worker_id: int | None) -> str:
    url = reverse("work:allocation")
    return f"{url}?worker={worker_id}#worker-work" if worker_id else url


def _summary(form: AllocationForm, view) -> list[dict]:
    """The error summary's lines, each linking to the control it is about."""
    row = row_from(form.data)
    first_contact = view.unallocated_contacts.rows[:1]
    first_enquiry = view.unallocated_enquiries.rows[:1]
    anchors = {
        "assignee": f"assignee-{row}" if row else "assignee",
        "contacts": f"select-{first_contact[0].key}" if first_contact and not row else "",
        "enquiries": f"select-{first_enquiry[0].key}" if first_enquiry and not row else "",
        "reason": "reason",
    }
    lines = []
    for name, errors in form.errors.items():
        anchor = anchors.get(name) or (f"assignee-{row}" if row else "assignee")
        lines.extend({"text": error, "href": f"#{anchor}"} for error in errors)
    return lines


def _allocate(request: HttpRequest, form: AllocationForm) -> tuple[int, str | None]:
    """Run the allocation the form asks for. The status to answer with, and a conflict."""
    if not form.is_valid():
        return 400, None
    data = form.cleaned_data
    assignee = hub_member(data["assignee"])
    try:
        result = work_allocate(
            allocated_by=request.user,
            assignee=assignee,
            contact_ids=data["contacts"],
            enquiry_ids=data["enquiries"],
            reason=data["reason"],
            versions=versions_from(request.POST),
        )
    except ValidationError as error:
        apply_errors(form, error)
        return 400, None
    except ConflictError as conflict:
        return 409, conflict.message
    references = [record.reference for record in (*result.contacts, *result.enquiries)]
    if references:
        messages.success(
            request,
            f"{', '.join(references)} {'is' if len(references) == 1 else 'are'} now with "
            f"{assignee.display_name}.",
        )
    else:
        messages.success(
            request, f"Nothing changed: that work was already with {assignee.display_name}."
        )
    return 302, None


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def allocation_page(request: HttpRequest) -> HttpResponse:
    """Hub managers: the team's caseloads, the work nobody has (allocate one or many at once)
    and, for one worker, their work to reassign row by row."""
    worker_param = request.POST.get("worker") or request.GET.get("worker")
    try:
        worker_id = int(worker_param) if worker_param else None
    except ValueError:
        worker_id = None
    if not is_manager(request.user):
        raise Http404
    status, conflict, form = 200, None, AllocationForm(auto_id="%s")
    if request.method == "POST":
        form = AllocationForm(request.POST, auto_id="%s")
        status, conflict = _allocate(request, form)
        if status == 302:
            return redirect(_allocation_url(worker_id))
    view = allocation_view(request.user, worker_id=worker_id)
    if view is None:
        raise Http404
    context = {
        "view": view,
        "form": form,
        "conflict": conflict,
        "errors": _summary(form, view) if form.is_bound else [],
        "error_row": row_from(form.data) if form.is_bound else "",
        "checked_contacts": form.data.getlist("contacts") if form.is_bound else [],
        "checked_enquiries": form.data.getlist("enquiries") if form.is_bound else [],
    }
    return render(request, "work/allocation.html", context, status=status)


@login_required
@require_safe
def decisions(request: HttpRequest) -> HttpResponse:
    """Contacts and enquiries awaiting the manager's decision, the soonest due first."""
    page = decisions_page(request.user, after=request.GET.get("after"))
    if page is None:
        raise Http404
    return render(request, "work/decisions.html", {"page": page, "query": ""})
