"""What every hub enquiry view shares: the hub-only gate, loading an enquiry with its people
and requests, and rendering the enquiry page (with a posted form's errors, or a conflict)."""

from typing import Any

from django import forms
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency
from agencies.roles import HUB_ROLES, Role
from contacts.selectors import people_search
from mash.access import is_member
from mash.audit.events import record_access

from ...forms import (
    EnquiryDecisionForm,
    EnquiryRecommendationForm,
    PersonToCheckForm,
    RagChangeForm,
    RequestInformationForm,
    WithdrawRequestForm,
)
from ...models import (
    Enquiry,
    EnquiryContact,
    EnquiryPerson,
    InformationRequest,
    InformationReturn,
    RequestState,
)
from ...selectors import enquiries_visible_to, information_requests_visible_to
from .timeline import timeline, when  # noqa: F401 - `when` is shared with the steps


def require_hub(request: HttpRequest) -> None:
    """Outside the hub's roles every page here answers 404, like a record outside one's view."""
    if not is_member(request.user) or request.user.role not in HUB_ROLES:
        raise Http404


def get_enquiry(request: HttpRequest, pk: int) -> Enquiry:
    """The enquiry, if the user is hub staff and may see it; 404 otherwise."""
    require_hub(request)
    queryset = enquiries_visible_to(request.user).select_related(
        "contact", "worker", "recommended_by", "decided_by"
    )
    try:
        return queryset.get(pk=pk)
    except Enquiry.DoesNotExist as missing:
        raise Http404 from missing


def people_to_check(enquiry: Enquiry) -> list[EnquiryPerson]:
    """The people to check: subjects first, then their households."""
    return list(
        enquiry.person_links.select_related("person").order_by(
            "-is_subject", "person__family_name", "person__given_name", "id"
        )
    )


def contacts_of(enquiry: Enquiry) -> list[EnquiryContact]:
    """The contacts the enquiry holds, the opening one first."""
    return list(enquiry.contact_links.select_related("contact", "added_by"))


def requests_of(request: HttpRequest, enquiry: Enquiry) -> list[InformationRequest]:
    """Every request of the enquiry with its agency, people and returns (addenda included)."""
    queryset = information_requests_visible_to(request.user, queryset=enquiry.requests.all())
    return list(
        queryset.select_related("agency", "requested_by", "withdrawn_by", "assignee")
        .prefetch_related(
            "people",
            Prefetch(
                "returns",
                queryset=InformationReturn.objects.select_related("submitted_by").order_by(
                    "submitted_at", "id"
                ),
            ),
        )
        .order_by("requested_at", "id")
    )


def available_agencies(requests: list[InformationRequest]) -> list[Agency]:
    """The active agencies that can be asked: those without an open request on the enquiry."""
    asked = [item.agency_id for item in requests if item.state == RequestState.OPEN]
    return list(Agency.objects.filter(is_active=True).exclude(pk__in=asked).order_by("name"))


# The enquiry's sections, each its own page under the MOJ sub navigation: (key, label, URL name).
SECTIONS = (
    ("overview", "Overview", "enquiries_hub:detail"),
    ("people", "People", "enquiries_hub:people"),
    ("requests", "Requests and returns", "enquiries_hub:requests"),
    ("notes", "Notes and documents", "enquiries_hub:notes"),
    ("history", "History", "enquiries_hub:history"),
    ("decision", "Decision", "enquiries_hub:decision"),
)

# Where a posted form lives, so that its errors are shown on its own section.
FORM_SECTIONS: dict[type[forms.Form], str] = {
    RequestInformationForm: "requests",
    WithdrawRequestForm: "requests",
    PersonToCheckForm: "people",
    RagChangeForm: "overview",
    EnquiryRecommendationForm: "decision",
    EnquiryDecisionForm: "decision",
}

TEMPLATES = {key: f"enquiries/hub/enquiry_{key}.html" for key, _label, _url in SECTIONS}
TEMPLATES["overview"] = "enquiries/hub/enquiry_detail.html"


def section_url(enquiry_pk: int, section: str) -> str:
    """The address of one section of the enquiry."""
    name = next(url for key, _label, url in SECTIONS if key == section)
    return reverse(name, kwargs={"pk": enquiry_pk})


def _mark_overdue(requests: list[InformationRequest]) -> None:
    now = timezone.now()
    for item in requests:
        item.is_overdue = item.state == RequestState.OPEN and item.due_at < now


