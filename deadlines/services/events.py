"""What each event of the other apps notifies, and to whom: a request sent to an agency, a return
received by the hub, work allocated, a recommendation awaiting a manager's decision.

Called by the services that make the change, inside their transaction (one line each), and by
the ``work.signals.allocated`` receiver. The wording names records by reference only: no child,
family member or other person of the record, since the email leaves the system.
"""

from django.db import models
from django.urls import reverse
from django.utils import timezone

from agencies.models import User
from agencies.roles import AGENCY_ROLES, Role

from ..models import Notification, NotificationKind
from .notifications import notify, record_key


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%a %d %b %Y %H:%M")


def _label(record: models.Model) -> str:
    return {"contact": "Contact", "enquiry": "Enquiry", "informationrequest": "Request"}[
        record._meta.model_name
    ]


def hub_managers() -> models.QuerySet:
    """The active MASH managers (they decide and allocate)."""
    return User.objects.filter(role=Role.HUB_MANAGER, is_active=True).order_by("pk")


def agency_staff(agency_id: int) -> models.QuerySet:
    """The active researchers and supervisors of one agency: who the scan reminds about an
    unassigned request, and who hears that a request has come in."""
    return User.objects.filter(agency_id=agency_id, role__in=AGENCY_ROLES, is_active=True).order_by(
        "pk"
    )


def notify_request_received(*, request, sent_by=None) -> list[Notification]:
    """A new information request: its agency's researchers and supervisors are told (nobody of
    any other agency). The link is the agency's own request page."""
    reference = request.reference
    return notify(
        kind=NotificationKind.REQUEST_RECEIVED,
        record=request,
        users=agency_staff(request.agency_id),
        title=f"New information request {reference}",
        body=(
            f"The hub has sent information request {reference} to {request.agency.name}. "
            f"The return is due at {_when(request.due_at)}."
        ),
        key=record_key(request),
        exclude=sent_by,
    )


def notify_return_received(*, information_return) -> list[Notification]:
    """A return (or an addendum to one) on an enquiry: its hub worker is told, or the hub
    managers when nobody holds the enquiry. It opens the enquiry's Requests and returns section."""
    request = information_return.request
    enquiry = request.enquiry
    users = [enquiry.worker] if enquiry.worker_id else hub_managers()
    what = "an addendum to its return" if information_return.is_addendum else "its return"
    return notify(
        kind=NotificationKind.RETURN_RECEIVED,
        record=enquiry,
        users=users,
        title=f"Return received on {enquiry.reference}",
        body=(
            f"{request.agency.name} has submitted {what} to information request "
            f"{request.reference} on enquiry {enquiry.reference}."
        ),
        key=f"{record_key(information_return)}",
        exclude=information_return.submitted_by_id,
        link=reverse("enquiries_hub:requests", args=[enquiry.pk]) + "#returns-title",
    )


def notify_allocated(*, record: models.Model, assignee, allocated_by=None) -> list[Notification]:
    """`record` (a contact, an enquiry or an information request) is now `assignee`'s: they are
    told, unless they allocated it to themselves. A record allocated to the same person again
    later is a new event (its version, or the time, is in the key)."""
    if assignee is None or getattr(allocated_by, "pk", allocated_by) == assignee.pk:
        return []
    reference = record.reference
    occasion = getattr(record, "version", None)
    if occasion is None:
        occasion = getattr(record, "modified_at", None)
        occasion = occasion.isoformat() if occasion else ""
    return notify(
        kind=NotificationKind.ALLOCATED,
        record=record,
        users=[assignee],
        title=f"{reference} has been allocated to you",
        body=f"{_label(record)} {reference} has been allocated to you.",
        key=f"{record_key(record)}:{occasion}",
        exclude=allocated_by,
    )


def notify_awaiting_decision(*, record: models.Model, recommended_by=None) -> list[Notification]:
    """A contact or an enquiry has a recommendation: the hub managers are told it awaits their
    decision (not the manager who recommended it). Each recommendation is its own event. An
    enquiry's opens its Decision section."""
    reference = record.reference
    return notify(
        kind=NotificationKind.AWAITING_DECISION,
        record=record,
        users=hub_managers(),
        title=f"{reference} is awaiting a decision",
        body=f"{_label(record)} {reference} has a recommendation awaiting a manager's decision.",
        key=f"{record_key(record)}:{record.version}",
        exclude=recommended_by,
        link=reverse("enquiries_hub:decision", args=[record.pk])
        if record._meta.model_name == "enquiry"
        else "",
    )


def on_allocated(sender, *, record, assignee, allocated_by=None, **kwargs) -> None:
    """The receiver of ``work.signals.allocated`` (connected in ``DeadlinesConfig.ready``)."""
    notify_allocated(record=record, assignee=assignee, allocated_by=allocated_by)
