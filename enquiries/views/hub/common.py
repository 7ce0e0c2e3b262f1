"""What every hub enquiry view shares: the hub-only gate, loading an enquiry with its people
and requests, and rendering the enquiry page (with a posted form's errors, or a conflict)."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
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


def render_enquiry(
    request: HttpRequest,
    enquiry: Enquiry,
    *,
    status: int = 200,
    bound: forms.Form | None = None,
    problem: str = "",
) -> HttpResponse:
    """The enquiry page; `bound` is a posted form to show with its errors in place of a fresh
    one, `problem` a conflict or refusal to show in a banner with the current state.

    Every response that shows the enquiry, error pages included, is an audited view of it."""
    record_access(enquiry)
    people = people_to_check(enquiry)
    contact_links = contacts_of(enquiry)
    requests = requests_of(request, enquiry)
    changes = list(enquiry.rag_changes.select_related("changed_by"))
    open_requests = [item for item in requests if item.state == RequestState.OPEN]
    now = timezone.now()

    def pick(kind: type[forms.Form], make: Callable[[], forms.Form]) -> forms.Form:
        return bound if isinstance(bound, kind) else make()

    request_form = pick(
        RequestInformationForm,
        lambda: RequestInformationForm(links=people, available=available_agencies(requests)),
    )
    if isinstance(bound, RequestInformationForm):
        bound.fields["agency"].widget.choices = [("", "Choose an agency")] + [
            (agency.pk, agency.name) for agency in available_agencies(requests)
        ]
    withdraw_forms = {
        item.pk: (
            bound
            if isinstance(bound, WithdrawRequestForm) and bound.request_pk == item.pk
            else WithdrawRequestForm(request_pk=item.pk)
        )
        for item in open_requests
    }
    for item in requests:
        item.withdraw_form = withdraw_forms.get(item.pk)
        item.is_overdue = item.state == RequestState.OPEN and item.due_at < now
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
    context: dict[str, Any] = {
        "enquiry": enquiry,
        "people": people,
        "requests": requests,
        "open_requests": open_requests,
        "timeline": timeline(enquiry, requests, changes, contact_links),
        "contact_links": contact_links,
        "find": find,
        "found": found,
        "person_form": bound if isinstance(bound, PersonToCheckForm) else None,
        "request_form": request_form,
        "rag_form": pick(
            RagChangeForm,
            lambda: RagChangeForm(current=enquiry.rag, initial={"version": enquiry.version}),
        ),
        "recommendation_form": pick(
            EnquiryRecommendationForm,
            lambda: EnquiryRecommendationForm(
                initial={
                    "outcome": enquiry.recommended_outcome or None,
                    "final_rag": enquiry.recommended_rag or enquiry.rag,
                    "rationale": enquiry.recommendation_rationale,
                    "version": enquiry.version,
                }
            ),
        ),
        "decision_form": pick(
            EnquiryDecisionForm,
            lambda: EnquiryDecisionForm(
                initial={
                    "outcome": enquiry.recommended_outcome or None,
                    "final_rag": enquiry.recommended_rag,
                    "version": enquiry.version,
                }
            ),
        ),
        "error_form": bound if bound is not None and bound.errors else None,
        "problem": problem,
        "is_manager": request.user.role == Role.HUB_MANAGER,
    }
    return render(request, "enquiries/hub/enquiry_detail.html", context, status=status)
