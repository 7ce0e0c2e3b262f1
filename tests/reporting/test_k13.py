"""K13, domestic abuse notifications (KPIS.md), on a data set counted by hand.

May 2026 in Europe/London is British Summer Time: the period [2026-05-01, 2026-06-01) is
[2026-04-30T23:00Z, 2026-05-31T23:00Z). Bank holidays: Monday 4 May and Monday 25 May. It is
1 July 2026 unless a test says otherwise. Times below are local (``local(...)``).

The May data set (``may()``), received / meeting confirmed:

====  ========  =====================  =======================  =========  =====
 #    risk      received               confirmed                 on time?   MARAC
====  ========  =====================  =======================  =========  =====
 1    high      Fri 15 May 10:00       Mon 18 May 17:00          yes (at)   yes
 2    medium    Fri 15 May 11:00       Tue 19 May 09:30          no
 3    high      Fri 22 May 14:00       Tue 26 May 16:00          yes (BH)   yes
 4    medium    Thu 28 May 23:30       Fri 29 May 17:00          yes
 5    medium    Sun 31 May 23:59       (no meeting)              no
 6    high      Wed 20 May 09:00       (meeting not confirmed)   no         (draft)
 7    medium    Fri 1 May 16:00        Tue 5 May 10:00           yes (BH)
 8    standard  Tue 12 May 10:00       (ordinary triage)
 9    standard  Mon 4 May 10:00        (ordinary triage)
 -    medium    Mon 1 June 00:00       outside the period
 -    high      Thu 30 April 23:59     outside the period
====  ========  =====================  =======================  =========  =====

Headline: 9 notifications, 7 medium or high, 4 of them triaged on time (57.1%), 2 MARAC
referrals. Standard 2 (no %: nothing to triage); medium 4, 2 on time (50%); high 3, 2 on time
(66.7%), 2 MARAC.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies.models import AgencyKind
from contacts.codes import Outcome
from domestic_abuse.deadlines import meeting_decision_due_at
from domestic_abuse.models import DaNotification, DashRisk, TriageMeeting
from mash.clocks import LONDON
from reporting.kpis import compute_kpis, suppressed
from reporting.kpis.da_notifications import k13_da_notifications
from reporting.kpis.serialise import from_json
from reporting.models import MonthlySnapshot
from reporting.periods import Period
from reporting.services_snapshots import snapshot_month
from tests.factories import AgencyFactory, PersonFactory, UserFactory
from tests.reporting.dashboard_data import read_dashboard, shown
from tests.reporting.factories import ContactFactory

pytestmark = pytest.mark.django_db

MAY = Period(date(2026, 5, 1), date(2026, 6, 1))
MAY_QUERY = {"from": "2026-05-01", "to": "2026-06-01"}
EMPTY = Period(date(2026, 2, 1), date(2026, 3, 1))


def local(*args: int) -> datetime:
    """An aware instant at a Europe/London wall-clock time."""
    return datetime(*args, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def after_the_periods(time_machine):
    time_machine.move_to(local(2026, 7, 1, 12), tick=False)


@pytest.fixture
def fresh_closures():
    """The process's closure days read again from the database, before and after."""
    from deadlines.timescales import clear_cache

    clear_cache()
    yield
    clear_cache()


@pytest.fixture
def police(db):
    return AgencyFactory(name="County Police", code="police", kind=AgencyKind.POLICE)


def meeting(day: date, confirmed_at: datetime | None) -> TriageMeeting:
    """The meeting of ``day`` (one a day), confirmed at ``confirmed_at`` or not yet."""
    found, _ = TriageMeeting.objects.get_or_create(
        date=day, defaults={"chair": UserFactory(), "confirmed_at": confirmed_at}
    )
    return found


def notification(
    police,
    received_at: datetime,
    risk: str,
    *,
    confirmed_at: datetime | None = None,
    in_meeting: bool = False,
    marac: bool = False,
    outcome: str = Outcome.MASH_ENQUIRY,
) -> DaNotification:
    """A DA notification received at ``received_at``; with ``confirmed_at`` (or ``in_meeting``,
    unconfirmed) its outcome agreed by a meeting."""
    contact = ContactFactory(received_at=received_at)
    triaged = confirmed_at is not None or in_meeting
    day = confirmed_at.date() if confirmed_at else received_at.date() + timedelta(days=1)
    return DaNotification.objects.create(
        contact=contact,
        police_agency=police,
        occurrence_reference=f"OCC-{DaNotification.objects.count() + 1}",
        incident_at=received_at - timedelta(hours=1),
        dash_risk=risk,
        victim=PersonFactory(),
        meeting=meeting(day, confirmed_at) if triaged else None,
        agreed_outcome=outcome if triaged else "",
        marac_referral=marac,
    )


