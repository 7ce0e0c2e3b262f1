"""Opening an enquiry, changing its RAG rating, recommending and deciding its outcome."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from agencies.roles import HUB_ROLES, Role
from contacts.codes import Outcome, Rag
from contacts.models import Contact, HouseholdMember
from deadlines.models import ItemKind
from deadlines.resolution import resolve_breaches
from deadlines.services import notify_awaiting_decision
from mash.access import require_role
from mash.audit.events import record_event
from mash.errors import ConflictError
from mash.outbox.services import on_sent

from ..models import (
    Enquiry,
    EnquiryContact,
    EnquiryContactHow,
    EnquiryPerson,
    EnquiryState,
    RagChange,
    RequestState,
)
from ..models.enquiries import RAG_SEVERITY
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


def _add_people(enquiry: Enquiry, contact: Contact) -> list[int]:
    """The contact's subjects and every member of their households become people to check
    (a household member who is a subject here becomes a subject). The ids of those added."""
    subject_ids = list(contact.subject_links.values_list("person_id", flat=True))
    existing = dict(enquiry.person_links.values_list("person_id", "is_subject"))
    added: list[int] = []
    for person_id in subject_ids:
        if person_id not in existing:
            EnquiryPerson.objects.create(enquiry=enquiry, person_id=person_id, is_subject=True)
            added.append(person_id)
        elif not existing[person_id]:
            enquiry.person_links.filter(person_id=person_id).update(
                is_subject=True, relationship=""
            )
        existing[person_id] = True
    households = HouseholdMember.objects.filter(person_id__in=subject_ids).values("household_id")
    members = (
        HouseholdMember.objects.filter(household_id__in=households)
        .exclude(person_id__in=subject_ids)
        .order_by("person_id", "id")
    )
    for member in members:
        if member.person_id in existing:
            continue
        EnquiryPerson.objects.create(
            enquiry=enquiry,
            person_id=member.person_id,
            is_subject=False,
            relationship=member.relationship,
        )
        existing[member.person_id] = False
        added.append(member.person_id)
    return added


def open_enquiries_of_subjects(contact: Contact):
    """The open enquiries checking any subject of `contact` (as a subject or a household
    member: one enquiry per family), oldest first; the contact's own enquiry left out."""
    subject_ids = contact.subject_links.values("person_id")
    return (
        Enquiry.objects.exclude(state=EnquiryState.CLOSED)
        .filter(person_links__person_id__in=subject_ids)
        .exclude(contact_links__contact=contact)
        .distinct()
        .order_by("opened_at", "id")
    )


@transaction.atomic
def enquiry_open(
    *, contact: Contact, opened_by, opened_at=None, separate_reason: str = ""
) -> Enquiry:
    """Open the enquiry a MASH_ENQUIRY decision asks for: the contact's subjects and every member
    of their households are the people to check; the deadline follows the initial RAG.
    `separate_reason` says why it is opened although a subject already has an open enquiry."""
    if contact.outcome != Outcome.MASH_ENQUIRY or contact.initial_rag not in Rag.values:
        raise ValidationError({"contact": "Only a MASH enquiry decision opens an enquiry."})
    existing = EnquiryContact.objects.filter(contact=contact).select_related("enquiry").first()
    if existing is not None:
        return existing.enquiry
    opened_before = Enquiry.objects.filter(contact=contact).first()  # e.g. bulk demo rows
    if opened_before is not None:
        return opened_before
    opened_at = opened_at or contact.decided_at or timezone.now()
    enquiry = Enquiry.objects.create(
        contact=contact,
        initial_rag=contact.initial_rag,
        rag=contact.initial_rag,
        opened_at=opened_at,
        deadline=enquiry_deadline(opened_at, contact.initial_rag),
        worker=contact.assignee or contact.recommended_by,
        separate_reason=separate_reason.strip(),
        created_by=opened_by,
        modified_by=opened_by,
    )
    EnquiryContact.objects.create(
        enquiry=enquiry,
        contact=contact,
        how=EnquiryContactHow.OPENED,
        added_at=opened_at,
        added_by=opened_by,
        reason=separate_reason.strip(),
    )
    _add_people(enquiry, contact)
    data = {"rag": enquiry.rag, "contact": contact.reference}
    if separate_reason.strip():
        data["separate_reason"] = separate_reason.strip()
    record_event("enquiry.opened", target=enquiry, actor=opened_by, data=data)
    return enquiry


@transaction.atomic
def enquiry_add_contact(*, enquiry: Enquiry, contact: Contact, added_by) -> Enquiry:
    """Add a MASH_ENQUIRY contact about a child of an open enquiry to that enquiry: its subjects
    and their households join the people to check, and a more severe RAG in the decision
    escalates the enquiry (through `enquiry_change_rag`, so its deadlines move). A closed
    enquiry refuses it (409, naming `enquiry`); nothing is stored then."""
    require_role(added_by, HUB_ROLES, "add contacts to enquiries")
    if contact.outcome != Outcome.MASH_ENQUIRY or contact.initial_rag not in Rag.values:
        raise ValidationError({"contact": "Only a MASH enquiry decision joins an enquiry."})
    locked = Enquiry.objects.select_for_update().get(pk=enquiry.pk)
    if locked.is_closed:
        message = f"{locked.reference} is closed: a contact cannot be added to a closed enquiry."
        raise ConflictError(message, {"enquiry": [message]})
    current = EnquiryContact.objects.filter(contact=contact).first()
    if current is not None:
        if current.enquiry_id == locked.pk:
            return locked
        raise ValidationError({"contact": f"{contact.reference} is already in another enquiry."})
    now = timezone.now()
    EnquiryContact.objects.create(
        enquiry=locked,
        contact=contact,
        how=EnquiryContactHow.ADDED,
        added_at=now,
        added_by=added_by,
    )
    added = _add_people(locked, contact)
    locked.modified_by = added_by
    locked.version += 1
    locked.save(update_fields=["version", "modified_by", "modified_at"])
    record_event(
        "enquiry.contact_added",
        target=locked,
        actor=added_by,
        data={"contact": contact.reference, "rag": contact.initial_rag, "people_added": added},
    )
    if RAG_SEVERITY[Rag(contact.initial_rag)] > RAG_SEVERITY[Rag(locked.rag)]:
        locked = enquiry_change_rag(
            enquiry=locked,
            to_rag=contact.initial_rag,
            reason=f"Contact {contact.reference} added, decided {Rag(contact.initial_rag).label}.",
            changed_by=added_by,
        )
    return locked


