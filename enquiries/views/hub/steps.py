"""The forms posted from the enquiry page: request information, withdraw a request, change the
RAG rating, recommend an outcome, and the manager's decision."""

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from contacts.models import Person
from contacts.selectors import people_visible_to
from mash.errors import ConflictError
from mash.forms import apply_errors
from mash.idempotency.submissions import USED_MESSAGE, SubmissionTokenError, submission_once

from ... import services
from ...forms import (
    EnquiryDecisionForm,
    EnquiryRecommendationForm,
    PersonToCheckForm,
    RagChangeForm,
    RequestInformationForm,
    WithdrawRequestForm,
)
from ...models import Enquiry, InformationRequest
from ...selectors import information_requests_visible_to
from .common import get_enquiry, people_to_check, render_enquiry, section_url, when


def require_answers(form: forms.Form, needed: dict[str, str]) -> bool:
    """Mark every needed answer that is missing at once (the service, which stops at its first
    problem, still holds the rules); True when none is missing."""
    if not form.is_valid():
        return False
    missing = {
        name: message
        for name, message in needed.items()
        if not str(form.cleaned_data.get(name) or "").strip()
    }
    for name, message in missing.items():
        form.add_error(name, message)
    return not missing


def _step(
    request: HttpRequest,
    enquiry: Enquiry,
    form: forms.Form,
    action: Callable[[Enquiry, dict], str],
    section: str = "overview",
    needed: dict[str, str] | None = None,
) -> HttpResponse:
    """Run one posted step: field errors stay on the form (400), a conflict shows the current
    state (409), a refusal by role says so (403), success returns to the step's section of the
    enquiry with a message."""
    pk = enquiry.pk
    if require_answers(form, needed or {}):
        try:
            message = action(enquiry, form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        except ConflictError as error:
            return render_enquiry(
                request, get_enquiry(request, pk), section=section, status=409, problem=str(error)
            )
        except PermissionError as error:
            return render_enquiry(request, enquiry, section=section, status=403, problem=str(error))
        else:
            messages.success(request, message)
            return redirect(section_url(pk, section))
    return render_enquiry(request, enquiry, section=section, status=400, bound=form)


@login_required
@require_POST
def request_information(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask an agency for what it holds: the agency's group is granted the request. The form's
    one-time token makes a double click one request; the second post lands on the enquiry."""
    enquiry = get_enquiry(request, pk)
    form = RequestInformationForm(request.POST, links=people_to_check(enquiry), available=[])
    status, problem = 400, ""
    try:
        with submission_once(request, "information_request") as submission:
            if submission.already_done:
                messages.success(request, USED_MESSAGE)
                return redirect(submission.done_url)
            if form.is_valid():
                data = form.cleaned_data
                try:
                    made = services.request_create(
                        enquiry=enquiry,
                        agency=data["agency"],
                        question=data["question"],
                        people=list(data["people"]),
                        requested_by=request.user,
                    )
                except ValidationError as error:
                    apply_errors(form, error)
                except ConflictError as error:
                    status, problem = 409, str(error)
                except PermissionError as error:
                    status, problem = 403, str(error)
                else:
                    messages.success(
                        request,
                        f"{made.reference} was sent to {made.agency.name}. "
                        f"Their return is due {when(made.due_at)}.",
                    )
                    url = section_url(pk, "requests")
                    submission.produced(url)
                    return redirect(url)
            transaction.set_rollback(True)  # nothing made: the token stays unused
    except SubmissionTokenError as error:
        form.is_valid()
        form.add_error(None, error.message)
    # The enquiry page (an audited read) is shown after the transaction, whatever happened.
    if status == 409:
        return render_enquiry(
            request, get_enquiry(request, pk), section="requests", status=409, problem=problem
        )
    if status == 403:
        return render_enquiry(request, enquiry, section="requests", status=403, problem=problem)
    return render_enquiry(request, enquiry, status=400, bound=form)


@login_required
@require_POST
def withdraw_request(request: HttpRequest, pk: int, request_pk: int) -> HttpResponse:
    """Withdraw an open request, with a reason: the agency loses sight of it at once."""
    enquiry = get_enquiry(request, pk)
    visible = information_requests_visible_to(request.user, queryset=enquiry.requests.all())
    try:
        item = visible.select_related("agency").get(pk=request_pk)
    except InformationRequest.DoesNotExist as missing:
        raise Http404 from missing

    def action(enquiry: Enquiry, data: dict) -> str:
        services.request_withdraw(request=item, reason=data["reason"], withdrawn_by=request.user)
        return f"{item.reference} to {item.agency.name} was withdrawn."

    form = WithdrawRequestForm(request.POST, request_pk=item.pk)
    return _step(request, enquiry, form, action, section="requests")


@login_required
@require_POST
def change_rag(request: HttpRequest, pk: int) -> HttpResponse:
    """Change the RAG rating with a reason; the message gives the new deadline."""
    enquiry = get_enquiry(request, pk)

    def action(enquiry: Enquiry, data: dict) -> str:
        changed = services.enquiry_change_rag(
            enquiry=enquiry,
            to_rag=data["rag"],
            reason=data["reason"],
            changed_by=request.user,
            expected_version=data["version"],
        )
        return (
            f"{changed.reference} is now {changed.get_rag_display()}. "
            f"The enquiry is due {when(changed.deadline)}."
        )

    return _step(request, enquiry, RagChangeForm(request.POST, current=enquiry.rag), action)


@login_required
@require_POST
def recommend(request: HttpRequest, pk: int) -> HttpResponse:
    """The hub worker's recommended outcome and final RAG, with the rationale."""
    enquiry = get_enquiry(request, pk)

    def action(enquiry: Enquiry, data: dict) -> str:
        services.enquiry_recommend(
            enquiry=enquiry,
            user=request.user,
            outcome=data["outcome"],
            final_rag=data["final_rag"],
            rationale=data["rationale"],
            expected_version=data["version"],
        )
        return f"Your recommendation for {enquiry.reference} was sent to a manager."

    return _step(
        request,
        enquiry,
        EnquiryRecommendationForm(request.POST),
        action,
        section="decision",
        needed={
            "outcome": "Choose an outcome (not another MASH enquiry).",
            "final_rag": "Give the final RAG rating.",
            "rationale": "Give the rationale for your recommendation.",
        },
    )


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    """The manager approves the recommendation ("Approve recommendation" posts it as
    recommended) or chooses a different outcome, which needs a reason; the enquiry closes."""
    enquiry = get_enquiry(request, pk)
    different = request.POST.get("choice") == "different"

    def action(enquiry: Enquiry, data: dict) -> str:
        decided = services.enquiry_decide(
            enquiry=enquiry,
            manager=request.user,
            outcome=data["outcome"],
            final_rag=data["final_rag"],
            reason=data["reason"],
            expected_version=data["version"],
        )
        return f"{decided.reference} is decided and closed: {decided.get_outcome_display()}."

    needed = {
        "outcome": "Choose an outcome (not another MASH enquiry).",
        "final_rag": "Give the final RAG rating.",
    }
    if different:
        needed["reason"] = "Give a reason for deciding differently."
    return _step(request, enquiry, EnquiryDecisionForm(request.POST), action, "decision", needed)


def _person(request: HttpRequest, pk: int) -> Person:
    try:
        return people_visible_to(request.user).get(pk=pk)
    except Person.DoesNotExist as missing:
        raise ValidationError({"person": "Choose a person from the search results"}) from missing


@login_required
@require_POST
def add_person(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a person found by search to the people to check (before sending requests)."""
    enquiry = get_enquiry(request, pk)

    def action(enquiry: Enquiry, data: dict) -> str:
        person = _person(request, data["person"])
        services.enquiry_add_person(enquiry=enquiry, person=person, added_by=request.user)
        return f"{person.full_name} was added to the people to check."

    return _step(request, enquiry, PersonToCheckForm(request.POST), action, section="people")


@login_required
@require_POST
def remove_person(request: HttpRequest, pk: int) -> HttpResponse:
    """Take a person off the people to check: requests not yet sent leave them out."""
    enquiry = get_enquiry(request, pk)

    def action(enquiry: Enquiry, data: dict) -> str:
        person = _person(request, data["person"])
        services.enquiry_remove_person(enquiry=enquiry, person=person, removed_by=request.user)
        return f"{person.full_name} was taken off the people to check."

    return _step(request, enquiry, PersonToCheckForm(request.POST), action, section="people")
