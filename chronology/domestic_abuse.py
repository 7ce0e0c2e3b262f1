"""The chronology's events from domestic abuse notifications and Operation Encompass notices.

A DA notification is a contact, so the contact's own events (received, decided) are already in
the chronology of everyone it names. These add what the contact's events do not say:

- ``da_notification``, at the **incident's** time (not when the police sent it: the contact's
  "received" event marks that), for each person in the notification (each child, present or
  not, the victim and the alleged perpetrator): the DASH risk level, this person's part in it and,
  for a child, whether they were present (witnessed it).
- ``da_meeting_outcome``, when the daily triage meeting that took the notification was
  confirmed: the outcome it agreed (with its RAG rating), whether it made a MARAC referral and
  why, by the meeting's chair; for the same people.
- ``encompass_notice``, for the child, when the notice was made available to their school: the
  school, whether and when the school acknowledged it, and whether it was escalated to the hub.

Each links to the notification's contact (its DA section). One query for the notifications (both
of their kinds) and one for the notices, however many there are.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import OuterRef, Q, Subquery
from django.urls import reverse

from contacts.codes import Outcome, Rag
from domestic_abuse.models import DaChild, DashRisk
from domestic_abuse.selectors import da_notifications_visible_to
from encompass.selectors import notices_visible_to

from .events import Event, in_period, label, moment, name_of, sentence
from .filters import KIND_ORDER, EventKind, Filters

#: The kinds read from the DA notifications (one query for both).
DA_KINDS = frozenset({EventKind.DA_NOTIFICATION, EventKind.DA_MEETING_OUTCOME})


def _notification_url(contact_id: int) -> str:
    """The notification's contact page, at its domestic abuse section."""
    return reverse("contacts:contact_detail", kwargs={"pk": contact_id}) + "#da-title"


def _contact_reference(notification) -> str:
    return notification.contact.reference


def _parts(notification, ids: set[int]) -> str:
    """The person's part in the notification (all of them, for a person whose merged records
    had different parts)."""
    parts = []
    if notification.victim_id in ids:
        parts.append("The victim.")
    if notification.perpetrator_id in ids:
        parts.append("The alleged perpetrator.")
    if notification.child_present is True:
        parts.append("A child of the household, present at the incident (witnessed it).")
    elif notification.child_present is False:
        parts.append(
            "A child of the household, not present at the incident (normally lives there)."
        )
    return sentence(*parts)


def _incident_event(notification, ids: set[int]) -> tuple:
    reference = _contact_reference(notification)
    risk = label(DashRisk, notification.dash_risk)
    return (
        (notification.incident_at, KIND_ORDER[EventKind.DA_NOTIFICATION], notification.pk),
        Event(
            when=notification.incident_at,
            kind=EventKind.DA_NOTIFICATION,
            title=f"Domestic abuse incident notified by the police on {reference}: {risk} risk",
            detail=sentence(
                _parts(notification, ids),
                f"DASH risk: {risk}.",
                f"Notified by {notification.police_agency.name} (occurrence "
                f"{notification.occurrence_reference}), received "
                f"{moment(notification.contact.received_at)}.",
            ),
            link=_notification_url(notification.contact_id),
            record=reference,
        ),
    )


def _outcome_event(notification) -> tuple:
    meeting = notification.meeting
    reference = _contact_reference(notification)
    rag = f" ({label(Rag, notification.agreed_rag)})" if notification.agreed_rag else ""
    if notification.marac_referral:
        marac = "With a MARAC referral."
    elif notification.dash_risk == DashRisk.HIGH:
        marac = "No MARAC referral."
    else:
        marac = ""  # only a high risk notification is referred to MARAC
    return (
        (meeting.confirmed_at, KIND_ORDER[EventKind.DA_MEETING_OUTCOME], notification.pk),
        Event(
            when=meeting.confirmed_at,
            kind=EventKind.DA_MEETING_OUTCOME,
            title=(
                f"Daily triage meeting of {meeting.date.day} {meeting.date:%B %Y} agreed on "
                f"{reference}: {label(Outcome, notification.agreed_outcome)}{rag}"
            ),
            detail=sentence(marac, notification.agreed_rationale),
            link=_notification_url(notification.contact_id),
            record=reference,
            by=name_of(meeting.chair),
        ),
    )


