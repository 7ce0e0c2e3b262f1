"""Every read of enquiries, requests and returns, already scoped to the user.

Hub staff see every enquiry, request and return of their hub. A partner agency's staff see only
the requests granted to their agency (withdrawing a request takes the grant away) and the returns
on them; never an enquiry itself, a contact, a referrer or another agency's request or return.
"""

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from agencies.roles import AGENCY_ROLES, HUB_ROLES
from deadlines.models import ItemKind
from deadlines.selectors import is_breached
from mash.access import granted_to_agency, is_member

from .models import Enquiry, EnquiryState, InformationRequest, InformationReturn, RequestState

VIEW_REQUEST = "enquiries.view_informationrequest"


def enquiries_visible_to(user, *, queryset: QuerySet[Enquiry] | None = None) -> QuerySet[Enquiry]:
    queryset = Enquiry.objects.all() if queryset is None else queryset
    if not is_member(user) or user.role not in HUB_ROLES:
        return queryset.none()
    return queryset


def information_requests_visible_to(
    user, *, queryset: QuerySet[InformationRequest] | None = None
) -> QuerySet[InformationRequest]:
    queryset = InformationRequest.objects.all() if queryset is None else queryset
    if not is_member(user):
        return queryset.none()
    if user.role in HUB_ROLES:
        return queryset
    if user.role in AGENCY_ROLES:
        return granted_to_agency(user, queryset, VIEW_REQUEST).filter(agency_id=user.agency_id)
    return queryset.none()


def returns_visible_to(
    user, *, queryset: QuerySet[InformationReturn] | None = None
) -> QuerySet[InformationReturn]:
    queryset = InformationReturn.objects.all() if queryset is None else queryset
    return queryset.filter(request__in=information_requests_visible_to(user))


def enquiry_queue(user) -> QuerySet[Enquiry]:
    """Open enquiries, soonest deadline first, with their outstanding requests counted, each
    marked `is_breached` when it has an unresolved breach or is past its deadline."""
    return (
        enquiries_visible_to(user)
        .exclude(state=EnquiryState.CLOSED)
        .select_related("worker", "contact")
        .annotate(
            outstanding=Count("requests", filter=Q(requests__state=RequestState.OPEN)),
            overdue_requests=Count(
                "requests",
                filter=Q(requests__state=RequestState.OPEN, requests__due_at__lt=timezone.now()),
            ),
            is_breached=is_breached(ItemKind.ENQUIRY, due_field="deadline"),
        )
        .order_by("deadline", "id")
    )


def agency_queue(user) -> QuerySet[InformationRequest]:
    """The agency's open requests, soonest due first (researchers and supervisors), each marked
    `is_breached` when its return has an unresolved breach or is past due."""
    if not is_member(user) or user.role not in AGENCY_ROLES:
        return InformationRequest.objects.none()
    return (
        information_requests_visible_to(user)
        .filter(state=RequestState.OPEN)
        .select_related("enquiry", "assignee")
        .annotate(
            people_count=Count("people", distinct=True),
            is_breached=is_breached(ItemKind.INFORMATION_RETURN, due_field="due_at"),
        )
        .order_by("due_at", "id")
    )


def agency_timeliness(user) -> dict:
    """The supervisor's view of their agency: returns on time and late, and open ones overdue."""
    requests = information_requests_visible_to(user)
    now = timezone.now()
    returned = requests.filter(returned_at__isnull=False)
    figures = returned.aggregate(
        total=Count("pk"),
        on_time=Count("pk", filter=Q(returned_at__lte=F("due_at"))),
    )
    figures["open"] = requests.filter(state=RequestState.OPEN).count()
    figures["open_overdue"] = requests.filter(state=RequestState.OPEN, due_at__lt=now).count()
    figures["late"] = figures["total"] - figures["on_time"]
    figures["on_time_percent"] = (
        round(100 * figures["on_time"] / figures["total"], 1) if figures["total"] else None
    )
    return figures
