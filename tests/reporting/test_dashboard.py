"""The KPI dashboard (issue 6): the period picker, bad periods, the same figures as the API,
suppression for board members, no names, and who may see it at all."""

import json

import pytest
import time_machine
from django.urls import reverse

from mash.audit.models import AuditEvent
from reporting.kpis import KPI_IDS, compute_kpis
from reporting.periods import parse_period
from tests.reporting.dashboard_data import (
    CHILDREN,
    LAST_MONTH,
    POLICE_IN_MARCH,
    REFERRER,
    SCHOOLS_IN_MARCH,
    TODAY,
    build_march,
    open_enquiry_with_request,
    read_dashboard,
    shown,
)

DASHBOARD = reverse("reporting:dashboard")


@pytest.fixture
def today():
    with time_machine.travel(TODAY, tick=False):
        yield TODAY.date()


@pytest.fixture
def march(today, db):
    return build_march()


def source_rows(html: str) -> dict[str, list[str]]:
    """K1's by-source table as {source label: [count]}."""
    tables, _ = read_dashboard(html)
    return {row[0]: row[1:] for row in tables["K1.source"]}


class TestPeriodPicker:
    @pytest.mark.parametrize(
        ("name", "heading", "start", "end"),
        [
            ("this_month", "1 April 2026 to 15 April 2026", "2026-04-01", "2026-04-16"),
            ("last_month", "March 2026", "2026-03-01", "2026-04-01"),
            ("this_quarter", "1 April 2026 to 15 April 2026", "2026-04-01", "2026-04-16"),
            ("last_quarter", "1 January 2026 to 31 March 2026", "2026-01-01", "2026-04-01"),
            ("last_12_months", "1 May 2025 to 15 April 2026", "2025-05-01", "2026-04-16"),
        ],
    )
    def test_named_period_is_shown_and_fills_the_dates(
        self, client_for, manager, today, name, heading, start, end
    ):
        response = client_for(manager).get(DASHBOARD, {"period": name})
        assert response.status_code == 200
        html = response.content.decode()
        assert f"<strong>{heading}</strong>" in html
        assert f'name="from" value="{start}"' in html
        assert f'name="to" value="{end}"' in html
        assert f'value="{name}" class="govuk-radios__input" id="id_period_' in html
        assert "checked" in html.split(f'value="{name}"', 1)[1].split(">", 1)[0]

    def test_no_period_means_this_month(self, client_for, manager, today):
        html = client_for(manager).get(DASHBOARD).content.decode()
        assert "Figures for this month: <strong>1 April 2026 to 15 April 2026</strong>" in html

    def test_custom_dates_are_from_and_to_as_in_the_api(self, client_for, manager, march):
        response = client_for(manager).get(
            DASHBOARD, {"period": "custom", "from": "2026-03-10", "to": "2026-03-17"}
        )
        html = response.content.decode()
        assert "<strong>10 March 2026 to 16 March 2026</strong>" in html
        # Only the first police contact (16 March, 23:30) is before midnight starting the 17th.
        assert source_rows(html) == {"Police": ["1"]}

    def test_dates_without_a_period_name_are_custom(self, client_for, manager, march):
        html = (
            client_for(manager)
            .get(DASHBOARD, {"from": "2026-02-01", "to": "2026-03-01"})
            .content.decode()
        )
        assert "Figures for custom dates: <strong>February 2026</strong>" in html
        assert source_rows(html) == {"Schools": ["1"]}


class TestBadPeriods:
    @pytest.mark.parametrize(
        ("query", "field_id", "message"),
        [
            (
                {"period": "custom", "from": "2026-03-10", "to": "2026-03-01"},
                "id_to",
                "The end of the period must be after its start.",
            ),
            (
                {"period": "custom", "from": "2020-01-01", "to": "2025-01-02"},
                "id_to",
                "A period can be at most 5 years long.",
            ),
            (
                {"period": "custom", "from": "2026-02-30", "to": "2026-03-01"},
                "id_from",
                "&#x27;from&#x27; must be a real date written YYYY-MM-DD",
            ),
            (
                {"from": "2026-03-01", "to": "next tuesday"},
                "id_to",
                "&#x27;to&#x27; must be a real date written YYYY-MM-DD",
            ),
            (
                {"period": "custom", "from": "2026-03-01"},
                "id_to",
                "Enter the &#x27;to&#x27; date as YYYY-MM-DD.",
            ),
            ({"period": "fortnight"}, "id_period_0", "Unknown period &#x27;fortnight&#x27;"),
        ],
    )
    def test_bad_period_is_a_400_naming_the_field(
        self, client_for, manager, today, query, field_id, message
    ):
        response = client_for(manager).get(DASHBOARD, query)
        assert response.status_code == 400
        html = response.content.decode()
        assert "There is a problem" in html
        date_box = "" if field_id.startswith("id_period") else "_0"  # the date input's day box
        assert f'<a href="#{field_id}{date_box}">' in html
        assert message in html
        assert "data-kpi=" not in html  # no figures for a period that is not one
        assert "<title>Error: KPI dashboard" in html

    def test_nul_byte_is_a_400_not_a_500(self, client_for, manager, today):
        response = client_for(manager).get(
            DASHBOARD, {"from": "2026-03-01\x00", "to": "2026-04-01"}
        )
        assert response.status_code == 400