def da_notifications(user, ids, filters: Filters, wanted) -> Iterator[tuple]:
    """The incidents of the DA notifications that name one of `ids` (as a child, the victim or
    the alleged perpetrator), and the outcomes the daily meeting agreed for them, as far as
    `user` may see them: one query."""
    incidents = EventKind.DA_NOTIFICATION in wanted
    outcomes = EventKind.DA_MEETING_OUTCOME in wanted
    confirmed = Q(meeting__confirmed_at__isnull=False) & ~Q(agreed_outcome="")
    # The incident in the period, or the meeting confirmed in it. (An empty Q means "any", so
    # an unbounded condition takes every notification: see selectors._enquiries.)
    conditions = []
    if incidents:
        conditions.append(in_period("incident_at", filters))
    if outcomes:
        conditions.append(confirmed & in_period("meeting__confirmed_at", filters))
    when = Q()
    if all(conditions):
        for condition in conditions:
            when |= condition
    children = DaChild.objects.filter(person_id__in=ids)
    notifications = (
        da_notifications_visible_to(user)
        .filter(
            Q(victim_id__in=ids)
            | Q(perpetrator_id__in=ids)
            | Q(pk__in=children.values("notification_id"))
        )
        .filter(when)
        .annotate(
            # Present if any of the person's records was (None: not a child of it).
            child_present=Subquery(
                children.filter(notification=OuterRef("pk"))
                .order_by("-present")
                .values("present")[:1]
            )
        )
        .select_related("contact", "police_agency", "meeting__chair")
    )
    starts, ends = filters.starts_at, filters.ends_at

    def inside(instant) -> bool:
        return (starts is None or instant >= starts) and (ends is None or instant < ends)

    people = set(ids)
    for notification in notifications:
        if incidents and inside(notification.incident_at):
            yield _incident_event(notification, people)
        meeting = notification.meeting
        if (
            outcomes
            and notification.agreed_outcome
            and meeting is not None
            and meeting.confirmed_at is not None
            and inside(meeting.confirmed_at)
        ):
            yield _outcome_event(notification)


def _acknowledgement(notice) -> str:
    if notice.acknowledged_at is None:
        return "Not yet acknowledged by the school."
    who = f" ({name_of(notice.acknowledged_by)})" if notice.acknowledged_by_id else ""
    late = "" if notice.acknowledged_at <= notice.acknowledge_by else ", after its deadline"
    return f"Acknowledged by the school on {moment(notice.acknowledged_at)}{who}{late}."


def encompass_notices(user, ids, filters: Filters) -> Iterator[tuple]:
    """The Operation Encompass notices about one of `ids` (a child), when each was made
    available to the school, as far as `user` may see them: one query."""
    notices = (
        notices_visible_to(user)
        .filter(child_id__in=ids)
        .filter(notification__in=da_notifications_visible_to(user).values("pk"))
        .filter(in_period("available_at", filters))
        .select_related("school", "notification__contact", "acknowledged_by")
    )
    for notice in notices:
        contact = notice.notification.contact
        escalated = (
            f"Not acknowledged by {moment(notice.acknowledge_by)}: escalated to the hub "
            f"{moment(notice.escalated_at)}."
            if notice.escalated_at
            else ""
        )
        yield (
            (notice.available_at, KIND_ORDER[EventKind.ENCOMPASS_NOTICE], notice.pk),
            Event(
                when=notice.available_at,
                kind=EventKind.ENCOMPASS_NOTICE,
                title=(
                    f"Operation Encompass notice {notice.reference} sent to {notice.school.name}"
                ),
                detail=sentence(
                    "Present at the incident."
                    if notice.present
                    else "Not present at the incident (normally lives there).",
                    _acknowledgement(notice),
                    escalated,
                ),
                link=_notification_url(contact.pk),
                record=contact.reference,
            ),
        )
