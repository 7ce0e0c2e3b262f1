"""The kinds of item with a deadline, and how the scan reads each: which rows are open,
where the due time and start are stored, which clock the item runs on, and who hears about it."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db import models
from django.urls import reverse

from contacts.codes import Rag
from contacts.models import Contact
from contacts.timescales import contact_decision_timescale
from encompass.models import EncompassNotice
from enquiries.models import Enquiry, EnquiryState, InformationRequest, RequestState
from enquiries.timescales import enquiry_timescale, return_timescale
from mash.clocks import Clock, WorkingCalendar

from .models import ItemKind
from .points import warning_basis, warning_fraction
from .timescales import timescale_for


@dataclass(frozen=True)
class WarningRule:
    """The clock and share of the time for one (kind, RAG), and the basis that names them."""

    clock: Clock
    fraction: float
    basis: str


@dataclass(frozen=True)
class KindSpec:
    kind: ItemKind
    due_field: str
    start_field: str
    assignee_field: str
    open_items: Callable[[], models.QuerySet]
    clock: Callable[[models.Model], Clock]
    link: Callable[[models.Model], str]
    label: str
    #: The share of the item's time at which it is warned (the setting of its kind and RAG).
    warning_fraction: Callable[[models.Model], float]
    #: Where the RAG rating that picks the item's timescale is read ("" for contacts: no RAG).
    rag_field: str = ""
    #: Whether items are reminded at a warning point (False: escalated at the deadline only, and
    #: the kind has no timescale setting).
    warns: bool = True
    #: Told the ids of the items escalated by a scan batch, and when, in the batch's transaction.
    on_escalated: Callable[[list[int], datetime], None] | None = None

    def rags(self) -> tuple[str, ...]:
        """The RAG ratings whose settings apply to items of this kind ("" alone for contacts)."""
        return tuple(Rag.values) if self.rag_field else ("",)

    def with_rag(self, items: models.QuerySet, rag: str) -> models.QuerySet:
        """`items` narrowed to those whose timescale is that of `rag`."""
        return items.filter(**{self.rag_field: rag}) if self.rag_field else items

    def warning_rule(self, rag: str, calendar: WorkingCalendar) -> WarningRule:
        """How the warning point of this kind's items of `rag` is computed now."""
        clock = Clock(timescale_for(self.kind, rag).clock)
        fraction = warning_fraction(self.kind, rag)
        return WarningRule(
            clock=clock,
            fraction=fraction,
            basis=warning_basis(clock=clock, fraction=fraction, calendar=calendar),
        )


@dataclass(frozen=True)
class DueItem:
    """An open item whose warning point or deadline has come."""

    spec: KindSpec
    item: models.Model
    deadline: datetime
    start: datetime

    @property
    def kind(self) -> ItemKind:
        return self.spec.kind

    @property
    def assignee(self):
        return getattr(self.item, self.spec.assignee_field)

    @property
    def agency_id(self) -> int | None:
        return getattr(self.item, "agency_id", None)


def _open_contacts() -> models.QuerySet:
    # Matches the partial index contact_open_queue (decision_due_at, id) WHERE outcome = ''.
    return (
        Contact.objects.filter(outcome="")
        .select_related("assignee")
        .only("id", "received_at", "decision_due_at", "assignee")
    )


def _open_enquiries() -> models.QuerySet:
    # Matches the partial index enquiry_open_queue (deadline, id) WHERE state <> 'closed'.
    return (
        Enquiry.objects.exclude(state=EnquiryState.CLOSED)
        .select_related("worker")
        .only("id", "opened_at", "deadline", "rag", "worker")
    )


def _open_encompass_notices() -> models.QuerySet:
    # Matches the partial index encompass_unacknowledged (acknowledge_by, id).
    return (
        EncompassNotice.objects.filter(acknowledged_at__isnull=True)
        .select_related("notification")
        .only("id", "available_at", "acknowledge_by", "acknowledged_by", "notification__contact")
    )


def _encompass_escalated(pks: list[int], at: datetime) -> None:
    from encompass.services import notices_escalated

    notices_escalated(pks=pks, at=at)


def _open_requests() -> models.QuerySet:
    return (
        InformationRequest.objects.filter(state=RequestState.OPEN)
        .select_related("assignee", "enquiry")
        .only("id", "requested_at", "due_at", "agency_id", "assignee", "enquiry__rag")
    )


SPECS: tuple[KindSpec, ...] = (
    KindSpec(
        kind=ItemKind.CONTACT_DECISION,
        due_field="decision_due_at",
        start_field="received_at",
        assignee_field="assignee",
        open_items=_open_contacts,
        clock=lambda contact: contact_decision_timescale().clock,
        link=lambda contact: reverse("contacts:contact_detail", args=[contact.pk]),
        label="Decision on contact",
        warning_fraction=lambda contact: warning_fraction(ItemKind.CONTACT_DECISION),
    ),
    KindSpec(
        kind=ItemKind.ENQUIRY,
        due_field="deadline",
        start_field="opened_at",
        assignee_field="worker",
        open_items=_open_enquiries,
        clock=lambda enquiry: enquiry_timescale(enquiry.rag).clock,
        link=lambda enquiry: reverse("enquiries_hub:detail", args=[enquiry.pk]),
        label="Enquiry",
        warning_fraction=lambda enquiry: warning_fraction(ItemKind.ENQUIRY, enquiry.rag),
        rag_field="rag",
    ),
    KindSpec(
        kind=ItemKind.INFORMATION_RETURN,
        due_field="due_at",
        start_field="requested_at",
        assignee_field="assignee",
        open_items=_open_requests,
        clock=lambda request: return_timescale(request.enquiry.rag).clock,
        link=lambda request: reverse("enquiries_agency:request_detail", args=[request.pk]),
        label="Information return for request",
        warning_fraction=lambda request: warning_fraction(
            ItemKind.INFORMATION_RETURN, request.enquiry.rag
        ),
        rag_field="enquiry__rag",
    ),
    # Operation Encompass: a notice not acknowledged by 10:00 on the school day it was due is
    # escalated to the hub managers (no reminder: the key adult was emailed when it was made).
    KindSpec(
        kind=ItemKind.ENCOMPASS_NOTICE,
        due_field="acknowledge_by",
        start_field="available_at",
        assignee_field="acknowledged_by",
        open_items=_open_encompass_notices,
        clock=lambda notice: Clock.ELAPSED,
        link=lambda notice: reverse(
            "contacts:contact_detail", args=[notice.notification.contact_id]
        ),
        label="Operation Encompass notice",
        warning_fraction=lambda notice: 1.0,
        warns=False,
        on_escalated=_encompass_escalated,
    ),
)
