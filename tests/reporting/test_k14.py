"""K14, Operation Encompass (KPIS.md), on a data set counted by hand.

May 2026 in Europe/London is British Summer Time; Monday 25 May is a bank holiday; no school
holidays are stored, so school days are the weekdays less bank holidays. It is 1 July 2026 unless
a test says otherwise. Each notice's clock (due_by, acknowledge_by) is the encompass app's own
``notice_clock``, as the notices are made. Times are local.

The May data set (``may()``), incident / available / acknowledged:

==  ===========  ====================  ======================  ======================  =======
 #  phase        incident              available (due)         acknowledged (by)       hours
==  ===========  ====================  ======================  ======================  =======
 a  primary      Fri 15 May 22:00      Fri 22:05 (Mon 09:00)   Mon 18 10:00 (10:00)    5/60
 b  primary      (the same incident)   Fri 22:05 (Mon 09:00)   Mon 18 10:01: late      5/60
 c  secondary    Fri 22 May 18:00      Tue 26 09:00 (Tue 09:00, bank holiday Monday)    87
                                        not acknowledged: late
 d  early years  Sun 31 May 23:59      Mon 1 June 00:30        Mon 1 June 09:15        31/60
 e  special      Wed 20 May 08:00      Wed 09:30: late (09:00) Thu 21 09:50 (Thu 10:00) 1.5
 -  primary      Mon 1 June 00:00      outside the period
 -  primary      Thu 30 April 23:59    outside the period
==  ===========  ====================  ======================  ======================  =======

Headline: 5 notices; 4 available in time (80%); 5 due for acknowledgement, 3 acknowledged in
time (60%); median hours from incident to notice 31/60 (of 5/60, 5/60, 31/60, 1.5, 87).
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
from domestic_abuse.models import DashRisk
from encompass.models import EncompassNotice
from encompass.services import notice_clock
from reporting.kpis import compute_kpis, suppressed
from reporting.kpis.encompass_notices import k14_encompass
from reporting.kpis.serialise import from_json
from reporting.models import MonthlySnapshot
from reporting.periods import Period
from reporting.services_snapshots import snapshot_month
from schools.models import Phase, School
from tests.factories import AgencyFactory, PersonFactory, UserFactory
from tests.reporting.dashboard_data import read_dashboard, shown
from tests.reporting.test_k13 import local, notification

pytestmark = pytest.mark.django_db

MAY = Period(date(2026, 5, 1), date(2026, 6, 1))
MAY_QUERY = {"from": "2026-05-01", "to": "2026-06-01"}
EMPTY = Period(date(2026, 2, 1), date(2026, 3, 1))


@pytest.fixture(autouse=True)
def after_the_periods(time_machine):
    time_machine.move_to(local(2026, 7, 1, 12), tick=False)


@pytest.fixture
def police(db):
    return AgencyFactory(name="County Police", code="police", kind=AgencyKind.POLICE)


_urns = iter(range(100001, 999999))


def school(phase: str) -> School:
    return School.objects.create(urn=str(next(_urns)), name=f"A {phase} school", phase=phase)


def incident(police, at: datetime):
    """A DA notification about an incident at ``at``, received ten minutes later."""
    made = notification(police, at + timedelta(minutes=10), DashRisk.MEDIUM)
    made.incident_at = at
    made.save(update_fields=["incident_at"])
    return made


def notice(
    da, to: School, available_at: datetime, acknowledged_at: datetime | None = None
) -> EncompassNotice:
    """One child's notice, made at ``available_at`` with the encompass app's own clock."""
    due_by, acknowledge_by = notice_clock(incident_at=da.incident_at, available_at=available_at)
    return EncompassNotice.objects.create(
        notification=da,
        child=PersonFactory(),
        school=to,
        present=True,
        available_at=available_at,
        due_by=due_by,
        acknowledge_by=acknowledge_by,
        acknowledged_at=acknowledged_at,
        acknowledged_by=UserFactory() if acknowledged_at else None,
    )


def may(police) -> dict[str, EncompassNotice]:
    """The data set of the module docstring."""
    primary, secondary = school(Phase.PRIMARY), school(Phase.SECONDARY)
    early_years, special = school(Phase.EARLY_YEARS), school(Phase.SPECIAL)
    friday = incident(police, local(2026, 5, 15, 22))
    made = {
        "a": notice(friday, primary, local(2026, 5, 15, 22, 5), local(2026, 5, 18, 10, 0)),
        "b": notice(friday, primary, local(2026, 5, 15, 22, 5), local(2026, 5, 18, 10, 1)),
        "c": notice(incident(police, local(2026, 5, 22, 18)), secondary, local(2026, 5, 26, 9)),
        "d": notice(
            incident(police, local(2026, 5, 31, 23, 59)),
            early_years,
            local(2026, 6, 1, 0, 30),
            local(2026, 6, 1, 9, 15),
        ),
        "e": notice(
            incident(police, local(2026, 5, 20, 8)),
            special,
            local(2026, 5, 20, 9, 30),
            local(2026, 5, 21, 9, 50),
        ),
    }
    notice(incident(police, local(2026, 6, 1, 0, 0)), primary, local(2026, 6, 1, 0, 5))
    notice(incident(police, local(2026, 4, 30, 23, 59)), primary, local(2026, 5, 1, 0, 5))
    return made


def values(figures: dict) -> dict:
    return {key: figure.value for key, figure in figures.items()}


def rows(result) -> list[tuple]:
    keys = (
        "count",
        "available_in_time_percent",
        "acknowledgement_due",
        "acknowledged_in_time_percent",
        "median_hours",
    )
    return [(row["phase"], *(row[key].value for key in keys)) for row in result.table("phase").rows]


class TestHandCounted:
    def test_the_clocks_are_as_counted(self, police):
        made = may(police)
        assert made["a"].due_by == local(2026, 5, 18, 9)
        assert made["a"].acknowledge_by == local(2026, 5, 18, 10)
        assert made["c"].due_by == local(2026, 5, 26, 9)  # Monday 25 May: bank holiday
        assert made["d"].due_by == local(2026, 6, 1, 9)
        assert made["e"].due_by == local(2026, 5, 20, 9)
        assert made["e"].acknowledge_by == local(2026, 5, 21, 10)  # made late: the next day

    def test_headline(self, police):
        may(police)

        result = k14_encompass(MAY)

        assert result.id == "K14"
        assert result.name == "Operation Encompass"
        assert values(result.headline) == {
            "count": 5,
            "available_in_time_percent": 80.0,
            "acknowledgement_due": 5,
            "acknowledged_in_time_percent": 60.0,
            "median_hours": pytest.approx(31 / 60),
        }

    def test_breakdown_by_school_phase(self, police):
        may(police)

        result = k14_encompass(MAY)

        assert rows(result) == [
            ("early_years", 1, 100.0, 1, 100.0, pytest.approx(31 / 60)),
            ("primary", 2, 100.0, 2, 50.0, pytest.approx(5 / 60)),
            ("secondary", 1, 100.0, 1, 0.0, pytest.approx(87.0)),
            ("special", 1, 0.0, 1, 100.0, pytest.approx(1.5)),
        ]
        table = result.table("phase")
        assert [table.label("phase", row["phase"]) for row in table.rows] == [
            "Early years",
            "Primary",
            "Secondary",
            "Special",
        ]
        # The phases add up to the headline
        assert sum(row["count"].value for row in table.rows) == result.headline["count"].value

    def test_agrees_with_each_notices_own_in_time_properties(self, police):
        made = list(may(police).values())
        result = k14_encompass(MAY)
        assert result.headline["available_in_time_percent"].part == sum(
            n.was_available_in_time for n in made
        )
        assert result.headline["acknowledged_in_time_percent"].part == sum(
            n.was_acknowledged_in_time for n in made
        )


class TestBoundaries:
    def test_incident_at_23_59_on_the_last_day_is_in_the_period(self, police):
        primary = school(Phase.PRIMARY)
        notice(incident(police, local(2026, 5, 31, 23, 59)), primary, local(2026, 6, 1, 0, 30))
        notice(incident(police, local(2026, 6, 1, 0, 0)), primary, local(2026, 6, 1, 0, 30))
        assert k14_encompass(MAY).headline["count"].value == 1

    def test_available_at_09_00_is_in_time_and_09_01_is_not(self, police):
        primary = school(Phase.PRIMARY)
        friday = incident(police, local(2026, 5, 15, 22))
        notice(friday, primary, local(2026, 5, 18, 9, 0))
        notice(friday, primary, local(2026, 5, 18, 9, 1))
        figure = k14_encompass(MAY).headline["available_in_time_percent"]
        assert (figure.part, figure.n, figure.value) == (1, 2, 50.0)

    def test_not_yet_due_for_acknowledgement_is_not_late(self, police, time_machine):
        primary = school(Phase.PRIMARY)
        friday = incident(police, local(2026, 5, 15, 22))
        notice(friday, primary, local(2026, 5, 15, 22, 5), local(2026, 5, 18, 9, 20))
        notice(friday, primary, local(2026, 5, 15, 22, 5))
        this_month = Period(date(2026, 5, 1), date(2026, 5, 19))

        time_machine.move_to(local(2026, 5, 18, 9, 30), tick=False)
        before = k14_encompass(this_month).headline
        assert (
            before["acknowledgement_due"].value,
            before["acknowledged_in_time_percent"].value,
        ) == (
            1,
            100.0,
        )
        time_machine.move_to(local(2026, 5, 18, 10, 0, 1), tick=False)
        after = k14_encompass(this_month).headline
        assert (
            after["acknowledgement_due"].value,
            after["acknowledged_in_time_percent"].value,
        ) == (
            2,
            50.0,
        )


class TestZeroDenominators:
    def test_an_empty_period(self, police):
        result = k14_encompass(EMPTY)
        assert values(result.headline) == {
            "count": 0,
            "available_in_time_percent": None,
            "acknowledgement_due": 0,
            "acknowledged_in_time_percent": None,
            "median_hours": None,
        }
        assert result.table("phase").rows == ()
        assert [figure.shown() for figure in result.headline.values()] == ["0", "-", "0", "-", "-"]


class TestBoardMember:
    def test_small_cells_are_suppressed_and_the_headline_stays(self, police):
        may(police)
        primary = school(Phase.PRIMARY)
        for hour in range(9, 14):  # 5 more primary notices, all in time
            at = local(2026, 5, 12, hour)
            notice(
                incident(police, at), primary, at + timedelta(hours=1), local(2026, 5, 13, 9, 30)
            )

        result = suppressed(k14_encompass(MAY))

        shown_rows = [
            [row[column.key].shown() for column in result.table("phase").figures]
            for row in result.table("phase").rows
        ]
        assert shown_rows == [
            ["<5", "<5", "<5", "<5", "<5"],  # early years: 1
            ["7", "100.0%", "7", "85.7%", "1.0 h"],  # primary: 7, 6 acknowledged in time
            ["<5", "<5", "<5", "<5", "<5"],  # secondary: 1
            ["<5", "<5", "<5", "<5", "<5"],  # special: 1
        ]
        assert result.headline["count"].shown() == "10"

    def test_board_member_on_the_dashboard_and_in_the_csv(self, police, client_for, board_member):
        may(police)
        page = client_for(board_member).get(reverse("reporting:dashboard"), MAY_QUERY)
        tables, headlines = read_dashboard(page.content.decode())
        assert tables["K14.phase"] == [
            ["Early years", "<5", "<5", "<5", "<5", "<5"],
            ["Primary", "<5", "<5", "<5", "<5", "<5"],
            ["Secondary", "<5", "<5", "<5", "<5", "<5"],
            ["Special", "<5", "<5", "<5", "<5", "<5"],
        ]
        assert headlines["K14"] == {
            "count": "5",
            "available_in_time_percent": "80.0%",
            "acknowledgement_due": "5",
            "acknowledged_in_time_percent": "60.0%",
            "median_hours": "0.5 h",
        }
        download = client_for(board_member).get(table_url(), MAY_QUERY)
        assert [row[1:] for row in read_csv(download)[1:]] == [["<5"] * 5] * 4


def table_url(fmt: str = "csv") -> str:
    return reverse(
        "reporting:kpi_table_download", kwargs={"kpi_id": "K14", "breakdown": "phase", "fmt": fmt}
    )


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8"))))


class TestEverywhereTheSame:
    @pytest.mark.parametrize("persona", ["manager", "board_member"])
    def test_dashboard_api_and_csv_agree(self, request, police, client_for, api_for, persona):
        may(police)
        user = request.getfixturevalue(persona)

        page = client_for(user).get(reverse("reporting:dashboard"), MAY_QUERY)
        api = api_for(user).get("/api/v1/reporting/kpis/", {**MAY_QUERY, "kpis": "K14"})
        download = client_for(user).get(table_url(), MAY_QUERY)

        assert page.status_code == api.status_code == download.status_code == 200
        tables, headlines = read_dashboard(page.content.decode())
        (k14,) = api.json()["kpis"]
        result = compute_kpis(MAY, ids=["K14"])[0]
        units = {column.key: column.unit for column in result.table("phase").figures}
        assert {
            key: shown(value, result.headline[key].unit) for key, value in k14["headline"].items()
        } == headlines["K14"]
        api_rows = [
            [shown(row[key], unit) for key, unit in units.items()]
            for row in k14["breakdowns"]["phase"]
        ]
        assert [row[1:] for row in tables["K14.phase"]] == api_rows
        csv_rows = read_csv(download)
        assert csv_rows[0] == [
            "School phase",
            "Notices",
            "% with the school before the start of the next school day",
            "Acknowledged or past 10:00",
            "% acknowledged by 10:00 that day",
            "Median hours from incident to notice",
        ]
        as_csv = [[cell.removesuffix("%").removesuffix(" h") for cell in row] for row in api_rows]
        assert [row[1:] for row in csv_rows[1:]] == as_csv
        assert [row[0] for row in csv_rows[1:]] == [
            "early_years - Early years",
            "primary - Primary",
            "secondary - Secondary",
            "special - Special",
        ]
        if persona == "manager":
            assert api_rows[1] == ["2", "100.0%", "2", "50.0%", "0.1 h"]

    def test_definition_beside_the_figures(self, client_for, manager):
        page = client_for(manager).get(reverse("reporting:dashboard"), MAY_QUERY)
        html = page.content.decode()
        assert 'data-testid="definition-K14"' in html
        assert (
            "Over Encompass notices for incidents in the period: count; % available to the school "
            "before the start of the next school day; % acknowledged by 10:00 that day; median "
            "hours from incident to notice."
        ) in html
        assert 'data-testid="note-K14"' in html
        assert "Special schools and alternative provision get notices too" in html


class TestSnapshots:
    def test_a_closed_month_stores_k14(self, police):
        may(police)
        snapshot = snapshot_month(MAY)
        stored = {data["id"]: from_json(data) for data in snapshot.figures["results"]}
        assert stored["K14"] == k14_encompass(MAY)

    def test_a_late_acknowledgement_marks_the_incidents_month_stale(
        self, police, django_capture_on_commit_callbacks
    ):
        late = notice(
            incident(police, local(2026, 5, 29, 22)), school(Phase.PRIMARY), local(2026, 5, 29, 23)
        )
        snapshot_month(MAY)
        with django_capture_on_commit_callbacks(execute=True):
            late.acknowledged_at = local(2026, 6, 2, 9)
            late.acknowledged_by = UserFactory()
            late.save()
        assert MonthlySnapshot.objects.get(month=MAY.start).stale_since is not None


def test_constant_queries_for_5_and_50_notices(police):
    phases = list(Phase.values)

    def queries(n: int) -> int:
        EncompassNotice.objects.all().delete()
        schools = [school(phase) for phase in phases]
        for index in range(n):
            at = local(2026, 5, 1 + index % 28, 20)
            notice(
                incident(police, at),
                schools[index % len(schools)],
                at + timedelta(minutes=5 + index),
                at + timedelta(hours=13) if index % 2 else None,
            )
        with CaptureQueriesContext(connection) as captured:
            compute_kpis(MAY, ids=["K14"])
        return len(captured)

    assert queries(5) == queries(50) <= 3