class TestFigures:
    def test_manager_sees_small_cells(self, client_for, manager, march):
        html = client_for(manager).get(DASHBOARD, {"period": "last_month"}).content.decode()
        assert source_rows(html) == {
            "Schools": [str(SCHOOLS_IN_MARCH)],
            "Police": [str(POLICE_IN_MARCH)],
        }
        _, headlines = read_dashboard(html)
        assert headlines["K1"]["count"] == "8"

    def test_board_member_sees_fewer_than_5_as_suppressed(self, client_for, board_member, march):
        html = client_for(board_member).get(DASHBOARD, {"period": "last_month"}).content.decode()
        assert source_rows(html) == {"Schools": ["6"], "Police": ["<5"]}
        _, headlines = read_dashboard(html)
        assert headlines["K1"]["count"] == "8"  # the whole period is not a breakdown cell
        assert "A breakdown cell built from fewer than 5 records is shown as &lt;5" in html

    def test_suppressed_cell_is_not_plotted(self, client_for, board_member, manager, march):
        def chart(user):
            response = client_for(user).get(DASHBOARD, {"period": "last_month"})
            html = response.content.decode()
            start = html.index('<script id="chart-K1-source" type="application/json">')
            body = html[start:].split(">", 1)[1].split("</script>", 1)[0]
            return json.loads(body)

        board = chart(board_member)
        assert board["labels"] == ["Schools", "Police"]
        assert board["datasets"][0]["data"] == [6, None]
        assert chart(manager)["datasets"][0]["data"] == [6, 2]

    def test_each_chart_plots_its_kpis_own_figure(self, client_for, manager, march):
        html = client_for(manager).get(DASHBOARD, {"period": "last_month"}).content.decode()

        def dataset_label(chart_id: str) -> str:
            start = html.index(f'<script id="{chart_id}" type="application/json">')
            body = html[start:].split(">", 1)[1].split("</script>", 1)[0]
            return json.loads(body)["datasets"][0]["label"]

        # K2 plots the repeats, not every contact; K4 the share decided on time.
        assert dataset_label("chart-K2-source") == "Repeat contacts"
        assert dataset_label("chart-K4-source") == "% decided on time"

    def test_every_kpi_with_its_definition_chart_and_table(self, client_for, manager, march):
        html = client_for(manager).get(DASHBOARD, {"period": "last_month"}).content.decode()
        tables, headlines = read_dashboard(html)
        results = compute_kpis(parse_period(*LAST_MONTH))
        for result in results:
            assert f'data-kpi="{result.id}"' in html
            assert result.definition.replace("'", "&#x27;")[1:] in html
            main = result.tables[0]
            # A chart of the main breakdown where it has rows; an empty table stands alone.
            charted = f'data-chart="chart-{result.id}-{main.name}"' in html
            assert charted is bool(main.rows)
            for table in result.tables:
                assert f"{result.id}.{table.name}" in tables
        assert set(headlines) == set(KPI_IDS)
        assert (
            '<canvas role="img" aria-label="Bar chart. Contacts by source, Contacts: 2 plotted, '
            'highest Schools at 6. The table gives every figure."'
        ) in html
        for kpi_id in ("K1", "K2", "K4", "K7", "K10"):
            assert len(tables[f"trend.{kpi_id}"]) == 12  # May 2025 to April 2026
        assert tables["trend.K1"][10] == ["March 2026", "8"]
        assert tables["trend.K1"][9] == ["February 2026", "1"]

    def test_board_member_sees_small_months_suppressed_in_trends(
        self, client_for, board_member, march
    ):
        html = client_for(board_member).get(DASHBOARD).content.decode()
        tables, _ = read_dashboard(html)
        assert tables["trend.K1"][10] == ["March 2026", "8"]
        assert tables["trend.K1"][9] == ["February 2026", "<5"]


