"""Notifications: the one place every app tells someone something (``notify``), the emails
through the outbox, reading them, and each user's choice of email per kind.

``notify`` runs in the caller's transaction: the notifications and their emails (queued in the
outbox, ``mash.outbox``) commit or roll back with the change that caused them. Each event has a
key, so an event that fires twice notifies nobody twice.

Emails leave the system: a notification's title and body name records by their reference and
link to them, never a child, a family member or anyone else in the record.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from agencies.models import User
from agencies.roles import AGENCY_ROLES, HUB_ROLES
from mash.audit.events import record_event
from mash.outbox.services import Mail, on_sent, queue_emails

from ..models import (
    ALWAYS_EMAILED,
    EMAIL_DEFAULTS,
    Notification,
    NotificationKind,
    NotificationPreference,
    email_field,
)

logger = logging.getLogger(__name__)

#: The outbox purpose of a notification's email (stored in the outbox: kept).
NOTIFICATION_PURPOSE = "deadline.notification"


@dataclass(frozen=True)
class KindInfo:
    """How a kind of notification is described on the preferences page."""

    kind: NotificationKind
    hint: str
    #: Whose notifications these are (the page lists the kinds of the user's side first).
    audience: str


KINDS: tuple[KindInfo, ...] = (
    KindInfo(
        NotificationKind.REQUEST_RECEIVED,
        "When the hub sends your agency an information request.",
        "agency",
    ),
    KindInfo(
        NotificationKind.RETURN_RECEIVED,
        "When an agency returns information, or adds to its return, on an enquiry of yours.",
        "hub",
    ),
    KindInfo(
        NotificationKind.ALLOCATED,
        "When a contact, an enquiry or an information request is given to you.",
        "both",
    ),
    KindInfo(
        NotificationKind.AWAITING_DECISION,
        "When a contact or an enquiry has a recommendation waiting for a manager's decision.",
        "hub",
    ),
    KindInfo(
        NotificationKind.REMINDER,
        "When most of the time for something of yours has been used.",
        "both",
    ),
    KindInfo(
        NotificationKind.BREACH,
        "When something of yours has missed its deadline.",
        "both",
    ),
    KindInfo(
        NotificationKind.ESCALATION,
        "When something has missed its deadline and you are the manager or supervisor who "
        "must act.",
        "both",
    ),
)


# --- records: where a notification links, and who may open it -----------------------------------


def record_link(record: models.Model) -> str:
    """The page of `record` its staff open: the contact or the enquiry for the hub, the request
    for its agency."""
    from contacts.models import Contact
    from enquiries.models import Enquiry, InformationRequest

    if isinstance(record, Contact):
        return reverse("contacts:contact_detail", args=[record.pk])
    if isinstance(record, Enquiry):
        return reverse("enquiries_hub:detail", args=[record.pk])
    if isinstance(record, InformationRequest):
        return reverse("enquiries_agency:request_detail", args=[record.pk])
    raise TypeError(f"No notification link for {type(record).__name__}")


def record_audience(record: models.Model) -> Q:
    """The users who can open `record`'s link (DOMAIN.md, "Who sees what"): hub staff for a
    contact or an enquiry; the staff of the agency it is addressed to for a request."""
    from enquiries.models import InformationRequest

    if isinstance(record, InformationRequest):
        return Q(role__in=AGENCY_ROLES, agency_id=record.agency_id)
    return Q(role__in=HUB_ROLES)


def record_key(record: models.Model) -> str:
    """`record` in a notification key: ``contact:12``, ``enquiry:3``, ``informationrequest:7``."""
    return f"{record._meta.model_name}:{record.pk}"


# --- email choices ------------------------------------------------------------------------------


def emailed_users(kind: str, user_ids: Iterable[int]) -> set[int]:
    """Which of `user_ids` want `kind` emailed (one query; none for escalations, always)."""
    user_ids = set(user_ids)
    if kind in ALWAYS_EMAILED or not user_ids:
        return user_ids
    field = email_field(kind)
    chosen = dict(
        NotificationPreference.objects.filter(user_id__in=user_ids).values_list("user_id", field)
    )
    default = EMAIL_DEFAULTS[kind]
    return {pk for pk in user_ids if chosen.get(pk, default)}


def email_choices(user) -> dict[str, bool]:
    """The user's email choice for each kind (escalations always True)."""
    preference = NotificationPreference.objects.filter(user=user).first()
    return {
        info.kind: (preference.emails(info.kind) if preference else EMAIL_DEFAULTS[info.kind])
        if info.kind not in ALWAYS_EMAILED
        else True
        for info in KINDS
    }


