"""The KPI dashboard in real Chromium (issue 6's "Must show"): a board member opens the
dashboard, switches to last quarter, sees the charts drawn by Chart.js (no script or CSP error),
reads the suppressed table, and downloads the workbook; axe-core checks every page (helpers)."""

from datetime import datetime, time, timedelta
from io import BytesIO
from pathlib import Path

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from agencies.roles import Role
from contacts import services
from contacts.codes import Source
from mash.celery import app as celery_app
from mash.clocks import LONDON
from reporting.kpis import compute_kpis
from reporting.periods import Period
from tests.factories import PASSWORD, UserFactory, contact_input, person_input

from .helpers import goto, sign_in, submit

pytestmark = pytest.mark.browser

CHILDREN = [
    ("Ignatius", "Thistlewood"),
    ("Perpetua", "Ravenscroft"),
    ("Evander", "Mallowby"),
    ("Clementine", "Hobhouse-Vane"),
    ("Lysander", "Quickthorn"),
    ("Marigold", "Featherstonhaugh"),
    ("Octavian", "Brambleworth"),
]
REFERRER = "Referrer Philippa Nettlebed"
SCHOOLS = 5  # shown to a board member
POLICE = 2  # "<5" to a board member
TRENDS = 5  # K1, K2, K4, K7 and K10


@pytest.fixture
def eager_celery(settings):
    """The workbook task runs in the live server's thread when the request commits.

    Celery reads its configuration from Django's settings lazily, on first use: the value is
    read (and so fixed) before the setting changes, and put back after, or every later test in
    the run would run its tasks eagerly (a real-worker test would then run its scan in-process)."""
    before = celery_app.conf.task_always_eager
    assert before is False
    settings.CELERY_TASK_ALWAYS_EAGER = True
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


def last_quarter() -> Period:
    return Period.named("last_quarter", timezone.localdate())


def contacts_last_quarter(quarter: Period) -> None:
    """Seven contacts in last quarter: five from schools, two from the police."""
    for index, (given, family) in enumerate(CHILDREN):
        day = quarter.start + timedelta(days=3 + index)
        services.contact_create(
            data=contact_input(
                source=Source.SCHOOLS if index < SCHOOLS else Source.POLICE,
                received_at=datetime.combine(day, time(11, 0), tzinfo=LONDON),
                referrer_name=REFERRER,
                subjects=[person_input(given_name=given, family_name=family)],
            )
        )


def assert_no_names(text: str) -> None:
    for given, family in CHILDREN:
        assert given not in text and family not in text
    assert REFERRER not in text


def test_board_member_switches_to_last_quarter_and_downloads_the_workbook(
    page: Page, base_url: str, hub_agency, eager_celery
):
    quarter = last_quarter()
    contacts_last_quarter(quarter)
    UserFactory(username="board", agency=hub_agency, role=Role.BOARD_MEMBER)
    sign_in(page, base_url, "board", PASSWORD)

    goto(page, "/reporting/")
    expect(page.get_by_role("heading", level=1)).to_have_text("KPI dashboard")
    expect(page.get_by_test_id("dashboard-period")).to_contain_text("this month")

    picker = page.get_by_test_id("period-picker")
    picker.get_by_label("Last quarter", exact=True).check()
    submit(page, picker.get_by_role("button", name="Show the figures"))
    assert "period=last_quarter" in page.url
    expect(page.get_by_test_id("dashboard-period")).to_have_text(
        f"Figures for last quarter: {quarter}"
    )
    expect(page.get_by_label("Last quarter", exact=True)).to_be_checked()

    # The charts: one per KPI whose main breakdown has rows, one per trend, each drawn by
    # Chart.js. Only undecided contacts were made: K1 and K2 (by source) and K9 (outcome
    # "undecided") have rows; K3, K5-K8 and K10-K12 count decided contacts or enquiries.
    canvases = page.locator("canvas[data-chart]")
    charted = [r.id for r in compute_kpis(quarter) if r.tables and r.tables[0].rows]
    assert {"K1", "K2", "K9"} <= set(charted) <= {"K1", "K2", "K4", "K9"}
    expect(canvases).to_have_count(len(charted) + TRENDS)
    drawn = page.evaluate(
        """() => Array.from(document.querySelectorAll('canvas[data-chart]')).map(canvas => {
            const chart = window.Chart && window.Chart.getChart(canvas);
            return {id: canvas.dataset.chart, drawn: !!chart, width: canvas.width,
                    label: canvas.getAttribute('aria-label'),
                    data: chart ? chart.data.datasets.map(dataset => dataset.data) : null};
        })"""
    )
    assert all(chart["drawn"] and chart["width"] > 0 for chart in drawn), drawn
    k1 = next(chart for chart in drawn if chart["id"] == "chart-K1-source")
    assert k1["data"] == [[SCHOOLS, None]]  # the police cell is suppressed: not plotted
    assert k1["label"].startswith("Bar chart. Contacts by source, ")

    # The table behind the chart, opened from the keyboard.
    k1_section = page.locator("section[data-kpi='K1']")
    expect(k1_section.get_by_test_id("headline-K1")).to_contain_text(str(SCHOOLS + POLICE))
    summary = k1_section.locator("summary").first
    summary.focus()
    page.keyboard.press("Enter")
    table = k1_section.get_by_role("table", name="K1 Contacts by source: Contacts by source")
    expect(table).to_be_visible()
    expect(table.get_by_role("row", name="Schools")).to_contain_text(str(SCHOOLS))
    expect(table.get_by_role("row", name="Police")).to_contain_text("<5")
    assert_no_names(page.content())

    # The workbook for the same period: made in the background, then downloaded.
    download_form = page.get_by_test_id("workbook-download")
    expect(download_form).to_contain_text(str(quarter))
    submit(page, download_form.get_by_role("button", name="Make the workbook"))
    expect(page.get_by_test_id("export-period")).to_have_text(str(quarter))
    link = page.get_by_test_id("export-download-link")
    expect(link).to_be_visible()
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    workbook = load_workbook(BytesIO(Path(download.path()).read_bytes()), read_only=True)
    cells = " ".join(
        str(value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    )
    assert "Contacts by source" in cells
    assert_no_names(cells)