class TestSameAsApi:
    @pytest.mark.parametrize("persona", ["manager", "board_member", "administrator"])
    def test_page_and_api_show_the_same_figures(self, request, client_for, api_for, march, persona):
        user = request.getfixturevalue(persona)
        page = client_for(user).get(DASHBOARD, {"period": "last_month"})
        api = api_for(user).get(
            "/api/v1/reporting/kpis/", {"from": LAST_MONTH[0], "to": LAST_MONTH[1]}
        )
        assert page.status_code == api.status_code == 200
        tables, headlines = read_dashboard(page.content.decode())
        body = api.json()
        assert body["period"] == {"from": "2026-03-01", "to": "2026-04-01"}
        assert body["suppressed"] is (persona == "board_member")
        units = {
            (result.id, table.name): table.figures
            for result in compute_kpis(parse_period(*LAST_MONTH))
            for table in result.tables
        }
        head_units = {
            result.id: {key: figure.unit for key, figure in result.headline.items()}
            for result in compute_kpis(parse_period(*LAST_MONTH))
        }
        compared = 0
        for kpi in body["kpis"]:
            assert {
                key: shown(value, head_units[kpi["id"]][key])
                for key, value in kpi["headline"].items()
            } == headlines[kpi["id"]]
            for name, rows in kpi["breakdowns"].items():
                figures = units[(kpi["id"], name)]
                page_rows = tables[f"{kpi['id']}.{name}"]
                if not rows:
                    assert page_rows == [["No records in this period."]]
                    continue
                assert len(page_rows) == len(rows)
                for page_row, api_row in zip(page_rows, rows, strict=True):
                    expected = [shown(api_row[column.key], column.unit) for column in figures]
                    assert page_row[-len(figures) :] == expected
                    compared += 1
        assert compared >= 2  # K1's schools and police rows at least


class TestNoNames:
    def test_board_member_sees_no_name_on_the_dashboard(self, client_for, board_member, march):
        for query in ({"period": "last_month"}, {"period": "last_12_months"}):
            html = client_for(board_member).get(DASHBOARD, query).content.decode()
            assert 'data-kpi="K1"' in html
            for given, family in CHILDREN:
                assert given not in html
                assert family not in html
            assert REFERRER not in html
            assert "/people/" not in html and "/contacts/" not in html  # no record links

    def test_view_is_audited_without_names(self, client_for, board_member, march):
        client_for(board_member).get(DASHBOARD, {"period": "last_month"})
        event = AuditEvent.objects.get(name="reporting.kpis_viewed")
        assert event.actor == board_member
        assert event.data == {
            "via": "dashboard",
            "from": "2026-03-01",
            "to": "2026-04-01",
            "kpis": list(KPI_IDS),
            "suppressed": True,
        }
        assert event.object_repr == ""


class TestWhoSees:
    @pytest.mark.parametrize("persona", ["manager", "board_member", "administrator"])
    def test_viewers_see_the_dashboard(self, request, client_for, today, persona):
        response = client_for(request.getfixturevalue(persona)).get(DASHBOARD)
        assert response.status_code == 200

    @pytest.mark.parametrize(
        "persona", ["hub_worker", "researcher_a", "researcher_b", "supervisor_a", "referrer"]
    )
    def test_everyone_else_gets_404(self, request, client_for, today, persona):
        response = client_for(request.getfixturevalue(persona)).get(
            DASHBOARD, {"period": "last_month"}
        )
        assert response.status_code == 404
        assert not AuditEvent.objects.filter(name="reporting.kpis_viewed").exists()

    def test_signed_out_visitor_is_sent_to_sign_in(self, client, today):
        response = client.get(DASHBOARD)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))

    def test_board_member_gets_404_for_every_record_page(
        self, client_for, board_member, hub_worker, manager, agency_a, march
    ):
        contact = march[0]
        person = contact.subjects.get()
        enquiry, info_request = open_enquiry_with_request(
            contact, hub_worker=hub_worker, manager=manager, agency=agency_a
        )
        client = client_for(board_member)
        for url in (
            reverse("contacts:contact_detail", args=[contact.pk]),
            reverse("contacts:person_detail", args=[person.pk]),
            reverse("enquiries_hub:detail", args=[enquiry.pk]),
            reverse("enquiries_hub:summary", args=[enquiry.pk]),
            reverse("enquiries_agency:request_detail", args=[info_request.pk]),
        ):
            response = client.get(url)
            assert response.status_code == 404, url
            assert person.family_name not in response.content.decode()
