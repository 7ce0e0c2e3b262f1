"""When the daily meeting must have triaged a DA notification: the one rule every path uses.

A medium or high risk notification is due by the end (17:00) of the next working day after the
day it was received (DOMAIN.md), not by the ordinary contact decision timescale. Intake sets it
(`services._store`); a correction of the time received (`contacts.services.intake
.contact_change_received_at`) and an administrator's timescale or closure-day change
(`deadlines.timescale_services`) recompute it with the same function, so neither resets it to
the ordinary timescale.
"""

from datetime import datetime

from django.db.models import Exists, OuterRef

from mash.clocks import WorkingCalendar, default_calendar

from .models import MEETING_RISKS, DaNotification


def meeting_decision_due_at(
    received_at: datetime, *, calendar: WorkingCalendar | None = None
) -> datetime:
    """The end (17:00) of the next working day after the day of receipt: when the daily meeting
    must have triaged a medium or high risk notification (DOMAIN.md)."""
    calendar = calendar or default_calendar()
    local = received_at.astimezone(calendar.tz)
    return calendar.localise(calendar.next_working_day(local.date()), calendar.day_end)


def triaged_by_meeting(contact_ref: str = "pk") -> Exists:
    """True for a contact that is a medium or high risk DA notification (one EXISTS: constant
    cost for any number of rows)."""
    return Exists(
        DaNotification.objects.filter(contact=OuterRef(contact_ref), dash_risk__in=MEETING_RISKS)
    )


def meeting_deadline_of(contact_id: int, received_at: datetime) -> datetime | None:
    """The meeting's deadline for the contact if it is a medium or high risk DA notification
    received at `received_at`; None for any other contact (the ordinary timescale applies)."""
    is_meeting_item = DaNotification.objects.filter(
        contact_id=contact_id, dash_risk__in=MEETING_RISKS
    ).exists()
    return meeting_decision_due_at(received_at) if is_meeting_item else None