def may(police) -> list[DaNotification]:
    """The data set of the module docstring."""
    made = [
        notification(
            police,
            local(2026, 5, 15, 10),
            DashRisk.HIGH,
            confirmed_at=local(2026, 5, 18, 17),
            marac=True,
        ),
        notification(
            police, local(2026, 5, 15, 11), DashRisk.MEDIUM, confirmed_at=local(2026, 5, 19, 9, 30)
        ),
        notification(
            police,
            local(2026, 5, 22, 14),
            DashRisk.HIGH,
            confirmed_at=local(2026, 5, 26, 16),
            marac=True,
        ),
        notification(
            police, local(2026, 5, 28, 23, 30), DashRisk.MEDIUM, confirmed_at=local(2026, 5, 29, 17)
        ),
        notification(police, local(2026, 5, 31, 23, 59), DashRisk.MEDIUM),
        notification(police, local(2026, 5, 20, 9), DashRisk.HIGH, in_meeting=True, marac=True),
        notification(
            police, local(2026, 5, 1, 16), DashRisk.MEDIUM, confirmed_at=local(2026, 5, 5, 10)
        ),
        notification(police, local(2026, 5, 12, 10), DashRisk.STANDARD),
        notification(police, local(2026, 5, 4, 10), DashRisk.STANDARD),
    ]
    # Outside May by a minute either way
    notification(
        police, local(2026, 6, 1, 0, 0), DashRisk.MEDIUM, confirmed_at=local(2026, 6, 1, 9)
    )
    notification(police, local(2026, 4, 30, 23, 59), DashRisk.HIGH)
    return made


def values(figures: dict) -> dict:
    return {key: figure.value for key, figure in figures.items()}


def rows(result) -> list[tuple]:
    return [
        (
            row["risk"],
            row["count"].value,
            row["meeting_risk"].value,
            row["triaged_on_time_percent"].value,
            row["marac_referrals"].value,
        )
        for row in result.table("risk").rows
    ]


class TestHandCounted:
    def test_headline(self, police):
        may(police)

        result = k13_da_notifications(MAY)

        assert result.id == "K13"
        assert result.name == "Domestic abuse notifications"
        assert values(result.headline) == {
            "count": 9,
            "meeting_risk": 7,
            "triaged_on_time_percent": pytest.approx(400 / 7),
            "marac_referrals": 2,
        }
        assert result.headline["triaged_on_time_percent"].part == 4
        assert result.headline["triaged_on_time_percent"].n == 7

    def test_breakdown_by_risk_level_lowest_first(self, police):
        may(police)

        result = k13_da_notifications(MAY)

        assert rows(result) == [
            ("standard", 2, 0, None, 0),
            ("medium", 4, 4, 50.0, 0),
            ("high", 3, 3, pytest.approx(200 / 3), 2),
        ]
        table = result.table("risk")
        assert [table.label("risk", row["risk"]) for row in table.rows] == [
            "Standard",
            "Medium",
            "High",
        ]

    def test_the_same_end_of_next_working_day_as_the_da_core(self, police):
        """Counted in Python with the DA core's own function, notification by notification."""
        made = may(police)
        on_time = [
            n
            for n in made
            if n.dash_risk != DashRisk.STANDARD
            and n.meeting is not None
            and n.meeting.confirmed_at is not None
            and n.meeting.confirmed_at <= meeting_decision_due_at(n.contact.received_at)
        ]
        result = k13_da_notifications(MAY)
        assert result.headline["triaged_on_time_percent"].part == len(on_time) == 4