def _people_context(request: HttpRequest, enquiry: Enquiry, requests, bound) -> dict[str, Any]:
    people = people_to_check(enquiry)
    sent_to: dict[int, list[str]] = {}
    for item in requests:
        if item.state != RequestState.WITHDRAWN:
            for person in item.people.all():
                sent_to.setdefault(person.pk, []).append(item.agency.name)
    for link in people:
        link.sent_to = sent_to.get(link.person_id, [])
    find = request.GET.get("find", "").strip()[:200]
    found = []
    if find and not enquiry.is_closed:
        held = {link.person_id for link in people}
        found = [person for person in people_search(request.user, find) if person.pk not in held]
    return {
        "people": people,
        "find": find,
        "found": found,
        "person_form": bound if isinstance(bound, PersonToCheckForm) else None,
    }


def _requests_context(enquiry: Enquiry, requests, bound) -> dict[str, Any]:
    people = people_to_check(enquiry)
    open_requests = [item for item in requests if item.state == RequestState.OPEN]
    if isinstance(bound, RequestInformationForm):
        request_form = bound
        request_form.fields["agency"].widget.choices = [("", "Choose an agency")] + [
            (agency.pk, agency.name) for agency in available_agencies(requests)
        ]
    else:
        request_form = RequestInformationForm(links=people, available=available_agencies(requests))
    for item in requests:
        item.withdraw_form = None
        if item.state == RequestState.OPEN:
            item.withdraw_form = (
                bound
                if isinstance(bound, WithdrawRequestForm) and bound.request_pk == item.pk
                else WithdrawRequestForm(request_pk=item.pk)
            )
    return {
        "people": people,
        "open_requests": open_requests,
        "request_form": request_form,
        "returns_count": sum(len(item.returns.all()) for item in requests),
    }


def _decision_context(request: HttpRequest, enquiry: Enquiry, requests, bound) -> dict[str, Any]:
    open_requests = [item for item in requests if item.state == RequestState.OPEN]
    recommendation_form = (
        bound
        if isinstance(bound, EnquiryRecommendationForm)
        else EnquiryRecommendationForm(
            initial={
                "outcome": enquiry.recommended_outcome or None,
                "final_rag": enquiry.recommended_rag or enquiry.rag,
                "rationale": enquiry.recommendation_rationale,
                "version": enquiry.version,
            }
        )
    )
    decision_form = (
        bound
        if isinstance(bound, EnquiryDecisionForm)
        else EnquiryDecisionForm(
            initial={
                "outcome": enquiry.recommended_outcome or None,
                "final_rag": enquiry.recommended_rag,
                "version": enquiry.version,
            }
        )
    )
    return {
        "open_requests": open_requests,
        "recommendation_form": recommendation_form,
        "decision_form": decision_form,
        # A manager's "Choose a different outcome" is open when a decision failed, to show why
        "different_open": isinstance(bound, EnquiryDecisionForm),
    }


def render_enquiry(
    request: HttpRequest,
    enquiry: Enquiry,
    *,
    section: str = "",
    status: int = 200,
    bound: forms.Form | None = None,
    problem: str = "",
) -> HttpResponse:
    """One section of the enquiry (the one `bound` belongs to, else `section`, else the
    overview); `bound` is a posted form to show with its errors in place of a fresh one,
    `problem` a conflict or refusal to show in a banner with the current state.

    Every response that shows the enquiry, error pages included, is an audited view of it."""
    record_access(enquiry)
    if bound is not None:
        section = FORM_SECTIONS.get(type(bound), section)
    section = section or "overview"
    contact_links = contacts_of(enquiry)
    requests = requests_of(request, enquiry)
    _mark_overdue(requests)
    context: dict[str, Any] = {
        "enquiry": enquiry,
        "section": section,
        "sections": [
            {"key": key, "label": label, "url": reverse(url, kwargs={"pk": enquiry.pk})}
            for key, label, url in SECTIONS
        ],
        "contact_links": contact_links,
        "requests": requests,
        "open_requests": [item for item in requests if item.state == RequestState.OPEN],
        "error_form": bound if bound is not None and bound.errors else None,
        "problem": problem,
        "is_manager": request.user.role == Role.HUB_MANAGER,
    }
    if section == "overview":
        context["people_count"] = enquiry.person_links.count()
        context["returned_count"] = sum(
            1 for item in requests if item.state == RequestState.RETURNED
        )
        context["rag_form"] = (
            bound
            if isinstance(bound, RagChangeForm)
            else RagChangeForm(current=enquiry.rag, initial={"version": enquiry.version})
        )
    elif section == "people":
        context |= _people_context(request, enquiry, requests, bound)
    elif section == "requests":
        context |= _requests_context(enquiry, requests, bound)
    elif section == "history":
        changes = list(enquiry.rag_changes.select_related("changed_by"))
        context["timeline"] = timeline(enquiry, requests, changes, contact_links)
    elif section == "decision":
        context |= _decision_context(request, enquiry, requests, bound)
    return render(request, TEMPLATES[section], context, status=status)
