"""The agency workspace: a partner agency's queue of information requests, each request as the
agency may see it, its return (and addenda), and a supervisor's assignments and timeliness.

Only agency researchers and supervisors come here; every other role gets 404 on every page, as
does a request of another agency or one the hub withdrew (DOMAIN.md, "Who sees what"). Of the
enquiry, a request page shows only what the request needs: the people to check, the question,
the RAG and the due time. Never the referrer, the narrative, the hub's notes or rationale, the
enquiry's other requests, or any other agency's return.

The return form is saved as the user types (htmx) or with "Save draft" (without script) as their
own draft (drafts.Draft): the request page opens with it, and sending the return deletes it in
the same transaction.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse

from agencies.roles import AGENCY_ROLES, Role
from contacts.selectors import people_visible_to
from contacts.views.common import apply_errors, require_roles
from drafts.kinds import PAGE_FIELDS
from drafts.models import DraftKind
from drafts.selectors import draft_of
from drafts.services import KEEP_FOR, draft_delete, draft_save
from mash.audit.events import record_access
from mash.errors import ConflictError
from mash.idempotency.submissions import USED_MESSAGE, SubmissionTokenError, submission_once
from mash.pagination import keyset_page

from ..forms_agency import AssignForm, ReturnForm, agency_staff
from ..models import InformationRequest, InformationReturn, RequestState
from ..selectors import (
    agency_open_now,
    agency_queue,
    information_requests_visible_to,
    returns_visible_to,
)
from ..services import ReturnInput, request_assign, return_submit

QUEUE_TEMPLATE = "enquiries/agency/queue.html"
REQUEST_TEMPLATE = "enquiries/agency/request_detail.html"
DRAFT_STATUS_TEMPLATE = "enquiries/agency/_draft_status.html"
CLOSED_MESSAGE = "The hub has closed this enquiry: nothing more can be sent."


def _get_request(request: HttpRequest, pk: int) -> InformationRequest:
    """The agency's own request, or 404: another agency's, a withdrawn one, or anyone who is
    not agency staff (the selector would show hub staff every request, so the role comes
    first)."""
    require_roles(request, AGENCY_ROLES)
    try:
        return (
            information_requests_visible_to(request.user)
            .exclude(state=RequestState.WITHDRAWN)
            .select_related("enquiry", "assignee")
            .get(pk=pk)
        )
    except InformationRequest.DoesNotExist as missing:
        raise Http404 from missing


def _queue_query(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("after", None)
    return query.urlencode()


def _render_queue(
    request: HttpRequest,
    *,
    status: int = 200,
    assign_form: AssignForm | None = None,
    assign_pk: int | None = None,
    conflict: str | None = None,
) -> HttpResponse:
    user = request.user
    mine = request.GET.get("mine") == "1"
    requests = agency_queue(user)
    if mine:
        requests = requests.filter(assignee=user)
    page = keyset_page(requests, fields=("due_at", "id"), after=request.GET.get("after"))
    is_supervisor = user.role == Role.AGENCY_SUPERVISOR
    assign_errors = assign_form.errors.get("assignee") if assign_form is not None else None
    context = {
        "page": page,
        "mine": mine,
        "query": _queue_query(request),
        "here": request.GET.urlencode(),
        "is_supervisor": is_supervisor,
        "timeliness": agency_open_now(user) if is_supervisor else None,
        "staff": list(agency_staff(user.agency_id)) if is_supervisor else [],
        "assign_pk": assign_pk,
        "assign_errors": (
            list(assign_errors or []) + list(assign_form.non_field_errors())
            if assign_form is not None
            else []
        ),
        "conflict": conflict,
    }
    return render(request, QUEUE_TEMPLATE, context, status=status)


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """The agency's open requests, soonest due first, with time left; "Mine" narrows it to the
    user's own. Supervisors also see the agency's timeliness and assign each request."""
    require_roles(request, AGENCY_ROLES)
    return _render_queue(request)


def _render_request(
    request: HttpRequest,
    info_request: InformationRequest,
    *,
    status: int = 200,
    form: ReturnForm | None = None,
    conflict: str | None = None,
) -> HttpResponse:
    user = request.user
    record_access(info_request)  # every response showing the request, errors included
    people = (
        people_visible_to(user)
        .filter(information_requests=info_request)
        .prefetch_related("aliases")
        .order_by("family_name", "given_name", "pk")
    )
    returns = (
        returns_visible_to(user)
        .filter(request=info_request)
        .select_related("submitted_by")
        .order_by("submitted_at", "id")
    )
    enquiry = info_request.enquiry
    can_return = info_request.state != RequestState.WITHDRAWN and not enquiry.is_closed
    draft = (
        draft_of(owner=user, kind=DraftKind.RETURN, information_request=info_request)
        if can_return
        else None
    )
    if form is None:
        form = ReturnForm(initial=draft.data) if draft is not None else ReturnForm()
    context = {
        "info_request": info_request,
        # Of the enquiry, only its RAG and whether it is still open: nothing else is passed on.
        "rag": enquiry.rag,
        "rag_label": enquiry.get_rag_display(),
        "enquiry_closed": enquiry.is_closed,
        "people": list(people),
        "returns": list(returns),
        "can_return": can_return,
        "form": form,
        "conflict": conflict,
        "draft": draft,
        "draft_keep_days": KEEP_FOR.days,
    }
    return render(request, REQUEST_TEMPLATE, context, status=status)


@login_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One request as the agency may see it, its returns so far, and the return form."""
    info_request = _get_request(request, pk)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    return _render_request(request, info_request)