class TestBoundaries:
    def test_received_at_23_59_on_the_last_day_is_in_the_period(self, police):
        notification(police, local(2026, 5, 31, 23, 59), DashRisk.HIGH)
        notification(police, local(2026, 6, 1, 0, 0), DashRisk.HIGH)

        assert k13_da_notifications(MAY).headline["count"].value == 1
        june = Period(date(2026, 6, 1), date(2026, 7, 1))
        assert k13_da_notifications(june).headline["count"].value == 1

    def test_friday_receipt_is_on_time_until_monday_17_00(self, police):
        friday = local(2026, 5, 15, 10)
        notification(police, friday, DashRisk.HIGH, confirmed_at=local(2026, 5, 18, 17, 0))
        result = k13_da_notifications(MAY)
        assert result.headline["triaged_on_time_percent"].value == 100.0

    def test_friday_receipt_triaged_on_tuesday_is_late(self, police):
        friday = local(2026, 5, 15, 10)
        notification(police, friday, DashRisk.HIGH, confirmed_at=local(2026, 5, 19, 9, 0))
        result = k13_da_notifications(MAY)
        assert result.headline["triaged_on_time_percent"].value == 0.0

    def test_monday_17_00_and_one_second_is_late(self, police):
        friday = local(2026, 5, 15, 10)
        notification(police, friday, DashRisk.MEDIUM, confirmed_at=local(2026, 5, 18, 17, 0, 1))
        assert k13_da_notifications(MAY).headline["triaged_on_time_percent"].value == 0.0

    def test_a_bank_holiday_monday_moves_the_end_to_tuesday(self, police):
        # Friday 22 May; Monday 25 May 2026 is the spring bank holiday
        notification(
            police, local(2026, 5, 22, 14), DashRisk.HIGH, confirmed_at=local(2026, 5, 26, 17)
        )
        notification(
            police, local(2026, 5, 22, 15), DashRisk.HIGH, confirmed_at=local(2026, 5, 27, 9)
        )
        result = k13_da_notifications(MAY)
        assert result.headline["triaged_on_time_percent"].part == 1
        assert result.headline["triaged_on_time_percent"].value == 50.0

    def test_received_late_at_night_is_due_at_the_end_of_the_next_day_not_24_hours_on(self, police):
        # Thursday 23:30: due Friday 17:00, under 24 hours later; confirmed Friday 18:00 is late
        notification(
            police, local(2026, 5, 28, 23, 30), DashRisk.MEDIUM, confirmed_at=local(2026, 5, 29, 18)
        )
        assert k13_da_notifications(MAY).headline["triaged_on_time_percent"].value == 0.0

    def test_a_hub_closure_day_is_not_a_working_day(self, police, fresh_closures):
        from deadlines.models import ClosureDay

        ClosureDay.objects.create(
            date=date(2026, 5, 18), reason="Office move", created_at=local(2026, 5, 1, 9)
        )
        # Friday 15 May; Monday 18 May closed: due Tuesday 19 May 17:00
        notification(
            police, local(2026, 5, 15, 10), DashRisk.HIGH, confirmed_at=local(2026, 5, 19, 9, 30)
        )
        assert k13_da_notifications(MAY).headline["triaged_on_time_percent"].value == 100.0

    def test_a_meeting_not_yet_confirmed_has_triaged_nothing(self, police):
        notification(police, local(2026, 5, 20, 9), DashRisk.HIGH, in_meeting=True, marac=True)
        result = k13_da_notifications(MAY)
        assert values(result.headline) == {
            "count": 1,
            "meeting_risk": 1,
            "triaged_on_time_percent": 0.0,
            "marac_referrals": 0,
        }


class TestZeroDenominators:
    def test_an_empty_period(self, police):
        result = k13_da_notifications(EMPTY)
        assert values(result.headline) == {
            "count": 0,
            "meeting_risk": 0,
            "triaged_on_time_percent": None,
            "marac_referrals": 0,
        }
        assert result.table("risk").rows == ()
        assert result.headline["triaged_on_time_percent"].shown() == "-"

    def test_only_standard_risk_gives_no_percentage(self, police):
        notification(police, local(2026, 5, 12, 10), DashRisk.STANDARD)
        result = k13_da_notifications(MAY)
        assert result.headline["triaged_on_time_percent"].value is None
        assert rows(result) == [("standard", 1, 0, None, 0)]


class TestBoardMember:
    def test_small_cells_are_suppressed_and_the_headline_stays(self, police):
        may(police)
        for hour in range(8, 13):  # 5 more standard ones: 7 standard, shown
            notification(police, local(2026, 5, 13, hour), DashRisk.STANDARD)

        result = suppressed(k13_da_notifications(MAY))

        shown_rows = [
            [row[column.key].shown() for column in result.table("risk").figures]
            for row in result.table("risk").rows
        ]
        assert shown_rows == [
            ["7", "<5", "<5", "<5"],  # standard: the 0s are under 5 too
            ["<5", "<5", "<5", "<5"],  # medium: 4
            ["<5", "<5", "<5", "<5"],  # high: 3
        ]
        assert {key: figure.shown() for key, figure in result.headline.items()} == {
            "count": "14",
            "meeting_risk": "7",
            "triaged_on_time_percent": "57.1%",
            "marac_referrals": "2",
        }

    def test_board_member_on_the_dashboard(self, police, client_for, board_member):
        may(police)
        page = client_for(board_member).get(reverse("reporting:dashboard"), MAY_QUERY)
        assert page.status_code == 200
        tables, headlines = read_dashboard(page.content.decode())
        assert tables["K13.risk"] == [
            ["Standard", "<5", "<5", "<5", "<5"],
            ["Medium", "<5", "<5", "<5", "<5"],
            ["High", "<5", "<5", "<5", "<5"],
        ]
        assert headlines["K13"]["count"] == "9"

    def test_board_member_csv_is_suppressed(self, police, client_for, board_member):
        may(police)
        response = client_for(board_member).get(table_url(), MAY_QUERY)
        assert response.status_code == 200
        assert read_csv(response)[1:] == [
            ["standard - Standard", "<5", "<5", "<5", "<5"],
            ["medium - Medium", "<5", "<5", "<5", "<5"],
            ["high - High", "<5", "<5", "<5", "<5"],
        ]


