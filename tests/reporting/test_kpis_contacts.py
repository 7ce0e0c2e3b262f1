"""Contact KPIs (KPIS.md K1-K6, K9, K11, K12) on small data sets counted by hand.

Every instant below is written in UTC (``Z``); April 2026 is British Summer Time (UTC+1), so the
period "April 2026" is [2026-03-31T23:00Z, 2026-04-30T23:00Z). Unless a test says otherwise, it
is 1 June 2026, after every period used.
"""

from datetime import UTC, date, datetime, timedelta

import pytest

from agencies.models import AgencyKind
from contacts.codes import Channel, Outcome, Rag, Source
from contacts.services.people import person_merge
from contacts.services.repeats import contact_refresh_repeat
from reporting.kpis import KpiResult, Table, compute_kpis, suppressed
from reporting.kpis import contacts as kpis
from reporting.kpis.figures import share
from reporting.periods import Period
from tests.factories import AgencyFactory, PersonFactory
from tests.reporting.factories import ContactFactory

pytestmark = pytest.mark.django_db

APRIL = Period(date(2026, 4, 1), date(2026, 5, 1))
EMPTY = Period(date(2026, 2, 1), date(2026, 3, 1))


def z(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture(autouse=True)
def after_the_periods(time_machine):
    time_machine.move_to(z(2026, 6, 1, 12), tick=False)


@pytest.fixture
def police(db):
    return AgencyFactory(name="County Police", code="police", kind=AgencyKind.POLICE)


def decided(received_at: datetime, after_hours: float, outcome: str, **fields):
    """A contact received at ``received_at`` and decided ``after_hours`` later."""
    return ContactFactory(
        received_at=received_at,
        decided_at=received_at + timedelta(hours=after_hours),
        outcome=outcome,
        **fields,
    )


def rows(table, *keys) -> list[tuple]:
    """A table's rows as tuples: dimension codes as they are, figures as their values."""
    return [
        tuple(row[key].value if hasattr(row[key], "value") else row[key] for key in keys)
        for row in table.rows
    ]


def headline(result) -> dict:
    return {key: figure.value for key, figure in result.headline.items()}


class TestPeriodEdges:
    def test_contacts_are_in_the_period_by_local_midnights_in_summer_time(self, police):
        ContactFactory(received_at=z(2026, 3, 31, 22, 59))  # 23:59 BST 31 March: before
        ContactFactory(received_at=z(2026, 3, 31, 23, 0))  # 00:00 BST 1 April: in
        ContactFactory(
            received_at=z(2026, 3, 31, 23, 30), source=Source.POLICE, referring_agency=police
        )  # 00:30 BST 1 April: in (a UTC date says March)
        ContactFactory(received_at=z(2026, 4, 30, 22, 59, 59), source=Source.FAMILY)  # in
        ContactFactory(received_at=z(2026, 4, 30, 23, 0))  # 00:00 BST 1 May: after

        result = kpis.k1_contacts_by_source(APRIL)

        assert headline(result) == {"count": 3}
        # sources in the census order: 1A, 2A, 6
        assert rows(result.table("source"), "source", "count") == [("1A", 1), ("2A", 1), ("6", 1)]
        partner = result.table("partner_agency")
        assert rows(partner, "partner_agency", "count") == [("police", 1), ("none", 2)]
        assert partner.label("partner_agency", "police") == "County Police"
        assert partner.label("partner_agency", "none") == "No partner agency"
        assert result.table("source").label("source", "6") == "Police"

    def test_a_period_starting_on_the_spring_clock_change(self):
        # 29 March 2026 starts at 00:00 GMT (the clocks change at 01:00 GMT)
        ContactFactory(received_at=z(2026, 3, 28, 23, 30))  # 23:30 GMT on the 28th: before
        ContactFactory(received_at=z(2026, 3, 29, 0, 0))  # 00:00 GMT on the 29th: in
        ContactFactory(received_at=z(2026, 3, 29, 22, 59))  # 23:59 BST on the 29th: in
        ContactFactory(received_at=z(2026, 3, 29, 23, 0))  # 00:00 BST on the 30th: after

        result = kpis.k1_contacts_by_source(Period(date(2026, 3, 29), date(2026, 3, 30)))

        assert result.headline["count"].value == 2


class TestK2Repeats:
    def test_repeats_are_counted_from_the_people_in_the_contacts(self, police):
        p, q, r = PersonFactory(), PersonFactory(), PersonFactory()
        ContactFactory(received_at=z(2025, 6, 1, 9), subjects=[p])  # before April: not counted
        # repeat: P was a subject on 1 June 2025, within 12 months
        ContactFactory(received_at=z(2026, 4, 10, 9), subjects=[p, r])
        # repeat: R was a subject of the contact of 10 April
        ContactFactory(
            received_at=z(2026, 4, 20, 9),
            subjects=[r],
            source=Source.POLICE,
            referring_agency=police,
        )
        ContactFactory(received_at=z(2026, 4, 21, 9), subjects=[q])  # Q is new: not a repeat
        ContactFactory(received_at=z(2026, 4, 22, 9))  # someone new: not a repeat

        result = kpis.k2_repeat_contacts(APRIL)

        # 2 repeats of 4 contacts = 50%
        assert headline(result) == {"count": 2, "percent": 50.0, "contacts": 4}
        # schools: 1 repeat of 3 = 33.3%; police: 1 of 1 = 100%
        assert rows(result.table("source"), "source", "contacts", "count", "percent") == [
            ("2A", 3, 1, pytest.approx(100 / 3)),
            ("6", 1, 1, 100.0),
        ]

    @pytest.mark.parametrize(
        ("earlier", "is_repeat"),
        [
            # The later contact is at 12:00 BST on Sunday 29 March 2026 (11:00Z). 12 calendar
            # months before on the local calendar is 12:00 on 29 March 2025, still GMT then
            # (summer time began on 30 March 2025): 12:00Z. Subtracting 12 months in UTC would
            # give 11:00Z instead, so 11:30Z tells the two apart.
            (z(2025, 3, 29, 12, 0, 0), True),  # exactly 12 months before: a repeat
            (z(2025, 3, 29, 11, 59, 59), False),  # a second earlier: not
            (z(2025, 3, 29, 11, 30), False),  # inside a UTC-calendar window only: not
            (z(2026, 3, 29, 11, 0), False),  # at the same instant: neither is "before"
        ],
    )
    def test_the_12_month_window_on_the_local_calendar(self, earlier, is_repeat):
        person = PersonFactory()
        ContactFactory(received_at=earlier, subjects=[person])
        later = ContactFactory(received_at=z(2026, 3, 29, 11, 0), subjects=[person])
        period = Period(date(2026, 3, 29), date(2026, 3, 30))
        expected = 1 if is_repeat else 0

        result = kpis.k2_repeat_contacts(period)

        assert result.headline["count"].value == expected
        # the same rule as the stored flag the triage pages show
        contact_refresh_repeat(later)
        later.refresh_from_db()
        assert later.is_repeat is is_repeat

    def test_two_subjects_of_one_contact_do_not_make_it_a_repeat(self):
        ContactFactory(received_at=z(2026, 4, 10, 9), subjects=[PersonFactory(), PersonFactory()])

        assert kpis.k2_repeat_contacts(APRIL).headline["count"].value == 0

    def test_a_merged_duplicate_makes_the_later_contact_a_repeat(self, hub_worker):
        keep, duplicate = PersonFactory(), PersonFactory()
        ContactFactory(received_at=z(2026, 4, 1, 9), subjects=[keep])
        ContactFactory(received_at=z(2026, 4, 5, 9), subjects=[duplicate])
        assert kpis.k2_repeat_contacts(APRIL).headline["count"].value == 0

        person_merge(keep=keep, duplicate=duplicate, reason="Same child", merged_by=hub_worker)

        # the contact of 5 April is now about someone in the contact of 1 April: 1 of 2
        assert headline(kpis.k2_repeat_contacts(APRIL)) == {
            "count": 1,
            "percent": 50.0,
            "contacts": 2,
        }


class TestK3BecameEnquiries:
    def test_count_percent_and_source_by_initial_rag(self, police):
        at = z(2026, 4, 7, 9)
        decided(at, 1, Outcome.MASH_ENQUIRY, initial_rag=Rag.RED)
        decided(at, 1, Outcome.MASH_ENQUIRY, initial_rag=Rag.AMBER)
        decided(at, 1, Outcome.NFA)
        ContactFactory(received_at=at)  # undecided: not in the whole
        police_contact = {"source": Source.POLICE, "referring_agency": police}
        decided(at, 1, Outcome.MASH_ENQUIRY, initial_rag=Rag.AMBER, **police_contact)
        decided(at, 1, Outcome.REFERRAL, **police_contact)

        result = kpis.k3_became_enquiries(APRIL)

        # 3 enquiries of 5 decided contacts = 60%
        assert headline(result) == {"count": 3, "percent": 60.0, "decided": 5}
        # schools: 3 decided, 1 Red and 1 Amber enquiry (1/3 each); police: 2 decided, 1 Amber
        table = result.table("source_x_initial_rag")
        assert rows(table, "source", "initial_rag", "count", "percent") == [
            ("2A", "RED", 1, pytest.approx(100 / 3)),
            ("2A", "AMBER", 1, pytest.approx(100 / 3)),
            ("6", "AMBER", 1, 50.0),
        ]
        assert [row["percent"].n for row in table.rows] == [3, 3, 2]
        by_agency = result.table("partner_agency_x_initial_rag")
        assert rows(by_agency, "partner_agency", "initial_rag", "count", "percent") == [
            ("police", "AMBER", 1, 50.0),
            ("none", "RED", 1, pytest.approx(100 / 3)),
            ("none", "AMBER", 1, pytest.approx(100 / 3)),
        ]
        assert table.label("initial_rag", "AMBER") == "Amber"


class TestK4Timeliness:
    def test_on_time_percentiles_and_the_backlog_at_the_end_of_april(self, police):
        police_contact = {"source": Source.POLICE, "referring_agency": police}
        # decided after 1 h and 2 h, due after 24 h: on time
        decided(z(2026, 4, 1, 8), 1, Outcome.NFA)
        decided(z(2026, 4, 2, 8), 2, Outcome.NFA)
        # decided after 4 h, due after 3 h: late (decided within April, so not in the backlog)
        decided(
            z(2026, 4, 3, 8), 4, Outcome.NFA, decision_due_at=z(2026, 4, 3, 11), **police_contact
        )
        # received 30 April 14:00Z, due 22:00Z, decided 1 May 00:00Z (10 h): late, and still
        # undecided at the end of April (23:00Z): in the backlog
        decided(z(2026, 4, 30, 14), 10, Outcome.NFA, decision_due_at=z(2026, 4, 30, 22))
        # undecided, due 30 April 09:00Z: in the backlog
        ContactFactory(received_at=z(2026, 4, 29, 9), decision_due_at=z(2026, 4, 30, 9))
        # undecided, due exactly at the end of April (23:00Z): not yet past due then
        ContactFactory(received_at=z(2026, 4, 29, 23), decision_due_at=z(2026, 4, 30, 23))
        # undecided, due 1 May: not past due at the end of April
        ContactFactory(
            received_at=z(2026, 4, 30, 12), decision_due_at=z(2026, 5, 1, 12), **police_contact
        )

        result = kpis.k4_decision_timeliness(APRIL)

        # durations 1, 2, 4, 10 h: median halfway between 2 and 4 = 3; p90 at position
        # 0.9 * 3 = 2.7: 4 + 0.7 * (10 - 4) = 8.2. On time: 2 of 4 = 50%.
        assert headline(result) == {
            "on_time_percent": 50.0,
            "median_hours": pytest.approx(3.0),
            "p90_hours": pytest.approx(8.2),
            "overdue_at_end": 2,
            "decided": 4,
        }
        assert result.headline["median_hours"].n == 4
        # schools: 1, 2, 10 h: median 2; p90 at 0.9 * 2 = 1.8: 2 + 0.8 * 8 = 8.4; on time 2/3
        # police: 4 h; on time 0/1; nothing past due at the end
        keys = (
            "source",
            "decided",
            "on_time_percent",
            "median_hours",
            "p90_hours",
            "overdue_at_end",
        )
        assert rows(result.table("source"), *keys) == [
            ("2A", 3, pytest.approx(200 / 3), pytest.approx(2.0), pytest.approx(8.4), 2),
            ("6", 1, 0.0, pytest.approx(4.0), pytest.approx(4.0), 0),
        ]
        assert rows(result.table("partner_agency"), "partner_agency", "decided") == [
            ("police", 1),
            ("none", 3),
        ]

    def test_the_backlog_of_a_running_period_is_as_of_now(self, time_machine):
        time_machine.move_to(z(2026, 4, 15, 12), tick=False)
        # due at 09:00Z today, undecided: past due now
        ContactFactory(received_at=z(2026, 4, 14, 9), decision_due_at=z(2026, 4, 15, 9))
        # due tomorrow: before the end of April, but not past due yet
        ContactFactory(received_at=z(2026, 4, 15, 10), decision_due_at=z(2026, 4, 16, 10))

        assert kpis.k4_decision_timeliness(APRIL).headline["overdue_at_end"].value == 1

    def test_an_empty_period_gives_null_medians_and_percentages_not_zero(self):
        result = kpis.k4_decision_timeliness(EMPTY)

        assert headline(result) == {
            "on_time_percent": None,
            "median_hours": None,
            "p90_hours": None,
            "overdue_at_end": 0,
            "decided": 0,
        }
        assert result.table("source").rows == ()

    def test_undecided_contacts_only_give_null_figures_in_their_row(self):
        ContactFactory(received_at=z(2026, 4, 10, 9), decision_due_at=z(2026, 4, 11, 9))

        row = kpis.k4_decision_timeliness(APRIL).table("source").rows[0]

        assert row["decided"].value == 0
        assert row["on_time_percent"].value is None
        assert row["median_hours"].value is None
        assert row["overdue_at_end"].value == 1


class TestK5ReceiptToStart:
    def test_by_channel(self):
        at = z(2026, 4, 8, 9)
        ContactFactory(
            received_at=at, channel=Channel.PHONE, decision_started_at=at + timedelta(minutes=30)
        )
        ContactFactory(
            received_at=at, channel=Channel.PHONE, decision_started_at=at + timedelta(minutes=90)
        )
        ContactFactory(
            received_at=at, channel=Channel.MARF, decision_started_at=at + timedelta(hours=3)
        )
        ContactFactory(received_at=at, channel=Channel.EMAIL)  # not picked up: not counted

        result = kpis.k5_receipt_to_decision_start(APRIL)

        # 0.5, 1.5, 3 h: median 1.5; p90 at 0.9 * 2 = 1.8: 1.5 + 0.8 * 1.5 = 2.7
        assert headline(result) == {
            "median_hours": pytest.approx(1.5),
            "p90_hours": pytest.approx(2.7),
            "count": 3,
        }
        # phone 0.5 and 1.5: median 1.0, p90 at 0.9: 0.5 + 0.9 * 1 = 1.4
        assert rows(result.table("channel"), "channel", "count", "median_hours", "p90_hours") == [
            ("marf", 1, pytest.approx(3.0), pytest.approx(3.0)),
            ("phone", 2, pytest.approx(1.0), pytest.approx(1.4)),
        ]
        assert result.table("channel").label("channel", "marf") == "MARF"


class TestK6RecommendedVsChosen:
    def test_pairs_and_agreement(self):
        at = z(2026, 4, 9, 9)
        decided(at, 2, Outcome.NFA, recommended_outcome=Outcome.NFA)
        decided(at, 2, Outcome.NFA, recommended_outcome=Outcome.NFA)
        decided(at, 2, Outcome.NFA, recommended_outcome=Outcome.EARLY_HELP)
        decided(at, 2, Outcome.REFERRAL, recommended_outcome=Outcome.REFERRAL)
        decided(at, 2, Outcome.SIGNPOST)  # no recommendation: in the whole, never agrees
        ContactFactory(received_at=at, recommended_outcome=Outcome.NFA)  # undecided

        result = kpis.k6_recommended_vs_chosen(APRIL)

        # 3 agree of 5 decided = 60%
        assert headline(result) == {"agreement_percent": 60.0, "agreed": 3, "decided": 5}
        table = result.table("recommended_x_outcome")
        assert rows(table, "recommended", "outcome", "count") == [
            ("NFA", "NFA", 2),
            ("EARLY_HELP", "NFA", 1),
            ("REFERRAL", "REFERRAL", 1),
            ("none", "SIGNPOST", 1),
        ]
        assert table.label("recommended", "none") == "No recommendation"


class TestK9ByOutcome:
    def test_outcomes_and_undecided(self):
        at = z(2026, 4, 9, 9)
        decided(at, 1, Outcome.NFA)
        decided(at, 1, Outcome.NFA)
        decided(at, 1, Outcome.REFERRAL)
        ContactFactory(received_at=at)
        ContactFactory(received_at=at, recommended_outcome=Outcome.NFA)  # recommended only

        result = kpis.k9_contacts_by_outcome(APRIL)

        assert headline(result) == {"count": 5, "decided": 3, "undecided": 2}
        table = result.table("outcome")
        assert rows(table, "outcome", "count") == [("NFA", 2), ("REFERRAL", 1), ("undecided", 2)]
        assert table.label("outcome", "undecided") == "Undecided"


class TestK11Feedback:
    def test_percent_told_and_median_time_to_tell(self):
        at = z(2026, 4, 9, 9)
        first = decided(at, 1, Outcome.NFA)
        second = decided(at, 1, Outcome.SIGNPOST)
        decided(at, 1, Outcome.NFA)  # nobody told yet
        ContactFactory(received_at=at)  # undecided: not counted
        first.feedback_sent_at = first.decided_at + timedelta(hours=1)
        second.feedback_sent_at = second.decided_at + timedelta(hours=3)
        first.save()
        second.save()

        result = kpis.k11_feedback_to_referrers(APRIL)

        # 2 of 3 told; median of 1 h and 3 h = 2 h
        assert headline(result) == {
            "feedback_percent": pytest.approx(200 / 3),
            "median_hours": pytest.approx(2.0),
            "decided": 3,
        }
        assert result.headline["median_hours"].n == 2

    def test_nobody_decided_gives_nulls(self):
        ContactFactory(received_at=z(2026, 4, 9, 9))

        assert headline(kpis.k11_feedback_to_referrers(APRIL)) == {
            "feedback_percent": None,
            "median_hours": None,
            "decided": 0,
        }


class TestK12Conversion:
    def test_shares_of_decided_contacts(self):
        at = z(2026, 4, 9, 9)
        for outcome in ("REFERRAL", "NFA", "NFA", "EARLY_HELP", "SIGNPOST"):
            decided(at, 1, outcome)
        ContactFactory(received_at=at)  # undecided: not in the whole

        result = kpis.k12_conversion(APRIL)

        # of 5 decided: 1 referral (20%), 2 NFA (40%), 1 early help (20%)
        assert headline(result) == {
            "referral_percent": 20.0,
            "nfa_percent": 40.0,
            "early_help_percent": 20.0,
            "decided": 5,
        }

    def test_an_empty_period_gives_null_percentages(self):
        assert headline(kpis.k12_conversion(EMPTY)) == {
            "referral_percent": None,
            "nfa_percent": None,
            "early_help_percent": None,
            "decided": 0,
        }


class TestSuppression:
    @pytest.fixture
    def contacts(self):
        at = z(2026, 4, 9, 9)
        ContactFactory.create_batch(5, received_at=at, source=Source.SCHOOLS)
        ContactFactory.create_batch(4, received_at=at, source=Source.POLICE)

    def test_a_board_member_sees_small_cells_as_under_5(self, contacts):
        result = suppressed(kpis.k1_contacts_by_source(APRIL))

        shown = {row["source"]: row["count"].shown() for row in result.table("source").rows}
        assert shown == {"2A": "5", "6": "<5"}
        assert result.table("source").rows[1]["count"].as_json() == "<5"
        assert result.headline["count"].shown() == "9"  # the headline is not a breakdown cell

    def test_a_manager_sees_every_cell(self, contacts):
        result = kpis.k1_contacts_by_source(APRIL)

        shown = {row["source"]: row["count"].shown() for row in result.table("source").rows}
        assert shown == {"2A": "5", "6": "4"}

    def test_a_percentage_over_fewer_than_5_records_is_suppressed(self, contacts):
        result = suppressed(kpis.k2_repeat_contacts(APRIL))

        police = result.table("source").rows[1]
        assert (police["contacts"].shown(), police["percent"].shown()) == ("<5", "<5")
        # 0 repeats of 5 contacts: the percentage would give away the hidden count.
        assert result.table("source").rows[0]["percent"].shown() == "<5"
        assert kpis.k2_repeat_contacts(APRIL).table("source").rows[0]["percent"].shown() == "0.0%"

    @pytest.mark.parametrize(
        ("part", "whole", "shown"),
        [(2, 10, "<5"), (4, 100, "<5"), (5, 10, "50.0%"), (9, 10, "90.0%"), (3, 4, "<5")],
    )
    def test_a_percentage_whose_part_is_under_5_is_suppressed(self, part, whole, shown):
        figure = share(part, whole)
        hidden = suppressed(
            KpiResult("K2", "Repeat contacts", "", {}, (Table("t", "t", (), ({"p": figure},)),))
        )
        assert hidden.tables[0].rows[0]["p"].shown() == shown
        assert figure.shown() == f"{100 * part / whole:.1f}%"  # managers see it


class TestAllTogether:
    def test_compute_kpis_takes_a_handful_of_queries_whatever_the_number_of_rows(
        self, django_assert_max_num_queries, police
    ):
        at = z(2026, 4, 9, 9)
        decided(
            at,
            2,
            Outcome.MASH_ENQUIRY,
            initial_rag=Rag.RED,
            referring_agency=police,
            decision_started_at=at + timedelta(hours=1),
        )
        with django_assert_max_num_queries(40) as few:
            compute_kpis(APRIL, ids=["K1", "K2", "K3", "K4", "K5", "K6", "K9", "K11", "K12"])
        for source in (Source.FAMILY, Source.POLICE, Source.GP):
            for hours in (1, 5, 30):
                decided(
                    at,
                    hours,
                    Outcome.REFERRAL,
                    source=source,
                    referring_agency=police,
                    decision_started_at=at + timedelta(minutes=hours * 10),
                    recommended_outcome=Outcome.NFA,
                    feedback_sent_at=at + timedelta(hours=40),
                )

        with django_assert_max_num_queries(len(few.captured_queries)):
            results = compute_kpis(
                APRIL, ids=["K1", "K2", "K3", "K4", "K5", "K6", "K9", "K11", "K12"]
            )

        assert results[0].headline["count"].value == 10
        assert [table.name for table in results[0].tables] == ["source", "partner_agency"]
