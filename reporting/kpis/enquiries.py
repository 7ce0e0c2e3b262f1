"""KPIs about MASH enquiries and information requests (KPIS.md K7, K8, K10), in the database.

Readings of KPIS.md decided here:

* An enquiry is in the period when ``opened_at`` is; an information request when its enquiry's
  ``opened_at`` is (whenever the request itself was sent).
* "Closed" is the enquiry's current state (``state == closed``), whenever it closed; K7's
  outcome of an enquiry not closed is ``open``. On time: ``closed_at <= deadline`` (the
  deadline as it stands, after any RAG change moved it).
* K8's escalated / de-escalated / unchanged compare the final RAG with the initial one by
  ``enquiries.models.RAG_SEVERITY`` (Green 1 < Amber 2 < Red 3), over closed enquiries.
* K10: "submitted" is the request's first return (``returned_at``; an addendum does not move
  it). On time: ``returned_at <= due_at``. Withdrawn requests stay in the count of requests (they
  were sent) but, never returned, are in no on-time % or median. "Still open and past due at the
  end of the period" is the state at the end of the period (``figures.end_of_period``): due
  strictly before that instant, and neither returned nor withdrawn before it. So a request
  withdrawn before the end is not in the backlog (it was no longer due), and one withdrawn or
  returned after the end is (it was open and late at the end), and a past period's figure
  never changes.
"""

from __future__ import annotations

from dataclasses import replace
from itertools import product

from django.db.models import Case, CharField, Count, F, Q, QuerySet, Value, When

from enquiries.models import Enquiry, EnquiryState, InformationRequest
from enquiries.models.enquiries import RAG_SEVERITY
from reporting.periods import Period

from .build import Breakdown, Measures, kpi_result, table_from_groups
from .definitions import DEFINITIONS
from .dimensions import AGENCY, ENQUIRY_FINAL_RAG, ENQUIRY_OUTCOME, INITIAL_RAG
from .figures import count, end_of_period, hours, share
from .sql import HoursBetween, PercentileOf
from .types import Column, KpiResult, Unit

CLOSED = Q(state=EnquiryState.CLOSED)
#: K7 groups on the outcome of closed enquiries only (annotated as ``kpi_outcome``).
K7_OUTCOME = replace(ENQUIRY_OUTCOME, field="kpi_outcome")


def enquiries_in_period(period: Period) -> QuerySet[Enquiry]:
    """Enquiries whose ``opened_at`` is in the period."""
    return Enquiry.objects.filter(opened_at__gte=period.starts_at, opened_at__lt=period.ends_at)


def requests_in_period(period: Period) -> QuerySet[InformationRequest]:
    """Information requests whose enquiry's ``opened_at`` is in the period."""
    return InformationRequest.objects.filter(
        enquiry__opened_at__gte=period.starts_at, enquiry__opened_at__lt=period.ends_at
    )


def _rag_pairs(more_severe: bool) -> Q:
    """Enquiries whose final RAG is more (or less) severe than their initial RAG."""
    pairs = Q(pk__in=[])
    for initial, final in product(RAG_SEVERITY, repeat=2):
        higher = RAG_SEVERITY[final] > RAG_SEVERITY[initial]
        lower = RAG_SEVERITY[final] < RAG_SEVERITY[initial]
        if higher if more_severe else lower:
            pairs |= Q(initial_rag=initial, final_rag=final)
    return pairs


ESCALATED = _rag_pairs(more_severe=True)
DE_ESCALATED = _rag_pairs(more_severe=False)