def table_url(fmt: str = "csv") -> str:
    return reverse(
        "reporting:kpi_table_download", kwargs={"kpi_id": "K13", "breakdown": "risk", "fmt": fmt}
    )


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8"))))


class TestEverywhereTheSame:
    @pytest.mark.parametrize("persona", ["manager", "board_member"])
    def test_dashboard_api_and_csv_agree(self, request, police, client_for, api_for, persona):
        may(police)
        user = request.getfixturevalue(persona)

        page = client_for(user).get(reverse("reporting:dashboard"), MAY_QUERY)
        api = api_for(user).get("/api/v1/reporting/kpis/", {**MAY_QUERY, "kpis": "K13"})
        download = client_for(user).get(table_url(), MAY_QUERY)

        assert page.status_code == api.status_code == download.status_code == 200
        tables, headlines = read_dashboard(page.content.decode())
        (k13,) = api.json()["kpis"]
        result = compute_kpis(MAY, ids=["K13"])[0]
        units = {column.key: column.unit for column in result.table("risk").figures}
        assert {
            key: shown(value, result.headline[key].unit) for key, value in k13["headline"].items()
        } == headlines["K13"]
        api_rows = [
            [shown(row[key], unit) for key, unit in units.items()]
            for row in k13["breakdowns"]["risk"]
        ]
        assert [row[1:] for row in tables["K13.risk"]] == api_rows
        csv_rows = read_csv(download)
        assert csv_rows[0] == [
            "DASH risk level",
            "DA notifications",
            "Medium and high risk",
            "% of medium and high risk triaged by the end of the next working day",
            "MARAC referrals",
        ]
        # CSV: the same cells, percentages to one place without "%", a null left empty
        as_csv = [[cell.removesuffix("%").replace("-", "") for cell in row] for row in api_rows]
        assert [row[1:] for row in csv_rows[1:]] == as_csv
        assert [row[0] for row in csv_rows[1:]] == [
            "standard - Standard",
            "medium - Medium",
            "high - High",
        ]
        if persona == "manager":
            assert api_rows[1] == ["4", "4", "50.0%", "0"]

    def test_definition_beside_the_figures(self, police, client_for, manager):
        page = client_for(manager).get(reverse("reporting:dashboard"), MAY_QUERY)
        html = page.content.decode()
        assert 'data-testid="definition-K13"' in html
        assert (
            "Over DA notifications in the period: count by DASH risk level; % of medium and high "
            "risk ones triaged by the daily meeting by the end of the next working day after "
            "receipt; count of MARAC referrals."
        ) in html
        assert 'data-testid="note-K13"' in html
        assert "the daily meeting that agreed its outcome was confirmed by 17:00" in html


class TestSnapshots:
    def test_a_closed_month_stores_k13(self, police):
        may(police)
        snapshot = snapshot_month(MAY)
        stored = {data["id"]: from_json(data) for data in snapshot.figures["results"]}
        assert stored["K13"] == k13_da_notifications(MAY)

    def test_confirming_a_meeting_late_marks_the_month_stale(
        self, police, django_capture_on_commit_callbacks
    ):
        made = notification(police, local(2026, 5, 20, 9), DashRisk.HIGH, in_meeting=True)
        snapshot_month(MAY)
        with django_capture_on_commit_callbacks(execute=True):
            made.meeting.confirmed_at = local(2026, 5, 21, 10)
            made.meeting.save()
        assert MonthlySnapshot.objects.get(month=MAY.start).stale_since is not None


def test_constant_queries_for_5_and_50_notifications(police):
    def queries(n: int) -> int:
        DaNotification.objects.all().delete()
        for index in range(n):
            notification(
                police,
                local(2026, 5, 1 + index % 28, 10),
                [DashRisk.STANDARD, DashRisk.MEDIUM, DashRisk.HIGH][index % 3],
                confirmed_at=local(2026, 5, 2 + index % 28, 10) if index % 2 else None,
            )
        with CaptureQueriesContext(connection) as captured:
            compute_kpis(MAY, ids=["K13"])
        return len(captured)

    assert queries(5) == queries(50) <= 3
