"""The triage queue, the triage page, and the manager's decisions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from agencies.roles import Role
from mash.audit.events import record_access
from mash.errors import ConflictError
from mash.pagination import keyset_page

from .. import services
from ..codes import Channel, Concern, Outcome, Source
from ..forms import DecisionForm, ReassignForm, RecommendationForm
from ..models import Contact
from ..selectors import (
    QueueFilters,
    contact_for_triage,
    decision_queue,
    subjects_with_history,
    triage_queue,
)
from .common import apply_errors, require_hub, require_roles


def _get_contact(request: HttpRequest, pk: int) -> Contact:
    try:
        return contact_for_triage(request.user, pk)
    except Contact.DoesNotExist as missing:
        raise Http404 from missing


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    require_hub(request)
    filters = QueueFilters.from_query(request.GET)
    page = keyset_page(
        triage_queue(request.user, filters),
        fields=("decision_due_at", "id"),
        after=request.GET.get("after"),
    )
    query = request.GET.copy()
    query.pop("after", None)
    return render(
        request,
        "contacts/triage_queue.html",
        {
            "page": page,
            "filters": filters,
            "query": query.urlencode(),
            "sources": Source.choices,
            "channels": Channel.choices,
            "concerns": Concern.choices,
        },
    )


@login_required
def decisions(request: HttpRequest) -> HttpResponse:
    require_roles(request, {Role.HUB_MANAGER})
    page = keyset_page(
        decision_queue(request.user),
        fields=("decision_due_at", "id"),
        after=request.GET.get("after"),
    )
    return render(request, "contacts/decision_queue.html", {"page": page})


def _render_contact(request: HttpRequest, contact: Contact, *, status: int = 200, **forms):
    record_access(contact)  # every response showing the contact, error pages included
    recommendation = forms.get("recommendation_form") or RecommendationForm(
        auto_id="recommend_%s",
        initial={
            "outcome": contact.recommended_outcome or None,
            "rag": contact.recommended_rag,
            "rationale": contact.recommendation_rationale,
            "threshold_rationale": contact.threshold_rationale,
            "version": contact.version,
        },
    )
    decision = forms.get("decision_form") or DecisionForm(
        auto_id="decide_%s",
        initial={
            "outcome": contact.recommended_outcome or None,
            "rag": contact.recommended_rag,
            "version": contact.version,
        },
    )
    context = {
        "contact": contact,
        "subjects": subjects_with_history(contact),
        "marf": getattr(contact, "marf", None),
        "recommendation_form": recommendation,
        "decision_form": decision,
        "reassign_form": forms.get("reassign_form") or ReassignForm(auto_id="reassign_%s"),
        "conflict": forms.get("conflict"),
        "concern_labels": [Concern(c).label for c in contact.concerns if c in Concern.values],
        "is_manager": request.user.role == Role.HUB_MANAGER,
        "outcomes": Outcome,
    }
    if context["marf"] is not None:
        from ..forms_marf import answers_summary
        from ..marf import marf_completeness

        context["completeness"] = marf_completeness(context["marf"])
        context["marf_answers"] = answers_summary(context["marf"].answers)
    return render(request, "contacts/contact_detail.html", context, status=status)


@login_required
def contact_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contact = _get_contact(request, pk)
    return _render_contact(request, contact)


@login_required
@require_POST
def pick_up(request: HttpRequest, pk: int) -> HttpResponse:
    contact = _get_contact(request, pk)
    try:
        services.contact_pick_up(contact=contact, user=request.user)
    except (ConflictError, PermissionError) as error:
        contact.refresh_from_db()
        return _render_contact(request, contact, status=409, conflict=str(error))
    messages.success(request, f"You picked up {contact.reference}.")
    return redirect("contacts:contact_detail", pk=pk)


def _form_step(
    request: HttpRequest,
    pk: int,
    *,
    form,
    form_name: str,
    action,
    success: str,
    next_url: str,
) -> HttpResponse:
    """Run one triage step from a posted form: field errors stay on the form (400), a conflict
    shows the current state (409), success goes on with a message."""
    contact = _get_contact(request, pk)
    if form.is_valid():
        try:
            action(contact, form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        except (ConflictError, PermissionError) as error:
            contact = _get_contact(request, pk)
            return _render_contact(request, contact, status=409, conflict=str(error))
        else:
            messages.success(request, success.format(reference=contact.reference))
            return redirect(next_url)
    return _render_contact(request, contact, status=400, **{form_name: form})


@login_required
@require_POST
def recommend(request: HttpRequest, pk: int) -> HttpResponse:
    def action(contact: Contact, data: dict) -> None:
        services.contact_recommend(
            contact=contact,
            user=request.user,
            outcome=data["outcome"],
            rag=data["rag"],
            rationale=data["rationale"],
            threshold_rationale=data["threshold_rationale"],
            expected_version=data["version"],
        )

    return _form_step(
        request,
        pk,
        form=RecommendationForm(request.POST, auto_id="recommend_%s"),
        form_name="recommendation_form",
        action=action,
        success="Your recommendation for {reference} was sent.",
        next_url=reverse("contacts:queue"),
    )


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    require_roles(request, {Role.HUB_MANAGER})

    def action(contact: Contact, data: dict) -> None:
        services.contact_decide(
            contact=contact,
            manager=request.user,
            outcome=data["outcome"],
            rag=data["rag"],
            reason=data["reason"],
            expected_version=data["version"],
        )

    return _form_step(
        request,
        pk,
        form=DecisionForm(request.POST, auto_id="decide_%s"),
        form_name="decision_form",
        action=action,
        success="{reference} is decided.",
        next_url=reverse("contacts:decisions"),
    )


@login_required
@require_POST
def reassign(request: HttpRequest, pk: int) -> HttpResponse:
    require_roles(request, {Role.HUB_MANAGER})

    def action(contact: Contact, data: dict) -> None:
        services.contact_reassign(
            contact=contact, to_user=data["assignee"], by=request.user, reason=data["reason"]
        )

    return _form_step(
        request,
        pk,
        form=ReassignForm(request.POST, auto_id="reassign_%s"),
        form_name="reassign_form",
        action=action,
        success="{reference} was reassigned.",
        next_url=reverse("contacts:contact_detail", args=[pk]),
    )
