"""GET /api/v1/reporting/kpis/ (issue 6): every KPI with its breakdowns as JSON, the same
figures as compute_kpis and the page, suppressed for board members, 400s naming the field, 404
for everyone who does not see the KPIs."""

import pytest
import time_machine

from mash.audit.models import AuditEvent
from reporting.api import kpis_as_json
from reporting.kpis import BREAKDOWNS, KPI_IDS, compute_kpis, suppressed
from reporting.periods import parse_period
from tests.reporting.dashboard_data import (
    CHILDREN,
    LAST_MONTH,
    REFERRER,
    TODAY,
    build_march,
    open_enquiry_with_request,
)

URL = "/api/v1/reporting/kpis/"
MARCH = {"from": LAST_MONTH[0], "to": LAST_MONTH[1]}


@pytest.fixture
def today():
    with time_machine.travel(TODAY, tick=False):
        yield TODAY.date()


@pytest.fixture
def march(today, db):
    return build_march()


def k1_by_source(body: dict) -> list[dict]:
    (k1,) = [kpi for kpi in body["kpis"] if kpi["id"] == "K1"]
    return k1["breakdowns"]["source"]


class TestFigures:
    def test_manager_gets_every_kpi_with_its_breakdowns(self, api_for, manager, march):
        response = api_for(manager).get(URL, MARCH)
        assert response.status_code == 200
        body = response.json()
        assert body["period"] == {"from": "2026-03-01", "to": "2026-04-01"}
        assert body["suppressed"] is False
        assert [kpi["id"] for kpi in body["kpis"]] == list(KPI_IDS)
        for kpi in body["kpis"]:
            assert set(kpi["breakdowns"]) == set(BREAKDOWNS[kpi["id"]])
            assert kpi["definition"] and kpi["name"]
        (k1,) = [kpi for kpi in body["kpis"] if kpi["id"] == "K1"]
        assert k1["headline"]["count"] == 8
        assert k1_by_source(body) == [{"source": "2A", "count": 6}, {"source": "6", "count": 2}]
        assert k1["breakdowns"]["partner_agency"] == [{"partner_agency": "none", "count": 8}]

    def test_board_member_gets_the_suppressed_version(self, api_for, board_member, march):
        body = api_for(board_member).get(URL, MARCH).json()
        assert body["suppressed"] is True
        assert k1_by_source(body) == [{"source": "2A", "count": 6}, {"source": "6", "count": "<5"}]

    @pytest.mark.parametrize("persona", ["manager", "board_member", "administrator"])
    def test_same_figures_as_compute_kpis(self, request, api_for, march, persona):
        user = request.getfixturevalue(persona)
        body = api_for(user).get(URL, MARCH).json()
        period = parse_period(*LAST_MONTH)
        results = compute_kpis(period)
        if persona == "board_member":
            results = [suppressed(result) for result in results]
        assert body == kpis_as_json(period, results, suppressed=persona == "board_member")

    def test_named_period_instead_of_dates(self, api_for, manager, march):
        body = api_for(manager).get(URL, {"period": "last_month"}).json()
        assert body["period"] == {"from": "2026-03-01", "to": "2026-04-01"}

    def test_kpis_and_breakdowns_narrow_the_answer(self, api_for, manager, march):
        body = api_for(manager).get(URL, {**MARCH, "kpis": "K1,K10", "breakdowns": "source"}).json()
        assert [kpi["id"] for kpi in body["kpis"]] == ["K1", "K10"]
        assert body["kpis"][0]["breakdowns"] == {
            "source": [{"source": "2A", "count": 6}, {"source": "6", "count": 2}]
        }
        assert body["kpis"][1]["breakdowns"] == {}  # K10 has no "source" breakdown

    def test_view_is_audited(self, api_for, board_member, march):
        api_for(board_member).get(URL, {**MARCH, "kpis": "K1"})
        event = AuditEvent.objects.get(name="reporting.kpis_viewed")
        assert event.actor == board_member
        assert event.data == {
            "via": "api",
            "from": "2026-03-01",
            "to": "2026-04-01",
            "kpis": ["K1"],
            "suppressed": True,
        }


