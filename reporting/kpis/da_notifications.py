"""K13, domestic abuse notifications (KPIS.md), computed in the database.

Readings of KPIS.md and DOMAIN.md decided here, once, for every page, download, snapshot and API
answer:

* A DA notification is in the period when its contact's ``received_at`` is (a notification *is*
  a contact; KPIS.md's rule for contacts).
* **Triaged by the daily meeting by the end of the next working day after receipt**: the meeting
  that agreed the notification's outcome (``meeting``, with an ``agreed_outcome``) was confirmed
  (``meeting.confirmed_at``) at or before the end of the next working day after the day of
  receipt. That instant is ``domestic_abuse.deadlines.meeting_decision_due_at``, the one function
  the DA core uses for the notification's ``decision_due_at`` (17:00 on the first working day
  after the local day of receipt: Monday to Friday less bank holidays and the hub's closure
  days). It is computed here from ``received_at`` with that function (the stored
  ``decision_due_at`` holds the same instant, set and recomputed by it), so the figure follows
  the definition word for word. A meeting not yet confirmed has triaged nothing; a notification
  decided outside the meeting has no agreed outcome, so it was not triaged by the meeting.
* The % is over the medium and high risk notifications in the period (standard risk ones are
  screened in the ordinary triage queue, not by the meeting); its whole is 0, so it is null, for
  the standard risk row.
* **MARAC referrals**: notifications in the period whose agreed outcome carries the MARAC
  referral flag, agreed by a confirmed meeting (a draft flag in a meeting still running is not a
  referral yet).

The end of the next working day depends only on the local day of receipt, so the database is
given one ``received_at`` range per run of days sharing a due time (about one per working day
of the period) as a ``CASE``: no query per notification or per day.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db.models import Case, Count, DateTimeField, Q, QuerySet, Value, When

from domestic_abuse.models import MEETING_RISKS, DaNotification, DashRisk
from mash.clocks import default_calendar
from reporting.periods import Period, local_midnight

from .build import Breakdown, Measures, kpi_result
from .dimensions import Dimension
from .figures import count, share
from .types import Column, KpiResult, Unit

#: The DASH risk levels, lowest first (the order of the breakdown's rows).
RISK = Dimension(
    "risk",
    "DASH risk level",
    "dash_risk",
    "none",
    lambda codes: {**dict(DashRisk.choices), "none": "Not recorded"},
    tuple(DashRisk.values),
)

MEETING_RISK = Q(dash_risk__in=MEETING_RISKS)
#: Triaged by a confirmed meeting that agreed an outcome (whenever).
TRIAGED = Q(meeting__confirmed_at__isnull=False) & ~Q(agreed_outcome="")


def notifications_in_period(period: Period) -> QuerySet[DaNotification]:
    """DA notifications whose contact's ``received_at`` is in the period."""
    return DaNotification.objects.filter(
        contact__received_at__gte=period.starts_at, contact__received_at__lt=period.ends_at
    )


def _local_days(period: Period) -> Iterable:
    day = period.start
    while day < period.end:
        yield day
        day += timedelta(days=1)


def triage_due_by(period: Period) -> Case:
    """For a notification received in ``period``: the end of the next working day after the day
    of receipt (``meeting_decision_due_at``), as a database expression over
    ``contact__received_at``."""
    from domestic_abuse.deadlines import meeting_decision_due_at

    calendar = default_calendar()  # one calendar (and one read of the closures) for every day
    runs: list[tuple[datetime, datetime, datetime]] = []  # (from, until, due)
    for day in _local_days(period):
        starts = local_midnight(day)
        due = meeting_decision_due_at(starts, calendar=calendar)
        ends = local_midnight(day + timedelta(days=1))
        if runs and runs[-1][2] == due:
            runs[-1] = (runs[-1][0], ends, due)
        else:
            runs.append((starts, ends, due))
    return Case(
        *(
            When(
                contact__received_at__gte=starts,
                contact__received_at__lt=ends,
                then=Value(due, output_field=DateTimeField()),
            )
            for starts, ends, due in runs
        ),
        default=None,
        output_field=DateTimeField(),
    )


def k13_measures(period: Period) -> Measures:
    """K13's measures over DA notifications received in ``period``."""
    on_time = MEETING_RISK & TRIAGED & Q(meeting__confirmed_at__lte=triage_due_by(period))
    return Measures(
        columns=(
            Column("count", "DA notifications", Unit.COUNT),
            Column("meeting_risk", "Medium and high risk", Unit.COUNT),
            Column(
                "triaged_on_time_percent",
                "% of medium and high risk triaged by the end of the next working day",
                Unit.PERCENT,
            ),
            Column("marac_referrals", "MARAC referrals", Unit.COUNT),
        ),
        figures=lambda v: {
            "count": count(v["count"]),
            "meeting_risk": count(v["meeting_risk"]),
            "triaged_on_time_percent": share(v["on_time"], v["meeting_risk"]),
            "marac_referrals": count(v["marac"]),
        },
        aggregates={
            "count": Count("pk"),
            "meeting_risk": Count("pk", filter=MEETING_RISK),
            "on_time": Count("pk", filter=on_time),
            "marac": Count("pk", filter=TRIAGED & Q(marac_referral=True)),
        },
    )


def k13_da_notifications(period: Period) -> KpiResult:
    notifications = notifications_in_period(period)
    breakdown = Breakdown("risk", "DA notifications by DASH risk level", (RISK,))
    return kpi_result("K13", notifications, k13_measures(period), (breakdown,))
