"""KPIs about contacts (KPIS.md K1-K6, K9, K11, K12), computed in the database.

Readings of KPIS.md decided here, once, for every page, download, snapshot and API answer:

* A contact is in the period when ``received_at`` is in ``[period.starts_at, period.ends_at)``
  (local midnights, Europe/London).
* "Decided" is the contact's current state (it has an outcome), whenever the decision was made:
  a contact received on the last evening of a month and decided the next morning counts as
  decided in that month's figures once it is decided.
* K2 computes the repeat rule from the data (``repeat_contact()``), not from the stored
  ``Contact.is_repeat`` flag: the same rule as ``contacts.services.repeats`` (12 calendar months
  on the local calendar, inclusive start, exclusive end), but never stale. A merge re-points the
  duplicate's subject links to the kept person (``person_merge``), so merged people count as one.
* K3's breakdown: each row is (source, initial RAG) of the contacts that became enquiries; its %
  is over the decided contacts of the same source (or partner agency).
* K4's backlog, "still undecided and past due at the end of the period", is the state at the end
  of the period (``figures.end_of_period``: the period's end, or now for a running period): due
  strictly before that instant and not decided before it. A contact decided after the period
  ended was still undecided at its end and counts; so the figure for a past period never changes.
* K6: a decided contact with no recommendation is in the whole (decided contacts) and never
  agrees; it shows as recommended ``none``.
"""

from __future__ import annotations

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet

from contacts.codes import Outcome
from contacts.models import Contact, ContactSubject
from reporting.periods import Period

from .build import Breakdown, Measures, kpi_result, table_from_groups
from .definitions import DEFINITIONS
from .dimensions import (
    CHANNEL,
    CONTACT_OUTCOME,
    INITIAL_RAG,
    PARTNER_AGENCY,
    RECOMMENDED,
    SOURCE,
    Dimension,
)
from .figures import count, end_of_period, hours, share
from .sql import HoursBetween, LocalMonthsBefore, PercentileOf
from .types import Column, KpiResult, Table, Unit

DECIDED = ~Q(outcome="")

#: Months of the K2 repeat window.
REPEAT_MONTHS = 12


def contacts_in_period(period: Period) -> QuerySet[Contact]:
    """Contacts whose ``received_at`` is in the period."""
    return Contact.objects.filter(received_at__gte=period.starts_at, received_at__lt=period.ends_at)


def repeat_contact() -> Exists:
    """True for a contact any of whose subject people was a subject of another contact received
    at or after its ``received_at`` minus 12 calendar months and strictly before it (K2)."""
    return Exists(
        ContactSubject.objects.filter(
            contact_id=OuterRef("pk"),
            person__subject_links__contact__received_at__lt=OuterRef("received_at"),
            person__subject_links__contact__received_at__gte=LocalMonthsBefore(
                OuterRef("received_at"), REPEAT_MONTHS
            ),
        )
    )


def _by_source(what: str) -> tuple[Breakdown, Breakdown]:
    return (
        Breakdown("source", f"{what} by source", (SOURCE,)),
        Breakdown("partner_agency", f"{what} by referring partner agency", (PARTNER_AGENCY,)),
    )


def k1_contacts_by_source(period: Period) -> KpiResult:
    measures = Measures(
        columns=(Column("count", "Contacts", Unit.COUNT),),
        figures=lambda v: {"count": count(v["count"])},
        aggregates={"count": Count("pk")},
    )
    return kpi_result("K1", contacts_in_period(period), measures, _by_source("Contacts"))


def k2_repeat_contacts(period: Period) -> KpiResult:
    measures = Measures(
        columns=(
            Column("contacts", "Contacts", Unit.COUNT),
            Column("count", "Repeat contacts", Unit.COUNT),
            Column("percent", "% repeat", Unit.PERCENT),
        ),
        figures=lambda v: {
            "count": count(v["repeats"]),
            "percent": share(v["repeats"], v["contacts"]),
            "contacts": count(v["contacts"]),
        },
        aggregates={
            "contacts": Count("pk"),
            "repeats": Count("pk", filter=Q(repeat_contact())),
        },
    )
    return kpi_result("K2", contacts_in_period(period), measures, _by_source("Repeat contacts"))


