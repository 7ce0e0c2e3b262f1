"""Each KPI's name, definition and breakdowns, word for word from KPIS.md (the dashboard shows
the definition beside each figure, so nobody has to guess what a tile counts)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class KpiDefinition:
    id: str
    name: str
    definition: str
    breakdowns: str  # as KPIS.md words it
    #: How the definition is read where KPIS.md leaves a choice (shown beside it), if anywhere.
    note: str = ""


DEFINITIONS: dict[str, KpiDefinition] = {
    "K1": KpiDefinition(
        "K1",
        "Contacts by source",
        "count of contacts in the period",
        "by source",
    ),
    "K2": KpiDefinition(
        "K2",
        "Repeat contacts",
        (
            "a contact is a repeat when any of its subject people was a subject of "
            "another contact received in the 12 calendar months before its received_at (at or "
            "after received_at minus 12 months, strictly before received_at); count of "
            "repeats, and % of contacts in the period"
        ),
        "by source",
    ),
    "K3": KpiDefinition(
        "K3",
        "Contacts that became MASH enquiries",
        (
            "count of contacts in the period whose outcome is MASH_ENQUIRY; % of decided "
            "contacts in the period"
        ),
        "by source × initial RAG",
    ),
    "K4": KpiDefinition(
        "K4",
        "Timeliness of contact decisions",
        (
            "over decided contacts in the period: % with decided_at at or before the "
            "contact's decision due time; median and 90th percentile of decided_at - "
            "received_at; and the count of contacts in the period still undecided and past "
            "due at the end of the period"
        ),
        "by source",
    ),
    "K5": KpiDefinition(
        "K5",
        "Receipt to start of decision making",
        (
            "over contacts in the period with decision_started_at: median and 90th percentile "
            "of decision_started_at - received_at; count"
        ),
        "by channel (MARF, phone, email, police notification, API)",
    ),
    "K6": KpiDefinition(
        "K6",
        "Recommended vs chosen outcome",
        (
            "over decided contacts in the period: count for each (recommended, outcome) pair; "
            "agreement % = pairs with the same outcome / decided contacts"
        ),
        "recommended × outcome",
    ),
    "K7": KpiDefinition(
        "K7",
        "MASH enquiries",
        (
            "count of enquiries in the period; count by outcome (open for those not closed); "
            "% closed at or before their deadline (over closed ones)"
        ),
        "initial RAG × outcome",
    ),
    "K8": KpiDefinition(
        "K8",
        "RAG change from start to end",
        (
            "over closed enquiries in the period: count for each (initial RAG, final RAG) "
            "pair; escalated = final more severe than initial; de-escalated = less severe; "
            "unchanged"
        ),
        "initial RAG × final RAG",
    ),
    "K9": KpiDefinition(
        "K9",
        "Contacts by outcome",
        ("count of contacts in the period by outcome, and undecided"),
        "outcome",
    ),
    "K10": KpiDefinition(
        "K10",
        "Information returns by agency",
        (
            "over information requests in the period: count; % submitted at or before their "
            "due time (over submitted ones); median of submitted_at - requested_at; count "
            "still open and past due at the end of the period"
        ),
        "agency",
    ),
    "K11": KpiDefinition(
        "K11",
        "Feedback to referrers",
        (
            "over decided contacts in the period: % with feedback_sent_at; median of "
            "feedback_sent_at - decided_at"
        ),
        "source",
    ),
    "K12": KpiDefinition(
        "K12",
        "Conversion",
        (
            "% of decided contacts in the period whose outcome is REFERRAL; % whose outcome "
            "is NFA; % EARLY_HELP"
        ),
        "source",
    ),
    "K13": KpiDefinition(
        "K13",
        "Domestic abuse notifications",
        (
            "over DA notifications in the period: count by DASH risk level; % of medium and "
            "high risk ones triaged by the daily meeting by the end of the next working day "
            "after receipt; count of MARAC referrals"
        ),
        "risk level",
        (
            "Triaged in time: the daily meeting that agreed its outcome was confirmed by 17:00 on "
            "the next working day after the day it was received. Standard risk notifications "
            "are screened in the ordinary triage queue, so they are not in the %. A MARAC "
            "referral counts once its meeting is confirmed."
        ),
    ),
    "K14": KpiDefinition(
        "K14",
        "Operation Encompass",
        (
            "over Encompass notices for incidents in the period: count; % available to the "
            "school before the start of the next school day; % acknowledged by 10:00 that day; "
            "median hours from incident to notice"
        ),
        "school phase (early years, primary, secondary)",
        (
            "Special schools and alternative provision get notices too and are shown as rows of "
            "their own. The % acknowledged is over the notices acknowledged or past their 10:00; "
            "a notice made late is due for acknowledgement at 10:00 on the next school day after "
            "it was made."
        ),
    ),
}

KPI_IDS: tuple[str, ...] = tuple(DEFINITIONS)
