"""Operation Encompass pages: the key adult's notices (their home), one notice with its
Acknowledge button, and the hub's list of children with no school.

A key adult reaches their own school's notices and nothing else; every other notice, and the
hub's pages, answer them 404. Hub staff reach the list of children with no school; everyone else
gets 404 there.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from agencies.roles import HUB_ROLES, Role
from contacts.views.common import require_roles
from domestic_abuse.models import DaChild
from mash.audit.events import record_access, record_listing
from mash.forms import apply_errors
from mash.idempotency.submissions import USED_MESSAGE, SubmissionTokenError, submission_once
from schools.selectors import key_adult_school

from .forms import ChildSchoolForm
from .models import EncompassNotice
from .selectors import key_adult_notices, notice_for, unresolved_children
from .services import notice_acknowledge, notice_for_child_with_school, notice_opened

ACKNOWLEDGE_FORM = "encompass_acknowledge"
RESOLVE_FORM = "encompass_resolve"
PAGE_SIZE = 50


def key_adult_home(request: HttpRequest) -> HttpResponse:
    """A school key adult's home: their school's notices, those still to acknowledge first, then
    newest first (50 a page). Routed from the site's home page for key adults."""
    school = key_adult_school(request.user)
    page = Paginator(key_adult_notices(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    record_listing(page.object_list)
    return render(
        request,
        "encompass/key_adult_home.html",
        {"school": school, "notices": page.object_list, "page": page},
    )


def _notice(request: HttpRequest, pk: int) -> EncompassNotice:
    require_roles(request, {Role.SCHOOL_KEY_ADULT})
    try:
        return notice_for(request.user, pk)
    except EncompassNotice.DoesNotExist as missing:
        raise Http404 from missing


def _notice_page(request: HttpRequest, notice: EncompassNotice, *, error: str = "", status=200):
    return render(
        request,
        "encompass/notice.html",
        {"notice": notice, "error": error},
        status=status,
    )


@login_required
@require_http_methods(["GET", "HEAD"])
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One notice: the child's name, when the incident was, that police attended and whether
    the child was present. Opening it is recorded (the first time, as the disclosure)."""
    notice = _notice(request, pk)
    notice = notice_opened(notice=notice, user=request.user)
    record_access(notice)
    return _notice_page(request, notice)


@login_required
@require_POST
def notice_acknowledge_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Acknowledge a notice (once: acknowledging it again leaves the first acknowledgement)."""
    notice = _notice(request, pk)
    url = reverse("encompass:notice", args=[notice.pk])
    try:
        with submission_once(request, ACKNOWLEDGE_FORM) as submission:
            if submission.already_done:
                messages.success(request, USED_MESSAGE)
                return redirect(submission.done_url)
            notice, now = notice_acknowledge(notice=notice, acknowledged_by=request.user)
            submission.produced(url)
    except SubmissionTokenError as error:
        return _notice_page(request, notice, error=error.message, status=400)
    except EncompassNotice.DoesNotExist as missing:
        raise Http404 from missing
    if now:
        messages.success(request, "You acknowledged this notice.")
    else:
        messages.success(request, "This notice had already been acknowledged.")
    return redirect(url)


# --- The hub's list of children with no school ----------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD"])
def unresolved_list(request: HttpRequest) -> HttpResponse:
    """Children of DA notifications with no Encompass notice: no school (or a closed one) was
    recorded for them. Hub staff only; oldest incident first, 50 a page."""
    require_roles(request, HUB_ROLES)
    page = Paginator(unresolved_children(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    record_listing([child.person for child in page.object_list])
    return render(request, "encompass/unresolved_list.html", {"page": page})


def _unresolved_child(request: HttpRequest, pk: int) -> DaChild:
    require_roles(request, HUB_ROLES)
    try:
        return unresolved_children(request.user).get(pk=pk)
    except DaChild.DoesNotExist as missing:
        raise Http404 from missing


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def resolve_child(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the school of one child on the list; their notice is then made and sent. The
    same form posted again (a double click) goes where the first went."""
    require_roles(request, HUB_ROLES)
    form = ChildSchoolForm(request.POST if request.method == "POST" else None)
    status = 200
    child = None
    if request.method == "POST":
        status = 400
        try:
            with submission_once(request, RESOLVE_FORM) as submission:
                if submission.already_done:
                    messages.success(request, USED_MESSAGE)
                    return redirect(submission.done_url)
                child = _unresolved_child(request, pk)
                notice = None
                if form.is_valid():
                    try:
                        notice = notice_for_child_with_school(
                            child=child,
                            school_text=form.cleaned_data["school"],
                            resolved_by=request.user,
                        )
                    except ValidationError as error:
                        apply_errors(form, error)
                if notice is None:
                    transaction.set_rollback(True)  # nothing stored: the token stays unused
                else:
                    messages.success(
                        request,
                        f"{child.person.full_name}'s school is recorded as {notice.school}, and "
                        "its key adults have been sent the notice.",
                    )
                    url = reverse("encompass:unresolved")
                    submission.produced(url)
                    return redirect(url)
        except SubmissionTokenError as error:
            form.add_error(None, error.message)
    child = child or _unresolved_child(request, pk)
    record_access(child.person)
    return render(
        request, "encompass/resolve_child.html", {"child": child, "form": form}, status=status
    )
