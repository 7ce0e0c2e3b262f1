"""Every read of enquiries, requests and returns, already scoped to the user.

Hub staff see every enquiry, request and return of their hub. A partner agency's staff see only
the requests granted to their agency (withdrawing a request takes the grant away) and the returns
on them; never an enquiry itself, a contact, a referrer or another agency's request or return.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from agencies.roles import AGENCY_ROLES, HUB_ROLES, Role
from deadlines.models import ItemKind
from deadlines.selectors import is_breached
from mash.access import granted_to_agency, is_member
from reporting.kpis.build import Measures
from reporting.kpis.enquiries import k10_measures, requests_in_period
from reporting.kpis.figures import count
from reporting.kpis.types import Figure
from reporting.periods import Period

from .models import Enquiry, EnquiryState, InformationRequest, InformationReturn, RequestState

VIEW_REQUEST = "enquiries.view_informationrequest"
User = get_user_model()


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


def agency_open_now(user) -> dict[str, int]:
    """The supervisor's queue summary: the agency's open requests now, and how many of them are
    overdue (two counts in one query). Researchers and everyone else: zeros (fail closed)."""
    if not is_member(user) or user.role != Role.AGENCY_SUPERVISOR:
        return {"open": 0, "open_overdue": 0}
    return information_requests_visible_to(user).aggregate(
        open=Count("pk", filter=Q(state=RequestState.OPEN)),
        open_overdue=Count("pk", filter=Q(state=RequestState.OPEN, due_at__lt=timezone.now())),
    )


@dataclass(frozen=True)
class TimelinessRow:
    """One line of the supervisor's timeliness table: a researcher (None: not assigned), or the
    agency's total. Each figure is a reporting ``Figure`` (``on_time_percent`` carries its part
    and whole, ``median_hours`` may be null)."""

    label: str
    researcher_id: int | None
    requests: Figure
    returned: Figure
    on_time_percent: Figure
    median_hours: Figure
    outstanding_now: Figure
    overdue_now: Figure

    @property
    def on_time(self) -> int:
        return self.on_time_percent.part or 0


@dataclass(frozen=True)
class AgencyTimeliness:
    """The agency's timeliness for a period: a row per researcher, "Unassigned", the total."""

    period: Period
    rows: tuple[TimelinessRow, ...]
    total: TimelinessRow


UNASSIGNED = "Unassigned"


def _timeliness_measures(period: Period) -> Measures:
    """KPI K10's measures (KPIS.md: on time is ``returned_at <= due_at``, over returned ones;
    median hours from request to return), plus the requests still open now and overdue now."""
    k10 = k10_measures(period)
    now = timezone.now()
    open_now = Q(state=RequestState.OPEN)
    return Measures(
        columns=k10.columns,
        figures=lambda values: {
            **k10.figures(values),
            "outstanding_now": count(values["outstanding_now"]),
            "overdue_now": count(values["overdue_now"]),
        },
        aggregates={
            **k10.aggregates,
            "outstanding_now": Count("pk", filter=open_now),
            "overdue_now": Count("pk", filter=open_now & Q(due_at__lt=now)),
        },
        percentiles=k10.percentiles,
    )


def _timeliness_row(label: str, researcher_id: int | None, figures: dict) -> TimelinessRow:
    return TimelinessRow(
        label=label,
        researcher_id=researcher_id,
        requests=figures["count"],
        returned=figures["returned"],
        on_time_percent=figures["on_time_percent"],
        median_hours=figures["median_hours"],
        outstanding_now=figures["outstanding_now"],
        overdue_now=figures["overdue_now"],
    )


def agency_timeliness(user, period: Period) -> AgencyTimeliness:
    """The supervisor's agency's timeliness for ``period``, as KPI K10 counts it (KPIS.md): the
    agency's requests in enquiries opened in the period (those the hub withdrew are no longer
    the agency's), returned, returned on time, median hours to return; and of those, the ones
    still open now and overdue now. One row per researcher who holds any of them or is on the
    agency's staff (by assignee), "Unassigned", and the total. Four queries whatever the
    number of researchers and requests. Anyone but an agency supervisor: PermissionError."""
    if not is_member(user) or user.role != Role.AGENCY_SUPERVISOR:
        raise PermissionError("Only an agency's supervisor sees its timeliness.")
    requests = information_requests_visible_to(user, queryset=requests_in_period(period))
    measures = _timeliness_measures(period)
    total = _timeliness_row("Total", None, measures.compute(requests)[()])
    by_assignee = {
        key[0]: figures for key, figures in measures.compute(requests, ["assignee_id"]).items()
    }
    empty = measures.figures(defaultdict(int, median=None))
    staff = {
        person.pk: person
        for person in User.objects.filter(
            Q(agency_id=user.agency_id, role__in=AGENCY_ROLES, is_active=True)
            | Q(pk__in=[pk for pk in by_assignee if pk is not None])
        )
    }
    researchers = sorted(
        staff.values(), key=lambda person: (person.display_name.casefold(), person.pk)
    )
    rows = [
        _timeliness_row(person.display_name, person.pk, by_assignee.get(person.pk, empty))
        for person in researchers
    ]
    rows.append(_timeliness_row(UNASSIGNED, None, by_assignee.get(None, empty)))
    return AgencyTimeliness(period=period, rows=tuple(rows), total=total)
