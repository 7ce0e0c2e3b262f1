"""An agency supervisor's timeliness by period and by researcher, with the same figures as CSV
(issue 12, item 5). The figures follow KPI K10 (KPIS.md): requests in enquiries opened in the
period; on time is the first return at or before the due time; the median is of the elapsed
hours from request to return. Outstanding and overdue are as things stand now.

The period is March 2026 (GMT throughout: the clocks change on 29 March, after every time used).
"""

import csv
import io
import re
from datetime import datetime
from html import unescape
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.roles import Role
from enquiries.models import Enquiry, InformationRequest, RequestState
from mash.audit.models import AuditEvent
from reporting.kpis.enquiries import k10_information_returns
from reporting.periods import Period
from tests.factories import UserFactory, person_input
from tests.test_agency_pages import ask, open_enquiry

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
PAGE = "/requests/timeliness/"
MARCH = "?period=custom&from=2026-03-01&to=2026-04-01"
NOW = datetime(2026, 4, 10, 12, tzinfo=LONDON)


def at(*args) -> datetime:
    return datetime(*args, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def priya(agency_a):
    return UserFactory(
        username="priya",
        first_name="Priya",
        last_name="Okafor",
        agency=agency_a,
        role=Role.AGENCY_RESEARCHER,
    )


@pytest.fixture
def tom(agency_a):
    return UserFactory(
        username="tom",
        first_name="Tom",
        last_name="Ashdown",
        agency=agency_a,
        role=Role.AGENCY_RESEARCHER,
    )


@pytest.fixture
def supervisor_b(agency_b):
    return UserFactory(username="health.supervisor", agency=agency_b, role=Role.AGENCY_SUPERVISOR)


def request_at(
    hub_worker, manager, agency, *, opened, requested, due, returned=None, assignee=None
) -> InformationRequest:
    """A request (through the services), then its times set exactly for hand-computed figures."""
    enquiry = open_enquiry(hub_worker, manager, subjects=[person_input(nhs_number="")])
    Enquiry.objects.filter(pk=enquiry.pk).update(opened_at=opened)
    made = ask(enquiry, agency, hub_worker)
    InformationRequest.objects.filter(pk=made.pk).update(
        requested_at=requested,
        due_at=due,
        returned_at=returned,
        state=RequestState.RETURNED if returned else RequestState.OPEN,
        assignee=assignee,
    )
    made.refresh_from_db()
    return made


@pytest.fixture
def march(hub_worker, manager, agency_a, agency_b, priya, tom):
    """Police requests of March: Priya one on time (2 h) and one late (10 h); Tom one on time
    (1 h) and one open, not yet due; one unassigned, open and overdue. Not counted: a police
    request of an enquiry opened in February, and a health request of March."""
    made = {
        "priya_on_time": dict(
            opened=at(2026, 3, 2, 9),
            requested=at(2026, 3, 2, 10),
            due=at(2026, 3, 2, 16),
            returned=at(2026, 3, 2, 12),
            assignee=priya,
        ),
        "priya_late": dict(
            opened=at(2026, 3, 3, 9),
            requested=at(2026, 3, 3, 10),
            due=at(2026, 3, 3, 16),
            returned=at(2026, 3, 3, 20),
            assignee=priya,
        ),
        "tom_on_time": dict(
            opened=at(2026, 3, 4, 9),
            requested=at(2026, 3, 4, 10),
            due=at(2026, 3, 4, 12),
            returned=at(2026, 3, 4, 11),
            assignee=tom,
        ),
        "tom_open": dict(
            opened=at(2026, 3, 6, 9),
            requested=at(2026, 3, 6, 10),
            due=at(2026, 5, 1, 10),
            assignee=tom,
        ),
        "unassigned_overdue": dict(
            opened=at(2026, 3, 5, 9),
            requested=at(2026, 3, 5, 10),
            due=at(2026, 3, 5, 16),
        ),
        "february": dict(
            opened=at(2026, 2, 27, 9),
            requested=at(2026, 3, 2, 10),
            due=at(2026, 3, 2, 12),
            returned=at(2026, 3, 9, 10),
            assignee=priya,
        ),
    }
    requests = {
        name: request_at(hub_worker, manager, agency_a, **times) for name, times in made.items()
    }
    requests["health"] = request_at(
        hub_worker,
        manager,
        agency_b,
        opened=at(2026, 3, 2, 9),
        requested=at(2026, 3, 2, 10),
        due=at(2026, 3, 2, 11),
        returned=at(2026, 3, 2, 15),
    )
    return requests


def page_rows(content: str) -> dict[str, list[str]]:
    """The timeliness table as a person reads it: {row heading: [cell texts]}."""
    table = content.split('data-testid="timeliness-table"', 1)[1].split("</table>", 1)[0]
    rows = {}
    for row in re.findall(r"<tr [^>]*data-testid=\"[a-z-]+row\"[^>]*>(.*?)</tr>", table, re.S):
        heading = re.search(r"<th [^>]*>(.*?)</th>", row, re.S).group(1)
        cells = re.findall(r"<td [^>]*>(.*?)</td>", row, re.S)
        rows[unescape(heading).strip()] = [
            unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in cells
        ]
    return rows


# Hand-computed: Priya 2 returns (2 h on time, 10 h late): 1 of 2, median 6 h. Tom 1 return
# (1 h, on time) and 1 open not due. Unassigned: 1 open, overdue. Total: 5 requests, 3 returned,
# 2 on time (66.7%), median of 1, 2, 10 = 2 h, 2 outstanding, 1 overdue.
EXPECTED_PAGE = {
    "Priya Okafor": ["2", "2", "1 of 2, 50.0%", "6.0 h", "0", "0"],
    "Tom Ashdown": ["2", "1", "1 of 1, 100.0%", "1.0 h", "1", "0"],
    "Unassigned": ["1", "0", "No returns", "No returns", "1", "1"],
    "Total": ["5", "3", "2 of 3, 66.7%", "2.0 h", "2", "1"],
}
EXPECTED_CSV = {
    "Priya Okafor": ["2", "2", "1", "50.0", "6.0", "0", "0"],
    "Tom Ashdown": ["2", "1", "1", "100.0", "1.0", "1", "0"],
    "Unassigned": ["1", "0", "0", "", "", "1", "1"],
    "Total": ["5", "3", "2", "66.7", "2.0", "2", "1"],
}


class TestFigures:
    def test_the_figures_for_march_per_researcher_and_in_total(
        self, client_for, supervisor_a, march
    ):
        response = client_for(supervisor_a).get(PAGE + MARCH)
        assert response.status_code == 200
        content = response.content.decode()
        assert "Figures for custom dates: <strong>March 2026</strong>" in content
        rows = page_rows(content)
        for name, cells in EXPECTED_PAGE.items():
            assert rows[name] == cells, name
        # The supervisor is on the agency's staff but holds nothing: a row of zeros.
        supervisor = rows[supervisor_a.display_name]
        assert supervisor == ["0", "0", "No returns", "No returns", "0", "0"]
        # Researchers by name, then Unassigned; the total at the foot.
        staff = sorted([supervisor_a.display_name, "Priya Okafor", "Tom Ashdown"], key=str.casefold)
        assert list(rows) == [*staff, "Unassigned", "Total"]

    def test_the_total_is_k10s_row_for_the_agency(self, supervisor_a, agency_a, march):
        from enquiries.selectors import agency_timeliness

        period = Period(datetime(2026, 3, 1).date(), datetime(2026, 4, 1).date())
        total = agency_timeliness(supervisor_a, period).total
        k10 = k10_information_returns(period).table("agency")
        police = next(row for row in k10.rows if row["agency"] == agency_a.code)
        assert total.requests == police["count"]
        assert total.on_time_percent == police["on_time_percent"]
        assert total.median_hours == police["median_hours"]

    def test_the_csv_holds_the_same_figures_as_the_page(self, client_for, supervisor_a, march):
        client = client_for(supervisor_a)
        page = page_rows(client.get(PAGE + MARCH).content.decode())
        response = client.get(PAGE + MARCH + "&format=csv")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        assert response["Content-Disposition"] == (
            'attachment; filename="timeliness-police-2026-03-01-to-2026-03-31.csv"'
        )
        lines = list(csv.reader(io.StringIO(response.content.decode())))
        assert lines[0] == [
            "Researcher",
            "Requests",
            "Returned",
            "Returned on time",
            "Returned on time (%)",
            "Median hours to return",
            "Outstanding now",
            "Overdue now",
        ]
        by_name = {line[0]: line[1:] for line in lines[1:]}
        assert list(by_name) == list(page)  # the same rows in the same order
        for name, cells in EXPECTED_CSV.items():
            assert by_name[name] == cells, name
        for name, cells in by_name.items():
            requests, returned, on_time, percent, median, outstanding, overdue = cells
            shown = page[name]
            assert [requests, returned, outstanding, overdue] == [
                shown[0],
                shown[1],
                shown[4],
                shown[5],
            ]
            if returned != "0":
                assert shown[2] == f"{on_time} of {returned}, {percent}%"
                assert shown[3] == f"{median} h"

    def test_a_period_with_nothing_in_it_divides_by_nothing(self, client_for, supervisor_a, march):
        response = client_for(supervisor_a).get(PAGE + "?from=2025-01-01&to=2025-02-01")
        assert response.status_code == 200
        rows = page_rows(response.content.decode())
        assert rows["Total"] == ["0", "0", "No returns", "No returns", "0", "0"]
        lines = list(
            csv.reader(
                io.StringIO(
                    client_for(supervisor_a)
                    .get(PAGE + "?from=2025-01-01&to=2025-02-01&format=csv")
                    .content.decode()
                )
            )
        )
        assert lines[-1] == ["Total", "0", "0", "0", "", "", "0", "0"]

    def test_the_named_periods_of_the_dashboard_picker_work_here(
        self, client_for, supervisor_a, march
    ):
        response = client_for(supervisor_a).get(PAGE + "?period=last_month")
        assert response.status_code == 200
        assert "Figures for last month: <strong>March 2026</strong>" in response.content.decode()
        assert page_rows(response.content.decode())["Total"] == EXPECTED_PAGE["Total"]
        # No period: this month (April, nothing opened yet).
        response = client_for(supervisor_a).get(PAGE)
        assert "April 2026" in response.content.decode()
        assert page_rows(response.content.decode())["Total"][0] == "0"

    def test_viewing_is_audited_with_the_period(self, client_for, supervisor_a, march):
        client_for(supervisor_a).get(PAGE + MARCH + "&format=csv")
        event = AuditEvent.objects.get(name="enquiries.agency_timeliness_viewed")
        assert event.data == {
            "via": "csv",
            "agency": "police",
            "from": "2026-03-01",
            "to": "2026-04-01",
        }


class TestBadPeriod:
    @pytest.mark.parametrize(
        ("query", "field", "message"),
        [
            ("?period=custom&from=2026-13-01&to=2026-04-01", "from", "'from' must be a real date"),
            ("?period=custom&from=2026-03-01", "to", "Enter the 'to' date as YYYY-MM-DD."),
            ("?from=2026-04-01&to=2026-03-01", "to", "The end of the period must be after"),
            ("?period=next_year", "period", "Unknown period"),
            ("?from=2026-03-01&to=2026-04-01x&format=csv", "to", "'to' must be a real date"),
        ],
    )
    def test_a_bad_period_is_refused_naming_the_field(
        self, client_for, supervisor_a, query, field, message
    ):
        response = client_for(supervisor_a).get(PAGE + query)
        assert response.status_code == 400
        assert response["Content-Type"].startswith("text/html")
        content = unescape(response.content.decode())
        assert "There is a problem" in content and message in content
        assert f'id="{field}-error"' in content
        assert 'data-testid="timeliness-table"' not in content


class TestWhoSees:
    @pytest.mark.parametrize(
        "persona",
        ["researcher_a", "hub_worker", "manager", "referrer", "board_member", "administrator"],
    )
    def test_everyone_but_a_supervisor_gets_404(self, request, client_for, persona):
        client = client_for(request.getfixturevalue(persona))
        assert client.get(PAGE).status_code == 404
        assert client.get(PAGE + MARCH + "&format=csv").status_code == 404

    def test_another_agencys_supervisor_sees_only_their_own_figures(
        self, client_for, supervisor_b, march
    ):
        response = client_for(supervisor_b).get(PAGE + MARCH)
        assert response.status_code == 200
        content = response.content.decode()
        rows = page_rows(content)
        assert "Priya Okafor" not in content and "Tom Ashdown" not in content
        assert rows["Total"] == ["1", "1", "0 of 1, 0.0%", "5.0 h", "0", "0"]
        assert rows["Unassigned"] == rows["Total"]

    def test_a_signed_out_visitor_is_sent_to_sign_in(self, client):
        response = client.get(PAGE)
        assert response.status_code == 302 and "sign-in" in response["Location"]

    def test_the_queue_links_supervisors_to_the_page_and_not_researchers(
        self, client_for, supervisor_a, researcher_a
    ):
        assert f'href="{PAGE}"' in client_for(supervisor_a).get("/requests/").content.decode()
        assert PAGE not in client_for(researcher_a).get("/requests/").content.decode()


def test_queries_do_not_grow_with_researchers_or_requests(
    client_for, hub_worker, manager, agency_a, supervisor_a
):
    enquiry = open_enquiry(hub_worker, manager, subjects=[person_input(nhs_number="")])
    Enquiry.objects.filter(pk=enquiry.pk).update(opened_at=at(2026, 3, 2, 9))
    client = client_for(supervisor_a)

    def researchers_with_a_request_each(count: int) -> None:
        for _ in range(count):
            researcher = UserFactory(agency=agency_a, role=Role.AGENCY_RESEARCHER)
            made = ask(enquiry, agency_a, hub_worker)
            # Returned, so that the enquiry can be asked again (one open request per agency).
            InformationRequest.objects.filter(pk=made.pk).update(
                state=RequestState.RETURNED,
                returned_at=at(2026, 3, 2, 12),
                assignee=researcher,
            )

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return len(context.captured_queries)

    researchers_with_a_request_each(5)
    five = queries(PAGE + MARCH), queries(PAGE + MARCH + "&format=csv")
    researchers_with_a_request_each(45)
    fifty = queries(PAGE + MARCH), queries(PAGE + MARCH + "&format=csv")
    assert fifty == five
    rows = page_rows(client.get(PAGE + MARCH).content.decode())
    assert len(rows) == 50 + 1 + 1 + 1  # researchers, the supervisor, Unassigned, Total
    assert rows["Total"][:2] == ["50", "50"]
