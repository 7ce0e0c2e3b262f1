"""Every write of the daily triage meeting. Views and the API call these, never the ORM directly.

The meeting's life: a hub manager starts the day's meeting (one a date), which takes every medium
and high risk notification still waiting for it (`awaiting_meeting`: received since the last
confirmed meeting, and any earlier one still undecided, oldest first); attendees are recorded by
agency; for each notification the meeting agrees an outcome, a MARAC referral (high risk only),
a RAG rating for a MASH enquiry and a rationale, each saved as it is typed; the chair confirms,
and in one transaction every agreed outcome becomes the contact's decision through the contacts'
own services, exactly as a manager's would (recommend, then decide as recommended). After that
the meeting is read-only.

Any hub manager may act for the meeting (the chair may hand over); the one who started it is
recorded as its chair and each change is audited with who made it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from agencies.models import Agency
from agencies.roles import Role
from contacts.codes import Outcome, Rag
from contacts.services import contact_decide, contact_recommend
from mash import limits
from mash.access import require_role
from mash.audit.events import record_event
from mash.errors import ConflictError

from .meeting_selectors import agreement_problems, meeting_notifications
from .models import DaNotification, DashRisk, MeetingAttendee, TriageMeeting
from .selectors import awaiting_meeting

_MANAGERS = {Role.HUB_MANAGER}


def _date_label(meeting: TriageMeeting) -> str:
    return f"{meeting.date.day} {meeting.date:%B %Y}"


def _locked_open(meeting: TriageMeeting) -> TriageMeeting:
    """The meeting row, locked; a confirmed meeting is read-only (409)."""
    locked = TriageMeeting.objects.select_for_update().get(pk=meeting.pk)
    if locked.is_confirmed:
        raise ConflictError(
            f"The meeting of {_date_label(locked)} was confirmed: it can no longer be changed."
        )
    return locked


def _take_waiting(meeting: TriageMeeting, by) -> list[int]:
    """Give the meeting every notification still waiting for one; their ids, oldest first."""
    candidates = awaiting_meeting(by).filter(meeting__isnull=True).values("pk")
    waiting = list(
        DaNotification.objects.filter(pk__in=candidates, meeting__isnull=True)
        .select_for_update(of=("self",))
        .order_by("contact__received_at", "pk")
        .values_list("pk", flat=True)
    )
    if waiting:
        DaNotification.objects.filter(pk__in=waiting, meeting__isnull=True).update(
            meeting=meeting, modified_by=by, modified_at=timezone.now()
        )
    return waiting


@transaction.atomic
def meeting_start(*, chair, day=None) -> tuple[TriageMeeting, bool]:
    """Start the day's meeting (today, unless `day`), or the one already started that day
    (False: not started now). It takes the notifications waiting for the meeting.

    Refused (409) while an earlier meeting is unconfirmed: its notifications are still in it, and
    the chair confirms it first."""
    require_role(chair, _MANAGERS, "chair the daily triage meeting")
    day = day or timezone.localdate()
    existing = TriageMeeting.objects.filter(date=day).first()
    if existing is not None:
        return existing, False
    earlier = (
        TriageMeeting.objects.filter(confirmed_at__isnull=True, date__lt=day)
        .order_by("date")
        .first()
    )
    if earlier is not None:
        raise ConflictError(
            f"The meeting of {_date_label(earlier)} is not confirmed yet and still holds its "
            "notifications: open it and confirm it first."
        )
    try:
        with transaction.atomic():
            meeting = TriageMeeting.objects.create(
                date=day, chair=chair, created_by=chair, modified_by=chair
            )
    except IntegrityError:
        # Another manager started it a moment ago.
        return TriageMeeting.objects.get(date=day), False
    taken = _take_waiting(meeting, chair)
    record_event(
        "meeting.started",
        target=meeting,
        actor=chair,
        data={"date": day.isoformat(), "notifications": taken},
    )
    return meeting, True


@transaction.atomic
def meeting_take_new(*, meeting: TriageMeeting, by) -> int:
    """Add to a running meeting the notifications that arrived since it started; how many."""
    require_role(by, _MANAGERS, "change the daily triage meeting")
    meeting = _locked_open(meeting)
    taken = _take_waiting(meeting, by)
    if taken:
        record_event("meeting.notifications_added", target=meeting, actor=by, data={"ids": taken})
    return len(taken)


@transaction.atomic
def attendee_add(
    *, meeting: TriageMeeting, agency: Agency | None, name: str, by
) -> MeetingAttendee:
    """Record that `name` attended for `agency`. Errors name `agency` or `name`."""
    require_role(by, _MANAGERS, "record who attended the daily triage meeting")
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if agency is None or not agency.is_active:
        errors["agency"] = ["Choose the agency they attended for."]
    if not name:
        errors["name"] = ["Enter the attendee's name."]
    elif len(name) > limits.REFERRER_NAME.max_length:
        errors["name"] = [
            f"The name must be {limits.REFERRER_NAME.max_length} characters or fewer."
        ]
    if errors:
        raise ValidationError(errors)
    meeting = _locked_open(meeting)
    if meeting.attendees.filter(agency=agency, name__iexact=name).exists():
        raise ValidationError({"name": f"{name} is already recorded as attending for {agency}."})
    attendee = MeetingAttendee.objects.create(meeting=meeting, agency=agency, name=name)
    record_event(
        "meeting.attendee_added",
        target=meeting,
        actor=by,
        data={"attendee": attendee.pk, "agency": agency.code},
    )
    return attendee


@transaction.atomic
def attendee_remove(*, meeting: TriageMeeting, attendee_id: int, by) -> None:
    """Take an attendee off the meeting (recorded by mistake). An agency nobody attends for any
    more loses sight of the meeting at once."""
    require_role(by, _MANAGERS, "record who attended the daily triage meeting")
    meeting = _locked_open(meeting)
    attendee = meeting.attendees.filter(pk=attendee_id).select_related("agency").first()
    if attendee is None:
        raise ValidationError({"attendee": "This attendee is not recorded for this meeting."})
    agency_code = attendee.agency.code
    attendee.delete()
    record_event(
        "meeting.attendee_removed",
        target=meeting,
        actor=by,
        data={"attendee": attendee_id, "agency": agency_code},
    )


@dataclass
class OutcomeInput:
    """What the meeting agreed for one notification, as typed so far (blank: not yet)."""

    outcome: str = ""
    marac_referral: bool = False
    rationale: str = ""
    rag: str = ""


def outcome_validate(notification: DaNotification, data: OutcomeInput) -> None:
    """Every problem with what was typed, by field. Blanks are allowed (saved as typed); what
    cannot be right is refused."""
    errors: dict[str, list[str]] = {}
    if data.outcome and data.outcome not in Outcome.values:
        errors["outcome"] = ["Choose one of the six outcomes."]
    if data.marac_referral and notification.dash_risk != DashRisk.HIGH:
        errors["marac_referral"] = [
            "A MARAC referral is agreed only for a high risk notification: this one is "
            f"{notification.get_dash_risk_display().lower()} risk."
        ]
    if data.rag:
        if data.rag not in Rag.values:
            errors["rag"] = ["Choose Red, Amber or Green."]
        elif data.outcome != Outcome.MASH_ENQUIRY:
            errors["rag"] = ["A RAG rating is given only for a MASH enquiry."]
    if len(data.rationale) > limits.RATIONALE.max_length:
        errors["rationale"] = [
            f"The rationale must be {limits.RATIONALE.max_length} characters or fewer."
        ]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def outcome_record(
    *, meeting: TriageMeeting, notification: DaNotification, data: OutcomeInput, by
) -> DaNotification:
    """Save what the meeting agreed for one of its notifications, as typed so far (nothing is
    decided until the meeting is confirmed). Errors name the field; nothing is stored."""
    require_role(by, _MANAGERS, "record the meeting's outcomes")
    data.rationale = data.rationale.strip()
    outcome_validate(notification, data)
    meeting = _locked_open(meeting)
    locked = (
        DaNotification.objects.select_for_update(of=("self",))
        .select_related("contact")
        .get(pk=notification.pk)
    )
    if locked.meeting_id != meeting.pk:
        raise ValidationError({"notification": "This notification is not in this meeting."})
    if locked.contact.is_decided:
        raise ConflictError(
            f"{locked.contact.reference} was decided outside the meeting "
            f"({locked.contact.get_outcome_display()})."
        )
    locked.agreed_outcome = data.outcome
    locked.marac_referral = bool(data.marac_referral)
    locked.agreed_rag = data.rag
    locked.agreed_rationale = data.rationale
    locked.modified_by = by
    locked.save(
        update_fields=[
            "agreed_outcome",
            "marac_referral",
            "agreed_rag",
            "agreed_rationale",
            "modified_by",
            "modified_at",
        ]
    )
    return locked


def _decide(notification: DaNotification, meeting: TriageMeeting, by) -> None:
    """The agreed outcome as the contact's decision: the manager's own path (a recommendation
    with the meeting's rationale, then the decision as recommended)."""
    contact = notification.contact
    outcome = notification.agreed_outcome
    rationale = notification.agreed_rationale
    contact_recommend(
        contact=contact,
        user=by,
        outcome=outcome,
        rag=notification.agreed_rag,
        rationale=rationale,
        threshold_rationale=rationale if outcome == Outcome.REFERRAL else "",
        decided_next=True,
    )
    marac = " with a MARAC referral" if notification.marac_referral else ""
    contact_decide(
        contact=contact,
        manager=by,
        outcome=outcome,
        rag=notification.agreed_rag,
        reason=f"Agreed at the daily triage meeting of {_date_label(meeting)}{marac}.",
    )


def _failure(notification: DaNotification, error: Exception) -> str:
    if isinstance(error, ValidationError):
        detail = " ".join(error.messages)
    else:
        detail = getattr(error, "message", None) or str(error)
    return f"{notification.contact.reference} ({notification.occurrence_reference}): {detail}"


@transaction.atomic
def meeting_confirm(*, meeting: TriageMeeting, by) -> TriageMeeting:
    """Confirm the meeting: every agreed outcome becomes its contact's decision, all or nothing.

    Refused, naming each notification, while any lacks an outcome, a rationale, or a MASH
    enquiry's RAG rating (400, field `notifications`), or when nobody's attendance is recorded
    (field `attendees`). If any decision fails (a contact decided meanwhile, say) none is stored
    and the error names that notification. Audited as `meeting.confirmed` with the counts."""
    require_role(by, _MANAGERS, "confirm the daily triage meeting")
    meeting = _locked_open(meeting)
    notifications = list(
        meeting_notifications(meeting).select_for_update(of=("self",)).select_related("contact")
    )
    errors: dict[str, list[str]] = {}
    incomplete = [
        f"{n.contact.reference} ({n.occurrence_reference}): {', '.join(agreement_problems(n))}."
        for n in notifications
        if agreement_problems(n)
    ]
    if incomplete:
        errors["notifications"] = incomplete
    if not meeting.attendees.exists():
        errors["attendees"] = ["Record who attended before confirming the meeting."]
    if errors:
        raise ValidationError(errors)
    for notification in notifications:
        try:
            _decide(notification, meeting, by)
        except ValidationError as error:
            raise ValidationError({"notifications": [_failure(notification, error)]}) from error
        except (ConflictError, PermissionError) as error:
            message = _failure(notification, error)
            raise ConflictError(message, {"notifications": [message]}) from error
    meeting.confirmed_at = timezone.now()
    meeting.modified_by = by
    meeting.save(update_fields=["confirmed_at", "modified_by", "modified_at"])
    outcomes = Counter(n.agreed_outcome for n in notifications)
    record_event(
        "meeting.confirmed",
        target=meeting,
        actor=by,
        data={
            "notifications": len(notifications),
            "outcomes": dict(sorted(outcomes.items())),
            "marac_referrals": sum(1 for n in notifications if n.marac_referral),
            "attendees": meeting.attendees.count(),
            "contacts": [n.contact_id for n in notifications],
        },
    )
    return meeting


__all__ = [
    "OutcomeInput",
    "attendee_add",
    "attendee_remove",
    "meeting_confirm",
    "meeting_start",
    "meeting_take_new",
    "outcome_record",
    "outcome_validate",
]