@transaction.atomic
def enquiry_for_decision(
    *, contact: Contact, decided_by, opened_at=None, separate_reason: str = ""
) -> tuple[Enquiry, bool]:
    """What a MASH_ENQUIRY decision does: when a subject already has an open enquiry, the
    contact joins it (the oldest, if several) unless `separate_reason` says why a second one
    is needed; otherwise an enquiry opens. Returns the enquiry and whether it was joined."""
    existing = EnquiryContact.objects.filter(contact=contact).select_related("enquiry").first()
    if existing is not None:
        return existing.enquiry, existing.how == EnquiryContactHow.ADDED
    opened_before = Enquiry.objects.filter(contact=contact).first()
    if opened_before is not None:
        return opened_before, False
    open_one = open_enquiries_of_subjects(contact).first()
    if open_one is not None and not separate_reason.strip():
        return enquiry_add_contact(enquiry=open_one, contact=contact, added_by=decided_by), True
    opened = enquiry_open(
        contact=contact,
        opened_by=decided_by,
        opened_at=opened_at,
        # A reason is recorded only where it was needed: a subject had an open enquiry.
        separate_reason=separate_reason if open_one is not None else "",
    )
    return opened, False


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
    notify_awaiting_decision(record=enquiry, recommended_by=user)
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
    _queue_final_words(enquiry)
    record_event(
        "enquiry.decided",
        target=enquiry,
        actor=manager,
        data={"outcome": outcome, "final_rag": final_rag, "agreed": not differs},
    )
    return enquiry


#: The outbox purpose of the referrer's final word (one email per contact with a referrer).
FINAL_WORD_PURPOSE = "enquiry.final_word"

#: The enquiry's final outcome as the referrer is told it: plain words, nothing about anyone.
FINAL_OUTCOME_FOR_REFERRER = {
    Outcome.NFA: "Partner agencies shared what they know, and we decided that no further action "
    "is needed from children's or adults' social care at this time.",
    Outcome.SIGNPOST: "Partner agencies shared what they know, and we have passed your concern "
    "to the service best placed to help.",
    Outcome.EARLY_HELP: "Partner agencies shared what they know, and we have asked our early "
    "help service to offer support to the family.",
    Outcome.REFERRAL: "Partner agencies shared what they know, and we have referred your concern "
    "to social care for an assessment.",
    Outcome.EXISTING_CASE: "Partner agencies shared what they know, and we have passed your "
    "concern to the team already working with the family.",
}


def final_word_message(contact: Contact, outcome: str) -> tuple[str, str]:
    """The referrer's final word in plain words: the enquiry's outcome only."""
    from django.conf import settings

    received = timezone.localtime(contact.received_at).strftime("%-d %B %Y")
    subject = f"Your safeguarding concern {contact.reference}: the final outcome"
    body = (
        f"You told us about a concern on {received} (our reference {contact.reference}). "
        "We gathered information from partner agencies about it, and that work is now "
        "finished.\n\n"
        f"{FINAL_OUTCOME_FOR_REFERRER[outcome]}\n\n"
        "If you are still worried, or the situation changes, contact the MASH again. "
        "If a child or adult is in immediate danger, call 999.\n\n"
        f"{settings.SERVICE_NAME}"
    )
    return subject, body


def _queue_final_words(enquiry: Enquiry) -> None:
    """In the closing transaction: one email to the referrer of each contact the enquiry holds
    (a contact without a referrer's address gets none). The enquiry closes once, so each
    referrer is told once; the relay sending an email twice never moves `final_word_sent_at`."""
    from mash.outbox.services import Mail, queue_emails

    links = enquiry.contact_links.select_related("contact", "contact__referrer_user")
    mails = []
    for link in links:
        contact = link.contact
        recipient = contact.referrer_email or getattr(contact.referrer_user, "email", "")
        if not recipient:
            continue
        subject, body = final_word_message(contact, enquiry.outcome)
        mails.append(Mail(recipient, subject, body, FINAL_WORD_PURPOSE, str(link.pk)))
    queue_emails(mails)


def final_word_mark_sent(*, link_id: int, at=None) -> bool:
    """Set `final_word_sent_at` once, when the mail server accepted the email."""
    updated = EnquiryContact.objects.filter(pk=link_id, final_word_sent_at__isnull=True).update(
        final_word_sent_at=at or timezone.now()
    )
    if updated:
        link = EnquiryContact.objects.select_related("enquiry").get(pk=link_id)
        record_event(
            "enquiry.final_word_sent", target=link.enquiry, data={"contact": link.contact_id}
        )
    return bool(updated)


@on_sent(FINAL_WORD_PURPOSE)
def _final_word_accepted(related_id: str, sent_at) -> None:
    final_word_mark_sent(link_id=int(related_id), at=sent_at)
