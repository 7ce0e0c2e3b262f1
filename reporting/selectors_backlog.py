"""The managers' live backlog (issue 6): what is past its due time right now, computed from the
stored due times (not from recorded breaches), with the records behind each figure.

Three parts: undecided contacts past their decision due time, open enquiries past their
deadline, and open information requests past their due time grouped by agency. "Past due" is
strictly after the due time, as in K4 and K10 (KPIS.md), where "at or before" is on time. Every
read goes through the visibility selectors; only hub managers see the backlog.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count
from django.utils import timezone

from agencies.roles import Role
from contacts.models import Contact
from contacts.selectors import contacts_visible_to
from enquiries.models import Enquiry, EnquiryState, InformationRequest, RequestState
from enquiries.selectors import enquiries_visible_to, information_requests_visible_to
from mash.access import is_member

#: Rows listed in each part; the counts always cover everything past due.
BACKLOG_ROW_LIMIT = 200


def can_see_backlog(user) -> bool:
    """Hub managers only: the backlog links to records, so board members never see it."""
    return is_member(user) and user.role == Role.HUB_MANAGER


@dataclass(frozen=True)
class AgencyReturns:
    """One agency's overdue returns: how many, and the first of them, oldest due first."""

    agency: str
    count: int
    rows: list[InformationRequest] = field(default_factory=list)


@dataclass(frozen=True)
class Backlog:
    now: datetime
    contacts_count: int
    contacts: list[Contact]
    enquiries_count: int
    enquiries: list[Enquiry]
    returns_count: int
    returns_by_agency: list[AgencyReturns]

    @property
    def contacts_truncated(self) -> bool:
        return len(self.contacts) < self.contacts_count

    @property
    def enquiries_truncated(self) -> bool:
        return len(self.enquiries) < self.enquiries_count

    @property
    def returns_truncated(self) -> bool:
        return sum(len(group.rows) for group in self.returns_by_agency) < self.returns_count


def undecided_contacts_past_due(user, *, now: datetime):
    """Contacts with no decision whose decision due time has passed, oldest due first."""
    return (
        contacts_visible_to(user)
        .filter(outcome="", decision_due_at__lt=now)
        .order_by("decision_due_at", "id")
    )


def open_enquiries_past_deadline(user, *, now: datetime):
    """Enquiries not closed whose deadline has passed, oldest deadline first."""
    return (
        enquiries_visible_to(user)
        .exclude(state=EnquiryState.CLOSED)
        .filter(deadline__lt=now)
        .order_by("deadline", "id")
    )


def overdue_returns(user, *, now: datetime):
    """Open information requests past their due time, by agency name, oldest due first."""
    return (
        information_requests_visible_to(user)
        .filter(state=RequestState.OPEN, due_at__lt=now)
        .order_by("agency__name", "due_at", "id")
    )


def backlog_for(
    user, *, now: datetime | None = None, limit: int = BACKLOG_ROW_LIMIT
) -> Backlog | None:
    """The live backlog as `user` (a hub manager) may see it, in six queries whatever its size;
    None for anyone else."""
    if not can_see_backlog(user):
        return None
    now = now or timezone.now()
    contacts = undecided_contacts_past_due(user, now=now)
    enquiries = open_enquiries_past_deadline(user, now=now)
    returns = overdue_returns(user, now=now)
    per_agency = list(
        returns.order_by()
        .values("agency_id", "agency__name")
        .annotate(count=Count("id"))
        .order_by("agency__name")
    )
    rows: dict[int, list[InformationRequest]] = {group["agency_id"]: [] for group in per_agency}
    for request in returns.select_related("agency", "enquiry", "assignee")[:limit]:
        rows[request.agency_id].append(request)
    return Backlog(
        now=now,
        contacts_count=contacts.count(),
        contacts=list(contacts.select_related("assignee")[:limit]),
        enquiries_count=enquiries.count(),
        enquiries=list(enquiries.select_related("worker")[:limit]),
        returns_count=sum(group["count"] for group in per_agency),
        returns_by_agency=[
            AgencyReturns(
                agency=group["agency__name"], count=group["count"], rows=rows[group["agency_id"]]
            )
            for group in per_agency
        ],
    )
