"""Opening an enquiry, changing its RAG rating, recommending and deciding its outcome."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from agencies.roles import HUB_ROLES, Role
from contacts.codes import Outcome, Rag
from contacts.models import Contact, HouseholdMember
from mash.access import require_role
from mash.audit.events import record_event
from mash.deadlines.models import ItemKind
from mash.deadlines.resolution import resolve_breaches
from mash.errors import ConflictError

from ..models import Enquiry, EnquiryPerson, EnquiryState, RagChange, RequestState
from ..timescales import (
    enquiry_deadline,
    enquiry_timescale,
    moved_deadline,
    return_timescale,
)


def _locked(enquiry: Enquiry, expected_version: int | None = None) -> Enquiry:
    locked = Enquiry.objects.select_for_update().get(pk=enquiry.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ConflictError(
            f"{locked.reference} was changed by someone else while you were working on it. "
            "Check its current state and try again."
        )
    if locked.is_closed:
        raise ConflictError(f"{locked.reference} is closed.")
    return locked


def _save(enquiry: Enquiry, by, fields: list[str]) -> None:
    enquiry.version += 1
    enquiry.modified_by = by
    enquiry.save(update_fields=[*fields, "version", "modified_by", "modified_at"])


@transaction.atomic
def enquiry_open(*, contact: Contact, opened_by, opened_at=None) -> Enquiry:
    """Open the enquiry a MASH_ENQUIRY decision asks for: the contact's subjects and every member
    of their households are the people to check; the deadline follows the initial RAG."""
    if contact.outcome != Outcome.MASH_ENQUIRY or contact.initial_rag not in Rag.values:
        raise ValidationError({"contact": "Only a MASH enquiry decision opens an enquiry."})
    existing = Enquiry.objects.filter(contact=contact).first()
    if existing is not None:
        return existing
    opened_at = opened_at or contact.decided_at or timezone.now()
    enquiry = Enquiry.objects.create(
        contact=contact,
        initial_rag=contact.initial_rag,
        rag=contact.initial_rag,
        opened_at=opened_at,
        deadline=enquiry_deadline(opened_at, contact.initial_rag),
        worker=contact.assignee or contact.recommended_by,
        created_by=opened_by,
        modified_by=opened_by,
    )
    subject_ids = list(contact.subject_links.values_list("person_id", flat=True))
    for person_id in subject_ids:
        EnquiryPerson.objects.create(enquiry=enquiry, person_id=person_id, is_subject=True)
    households = HouseholdMember.objects.filter(person_id__in=subject_ids).values("household_id")
    members = (
        HouseholdMember.objects.filter(household_id__in=households)
        .exclude(person_id__in=subject_ids)
        .select_related("person")
    )
    for member in members:
        EnquiryPerson.objects.get_or_create(
            enquiry=enquiry,
            person=member.person,
            defaults={"is_subject": False, "relationship": member.relationship},
        )
    record_event("enquiry.opened", target=enquiry, actor=opened_by, data={"rag": enquiry.rag})
    return enquiry


@transaction.atomic
def enquiry_change_rag(
    *, enquiry: Enquiry, to_rag: str, reason: str, changed_by, expected_version: int | None = None
) -> Enquiry:
    """Change the RAG rating: who, when, from, to and why are kept, and the deadlines of the
    enquiry and of its open requests move as DOMAIN.md says."""
    require_role(changed_by, HUB_ROLES, "change RAG ratings")
    if to_rag not in Rag.values:
        raise ValidationError({"rag": "Choose Red, Amber or Green."})
    if not reason.strip():
        raise ValidationError({"reason": "Give a reason for changing the RAG rating."})
    enquiry = _locked(enquiry, expected_version)
    if to_rag == enquiry.rag:
        raise ValidationError({"rag": f"The enquiry is already {Rag(to_rag).label}."})
    now = timezone.now()
    from_rag = enquiry.rag
    previous = enquiry.deadline
    enquiry.deadline = moved_deadline(
        current=previous,
        started_at=enquiry.opened_at,
        changed_at=now,
        from_rag=from_rag,
        to_rag=to_rag,
        timescale=enquiry_timescale(to_rag),
    )
    enquiry.rag = to_rag
    _save(enquiry, changed_by, ["rag", "deadline"])
    RagChange.objects.create(
        enquiry=enquiry,
        from_rag=from_rag,
        to_rag=to_rag,
        reason=reason.strip(),
        changed_by=changed_by,
        changed_at=now,
        previous_deadline=previous,
        new_deadline=enquiry.deadline,
    )
    for request in enquiry.requests.select_for_update().filter(state=RequestState.OPEN):
        request.due_at = moved_deadline(
            current=request.due_at,
            started_at=request.requested_at,
            changed_at=now,
            from_rag=from_rag,
            to_rag=to_rag,
            timescale=return_timescale(to_rag),
        )
        request.save(update_fields=["due_at", "modified_at"])
    record_event(
        "enquiry.rag_changed",
        target=enquiry,
        actor=changed_by,
        data={
            "from": from_rag,
            "to": to_rag,
            "reason": reason,
            "deadline": enquiry.deadline.isoformat(),
        },
    )
    return enquiry


def _check_outcome(outcome: str, final_rag: str) -> None:
    if outcome not in Outcome.values or outcome == Outcome.MASH_ENQUIRY:
        raise ValidationError({"outcome": "Choose an outcome (not another MASH enquiry)."})
    if final_rag not in Rag.values:
        raise ValidationError({"final_rag": "Give the final RAG rating."})


@transaction.atomic
def enquiry_recommend(
    *,
    enquiry: Enquiry,
    user,
    outcome: str,
    final_rag: str,
    rationale: str,
    expected_version: int | None = None,
) -> Enquiry:
    """The hub worker's recommended outcome and final RAG, with the rationale."""
    require_role(user, HUB_ROLES, "recommend enquiry outcomes")
    _check_outcome(outcome, final_rag)
    if not rationale.strip():
        raise ValidationError({"rationale": "Give the rationale for your recommendation."})
    enquiry = _locked(enquiry, expected_version)
    enquiry.recommended_outcome = outcome
    enquiry.recommended_rag = final_rag
    enquiry.recommendation_rationale = rationale.strip()
    enquiry.recommended_by = user
    enquiry.recommended_at = timezone.now()
    enquiry.state = EnquiryState.AWAITING_DECISION
    _save(
        enquiry,
        user,
        [
            "recommended_outcome",
            "recommended_rag",
            "recommendation_rationale",
            "recommended_by",
            "recommended_at",
            "state",
        ],
    )
    record_event("enquiry.recommended", target=enquiry, actor=user, data={"outcome": outcome})
    return enquiry


