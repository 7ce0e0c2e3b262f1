"""The GOV.UK date input on the pages that filter by date (issue 12, item 3): the chronology's
filters, the KPI dashboard's custom period, the Annex A form and the agency supervisor's
timeliness. Day, month and year typed into the boxes filter exactly as the ISO ``from``/``to`` a
bookmarked link (or the API) sends; a wrong part is a 400 naming the field and the part, linked
from the error summary to that box; "to" before "from" names "to"."""

# ruff: noqa: F811 (the fixtures are imported from the tests of each page)
from html import unescape

import pytest
from django.urls import reverse

from reporting.models import ExportJob
from tests.reporting.test_dashboard import march, source_rows, today  # noqa: F401
from tests.test_chronology import bundle, child, history, page_url  # noqa: F401
from tests.test_supervisor_timeliness import (  # noqa: F401
    PAGE as TIMELINESS,
)
from tests.test_supervisor_timeliness import frozen_now, priya, tom  # noqa: F401
from tests.test_supervisor_timeliness import march as march_requests  # noqa: F401

DASHBOARD = reverse("reporting:dashboard")


def boxes(name: str, day: str, month: str, year: str) -> dict[str, str]:
    """The three boxes of a date input as a browser sends them."""
    return {f"{name}-day": day, f"{name}-month": month, f"{name}-year": year}


def summary_of(response) -> str:
    page = response.content.decode()
    start = page.index('class="govuk-error-summary"')
    return unescape(page[start : page.index("</ul>", start)])


def event_titles(response) -> list[str]:
    page = response.content.decode()
    return [chunk.split("<", 1)[0] for chunk in page.split('class="moj-timeline__title">')[1:]]


# --- The chronology --------------------------------------------------------------------------


def test_chronology_dates_typed_in_boxes_filter_as_the_iso_link_does(
    client_for, hub_worker, child, history
):
    client = client_for(hub_worker)
    by_link = client.get(page_url(child), {"from": "2026-01-12", "to": "2026-01-12"})
    typed = client.get(
        page_url(child), {**boxes("from", "12", "1", "2026"), **boxes("to", "12", "01", "2026")}
    )
    assert by_link.status_code == typed.status_code == 200
    assert event_titles(typed) == event_titles(by_link) and len(event_titles(typed)) == 10
    page = typed.content.decode()
    assert 'name="to-month" type="text" inputmode="numeric" value="01"' in page
    assert 'type="date"' not in page


def test_chronology_boxes_left_empty_are_no_filter(client_for, hub_worker, child, history):
    query = {**boxes("from", "", "", ""), **boxes("to", "", "", "")}
    response = client_for(hub_worker).get(page_url(child), query)
    assert response.status_code == 200
    assert len(event_titles(response)) == 20


@pytest.mark.parametrize(
    ("query", "box", "message"),
    [
        (boxes("from", "31", "2", "2026"), "id_from_0", "From must be a real date"),
        (boxes("from", "12", "", "2026"), "id_from_1", "From must include a month"),
        (boxes("to", "1", "2", ""), "id_to_2", "To must include a year"),
        (boxes("to", "1", "Feb", "2026"), "id_to_1", "To must be a real date"),
        (
            boxes("from", "1", "2", "26"),
            "id_from_2",
            "From must be a real date, with a 4-digit year",
        ),
        (
            {**boxes("from", "12", "1", "2026"), **boxes("to", "5", "1", "2026")},
            "id_to_0",
            "The to date must be the same as or after the from date",
        ),
    ],
)
def test_chronology_bad_boxes_are_a_400_naming_the_part(
    client_for, hub_worker, child, history, query, box, message
):
    response = client_for(hub_worker).get(page_url(child), query)
    assert response.status_code == 400
    assert f'<a href="#{box}">{message}' in summary_of(response)
    page = response.content.decode()
    box_tag = page.split(f'<input id="{box}" ', 1)[1].split(">", 1)[0]
    assert "govuk-input--error" in box_tag  # the box to fix is marked
    assert 'data-testid="event"' not in page


# --- The KPI dashboard -----------------------------------------------------------------------