class TestBadInput:
    @pytest.mark.parametrize(
        ("query", "field", "message"),
        [
            (
                {"from": "2026-03-10", "to": "2026-03-01"},
                "to",
                "The end of the period must be after its start.",
            ),
            (
                {"from": "2026-03-01", "to": "2026-03-01"},
                "to",
                "The end of the period must be after its start.",
            ),
            (
                {"from": "2020-01-01", "to": "2025-01-02"},
                "to",
                "A period can be at most 5 years long.",
            ),
            ({"from": "01/03/2026", "to": "2026-04-01"}, "from", "must be a real date"),
            ({"from": "2026-03-01", "to": "2026-04-31"}, "to", "must be a real date"),
            ({"from": "2026-03-01\x00", "to": "2026-04-01"}, "from", "must be a real date"),
            ({}, "from", "Enter the 'from' date as YYYY-MM-DD."),
            ({"to": "2026-04-01"}, "from", "Enter the 'from' date as YYYY-MM-DD."),
            ({"period": "fortnight"}, "period", "Unknown period 'fortnight'"),
            ({**MARCH, "kpis": "K1,K99"}, "kpis", "Unknown KPI 'K99'"),
            (
                {**MARCH, "breakdowns": "source,postcode"},
                "breakdowns",
                "Unknown breakdown 'postcode'",
            ),
        ],
    )
    def test_bad_query_is_a_400_naming_the_field(
        self, api_for, manager, today, query, field, message
    ):
        response = api_for(manager).get(URL, query)
        assert response.status_code == 400
        body = response.json()
        assert body["detail"] == "Invalid input."
        assert list(body["errors"]) == [field]
        assert message in body["errors"][field][0]
        assert not AuditEvent.objects.filter(name="reporting.kpis_viewed").exists()


class TestWhoSees:
    @pytest.mark.parametrize(
        "persona", ["hub_worker", "researcher_a", "researcher_b", "supervisor_a", "referrer"]
    )
    def test_everyone_else_gets_404(self, request, api_for, today, persona):
        response = api_for(request.getfixturevalue(persona)).get(URL, MARCH)
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found.", "errors": {}}

    def test_signed_out_caller_is_refused(self, client, today):
        response = client.get(URL, MARCH)
        assert response.status_code in (401, 403)

    def test_board_member_sees_no_name(self, api_for, board_member, march):
        text = api_for(board_member).get(URL, {"period": "last_12_months"}).content.decode()
        for given, family in CHILDREN:
            assert given not in text and family not in text
        assert REFERRER not in text

    def test_board_member_gets_404_for_every_record_endpoint(
        self, api_for, board_member, hub_worker, manager, agency_a, march
    ):
        contact = march[0]
        person = contact.subjects.get()
        enquiry, info_request = open_enquiry_with_request(
            contact, hub_worker=hub_worker, manager=manager, agency=agency_a
        )
        api = api_for(board_member)
        for url in (
            "/api/v1/contacts/",
            f"/api/v1/contacts/{contact.pk}/",
            "/api/v1/people/",
            f"/api/v1/people/{person.pk}/",
            f"/api/v1/people/search/?q={person.family_name}",
            "/api/v1/enquiries/",
            f"/api/v1/enquiries/{enquiry.pk}/",
            f"/api/v1/enquiries/{enquiry.pk}/information-requests/",
            "/api/v1/information-requests/",
            f"/api/v1/information-requests/{info_request.pk}/",
        ):
            response = api.get(url)
            assert response.status_code == 404, url
            assert person.family_name not in response.content.decode()


def test_schema_documents_the_endpoint(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    operation = schema["paths"]["/api/v1/reporting/kpis/"]["get"]
    assert {parameter["name"] for parameter in operation["parameters"]} >= {
        "from",
        "to",
        "period",
        "kpis",
        "breakdowns",
    }
    assert set(operation["responses"]) == {"200", "400", "404"}
    response = schema["components"]["schemas"]["KpiResponse"]
    assert set(response["properties"]) == {"period", "suppressed", "kpis"}
    period = schema["components"]["schemas"]["KpiPeriod"]
    assert set(period["properties"]) == {"from", "to"}