@transaction.atomic
def enquiry_decide(
    *,
    enquiry: Enquiry,
    manager,
    outcome: str,
    final_rag: str,
    reason: str = "",
    expected_version: int | None = None,
) -> Enquiry:
    """The manager approves or overrides (with a reason) and the enquiry closes. Every request
    must have been returned or withdrawn first."""
    require_role(manager, {Role.HUB_MANAGER}, "decide enquiries")
    _check_outcome(outcome, final_rag)
    enquiry = _locked(enquiry, expected_version)
    if not enquiry.recommended_outcome:
        raise ValidationError({"outcome": "There is no recommendation to decide on yet."})
    outstanding = enquiry.requests.filter(state=RequestState.OPEN)
    if outstanding.exists():
        names = ", ".join(sorted(outstanding.values_list("agency__name", flat=True)))
        raise ValidationError(
            {"outcome": f"Returns are still outstanding from {names}: wait, or withdraw them."}
        )
    differs = outcome != enquiry.recommended_outcome or final_rag != enquiry.recommended_rag
    if differs and not reason.strip():
        raise ValidationError({"reason": "Give a reason for deciding differently."})
    enquiry.outcome = outcome
    enquiry.final_rag = final_rag
    enquiry.outcome_reason = reason.strip()
    enquiry.decided_by = manager
    enquiry.closed_at = timezone.now()
    enquiry.state = EnquiryState.CLOSED
    _save(
        enquiry,
        manager,
        ["outcome", "final_rag", "outcome_reason", "decided_by", "closed_at", "state"],
    )
    resolve_breaches(kind=ItemKind.ENQUIRY, item=enquiry, at=enquiry.closed_at)
    record_event(
        "enquiry.decided",
        target=enquiry,
        actor=manager,
        data={"outcome": outcome, "final_rag": final_rag, "agreed": not differs},
    )
    return enquiry
