"""K14, Operation Encompass (KPIS.md), computed in the database.

Readings of KPIS.md and DOMAIN.md decided here, once, for every page, download, snapshot and API
answer:

* A notice is in the period when its incident is: the DA notification's ``incident_at`` in
  ``[period.starts_at, period.ends_at)`` (KPIS.md: "notices for incidents in the period"),
  whenever the notice itself was made. A child with no school recorded has no notice yet (the
  hub's list to resolve), so is not counted until one is made.
* Each notice keeps its own clock (``encompass.models.EncompassNotice``) and K14 reads it, the
  same comparisons as the notice's ``was_available_in_time`` and ``was_acknowledged_in_time``:
  **available before the start of the next school day** is ``available_at <= due_by``;
  **acknowledged by 10:00 that day** is ``acknowledged_at <= acknowledge_by`` (for a notice
  made late, its ``acknowledge_by`` is 10:00 of the first school day after it was made).
* The available % is over every notice. The acknowledged % is over the notices whose
  acknowledgement time has come (``acknowledge_by`` at or before now) or that are acknowledged:
  an incident on the period's last evening is due at 10:00 on a school day after the period,
  and is not counted as late before then.
* **Median hours from incident to notice**: of ``available_at - incident_at``, over every notice.
* The breakdown is by the school's phase as GIAS gives it. KPIS.md names early years, primary and
  secondary; special schools and alternative provision get notices too, so they are rows of
  their own (in that order, after the three), and the rows add up to the headline.
"""

from __future__ import annotations

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from encompass.models import EncompassNotice
from reporting.periods import Period
from schools.models import Phase

from .build import Breakdown, Measures, kpi_result
from .dimensions import Dimension
from .figures import count, hours, share
from .sql import HoursBetween, PercentileOf
from .types import Column, KpiResult, Unit

#: The school's phase, in GIAS's order (the three KPIS.md names first).
PHASE = Dimension(
    "phase",
    "School phase",
    "school__phase",
    "none",
    lambda codes: {**dict(Phase.choices), "none": "Not recorded"},
    tuple(Phase.values),
)

AVAILABLE_IN_TIME = Q(available_at__lte=F("due_by"))
ACKNOWLEDGED_IN_TIME = Q(acknowledged_at__isnull=False, acknowledged_at__lte=F("acknowledge_by"))


def notices_in_period(period: Period) -> QuerySet[EncompassNotice]:
    """Encompass notices whose incident (the DA notification's ``incident_at``) is in the
    period."""
    return EncompassNotice.objects.filter(
        notification__incident_at__gte=period.starts_at,
        notification__incident_at__lt=period.ends_at,
    )


def k14_measures() -> Measures:
    """K14's measures over Encompass notices (see the module docstring)."""
    acknowledgement_due = Q(acknowledged_at__isnull=False) | Q(acknowledge_by__lte=timezone.now())
    return Measures(
        columns=(
            Column("count", "Notices", Unit.COUNT),
            Column(
                "available_in_time_percent",
                "% with the school before the start of the next school day",
                Unit.PERCENT,
            ),
            Column("acknowledgement_due", "Acknowledged or past 10:00", Unit.COUNT),
            Column(
                "acknowledged_in_time_percent", "% acknowledged by 10:00 that day", Unit.PERCENT
            ),
            Column("median_hours", "Median hours from incident to notice", Unit.HOURS),
        ),
        figures=lambda v: {
            "count": count(v["count"]),
            "available_in_time_percent": share(v["available_in_time"], v["count"]),
            "acknowledgement_due": count(v["acknowledgement_due"]),
            "acknowledged_in_time_percent": share(
                v["acknowledged_in_time"], v["acknowledgement_due"]
            ),
            "median_hours": hours(v["median"], v["count"]),
        },
        aggregates={
            "count": Count("pk"),
            "available_in_time": Count("pk", filter=AVAILABLE_IN_TIME),
            "acknowledgement_due": Count("pk", filter=acknowledgement_due),
            "acknowledged_in_time": Count("pk", filter=ACKNOWLEDGED_IN_TIME),
        },
        percentiles={
            "median": PercentileOf(HoursBetween("notification__incident_at", "available_at"), 0.5)
        },
    )


def k14_encompass(period: Period) -> KpiResult:
    breakdown = Breakdown("phase", "Operation Encompass notices by school phase", (PHASE,))
    return kpi_result("K14", notices_in_period(period), k14_measures(), (breakdown,))
