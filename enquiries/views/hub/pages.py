"""The hub's enquiry pages: the queue, the enquiry, and the printable MASH summary."""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from mash.audit.events import record_access, record_event
from mash.pagination import keyset_page

from ...models import EnquiryPerson, HandlingMarking, InformationRequest, InformationReturn
from ...selectors import enquiry_queue
from .common import get_enquiry, people_to_check, render_enquiry, requests_of, require_hub
from .steps import request_information

# Markings whose content must not leave the MASH: the printed summary names the return and its
# marking but leaves its content out.
WITHHELD_FROM_SUMMARY = frozenset({HandlingMarking.POLICE_ONLY, HandlingMarking.HEALTH_ONLY})


@login_required
@require_safe
def enquiry_list(request: HttpRequest) -> HttpResponse:
    """Open enquiries, soonest deadline first, with their outstanding and overdue requests."""
    require_hub(request)
    subjects = EnquiryPerson.objects.filter(is_subject=True).select_related("person")
    page = keyset_page(
        enquiry_queue(request.user).prefetch_related(
            Prefetch("person_links", queryset=subjects, to_attr="subject_links")
        ),
        fields=("deadline", "id"),
        after=request.GET.get("after"),
    )
    return render(request, "enquiries/hub/enquiry_list.html", {"page": page, "query": ""})


@login_required
@require_safe
def enquiry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The enquiry at a glance: its state, deadline, worker and contacts, what is outstanding,
    and the RAG change (in a details reveal). The other sections have their own pages."""
    enquiry = get_enquiry(request, pk)
    return render_enquiry(request, enquiry, section="overview")


@login_required
@require_safe
def enquiry_people(request: HttpRequest, pk: int) -> HttpResponse:
    """The people to check, who each was sent to, and the search that adds someone."""
    return render_enquiry(request, get_enquiry(request, pk), section="people")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def enquiry_requests(request: HttpRequest, pk: int) -> HttpResponse:
    """The requests to agencies and their returns side by side; a POST sends a new request."""
    if request.method == "POST":
        return request_information(request, pk)
    return render_enquiry(request, get_enquiry(request, pk), section="requests")


@login_required
@require_safe
def enquiry_notes(request: HttpRequest, pk: int) -> HttpResponse:
    """The hub's case notes on the enquiry and its documents."""
    return render_enquiry(request, get_enquiry(request, pk), section="notes")


@login_required
@require_safe
def enquiry_history(request: HttpRequest, pk: int) -> HttpResponse:
    """Everything that happened to the enquiry, oldest first (the MOJ timeline)."""
    return render_enquiry(request, get_enquiry(request, pk), section="history")


@login_required
@require_safe
def enquiry_decision(request: HttpRequest, pk: int) -> HttpResponse:
    """The recommendation and the decision: the worker recommends; a manager approves it with
    one button, or chooses a different outcome with a reason."""
    return render_enquiry(request, get_enquiry(request, pk), section="decision")


@dataclass
class SharedItem:
    """One agency's part of the summary: its request and what it shared."""

    request: InformationRequest
    returns: list[InformationReturn]
    withheld: list[InformationReturn]


@login_required
@require_safe
def enquiry_summary(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable MASH summary for locality meetings and the receiving team (audited)."""
    enquiry = get_enquiry(request, pk)
    requests = requests_of(request, enquiry)
    shared = []
    for item in requests:
        answers = list(item.returns.all())
        shared.append(
            SharedItem(
                request=item,
                returns=[a for a in answers if a.handling not in WITHHELD_FROM_SUMMARY],
                withheld=[a for a in answers if a.handling in WITHHELD_FROM_SUMMARY],
            )
        )
    record_event(
        "enquiry.summary_produced",
        target=enquiry,
        data={"state": enquiry.state, "returns": sum(len(s.returns) for s in shared)},
    )
    record_access(enquiry)
    context = {
        "enquiry": enquiry,
        "people": people_to_check(enquiry),
        "changes": list(enquiry.rag_changes.select_related("changed_by")),
        "shared": shared,
        "produced_at": timezone.now(),
    }
    return render(request, "enquiries/hub/enquiry_summary.html", context)