@transaction.atomic
def preferences_set(*, user, email: dict[str, bool]) -> NotificationPreference:
    """Save which kinds `user` wants emailed (kinds left out keep their current choice).
    Escalations are always emailed: a choice about them is refused."""
    fixed = sorted(str(kind) for kind in email if kind in ALWAYS_EMAILED)
    unknown = sorted(str(kind) for kind in email if kind not in EMAIL_DEFAULTS)
    if fixed or unknown:
        from django.core.exceptions import ValidationError

        raise ValidationError(
            {"email": f"These kinds cannot be chosen: {', '.join(fixed + unknown)}."}
        )
    preference, _ = NotificationPreference.objects.select_for_update().get_or_create(user=user)
    changed = {}
    for kind, wanted in email.items():
        field = email_field(kind)
        if getattr(preference, field) != bool(wanted):
            setattr(preference, field, bool(wanted))
            changed[str(kind)] = bool(wanted)
    if changed:
        preference.save(update_fields=[email_field(kind) for kind in changed])
    record_event(
        "notifications.preference_changed", target=preference, actor=user, data={"email": changed}
    )
    return preference


def preference_set(*, user, email_reminders: bool) -> NotificationPreference:
    """Turn reminder emails on or off for `user` (escalations are always emailed)."""
    return preferences_set(user=user, email={NotificationKind.REMINDER: email_reminders})


# --- notify -------------------------------------------------------------------------------------


def notify(
    *,
    kind: str,
    record: models.Model,
    users: Iterable,
    title: str,
    body: str,
    key: str,
    exclude=None,
    link: str = "",
) -> list[Notification]:
    """Notify `users` of an event about `record`, in the caller's transaction; returns the
    notifications written.

    Only active users whose agency is active and who can open the record (``record_audience``)
    are notified; `exclude` (the person who acted) is left out. `key` names the event: a user
    already notified of it in this kind is not notified again, so an event that fires twice is
    harmless. The emails of those who want this kind emailed are queued in the outbox in the
    same transaction. `title` and `body` go into emails: references and plain words only, no
    names of the people in the record. `link` is where it opens (a section of the record's page);
    by default the record's page (``record_link``)."""
    kind = NotificationKind(kind)
    if not key:
        raise ValueError("A notification needs the key of its event.")
    wanted = {getattr(user, "pk", user) for user in users if user is not None}
    wanted.discard(getattr(exclude, "pk", exclude))
    if not wanted:
        return []
    recipients = list(
        User.objects.filter(pk__in=wanted, is_active=True, agency__is_active=True)
        .filter(record_audience(record))
        .only("pk", "email")
        .order_by("pk")
    )
    left_out = wanted - {user.pk for user in recipients}
    if left_out:
        logger.info(
            "%s about %s: users %s cannot be notified (inactive or cannot see it)",
            kind,
            record_key(record),
            sorted(left_out),
        )
    if not recipients:
        return []
    with transaction.atomic():
        email = emailed_users(kind, [user.pk for user in recipients])
        now = timezone.now()
        link = link or record_link(record)
        Notification.objects.bulk_create(
            [
                Notification(
                    user=user,
                    kind=kind,
                    key=key,
                    title=title[:200],
                    body=body,
                    link=link,
                    created_at=now,
                    email_wanted=user.pk in email and bool(user.email),
                )
                for user in recipients
            ],
            ignore_conflicts=True,
        )
        # The rows written now (one already there from an earlier firing has another time).
        written = list(
            Notification.objects.filter(
                kind=kind, key=key, user__in=recipients, created_at=now
            ).select_related("user")
        )
        queue_emails(notification_mail(row) for row in written if row.email_wanted)
    return written


# --- email --------------------------------------------------------------------------------------


def absolute_link(link: str) -> str:
    """A notification's link as a full address for an email (SITE_URL + path)."""
    if not link or "://" in link:
        return link
    return f"{settings.SITE_URL}{link}"


def notification_mail(notification: Notification) -> Mail:
    return Mail(
        recipient=notification.user.email,
        subject=f"{settings.SERVICE_NAME}: {notification.title}",
        body=f"{notification.body}\n\n{absolute_link(notification.link)}",
        purpose=NOTIFICATION_PURPOSE,
        related_id=str(notification.pk),
    )


@on_sent(NOTIFICATION_PURPOSE)
def notification_emailed(related_id: str, sent_at: datetime) -> None:
    Notification.objects.filter(pk=int(related_id), emailed_at__isnull=True).update(
        emailed_at=sent_at
    )


# --- reading ------------------------------------------------------------------------------------


def notifications_mark_read(*, user, ids: list[int]) -> int:
    """Mark the user's own notifications read; returns how many changed. Ids of other users'
    notifications change nothing."""
    return Notification.objects.filter(user=user, pk__in=ids, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def notifications_mark_all_read(*, user) -> int:
    """Mark every unread notification of `user` read; returns how many changed."""
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
