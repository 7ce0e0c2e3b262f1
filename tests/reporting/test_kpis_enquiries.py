"""Enquiry and information request KPIs (KPIS.md K7, K8, K10) on data sets counted by hand.

Instants are UTC (``Z``); April 2026 is [2026-03-31T23:00Z, 2026-04-30T23:00Z) (BST). It is
1 June 2026 unless a test says otherwise.
"""

from datetime import UTC, date, datetime, timedelta

import pytest

from agencies.models import AgencyKind
from contacts.codes import Outcome, Rag
from enquiries.models import EnquiryState, RequestState
from reporting.kpis import compute_kpis, suppressed
from reporting.kpis import enquiries as kpis
from reporting.periods import Period
from tests.factories import AgencyFactory
from tests.reporting.factories import EnquiryFactory, InformationRequestFactory

pytestmark = pytest.mark.django_db

APRIL = Period(date(2026, 4, 1), date(2026, 5, 1))
EMPTY = Period(date(2026, 2, 1), date(2026, 3, 1))


def z(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture(autouse=True)
def after_the_periods(time_machine):
    time_machine.move_to(z(2026, 6, 1, 12), tick=False)


def closed(opened_at, rag, final_rag, outcome=Outcome.NFA, after_hours=1, deadline_hours=4):
    return EnquiryFactory(
        contact__received_at=opened_at - timedelta(hours=2),
        opened_at=opened_at,
        initial_rag=rag,
        rag=final_rag,
        final_rag=final_rag,
        deadline=opened_at + timedelta(hours=deadline_hours),
        state=EnquiryState.CLOSED,
        outcome=outcome,
        closed_at=opened_at + timedelta(hours=after_hours),
    )


def opened(opened_at, initial, **fields):
    return EnquiryFactory(
        contact__received_at=opened_at - timedelta(hours=2),
        opened_at=opened_at,
        initial_rag=initial,
        **fields,
    )


def rows(table, *keys) -> list[tuple]:
    return [
        tuple(row[key].value if hasattr(row[key], "value") else row[key] for key in keys)
        for row in table.rows
    ]


def headline(result) -> dict:
    return {key: figure.value for key, figure in result.headline.items()}


class TestK7Enquiries:
    def test_counts_outcomes_and_closing_on_time(self):
        at = z(2026, 4, 14, 9)
        closed(at, Rag.RED, Rag.RED, Outcome.NFA, after_hours=3, deadline_hours=4)  # on time
        closed(at, Rag.RED, Rag.RED, Outcome.REFERRAL, after_hours=5, deadline_hours=4)  # late
        # closed exactly at its deadline: on time ("at or before")
        closed(at, Rag.AMBER, Rag.GREEN, Outcome.NFA, after_hours=24, deadline_hours=24)
        opened(at, Rag.AMBER)
        opened(at, Rag.GREEN, state=EnquiryState.AWAITING_RETURNS)
        opened(z(2026, 3, 31, 22, 30), Rag.RED)  # 23:30 BST on 31 March: not in April

        result = kpis.k7_enquiries(APRIL)

        # 5 enquiries, 3 closed of which 2 on time = 66.7%
        assert headline(result) == {
            "count": 5,
            "closed": 3,
            "open": 2,
            "on_time_percent": pytest.approx(200 / 3),
        }
        table = result.table("initial_rag_x_outcome")
        assert rows(table, "initial_rag", "outcome", "count", "on_time_percent") == [
            ("RED", "NFA", 1, 100.0),
            ("RED", "REFERRAL", 1, 0.0),
            ("AMBER", "NFA", 1, 100.0),
            ("AMBER", "open", 1, None),
            ("GREEN", "open", 1, None),
        ]
        assert table.label("outcome", "open") == "Open"
        assert table.label("initial_rag", "RED") == "Red"

    def test_an_empty_period(self):
        result = kpis.k7_enquiries(EMPTY)

        assert headline(result) == {"count": 0, "closed": 0, "open": 0, "on_time_percent": None}
        assert result.table("initial_rag_x_outcome").rows == ()


class TestK8RagChange:
    def test_escalated_de_escalated_and_unchanged_over_closed_enquiries(self):
        at = z(2026, 4, 14, 9)
        closed(at, Rag.GREEN, Rag.RED)  # escalated
        closed(at, Rag.AMBER, Rag.RED)  # escalated
        closed(at, Rag.RED, Rag.GREEN)  # de-escalated
        closed(at, Rag.AMBER, Rag.AMBER)  # unchanged
        opened(at, Rag.GREEN, rag=Rag.RED)  # escalated but still open: not counted

        result = kpis.k8_rag_change(APRIL)

        assert headline(result) == {"closed": 4, "escalated": 2, "de_escalated": 1, "unchanged": 1}
        table = result.table("initial_rag_x_final_rag")
        assert rows(table, "initial_rag", "final_rag", "count") == [
            ("RED", "GREEN", 1),
            ("AMBER", "RED", 1),
            ("AMBER", "AMBER", 1),
            ("GREEN", "RED", 1),
        ]
        assert table.label("final_rag", "GREEN") == "Green"


@pytest.fixture
def police(db):
    return AgencyFactory(name="County Police", code="police", kind=AgencyKind.POLICE)


@pytest.fixture
def health(db):
    return AgencyFactory(name="Community Health", code="health", kind=AgencyKind.HEALTH)


def ask(enquiry, agency, requested_at, due_hours, **fields):
    return InformationRequestFactory(
        enquiry=enquiry,
        agency=agency,
        requested_at=requested_at,
        due_at=requested_at + timedelta(hours=due_hours),
        **fields,
    )


class TestK10InformationReturns:
    def test_by_agency_with_returns_withdrawals_and_the_backlog(self, police, health):
        enquiry = opened(z(2026, 4, 10, 9), Rag.AMBER)
        late_in_april = opened(z(2026, 4, 30, 20), Rag.GREEN)  # 21:00 BST on 30 April: in
        before_april = opened(z(2026, 3, 20, 9), Rag.GREEN)
        t = z(2026, 4, 10, 9)
        returned = {"state": RequestState.RETURNED}
        withdrawn = {"state": RequestState.WITHDRAWN}
        # police
        ask(enquiry, police, t, 2, returned_at=t + timedelta(hours=1), **returned)  # 1 h, on time
        ask(enquiry, police, t, 2, returned_at=t + timedelta(hours=3), **returned)  # 3 h, late
        ask(enquiry, police, z(2026, 4, 28, 9), 24)  # open, due 29 April: backlog
        # health
        # returned exactly when due, after 6 h: on time
        ask(enquiry, health, t, 6, returned_at=t + timedelta(hours=6), **returned)
        # withdrawn 29 April, due 28 April: no longer due at the end of April, not in the backlog
        ask(enquiry, health, z(2026, 4, 27, 9), 24, withdrawn_at=z(2026, 4, 29, 9), **withdrawn)
        # withdrawn 5 May, due 29 April: open and late at the end of April, in the backlog
        ask(enquiry, health, z(2026, 4, 28, 9), 24, withdrawn_at=z(2026, 5, 5, 9), **withdrawn)
        # returned 2 May after 48 h, due 30 April 10:00Z: late, and in the backlog at the end
        ask(enquiry, health, z(2026, 4, 30, 8), 2, returned_at=z(2026, 5, 2, 8), **returned)
        # its enquiry opened in April, sent in May: counted, due after the end of April
        ask(late_in_april, health, z(2026, 5, 2, 9), 24)
        # its enquiry opened in March: not counted although sent in April
        ask(before_april, police, z(2026, 4, 2, 9), 24)

        result = kpis.k10_information_returns(APRIL)

        # 8 requests; returned: 1, 3, 6 and 48 h, on time 2 of 4 = 50%; median (3 + 6) / 2 = 4.5;
        # open and past due at the end of April: the police one due 29 April, the health one
        # withdrawn in May and the health one returned in May = 3
        assert headline(result) == {
            "count": 8,
            "on_time_percent": 50.0,
            "median_hours": pytest.approx(4.5),
            "overdue_at_end": 3,
            "returned": 4,
        }
        table = result.table("agency")
        keys = ("agency", "count", "returned", "on_time_percent", "median_hours", "overdue_at_end")
        # health: 5 requests, returns after 6 and 48 h (1 on time), median 27, backlog 2;
        # police: 3 requests, returns after 1 and 3 h (1 on time), median 2, backlog 1
        assert rows(table, *keys) == [
            ("health", 5, 2, 50.0, pytest.approx(27.0), 2),
            ("police", 3, 2, 50.0, pytest.approx(2.0), 1),
        ]
        assert table.label("agency", "health") == "Community Health"

    def test_an_empty_period_gives_nulls(self):
        assert headline(kpis.k10_information_returns(EMPTY)) == {
            "count": 0,
            "on_time_percent": None,
            "median_hours": None,
            "overdue_at_end": 0,
            "returned": 0,
        }

    def test_a_board_member_sees_an_agency_with_few_requests_as_under_5(self, police, health):
        enquiry = opened(z(2026, 4, 10, 9), Rag.AMBER)
        for hour in range(5):
            ask(enquiry, health, z(2026, 4, 10, 9 + hour), 6, state=RequestState.WITHDRAWN)
        ask(enquiry, police, z(2026, 4, 10, 9), 6)

        full = kpis.k10_information_returns(APRIL).table("agency")
        board = suppressed(kpis.k10_information_returns(APRIL)).table("agency")

        assert [row["count"].shown() for row in full.rows] == ["5", "1"]
        assert [row["count"].shown() for row in board.rows] == ["5", "<5"]


class TestComputeKpis:
    def test_every_kpi_in_order_with_only_the_breakdowns_asked_for(self):
        results = compute_kpis(APRIL, breakdowns=["source", "agency"])

        assert [result.id for result in results] == [f"K{n}" for n in range(1, 15)]
        assert [table.name for table in results[0].tables] == ["source"]
        assert [table.name for table in results[9].tables] == ["agency"]
        assert results[6].tables == ()
