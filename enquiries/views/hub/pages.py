"""The hub's enquiry pages: the queue, the enquiry, and the printable MASH summary."""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from mash.audit.events import record_access, record_event
from mash.pagination import keyset_page

from ...models import EnquiryPerson, HandlingMarking, InformationRequest, InformationReturn
from ...selectors import enquiry_queue
from .common import get_enquiry, people_to_check, render_enquiry, requests_of, require_hub

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
    """The enquiry, its people, requests and returns side by side, its timeline and forms."""
    enquiry = get_enquiry(request, pk)
    return render_enquiry(request, enquiry)


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