def k7_enquiries(period: Period) -> KpiResult:
    # "open" for those not closed, whatever outcome field a future step might fill in early
    enquiries = enquiries_in_period(period).annotate(
        kpi_outcome=Case(
            When(CLOSED, then=F("outcome")), default=Value(""), output_field=CharField()
        )
    )
    measures = Measures(
        columns=(
            Column("count", "Enquiries", Unit.COUNT),
            Column("on_time_percent", "% of closed ones closed on time", Unit.PERCENT),
        ),
        figures=lambda v: {
            "count": count(v["count"]),
            "closed": count(v["closed"]),
            "open": count(v["count"] - v["closed"]),
            "on_time_percent": share(v["on_time"], v["closed"]),
        },
        aggregates={
            "count": Count("pk"),
            "closed": Count("pk", filter=CLOSED),
            "on_time": Count("pk", filter=CLOSED & Q(closed_at__lte=F("deadline"))),
        },
    )
    headline = measures.compute(enquiries)[()]
    breakdown = Breakdown(
        "initial_rag_x_outcome",
        "MASH enquiries by initial RAG and outcome",
        (INITIAL_RAG, K7_OUTCOME),
    )
    groups = measures.compute(enquiries, [INITIAL_RAG.field, K7_OUTCOME.field])
    columns = measures.columns
    rows = {
        key: {column.key: figures[column.key] for column in columns}
        for key, figures in groups.items()
    }
    table = table_from_groups(breakdown, columns, rows)
    definition = DEFINITIONS["K7"]
    return KpiResult("K7", definition.name, definition.definition, headline, (table,))


def k8_rag_change(period: Period) -> KpiResult:
    closed = enquiries_in_period(period).filter(CLOSED)
    headline = Measures(
        columns=(),
        figures=lambda v: {
            "closed": count(v["closed"]),
            "escalated": count(v["escalated"]),
            "de_escalated": count(v["de_escalated"]),
            "unchanged": count(v["unchanged"]),
        },
        aggregates={
            "closed": Count("pk"),
            "escalated": Count("pk", filter=ESCALATED),
            "de_escalated": Count("pk", filter=DE_ESCALATED),
            "unchanged": Count("pk", filter=Q(final_rag=F("initial_rag"))),
        },
    ).compute(closed)[()]
    pairs = Measures(
        columns=(Column("count", "Closed enquiries", Unit.COUNT),),
        figures=lambda v: {"count": count(v["count"])},
        aggregates={"count": Count("pk")},
    )
    breakdown = Breakdown(
        "initial_rag_x_final_rag",
        "Closed enquiries by initial and final RAG",
        (INITIAL_RAG, ENQUIRY_FINAL_RAG),
    )
    table = table_from_groups(
        breakdown,
        pairs.columns,
        pairs.compute(closed, [INITIAL_RAG.field, ENQUIRY_FINAL_RAG.field]),
    )
    definition = DEFINITIONS["K8"]
    return KpiResult("K8", definition.name, definition.definition, headline, (table,))


def k10_measures(period: Period) -> Measures:
    """K10's measures over information requests: count, returned, on time (``returned_at <=
    due_at``, over returned ones), median hours to return, open and past due at the end of the
    period. The agency supervisor's timeliness page computes the same measures per researcher."""
    end = end_of_period(period)
    returned = Q(returned_at__isnull=False)
    open_and_late_at_end = (
        Q(due_at__lt=end, requested_at__lt=end)
        & (Q(returned_at__isnull=True) | Q(returned_at__gte=end))
        & (Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gte=end))
    )
    return Measures(
        columns=(
            Column("count", "Requests", Unit.COUNT),
            Column("returned", "Returned", Unit.COUNT),
            Column("on_time_percent", "% of returns on time", Unit.PERCENT),
            Column("median_hours", "Median hours to return", Unit.HOURS),
            Column("overdue_at_end", "Open and past due at the end", Unit.COUNT),
        ),
        figures=lambda v: {
            "count": count(v["count"]),
            "on_time_percent": share(v["on_time"], v["returned"]),
            "median_hours": hours(v["median"], v["returned"]),
            "overdue_at_end": count(v["overdue_at_end"]),
            "returned": count(v["returned"]),
        },
        aggregates={
            "count": Count("pk"),
            "returned": Count("pk", filter=returned),
            "on_time": Count("pk", filter=returned & Q(returned_at__lte=F("due_at"))),
            "overdue_at_end": Count("pk", filter=open_and_late_at_end),
        },
        percentiles={
            "median": PercentileOf(HoursBetween("requested_at", "returned_at"), 0.5, returned)
        },
    )


def k10_information_returns(period: Period) -> KpiResult:
    breakdown = Breakdown("agency", "Information returns by agency", (AGENCY,))
    return kpi_result("K10", requests_in_period(period), k10_measures(period), (breakdown,))
