"""Triage and decision: pick up, recommend, decide, correct, feedback.

Each step locks the contact row and checks the version the user saw, so two people acting at
once cannot overwrite each other: one wins, the other gets a ConflictError with the news.
"""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from agencies.roles import HUB_ROLES, Role
from deadlines.models import ItemKind
from deadlines.resolution import resolve_breaches
from deadlines.services import notify_awaiting_decision
from mash.access import require_role
from mash.audit.events import record_event
from mash.errors import ConflictError

from ..codes import Outcome, Rag
from ..models import Contact, DecisionEntry, DecisionKind


def _locked(contact: Contact, expected_version: int | None) -> Contact:
    locked = Contact.objects.select_for_update().get(pk=contact.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ConflictError(
            f"{locked.reference} was changed by someone else while you were working on it "
            f"(it is now: {locked.state_label.lower()}). Check the current state and try again."
        )
    return locked


def _bump(contact: Contact, by, fields: list[str]) -> None:
    contact.version += 1
    contact.modified_by = by
    contact.save(update_fields=[*fields, "version", "modified_by", "modified_at"])


def contact_pick_up(*, contact: Contact, user) -> Contact:
    """Start decision making: the first pick-up sets the clock and the assignee, once
    (work.services.contact_take: the allocation app's lock-and-record step)."""
    from work.services import contact_take

    return contact_take(contact=contact, user=user)


def contact_reassign(*, contact: Contact, to_user, by, reason: str = "") -> Contact:
    """A manager moves a contact to another hub worker (the decision clock is not reset): an
    allocation of one contact (work.services.work_allocate)."""
    from work.services import work_allocate

    work_allocate(allocated_by=by, assignee=to_user, contact_ids=[contact.pk], reason=reason)
    return Contact.objects.get(pk=contact.pk)


def _check_outcome(outcome: str, rag: str, *, field: str = "outcome") -> None:
    if outcome not in Outcome.values:
        raise ValidationError({field: "Choose one of the six outcomes."})
    if outcome == Outcome.MASH_ENQUIRY and rag not in Rag.values:
        raise ValidationError({"rag": "Give the initial RAG rating for a MASH enquiry."})
    if outcome != Outcome.MASH_ENQUIRY and rag:
        raise ValidationError({"rag": "A RAG rating is given only for a MASH enquiry."})


@transaction.atomic
def contact_recommend(
    *,
    contact: Contact,
    user,
    outcome: str,
    rationale: str,
    rag: str = "",
    threshold_rationale: str = "",
    expected_version: int | None = None,
    decided_next: bool = False,
) -> Contact:
    """The social worker's recommended outcome. The hub presumes early help: a REFERRAL needs a
    threshold rationale. `decided_next`: a manager decides it in the same transaction (the
    daily triage meeting), so the managers are not told a decision is waiting."""
    require_role(user, HUB_ROLES, "recommend outcomes")
    _check_outcome(outcome, rag)
    if not rationale.strip():
        raise ValidationError({"rationale": "Give the rationale for your recommendation."})
    if outcome == Outcome.REFERRAL and not threshold_rationale.strip():
        raise ValidationError(
            {"threshold_rationale": "Say why the threshold for a referral is met, not early help."}
        )
    contact = _locked(contact, expected_version)
    if contact.is_decided:
        raise ConflictError(f"{contact.reference} has already been decided.")
    if contact.assignee_id not in (None, user.pk) and user.role != Role.HUB_MANAGER:
        raise ConflictError(
            f"{contact.reference} is being triaged by {contact.assignee.display_name}. "
            "A manager can reassign it."
        )
    now = timezone.now()
    contact.recommended_outcome = outcome
    contact.recommendation_rationale = rationale.strip()
    contact.threshold_rationale = threshold_rationale.strip()
    contact.recommended_rag = rag
    contact.recommended_at = now
    contact.recommended_by = user
    fields = [
        "recommended_outcome",
        "recommendation_rationale",
        "threshold_rationale",
        "recommended_rag",
        "recommended_at",
        "recommended_by",
    ]
    if contact.decision_started_at is None:
        contact.decision_started_at = now
        contact.assignee = contact.assignee or user
        fields += ["decision_started_at", "assignee"]
    _bump(contact, user, fields)
    DecisionEntry.objects.create(
        contact=contact,
        kind=DecisionKind.RECOMMENDATION,
        outcome=outcome,
        rag=rag,
        rationale=contact.recommendation_rationale,
        threshold_rationale=contact.threshold_rationale,
        made_by=user,
        made_at=now,
    )
    record_event("contact.recommended", target=contact, actor=user, data={"outcome": outcome})
    if not decided_next:
        notify_awaiting_decision(record=contact, recommended_by=user)
    return contact


def _enqueue_feedback(contact: Contact) -> None:
    """Queue the referrer's email in the decision's transaction (the outbox): it exists if and
    only if the decision committed, and a broker or mail server outage only delays it."""
    from mash.outbox.services import queue_email

    from ..tasks import FEEDBACK_PURPOSE, feedback_message

    recipient = contact.referrer_email or getattr(contact.referrer_user, "email", "")
    if not recipient:
        return
    subject, body = feedback_message(contact)
    queue_email(
        recipient=recipient,
        subject=subject,
        body=body,
        purpose=FEEDBACK_PURPOSE,
        related_id=contact.pk,
    )


@transaction.atomic
def contact_decide(
    *,
    contact: Contact,
    manager,
    outcome: str,
    reason: str = "",
    rag: str = "",
    expected_version: int | None = None,
    separate_enquiry_reason: str = "",
) -> Contact:
    """The manager's decision: approve the recommendation or choose another outcome (with a
    reason). Final: a later change is a correction entry, never an overwrite. A MASH_ENQUIRY
    for a subject with an open enquiry joins it, unless `separate_enquiry_reason` says why a
    second enquiry must open."""
    require_role(manager, {Role.HUB_MANAGER}, "decide outcomes")
    _check_outcome(outcome, rag)
    contact = _locked(contact, expected_version)
    if contact.is_decided:
        raise ConflictError(
            f"{contact.reference} was already decided ({contact.get_outcome_display()}). "
            "Record a correction if the decision must change."
        )
    if not contact.recommended_outcome:
        raise ValidationError({"outcome": "There is no recommendation to decide on yet."})
    differs = outcome != contact.recommended_outcome or rag != contact.recommended_rag
    if differs and not reason.strip():
        raise ValidationError(
            {"reason": "Give a reason for choosing a different outcome or RAG rating."}
        )
    now = timezone.now()
    contact.outcome = outcome
    contact.outcome_reason = reason.strip()
    contact.initial_rag = rag
    contact.decided_at = now
    contact.decided_by = manager
    _bump(
        contact, manager, ["outcome", "outcome_reason", "initial_rag", "decided_at", "decided_by"]
    )
    DecisionEntry.objects.create(
        contact=contact,
        kind=DecisionKind.DECISION,
        outcome=outcome,
        rag=rag,
        rationale=contact.outcome_reason,
        made_by=manager,
        made_at=now,
    )
    record_event(
        "contact.decided",
        target=contact,
        actor=manager,
        data={"outcome": outcome, "rag": rag, "agreed": not differs},
    )
    resolve_breaches(kind=ItemKind.CONTACT_DECISION, item=contact, at=now)
    _open_enquiry_if_needed(contact, manager, separate_reason=separate_enquiry_reason)
    _enqueue_feedback(contact)
    return contact


def _open_enquiry_if_needed(
    contact: Contact, manager, opened_at=None, separate_reason: str = ""
) -> None:
    """A MASH_ENQUIRY decision hands the contact to the enquiries capability: when a subject
    already has an open enquiry the contact is added to it, unless `separate_reason` says why a
    second one must open (DOMAIN.md, "Open work")."""
    if contact.outcome == Outcome.MASH_ENQUIRY:
        from enquiries.services import enquiry_for_decision

        enquiry_for_decision(
            contact=contact,
            decided_by=manager,
            opened_at=opened_at,
            separate_reason=separate_reason,
        )


@transaction.atomic
def contact_correct_decision(
    *, contact: Contact, manager, outcome: str, reason: str, rag: str = ""
) -> Contact:
    """Correct a decided contact: a new audited decision entry; the original stays on record."""
    require_role(manager, {Role.HUB_MANAGER}, "correct decisions")
    _check_outcome(outcome, rag)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the decision is being corrected."})
    contact = _locked(contact, None)
    if not contact.is_decided:
        raise ValidationError({"outcome": "Only a decided contact can be corrected."})
    previous = {"outcome": contact.outcome, "rag": contact.initial_rag}
    contact.outcome = outcome
    contact.initial_rag = rag
    contact.outcome_reason = reason.strip()
    _bump(contact, manager, ["outcome", "initial_rag", "outcome_reason"])
    DecisionEntry.objects.create(
        contact=contact,
        kind=DecisionKind.CORRECTION,
        outcome=outcome,
        rag=rag,
        rationale=reason.strip(),
        made_by=manager,
        made_at=timezone.now(),
    )
    record_event(
        "contact.decision_corrected",
        target=contact,
        actor=manager,
        data={"from": previous, "to": {"outcome": outcome, "rag": rag}, "reason": reason},
    )
    _open_enquiry_if_needed(contact, manager, opened_at=timezone.now())
    return contact


def contact_mark_feedback_sent(*, contact_id: int, at: datetime | None = None) -> bool:
    """Set feedback_sent_at once, to when the mail server accepted the email (a conditional
    update: a repeated send never moves it)."""
    updated = Contact.objects.filter(pk=contact_id, feedback_sent_at__isnull=True).update(
        feedback_sent_at=at or timezone.now()
    )
    if updated:
        from reporting.services_snapshots import month_changed

        contact = Contact.objects.get(pk=contact_id)
        record_event("contact.feedback_sent", target=contact)
        month_changed(contact.received_at)  # K11 of a closed month is recomputed
    return bool(updated)
