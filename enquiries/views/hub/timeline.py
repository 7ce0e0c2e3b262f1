"""The enquiry's history for the MOJ timeline: requests, returns, withdrawals, RAG changes,
the recommendation and the decision, oldest first."""

from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from contacts.codes import Rag

from ...models import (
    Enquiry,
    EnquiryContact,
    EnquiryContactHow,
    InformationRequest,
    RagChange,
    RequestState,
)


@dataclass
class TimelineEntry:
    """One thing that happened to the enquiry, for the MOJ timeline."""

    at: datetime
    title: str
    by: str = ""
    lines: list[str] = field(default_factory=list)
    kind: str = ""


def _name(user) -> str:
    return user.display_name if user is not None else ""


def when(moment: datetime) -> str:
    """A time as the hub reads it: '23 November 2026, 19:00' (Europe/London)."""
    return timezone.localtime(moment).strftime("%-d %B %Y, %H:%M")


def timeline(
    enquiry: Enquiry,
    requests: list[InformationRequest],
    changes: list[RagChange],
    contact_links: list[EnquiryContact] = (),
) -> list[TimelineEntry]:
    """Every contact added, request, return, withdrawal, RAG change, recommendation and
    decision, oldest first."""
    first_deadline = changes[0].previous_deadline if changes else enquiry.deadline
    opened_lines = [f"Due {when(first_deadline)}"]
    if enquiry.separate_reason:
        opened_lines.append(
            f"Opened separately although a subject had an open enquiry: {enquiry.separate_reason}"
        )
    entries = [
        TimelineEntry(
            enquiry.opened_at,
            f"Enquiry opened as {Rag(enquiry.initial_rag).label}",
            lines=opened_lines,
            kind="opened",
        )
    ]
    for link in contact_links:
        if link.how != EnquiryContactHow.ADDED:
            continue
        contact = link.contact
        entries.append(
            TimelineEntry(
                link.added_at,
                f"Contact {contact.reference} added",
                _name(link.added_by),
                [
                    f"Received {when(contact.received_at)}, decided MASH enquiry "
                    f"({Rag(contact.initial_rag).label})"
                    if contact.initial_rag
                    else f"Received {when(contact.received_at)}"
                ],
                "contact-added",
            )
        )
    for item in requests:
        entries.append(
            TimelineEntry(
                item.requested_at,
                f"Information requested from {item.agency.name}",
                _name(item.requested_by),
                [item.question],
                "request",
            )
        )
        for answer in item.returns.all():
            timing = "on time" if answer.submitted_at <= item.due_at else "late"
            kind = "Addendum" if answer.is_addendum else "Return"
            entries.append(
                TimelineEntry(
                    answer.submitted_at,
                    f"{kind} from {item.agency.name} ({timing})",
                    _name(answer.submitted_by),
                    [
                        "Information held" if answer.information_held else "No information held",
                        answer.get_handling_display(),
                    ],
                    "return",
                )
            )
        if item.state == RequestState.WITHDRAWN and item.withdrawn_at:
            entries.append(
                TimelineEntry(
                    item.withdrawn_at,
                    f"Request to {item.agency.name} withdrawn",
                    _name(item.withdrawn_by),
                    [item.withdrawn_reason],
                    "withdrawn",
                )
            )
    for change in changes:
        entries.append(
            TimelineEntry(
                change.changed_at,
                f"RAG changed from {change.get_from_rag_display()} "
                f"to {change.get_to_rag_display()}",
                _name(change.changed_by),
                [
                    change.reason,
                    f"Deadline {when(change.previous_deadline)} → {when(change.new_deadline)}",
                ],
                "rag",
            )
        )
    if enquiry.recommended_at:
        entries.append(
            TimelineEntry(
                enquiry.recommended_at,
                f"Recommended: {enquiry.get_recommended_outcome_display()} "
                f"({enquiry.get_recommended_rag_display()})",
                _name(enquiry.recommended_by),
                [enquiry.recommendation_rationale],
                "recommendation",
            )
        )
    if enquiry.closed_at:
        agreed = (enquiry.outcome, enquiry.final_rag) == (
            enquiry.recommended_outcome,
            enquiry.recommended_rag,
        )
        entries.append(
            TimelineEntry(
                enquiry.closed_at,
                f"{'Approved' if agreed else 'Decided otherwise'}: "
                f"{enquiry.get_outcome_display()} ({enquiry.get_final_rag_display()})",
                _name(enquiry.decided_by),
                [enquiry.outcome_reason] if enquiry.outcome_reason else [],
                "decision",
            )
        )
    return sorted(entries, key=lambda entry: entry.at)
