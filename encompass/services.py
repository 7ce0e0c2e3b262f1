"""Every write of Operation Encompass notices: making them (when a DA notification is recorded,
or when the hub records the school of a child who had none), opening and acknowledging them.

A notice is a disclosure of information about a child to their school, so making one and a key
adult first opening it are each recorded as a ``disclosure.*`` audit event with the same data
shape, from which the disclosure register is built (DOMAIN.md, "Information governance"):
``{"person": <id>, "to": "school:<URN>", "what": "encompass_notice", "basis": "Operation
Encompass"}``.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from agencies.models import User
from agencies.roles import HUB_ROLES, Role
from mash.access import is_member, require_role
from mash.audit.events import record_event
from mash.outbox.services import Mail, queue_emails
from schools.calendar import SchoolCalendar, school_calendar
from schools.models import School, SchoolStatus

from .models import EncompassNotice

logger = logging.getLogger(__name__)

#: The outbox purpose of the key adults' emails.
EMAIL_PURPOSE = "encompass_notice"
EMAIL_SUBJECT = "New Operation Encompass notice"
#: The audit events the disclosure register reads: a notice made available, a notice opened.
DISCLOSURE_EVENT = "disclosure.encompass_notice"
DISCLOSURE_OPENED_EVENT = "disclosure.encompass_notice_opened"
DISCLOSURE_WHAT = "encompass_notice"
DISCLOSURE_BASIS = "Operation Encompass"
RESOLVE_REASON = "School recorded from the Operation Encompass list of children with no school."


def disclosure_data(notice: EncompassNotice) -> dict[str, object]:
    """The uniform data of a disclosure event about `notice` (see the module docstring)."""
    return {
        "person": notice.child_id,
        "to": f"school:{notice.school.urn}",
        "what": DISCLOSURE_WHAT,
        "basis": DISCLOSURE_BASIS,
    }


def notice_clock(
    *, incident_at: datetime, available_at: datetime, calendar: SchoolCalendar | None = None
) -> tuple[datetime, datetime]:
    """(due_by, acknowledge_by) of a notice about an incident at `incident_at`, made available at
    `available_at`.

    ``due_by`` is the start (09:00) of the next school day after the incident: the notice must be
    with the school by then. ``acknowledge_by`` is 10:00 of that school day; for a notice made
    only after that day had started (late: the child's school was found later), 10:00 of the
    first school day that starts after it was made, so that no school is escalated for a notice
    it could not have seen before the school day began."""
    calendar = calendar or school_calendar()
    due_by = calendar.next_school_day_start(incident_at)
    read_from = due_by if available_at <= due_by else calendar.next_school_day_start(available_at)
    return due_by, calendar.acknowledge_by(read_from)


def _key_adults(school_ids: set[int]) -> QuerySet[User]:
    return User.objects.filter(
        role=Role.SCHOOL_KEY_ADULT, school_id__in=school_ids, is_active=True
    ).order_by("pk")


def notice_link(notice: EncompassNotice) -> str:
    """The full address of the notice's page (for the key adults' email)."""
    return f"{settings.SITE_URL}{reverse('encompass:notice', args=[notice.pk])}"


def _email_key_adults(notices: list[EncompassNotice]) -> int:
    """Queue, in the current transaction, one email per notice to each active key adult of its
    school: a link and nothing else (no name, no detail of the incident). Returns how many."""
    if not notices:
        return 0
    adults: dict[int, list[User]] = {}
    for user in _key_adults({notice.school_id for notice in notices}):
        adults.setdefault(user.school_id, []).append(user)
    mails = []
    for notice in notices:
        if not adults.get(notice.school_id):
            logger.warning(
                "Encompass notice %s: school %s has no active key adult; nobody was emailed "
                "(the hub hears of it if it is not acknowledged in time)",
                notice.pk,
                notice.school.urn,
            )
        for user in adults.get(notice.school_id, []):
            mails.append(
                Mail(
                    recipient=user.email,
                    subject=EMAIL_SUBJECT,
                    body="You have a new Operation Encompass notice. Sign in to read it: "
                    f"{notice_link(notice)}",
                    purpose=EMAIL_PURPOSE,
                    related_id=str(notice.pk),
                )
            )
    return len(queue_emails(mails))


def _make(*, notification, children: list, created_by) -> list[EncompassNotice]:
    """Notices for `children` (DaChild rows whose person has an open current school), emailed
    and audited; a child who already has a notice for this notification is left as it is."""
    if not children:
        return []
    now = timezone.now()
    calendar = school_calendar()
    due_by, acknowledge_by = notice_clock(
        incident_at=notification.incident_at, available_at=now, calendar=calendar
    )
    existing = set(
        EncompassNotice.objects.filter(
            notification=notification, child_id__in=[child.person_id for child in children]
        ).values_list("child_id", flat=True)
    )
    actor = created_by if getattr(created_by, "is_authenticated", False) else None
    # The caller holds the notification's transaction (a new notification) or the child's row
    # lock (the hub's list), so no one else makes these notices meanwhile.
    made = EncompassNotice.objects.bulk_create(
        [
            EncompassNotice(
                notification=notification,
                child_id=child.person_id,
                school=child.person.current_school,
                present=child.present,
                available_at=now,
                due_by=due_by,
                acknowledge_by=acknowledge_by,
                created_by=actor,
            )
            for child in children
            if child.person_id not in existing
        ]
    )
    for notice in made:
        record_event(
            DISCLOSURE_EVENT,
            target=notice,
            actor=actor,
            data=disclosure_data(notice),
        )
    _email_key_adults(made)
    return made


def _has_open_school(child) -> bool:
    school = child.person.current_school
    return school is not None and school.status == SchoolStatus.OPEN


def notices_for_notification(*, notification, created_by=None) -> list[EncompassNotice]:
    """Make the notices of a DA notification just recorded, in its transaction: one for each
    child (present or normally resident) with an open current school, each emailed to the
    school's key adults and audited as a disclosure. A child with no school (or a closed one)
    gets none and waits on the hub's list of children with no school (``unresolved_children``).
    Called by ``domestic_abuse.services.da_notification_create``."""
    children = list(notification.children.select_related("person__current_school").order_by("id"))
    return _make(
        notification=notification,
        children=[child for child in children if _has_open_school(child)],
        created_by=created_by,
    )


def notice_for_child_with_school(*, child, school_text: str, resolved_by) -> EncompassNotice:
    """Record the school of a child of a DA notification who had none (hub staff), through the
    people's own correction (``person_correct``: the old value kept, audited), then make, email
    and audit their notice. `school_text` is the school's 6-digit URN or its exact name
    (``schools.selectors.school_from_choice``); a bad one is a ValidationError naming
    ``school``. A child who already has a notice for this notification is a ValidationError
    too (someone else resolved them first)."""
    from contacts.services import person_correct
    from domestic_abuse.models import DaChild
    from schools.selectors import school_from_choice

    require_role(resolved_by, HUB_ROLES, "record a child's school for Operation Encompass")
    school = school_from_choice(school_text, field="school")
    if school is None:
        raise ValidationError({"school": "Enter the school's 6-digit URN or its name."})
    with transaction.atomic():
        child = (
            DaChild.objects.select_for_update(of=("self",))
            .select_related("notification", "person")
            .get(pk=child.pk)
        )
        if EncompassNotice.objects.filter(
            notification_id=child.notification_id, child_id=child.person_id
        ).exists():
            raise ValidationError(
                {"school": "This child's school already has their notice: nothing was changed."}
            )
        person = child.person
        if person.current_school_id != school.pk:
            person_correct(
                person=person,
                changes={"school": school},
                reason=RESOLVE_REASON,
                corrected_by=resolved_by,
            )
        child.person.current_school = school
        made = _make(notification=child.notification, children=[child], created_by=resolved_by)
    return made[0]


def notice_opened(*, notice: EncompassNotice, user) -> EncompassNotice:
    """A key adult of the notice's school opened it: the first opening sets ``opened_at`` and is
    recorded as the disclosure reaching the school (one event per notice). The caller has
    already checked that `user` may see it."""
    if notice.opened_at is not None:
        return notice
    now = timezone.now()
    with transaction.atomic():
        updated = EncompassNotice.objects.filter(pk=notice.pk, opened_at__isnull=True).update(
            opened_at=now
        )
        if updated:
            notice.opened_at = now
            record_event(
                DISCLOSURE_OPENED_EVENT, target=notice, actor=user, data=disclosure_data(notice)
            )
        else:
            notice.refresh_from_db(fields=["opened_at"])
    return notice


def _is_key_adult_of(user, school: School) -> bool:
    return (
        is_member(user)
        and user.role == Role.SCHOOL_KEY_ADULT
        and user.school_id is not None
        and user.school_id == school.pk
    )


def notice_acknowledge(*, notice: EncompassNotice, acknowledged_by) -> tuple[EncompassNotice, bool]:
    """A key adult of the notice's school acknowledges it: who and when are recorded, once.
    Acknowledging it again changes nothing (the first acknowledgement stands): returns the
    notice and whether it was acknowledged now. Anyone else raises ``EncompassNotice.DoesNotExist``
    (the caller answers 404: the notice is outside their view)."""
    if not _is_key_adult_of(acknowledged_by, notice.school):
        raise EncompassNotice.DoesNotExist
    from deadlines.resolution import resolve_breaches

    with transaction.atomic():
        locked = (
            EncompassNotice.objects.select_for_update(of=("self",))
            .select_related("school")
            .get(pk=notice.pk)
        )
        if locked.acknowledged_at is not None:
            return locked, False
        now = timezone.now()
        locked.acknowledged_at = now
        locked.acknowledged_by = acknowledged_by
        if locked.opened_at is None:
            locked.opened_at = now
        locked.save(update_fields=["acknowledged_at", "acknowledged_by", "opened_at"])
        _resolve_breaches(locked, now, resolve_breaches)
        record_event(
            "encompass_notice.acknowledged",
            target=locked,
            actor=acknowledged_by,
            data={
                "school": locked.school.urn,
                "in_time": locked.acknowledged_at <= locked.acknowledge_by,
            },
        )
    return locked, True


def _resolve_breaches(notice: EncompassNotice, at: datetime, resolve) -> None:
    """An escalated notice's breach is no longer current once it is acknowledged."""
    from deadlines.models import ItemKind

    kind = getattr(ItemKind, "ENCOMPASS_NOTICE", None)
    if kind is not None:
        resolve(kind=kind, item=notice, at=at)


__all__ = [
    "DISCLOSURE_EVENT",
    "DISCLOSURE_OPENED_EVENT",
    "EMAIL_PURPOSE",
    "disclosure_data",
    "notice_acknowledge",
    "notice_clock",
    "notice_for_child_with_school",
    "notice_link",
    "notice_opened",
    "notices_escalated",
    "notices_for_notification",
]


def notices_escalated(*, pks: list[int], at: datetime) -> int:
    """The deadline scan escalated these notices to the hub (in its batch's transaction): each
    keeps when, the first time. Returns how many were marked.

    A bulk update sends no save signal, so the months of the notices' incidents (where K14
    counts them) are marked changed here: a closed month already stored is computed again by
    the next snapshot refresh (an incident on a month's last evening is escalated in the next
    month, after the month may have been stored)."""
    from reporting.services_snapshots import month_changed

    open_notices = EncompassNotice.objects.filter(pk__in=pks, escalated_at__isnull=True)
    incidents = set(open_notices.values_list("notification__incident_at", flat=True))
    marked = open_notices.update(escalated_at=at)
    if marked:
        months = {}
        for instant in incidents:
            months.setdefault(timezone.localtime(instant).date().replace(day=1), instant)
        for instant in months.values():
            month_changed(instant)
    return marked