def test_dashboard_custom_dates_typed_in_boxes_show_the_same_figures_as_iso(
    client_for, manager, march
):
    client = client_for(manager)
    by_link = client.get(DASHBOARD, {"from": "2026-02-01", "to": "2026-03-01"}).content.decode()
    typed = client.get(
        DASHBOARD,
        {"period": "custom", **boxes("from", "1", "2", "2026"), **boxes("to", "1", "3", "2026")},
    ).content.decode()
    assert "Figures for custom dates: <strong>February 2026</strong>" in typed
    assert source_rows(typed) == source_rows(by_link) == {"Schools": ["1"]}
    # the picker shows the period in its boxes; the downloads keep ISO links
    assert 'name="to-month" type="text" inputmode="numeric" value="3"' in typed
    assert (
        "?from=2026-02-01&amp;to=2026-03-01" in typed or "?from=2026-02-01&to=2026-03-01" in typed
    )
    assert 'type="date"' not in typed


def test_dashboard_named_period_ignores_what_is_in_the_custom_boxes(client_for, manager, march):
    response = client_for(manager).get(
        DASHBOARD, {"period": "last_month", **boxes("from", "x", "", "")}
    )
    assert response.status_code == 200
    assert "Figures for last month" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "box", "message"),
    [
        (
            {**boxes("from", "31", "2", "2026"), **boxes("to", "1", "3", "2026")},
            "id_from_0",
            "From must be a real date",
        ),
        (
            {**boxes("from", "1", "", "2026"), **boxes("to", "1", "3", "2026")},
            "id_from_1",
            "From must include a month",
        ),
        (
            {**boxes("from", "1", "2", "2026"), **boxes("to", "one", "3", "2026")},
            "id_to_0",
            "To must be a real date",
        ),
        (
            {**boxes("from", "1", "2", "2026"), **boxes("to", "", "", "")},
            "id_to_0",
            "Enter the to date",
        ),
        (
            {**boxes("from", "1", "3", "2026"), **boxes("to", "1", "2", "2026")},
            "id_to_0",
            "The end of the period must be after its start.",
        ),
    ],
)
def test_dashboard_bad_boxes_are_a_400_naming_the_part(
    client_for, manager, today, query, box, message
):
    response = client_for(manager).get(DASHBOARD, {"period": "custom", **query})
    assert response.status_code == 400
    assert f'<a href="#{box}">{message}' in summary_of(response)
    assert "data-kpi=" not in response.content.decode()


# --- Annex A ---------------------------------------------------------------------------------


def test_annex_a_takes_the_period_from_the_boxes(client_for, manager):
    data = {**boxes("from", "1", "10", "2026"), **boxes("to", "1", "11", "2026"), "format": "csv"}
    response = client_for(manager).post(reverse("reporting:annex_a"), data)
    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert (job.period_start.isoformat(), job.period_end.isoformat()) == (
        "2026-10-01",
        "2026-11-01",
    )


def test_annex_a_bad_boxes_are_a_400_naming_the_part_and_nothing_is_stored(client_for, manager):
    data = {**boxes("from", "1", "13", "2026"), **boxes("to", "1", "11", ""), "format": "csv"}
    response = client_for(manager).post(reverse("reporting:annex_a"), data)
    assert response.status_code == 400
    summary = summary_of(response)
    assert '<a href="#id_from_0">From must be a real date' in summary
    assert '<a href="#id_to_2">To must include a year' in summary
    assert not ExportJob.objects.exists()


# --- The agency supervisor's timeliness ------------------------------------------------------


def test_timeliness_dates_typed_in_boxes_count_as_the_iso_link_does(
    client_for, supervisor_a, march_requests
):
    client = client_for(supervisor_a)
    by_link = client.get(TIMELINESS, {"period": "custom", "from": "2026-03-01", "to": "2026-04-01"})
    typed = client.get(
        TIMELINESS,
        {"period": "custom", **boxes("from", "1", "3", "2026"), **boxes("to", "1", "4", "2026")},
    )
    assert typed.status_code == by_link.status_code == 200

    def table(response) -> str:
        page = response.content.decode()
        start = page.index('data-testid="timeliness-table"')
        return page[start : page.index("</table>", start)]

    assert table(typed) == table(by_link)
    assert "Figures for custom dates: <strong>March 2026</strong>" in typed.content.decode()


def test_timeliness_bad_boxes_are_a_400_naming_the_part(client_for, supervisor_a):
    query = {
        "period": "custom",
        **boxes("from", "1", "3", "2026"),
        **boxes("to", "31", "4", "2026"),
    }
    response = client_for(supervisor_a).get(TIMELINESS, query)
    assert response.status_code == 400
    assert '<a href="#id_to_0">To must be a real date' in summary_of(response)
    assert 'data-testid="timeliness-table"' not in response.content.decode()
