"""Every read of DA notifications, already scoped to the user: the only way in."""

from datetime import datetime

from django.db.models import Prefetch, QuerySet

from contacts.selectors import contacts_visible_to

from .models import MEETING_RISKS, DaChild, DaNotification, TriageMeeting


def da_notifications_visible_to(
    user, *, queryset: QuerySet[DaNotification] | None = None
) -> QuerySet[DaNotification]:
    """Notifications are contacts, so they are the hub's own: hub staff see them all, nobody
    else sees any (the police who sent one get a receipt, not the record)."""
    queryset = DaNotification.objects.all() if queryset is None else queryset
    return queryset.filter(contact__in=contacts_visible_to(user))


def with_people(queryset: QuerySet[DaNotification]) -> QuerySet[DaNotification]:
    """The notifications with their contact, police force, people and children loaded: a
    constant number of queries however many there are."""
    return queryset.select_related(
        "contact", "police_agency", "victim", "perpetrator", "meeting"
    ).prefetch_related(
        Prefetch("children", queryset=DaChild.objects.select_related("person").order_by("id"))
    )


def da_notification_list(user) -> QuerySet[DaNotification]:
    """Every notification `user` may see, newest first, with their people."""
    return with_people(da_notifications_visible_to(user)).order_by("-contact__received_at", "-id")


def da_notification_of_contact(user, contact_id: int) -> DaNotification | None:
    """The notification a contact is, if it is one and `user` may see it."""
    return with_people(da_notifications_visible_to(user)).filter(contact_id=contact_id).first()


def last_confirmed_meeting() -> TriageMeeting | None:
    """The latest daily meeting whose chair confirmed it."""
    return (
        TriageMeeting.objects.filter(confirmed_at__isnull=False)
        .order_by("-confirmed_at", "-id")
        .first()
    )


def awaiting_meeting(user) -> QuerySet[DaNotification]:
    """Medium and high risk notifications the daily meeting has still to triage, oldest first:
    those received since the last confirmed meeting, and any earlier one that is still undecided
    (carried over rather than lost; `received_at` tells them apart). A notification whose
    contact was decided (by a meeting, or otherwise) is no longer waiting."""
    return with_people(
        da_notifications_visible_to(user).filter(dash_risk__in=MEETING_RISKS, contact__outcome="")
    ).order_by("contact__received_at", "id")


def received_since_last_meeting(user) -> QuerySet[DaNotification]:
    """`awaiting_meeting`, less the ones received before the last confirmed meeting."""
    meeting = last_confirmed_meeting()
    notifications = awaiting_meeting(user)
    if meeting is not None:
        since: datetime = meeting.confirmed_at
        notifications = notifications.filter(contact__received_at__gte=since)
    return notifications