def k3_became_enquiries(period: Period) -> KpiResult:
    contacts = contacts_in_period(period)
    became = Q(outcome=Outcome.MASH_ENQUIRY)
    headline = Measures(
        columns=(),
        figures=lambda v: {
            "count": count(v["count"]),
            "percent": share(v["count"], v["decided"]),
            "decided": count(v["decided"]),
        },
        aggregates={
            "count": Count("pk", filter=became),
            "decided": Count("pk", filter=DECIDED),
        },
    ).compute(contacts)[()]
    tables = tuple(
        _k3_table(contacts, by, name)
        for by, name in ((SOURCE, "source"), (PARTNER_AGENCY, "partner_agency"))
    )
    definition = DEFINITIONS["K3"]
    return KpiResult("K3", definition.name, definition.definition, headline, tables)


def _k3_table(contacts: QuerySet[Contact], by: Dimension, name: str) -> Table:
    """(``by``, initial RAG) of the contacts that became enquiries; % of ``by``'s decided."""
    decided = dict(
        contacts.filter(DECIDED)
        .order_by()
        .values(by.field)
        .annotate(n=Count("pk"))
        .values_list(by.field, "n")
    )
    groups = (
        contacts.filter(outcome=Outcome.MASH_ENQUIRY)
        .order_by()
        .values(by.field, INITIAL_RAG.field)
        .annotate(n=Count("pk"))
    )
    rows = {
        (group[by.field], group[INITIAL_RAG.field]): {
            "count": count(group["n"]),
            "percent": share(group["n"], decided.get(group[by.field])),
        }
        for group in groups
    }
    where = "source" if by is SOURCE else "referring partner agency"
    breakdown = Breakdown(
        f"{name}_x_initial_rag",
        f"Contacts that became MASH enquiries by {where} and initial RAG",
        (by, INITIAL_RAG),
    )
    columns = (
        Column("count", "Became MASH enquiries", Unit.COUNT),
        Column("percent", f"% of decided contacts from the same {where}", Unit.PERCENT),
    )
    return table_from_groups(breakdown, columns, rows)


def k4_decision_timeliness(period: Period) -> KpiResult:
    end = end_of_period(period)
    late_at_end = Q(decision_due_at__lt=end) & (Q(decided_at__isnull=True) | Q(decided_at__gte=end))
    decision_hours = HoursBetween("received_at", "decided_at")
    measures = Measures(
        columns=(
            Column("decided", "Decided contacts", Unit.COUNT),
            Column("on_time_percent", "% decided on time", Unit.PERCENT),
            Column("median_hours", "Median hours to decision", Unit.HOURS),
            Column("p90_hours", "90th percentile hours to decision", Unit.HOURS),
            Column("overdue_at_end", "Undecided and past due at the end", Unit.COUNT),
        ),
        figures=lambda v: {
            "on_time_percent": share(v["on_time"], v["decided"]),
            "median_hours": hours(v["median"], v["decided"]),
            "p90_hours": hours(v["p90"], v["decided"]),
            "overdue_at_end": count(v["overdue_at_end"]),
            "decided": count(v["decided"]),
        },
        aggregates={
            "decided": Count("pk", filter=DECIDED),
            "on_time": Count("pk", filter=DECIDED & Q(decided_at__lte=F("decision_due_at"))),
            "overdue_at_end": Count("pk", filter=late_at_end),
        },
        percentiles={
            "median": PercentileOf(decision_hours, 0.5, DECIDED),
            "p90": PercentileOf(decision_hours, 0.9, DECIDED),
        },
    )
    return kpi_result(
        "K4", contacts_in_period(period), measures, _by_source("Timeliness of contact decisions")
    )


def k5_receipt_to_decision_start(period: Period) -> KpiResult:
    started = contacts_in_period(period).filter(decision_started_at__isnull=False)
    start_hours = HoursBetween("received_at", "decision_started_at")
    measures = Measures(
        columns=(
            Column("count", "Contacts picked up", Unit.COUNT),
            Column("median_hours", "Median hours to pick-up", Unit.HOURS),
            Column("p90_hours", "90th percentile hours to pick-up", Unit.HOURS),
        ),
        figures=lambda v: {
            "median_hours": hours(v["median"], v["count"]),
            "p90_hours": hours(v["p90"], v["count"]),
            "count": count(v["count"]),
        },
        aggregates={"count": Count("pk")},
        percentiles={
            "median": PercentileOf(start_hours, 0.5),
            "p90": PercentileOf(start_hours, 0.9),
        },
    )
    breakdown = Breakdown("channel", "Receipt to start of decision making by channel", (CHANNEL,))
    return kpi_result("K5", started, measures, (breakdown,))