@login_required
def submit_return(request: HttpRequest, pk: int) -> HttpResponse:
    """Send the agency's return; on a request already returned, an addendum. The form's one-time
    token makes a double click or two posts at once one return (not a return and an addendum)."""
    info_request = _get_request(request, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = ReturnForm(request.POST)
    status, conflict = 400, None
    try:
        with submission_once(request, "return") as submission:
            if submission.already_done:
                messages.success(request, USED_MESSAGE)
                return redirect(submission.done_url)
            saved = _return_submit(request, info_request, form) if form.is_valid() else None
            if isinstance(saved, InformationReturn):
                # Sent, so the draft goes, in the same transaction: both or neither.
                draft_delete(
                    owner=request.user,
                    kind=DraftKind.RETURN,
                    information_request=info_request,
                    reason="sent",
                )
                kind = "addendum to" if saved.is_addendum else "return for"
                messages.success(
                    request, f"Your {kind} {info_request.reference} was sent to the hub."
                )
                url = reverse("enquiries_agency:request_detail", kwargs={"pk": pk})
                submission.produced(url)
                return redirect(url)
            # Nothing sent: the token stays unused, so the corrected form can be sent with it.
            transaction.set_rollback(True)
            if isinstance(saved, ConflictError):
                status, conflict = 409, str(saved)
    except SubmissionTokenError as error:
        form.is_valid()
        form.add_error(None, error.message)
    if status == 409:
        info_request = _get_request(request, pk)
    # Shown after the transaction: the page's audited read is kept whatever happened.
    return _render_request(request, info_request, status=status, form=form, conflict=conflict)


@login_required
def save_draft(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the return form, as it stands, as the user's own draft. From the page's script
    (htmx, as they type): a line saying when it was saved, or why it was not (400 naming the
    field, 409 once the enquiry is closed). From "Save draft" without script: back to the page,
    or the page with the errors. Outside the user's view: 404. Nothing is stored unless every
    field is the form's own and within its limit."""
    info_request = _get_request(request, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    from_script = request.headers.get("HX-Request") == "true"
    if info_request.enquiry.is_closed:
        if from_script:
            return _draft_status(request, error=CLOSED_MESSAGE, status=409)
        return _render_request(request, info_request, status=409, conflict=CLOSED_MESSAGE)
    data = {name: request.POST.get(name, "") for name in request.POST if name not in PAGE_FIELDS}
    try:
        draft = draft_save(
            owner=request.user,
            kind=DraftKind.RETURN,
            data=data,
            information_request=info_request,
        )
    except ValidationError as error:
        form = ReturnForm(request.POST)
        form.is_valid()  # the form's own messages for text over its limit
        for name, messages_ in error.message_dict.items():
            if name not in form.fields:
                form.add_error(None, messages_)
            elif name not in form.errors:
                form.add_error(name, messages_)
        if from_script:
            first = next(iter(form.errors.values()))[0]
            return _draft_status(request, error=first, status=400)
        return _render_request(request, info_request, status=400, form=form)
    if from_script:
        return _draft_status(request, draft=draft)
    messages.success(request, "Your draft was saved. Only you can see it.")
    url = reverse("enquiries_agency:request_detail", kwargs={"pk": pk})
    return redirect(f"{url}#return")


def _draft_status(
    request: HttpRequest, *, draft=None, error: str = "", status: int = 200
) -> HttpResponse:
    """The line under the return form saying when the draft was saved, or why it was not."""
    context = {"draft": draft, "draft_error": error}
    return render(request, DRAFT_STATUS_TEMPLATE, context, status=status)


def _return_submit(
    request: HttpRequest, info_request: InformationRequest, form: ReturnForm
) -> InformationReturn | ConflictError | None:
    """The saved return; or the conflict, or None with the service's errors on the form."""
    data = form.cleaned_data
    try:
        return return_submit(
            request=info_request,
            data=ReturnInput(
                information_held=data["information_held"],
                systems_checked=data["systems_checked"],
                summary=data["summary"],
                risk_indicators=data["risk_indicators"],
                handling=data["handling"],
            ),
            submitted_by=request.user,
        )
    except ValidationError as error:
        apply_errors(form, error)
        return None
    except ConflictError as error:
        return error
    except PermissionError as refused:
        raise Http404 from refused


@login_required
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    """A supervisor gives a request to one of the agency's staff (researchers: 404)."""
    require_roles(request, {Role.AGENCY_SUPERVISOR})
    info_request = _get_request(request, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = AssignForm(request.POST, agency_id=request.user.agency_id)
    if form.is_valid():
        assignee = form.cleaned_data["assignee"]
        try:
            request_assign(request=info_request, researcher=assignee, assigned_by=request.user)
        except ValidationError as error:
            apply_errors(form, error)
        except ConflictError as error:
            return _render_queue(request, status=409, conflict=str(error))
        except PermissionError as refused:
            raise Http404 from refused
        else:
            messages.success(
                request, f"{info_request.reference} is assigned to {assignee.display_name}."
            )
            here = request.GET.urlencode()  # back to the same page of the queue
            url = reverse("enquiries_agency:queue")
            return redirect(f"{url}?{here}" if here else url)
    return _render_queue(request, status=400, assign_form=form, assign_pk=pk)