def k6_recommended_vs_chosen(period: Period) -> KpiResult:
    decided = contacts_in_period(period).filter(DECIDED)
    headline = Measures(
        columns=(),
        figures=lambda v: {
            "agreement_percent": share(v["agreed"], v["decided"]),
            "agreed": count(v["agreed"]),
            "decided": count(v["decided"]),
        },
        aggregates={
            "decided": Count("pk"),
            "agreed": Count("pk", filter=Q(recommended_outcome=F("outcome"))),
        },
    ).compute(decided)[()]
    pairs = Measures(
        columns=(Column("count", "Decided contacts", Unit.COUNT),),
        figures=lambda v: {"count": count(v["count"])},
        aggregates={"count": Count("pk")},
    )
    breakdown = Breakdown(
        "recommended_x_outcome",
        "Recommended outcome against the manager's outcome",
        (RECOMMENDED, CONTACT_OUTCOME),
    )
    table = table_from_groups(
        breakdown, pairs.columns, pairs.compute(decided, [RECOMMENDED.field, CONTACT_OUTCOME.field])
    )
    definition = DEFINITIONS["K6"]
    return KpiResult("K6", definition.name, definition.definition, headline, (table,))


def k9_contacts_by_outcome(period: Period) -> KpiResult:
    contacts = contacts_in_period(period)
    headline = Measures(
        columns=(),
        figures=lambda v: {
            "count": count(v["count"]),
            "decided": count(v["decided"]),
            "undecided": count(v["count"] - v["decided"]),
        },
        aggregates={"count": Count("pk"), "decided": Count("pk", filter=DECIDED)},
    ).compute(contacts)[()]
    by_outcome = Measures(
        columns=(Column("count", "Contacts", Unit.COUNT),),
        figures=lambda v: {"count": count(v["count"])},
        aggregates={"count": Count("pk")},
    )
    breakdown = Breakdown("outcome", "Contacts by outcome", (CONTACT_OUTCOME,))
    table = table_from_groups(
        breakdown, by_outcome.columns, by_outcome.compute(contacts, [CONTACT_OUTCOME.field])
    )
    definition = DEFINITIONS["K9"]
    return KpiResult("K9", definition.name, definition.definition, headline, (table,))


def k11_feedback_to_referrers(period: Period) -> KpiResult:
    decided = contacts_in_period(period).filter(DECIDED)
    told = Q(feedback_sent_at__isnull=False)
    measures = Measures(
        columns=(
            Column("decided", "Decided contacts", Unit.COUNT),
            Column("feedback_percent", "% with feedback sent", Unit.PERCENT),
            Column("median_hours", "Median hours from decision to feedback", Unit.HOURS),
        ),
        figures=lambda v: {
            "feedback_percent": share(v["told"], v["decided"]),
            "median_hours": hours(v["median"], v["told"]),
            "decided": count(v["decided"]),
        },
        aggregates={"decided": Count("pk"), "told": Count("pk", filter=told)},
        percentiles={
            "median": PercentileOf(HoursBetween("decided_at", "feedback_sent_at"), 0.5, told)
        },
    )
    return kpi_result("K11", decided, measures, _by_source("Feedback to referrers"))


def k12_conversion(period: Period) -> KpiResult:
    decided = contacts_in_period(period).filter(DECIDED)
    measures = Measures(
        columns=(
            Column("decided", "Decided contacts", Unit.COUNT),
            Column("referral_percent", "% referral", Unit.PERCENT),
            Column("nfa_percent", "% no further action", Unit.PERCENT),
            Column("early_help_percent", "% early help", Unit.PERCENT),
        ),
        figures=lambda v: {
            "referral_percent": share(v["referral"], v["decided"]),
            "nfa_percent": share(v["nfa"], v["decided"]),
            "early_help_percent": share(v["early_help"], v["decided"]),
            "decided": count(v["decided"]),
        },
        aggregates={
            "decided": Count("pk"),
            "referral": Count("pk", filter=Q(outcome=Outcome.REFERRAL)),
            "nfa": Count("pk", filter=Q(outcome=Outcome.NFA)),
            "early_help": Count("pk", filter=Q(outcome=Outcome.EARLY_HELP)),
        },
    )
    return kpi_result("K12", decided, measures, _by_source("Conversion"))
