"""KPI downloads: one table as CSV or XLSX at once, the workbook through a background export job
with a progress page, and the job's file for its requester only; all audited, none with names.

Data (download_data.py): October 2026, K1 by source = schools (2A) 6, police (6) 2."""

from __future__ import annotations

import csv
import html as html_text
import io
from datetime import UTC, datetime, timedelta

import openpyxl
import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from agencies.roles import Role
from mash.audit.models import AuditEvent
from reporting.exports import table_file
from reporting.kpis import Column, Figure, Table, Unit
from reporting.models import ExportJob, ExportKind, ExportState
from reporting.services_exports import export_requested, exports_delete_expired
from reporting.tasks import build_export
from tests.factories import AgencyFactory, UserFactory
from tests.reporting.download_data import (
    NAMES,
    OCTOBER,
    OCTOBER_QUERY,
    child,
    contact,
    kpi_october,
    local,
)

pytestmark = pytest.mark.django_db

CSV_TYPE = "text/csv; charset=utf-8"


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8"))))


def read_xlsx(content: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(content))


def sheet_values(sheet) -> list[tuple]:
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def table_url(kpi="K1", breakdown="source", fmt="csv") -> str:
    return reverse(
        "reporting:kpi_table_download", kwargs={"kpi_id": kpi, "breakdown": breakdown, "fmt": fmt}
    )


def all_text(content: bytes) -> str:
    """Every cell of an XLSX file as one string."""
    book = read_xlsx(content)
    return " ".join(
        str(value)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    )


def built(job: ExportJob) -> ExportJob:
    """Run the task in-process, as the worker would."""
    build_export(str(job.pk))
    job.refresh_from_db()
    return job


# --- One table, made in the request -------------------------------------------------------


def test_manager_downloads_k1_by_source_as_csv(manager, client_for):
    kpi_october()
    response = client_for(manager).get(table_url(), OCTOBER_QUERY)
    assert response.status_code == 200
    assert response["Content-Type"] == CSV_TYPE
    assert response["Content-Disposition"] == (
        'attachment; filename="K1-source-2026-10-01-to-2026-10-31.csv"'
    )
    assert read_csv(response) == [
        ["Source", "Contacts"],
        ["2A - Schools", "6"],
        ["6 - Police", "2"],
    ]


def test_manager_downloads_k1_by_source_as_xlsx_with_numbers(manager, client_for):
    kpi_october()
    response = client_for(manager).get(table_url(fmt="xlsx"), OCTOBER_QUERY)
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(
        'filename="K1-source-2026-10-01-to-2026-10-31.xlsx"'
    )
    sheet = read_xlsx(response.content).active
    assert sheet_values(sheet) == [("Source", "Contacts"), ("2A - Schools", 6), ("6 - Police", 2)]
    assert sheet["B2"].data_type == "n"


def test_board_member_gets_less_than_5_where_manager_gets_the_number(
    manager, board_member, client_for
):
    kpi_october()
    manager_rows = read_csv(client_for(manager).get(table_url(), OCTOBER_QUERY))
    board_rows = read_csv(client_for(board_member).get(table_url(), OCTOBER_QUERY))
    assert manager_rows[2] == ["6 - Police", "2"]
    assert board_rows[2] == ["6 - Police", "<5"]
    assert board_rows[1] == ["2A - Schools", "6"]  # 6 records: not small, shown to everyone
    board_xlsx = client_for(board_member).get(table_url(fmt="xlsx"), OCTOBER_QUERY)
    sheet = read_xlsx(board_xlsx.content).active
    assert sheet["B3"].value == "<5"
    assert sheet["B2"].value == 6


def test_a_table_download_is_audited_without_names(manager, client_for):
    kpi_october()
    client_for(manager).get(table_url(breakdown="partner_agency", fmt="xlsx"), OCTOBER_QUERY)
    event = AuditEvent.objects.get(name="reporting.downloaded")
    assert event.actor == manager
    assert event.data == {
        "kind": "kpi_table",
        "format": "xlsx",
        "from": "2026-10-01",
        "to": "2026-11-01",
        "suppressed": False,
        "kpi": "K1",
        "breakdown": "partner_agency",
    }


@pytest.mark.parametrize(
    "persona", ["hub_worker", "researcher_a", "supervisor_a", "referrer"], ids=str
)
def test_roles_without_kpis_get_404_for_a_table(persona, request, client_for):
    kpi_october()
    user = request.getfixturevalue(persona)
    response = client_for(user).get(table_url(), OCTOBER_QUERY)
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(name="reporting.downloaded").exists()


def test_administrator_downloads_a_table(administrator, client_for):
    kpi_october()
    response = client_for(administrator).get(table_url(), OCTOBER_QUERY)
    assert response.status_code == 200
    assert read_csv(response)[2] == ["6 - Police", "2"]


def test_signed_out_visitor_is_sent_to_sign_in(client):
    response = client.get(table_url(), OCTOBER_QUERY)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"from": "2026-13-01", "to": "2026-11-01"}, "From", "'from' must be a real date"),
        ({"from": "2026-10-01"}, "To", "Enter the 'to' date"),
        ({"from": "2026-10-01", "to": "2026-10-01"}, "To", "must be after its start"),
    ],
)
def test_bad_period_is_400_naming_the_field(manager, client_for, query, field, message):
    response = client_for(manager).get(table_url(), query)
    assert response.status_code == 400
    text = html_text.unescape(response.content.decode())
    assert f"{field} (" in text and message in text
    assert not AuditEvent.objects.filter(name="reporting.downloaded").exists()


def test_unknown_breakdown_of_a_kpi_is_404(manager, client_for):
    response = client_for(manager).get(table_url(kpi="K5", breakdown="source"), OCTOBER_QUERY)
    assert response.status_code == 404
    response = client_for(manager).get(table_url(kpi="K13", breakdown="source"), OCTOBER_QUERY)
    assert response.status_code == 404


# --- Writers: cells by hand ----------------------------------------------------------------


def hand_table() -> Table:
    """A table with a hostile agency: its code and name are spreadsheet formulas."""
    return Table(
        name="partner_agency",
        title="Contacts by referring partner agency",
        columns=(
            Column("partner_agency", "Referring partner agency"),
            Column("count", "Contacts", Unit.COUNT),
            Column("percent", "% repeat", Unit.PERCENT),
            Column("median", "Median", Unit.HOURS),
        ),
        rows=(
            {
                "partner_agency": "=cmd",
                "count": Figure(7, 7),
                "percent": Figure(100 * 2 / 7, 7, Unit.PERCENT),  # 28.571...
                "median": Figure(25.26, 7, Unit.HOURS),
            },
            {
                "partner_agency": "none",
                "count": Figure(3, 3, hidden=True),
                "percent": Figure(None, 0, Unit.PERCENT),
                "median": Figure(-1.0, 3, Unit.HOURS),
            },
        ),
        labels={"partner_agency": {"=cmd": "@SUM(1+1)", "none": "No partner agency"}},
    )


def test_table_csv_rounds_to_one_place_leaves_null_empty_and_defuses_formulas():
    content = table_file(hand_table(), kpi_id="K2", file_format="csv").decode()
    assert list(csv.reader(io.StringIO(content))) == [
        ["Referring partner agency", "Contacts", "% repeat", "Median (hours)"],
        ["'=cmd - @SUM(1+1)", "7", "28.6", "25.3"],
        ["none - No partner agency", "<5", "", "-1.0"],
    ]


def test_table_xlsx_keeps_numbers_numeric_and_text_never_a_formula():
    book = read_xlsx(table_file(hand_table(), kpi_id="K2", file_format="xlsx"))
    sheet = book.active
    assert sheet["A2"].value == "=cmd - @SUM(1+1)"
    assert sheet["A2"].data_type == "s"  # text, not a formula
    assert sheet["B2"].value == 7
    assert sheet["C2"].value == pytest.approx(28.5714, abs=1e-4)  # full value...
    assert sheet["C2"].number_format == "0.0"  # ...shown to one place
    assert sheet["D2"].value == pytest.approx(25.26)
    assert sheet["B3"].value == "<5"
    assert sheet["C3"].value is None


# --- The workbook, made by the Celery task ---------------------------------------------------


def test_manager_asks_for_the_workbook_and_is_shown_its_progress(
    manager, client_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = client_for(manager).post(reverse("reporting:workbook_request"), OCTOBER_QUERY)
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reporting:export_status", kwargs={"job_id": job.pk})
    assert (job.kind, job.file_format, job.period_start, job.period_end, job.suppressed) == (
        ExportKind.WORKBOOK,
        "xlsx",
        OCTOBER.start,
        OCTOBER.end,
        False,
    )
    assert job.state == ExportState.PENDING
    assert len(callbacks) == 1  # the task is enqueued once the request commits

    page = client_for(manager).get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert "October 2026" in html
    assert 'hx-trigger="every 1s"' in html
    assert "Download the workbook" not in html


def test_the_task_builds_the_workbook_to_100_percent_with_a_cover_and_a_sheet_per_kpi(manager):
    kpi_october()
    job = export_requested(
        user=manager, kind=ExportKind.WORKBOOK, file_format="xlsx", period=OCTOBER
    )
    # 14:05 UTC on 20 October is 15:05 in London (summer time)
    with time_machine.travel(datetime(2026, 10, 20, 14, 5, tzinfo=UTC), tick=False):
        job = built(job)
    assert (job.state, job.progress) == (ExportState.DONE, 100)
    assert job.filename == "kpi-workbook-2026-10-01-to-2026-10-31.xlsx"
    book = read_xlsx(bytes(job.content))
    assert book.sheetnames == ["Cover"] + [f"K{n}" for n in range(1, 15)]
    cover = sheet_values(book["Cover"])
    assert cover[0][0] == "MASH front door"
    assert cover[1][0] == "KPI workbook"
    facts = {row[0]: row[1] for row in cover if row and row[0] and len(row) > 1}
    assert facts["Period"] == "October 2026"
    assert facts["From (first day)"] == "01/10/2026"
    assert facts["To (last day)"] == "31/10/2026"
    assert facts["Produced at"] == "20 October 2026 at 15:05 (Europe/London)"
    assert not any("<5" in str(row[0]) for row in cover if row and row[0])  # a manager's
    definitions = [row for row in cover if row and row[0] in {f"K{n}" for n in range(1, 13)}]
    assert [row[1] for row in definitions][:2] == ["Contacts by source", "Repeat contacts"]
    k1 = sheet_values(book["K1"])
    assert k1[0][0] == "K1 Contacts by source"
    assert ("Contacts", 8) in [row[:2] for row in k1]  # headline: 8 contacts in October
    assert ("2A - Schools", 6) in [row[:2] for row in k1]
    assert ("6 - Police", 2) in [row[:2] for row in k1]


def test_board_members_workbook_hides_small_numbers_and_says_so_and_names_nobody(board_member):
    kpi_october()
    job = built(
        export_requested(
            user=board_member, kind=ExportKind.WORKBOOK, file_format="xlsx", period=OCTOBER
        )
    )
    assert job.suppressed
    book = read_xlsx(bytes(job.content))
    k1 = [row[:2] for row in sheet_values(book["K1"])]
    assert ("6 - Police", "<5") in k1
    assert ("2A - Schools", 6) in k1
    cover = " ".join(str(row[0]) for row in sheet_values(book["Cover"]) if row and row[0])
    assert "Small numbers are shown as <5" in cover
    text = all_text(bytes(job.content))
    assert not [name for name in NAMES if name in text]
    assert board_member.username not in text


def test_no_name_in_any_table_download_of_a_board_member(board_member, client_for):
    kpi_october()
    client = client_for(board_member)
    for kpi, breakdowns in (("K1", ("source", "partner_agency")), ("K9", ("outcome",))):
        for breakdown in breakdowns:
            csv_text = client.get(table_url(kpi, breakdown, "csv"), OCTOBER_QUERY).content.decode()
            xlsx = client.get(table_url(kpi, breakdown, "xlsx"), OCTOBER_QUERY).content
            for text in (csv_text, all_text(xlsx)):
                assert not [name for name in NAMES if name in text]


def test_progress_is_reported_kpi_by_kpi(manager, monkeypatch):
    job = export_requested(
        user=manager, kind=ExportKind.WORKBOOK, file_format="xlsx", period=OCTOBER
    )
    seen = []
    from reporting import services_exports

    real = services_exports.compute_kpis

    def spy(period, **kwargs):
        seen.append(ExportJob.objects.get(pk=job.pk).progress)
        return real(period, **kwargs)

    monkeypatch.setattr(services_exports, "compute_kpis", spy)
    built(job)
    # 1% when claimed, then 5 + 90 * done / 14 after each KPI
    assert seen == [1, 11, 17, 24, 30, 37, 43, 50, 56, 62, 69, 75, 82, 88]


def test_a_redelivered_task_does_not_rebuild_a_finished_job(manager, monkeypatch):
    job = built(
        export_requested(user=manager, kind=ExportKind.WORKBOOK, file_format="xlsx", period=OCTOBER)
    )
    finished_at, content = job.finished_at, bytes(job.content)
    from reporting import services_exports

    def must_not_run(*args, **kwargs):
        raise AssertionError("the workbook was built again")

    monkeypatch.setattr(services_exports, "compute_kpis", must_not_run)
    assert build_export(str(job.pk)) == "skipped"
    job.refresh_from_db()
    assert (job.state, job.finished_at, bytes(job.content)) == (
        ExportState.DONE,
        finished_at,
        content,
    )


def test_a_failure_marks_the_job_failed_with_a_short_message(manager, client_for, monkeypatch):
    job = export_requested(
        user=manager, kind=ExportKind.WORKBOOK, file_format="xlsx", period=OCTOBER
    )
    from reporting import services_exports

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services_exports, "compute_kpis", broken)
    job = built(job)
    assert job.state == ExportState.FAILED
    assert job.error == "The file could not be made. Try again, or tell the service desk."
    assert job.content is None
    html = (
        client_for(manager)
        .get(reverse("reporting:export_status", kwargs={"job_id": job.pk}))
        .content.decode()
    )
    assert "The file could not be made" in html
    assert "hx-trigger" not in html
    assert build_export(str(job.pk)) == "skipped"  # failed stays failed


def test_finished_job_page_links_the_download_and_stops_polling(manager, client_for):
    job = built(
        export_requested(user=manager, kind=ExportKind.WORKBOOK, file_format="xlsx", period=OCTOBER)
    )
    client = client_for(manager)
    url = reverse("reporting:export_status", kwargs={"job_id": job.pk})
    fragment = client.get(url, headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    html = fragment.content.decode()
    assert "<html" not in html  # only the fragment htmx swaps in
    assert "Download the workbook" in html
    assert "hx-trigger" not in html
    assert reverse("reporting:export_download", kwargs={"job_id": job.pk}) in html


def test_requester_downloads_the_workbook_and_the_download_is_audited(manager, client_for):
    kpi_october()
    job = built(
        export_requested(user=manager, kind=ExportKind.WORKBOOK, file_format="xlsx", period=OCTOBER)
    )
    response = client_for(manager).get(
        reverse("reporting:export_download", kwargs={"job_id": job.pk})
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="kpi-workbook-2026-10-01-to-2026-10-31.xlsx"'
    )
    assert read_xlsx(response.content).sheetnames[0] == "Cover"
    event = AuditEvent.objects.get(name="reporting.downloaded")
    assert event.actor == manager
    assert event.data["kind"] == "workbook"
    assert (event.data["from"], event.data["to"]) == ("2026-10-01", "2026-11-01")
    assert event.data["export"] == str(job.pk)


def test_download_of_an_unfinished_job_goes_back_to_its_status(manager, client_for):
    job = export_requested(
        user=manager, kind=ExportKind.WORKBOOK, file_format="xlsx", period=OCTOBER
    )
    response = client_for(manager).get(
        reverse("reporting:export_download", kwargs={"job_id": job.pk})
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("reporting:export_status", kwargs={"job_id": job.pk})
    assert not AuditEvent.objects.filter(name="reporting.downloaded").exists()


@pytest.mark.parametrize("persona", ["board_member", "administrator", "hub_worker"], ids=str)
def test_someone_elses_export_is_404(manager, persona, request, client_for):
    job = built(
        export_requested(user=manager, kind=ExportKind.WORKBOOK, file_format="xlsx", period=OCTOBER)
    )
    outsider = client_for(request.getfixturevalue(persona))
    for name in ("reporting:export_status", "reporting:export_download"):
        assert outsider.get(reverse(name, kwargs={"job_id": job.pk})).status_code == 404
    assert not AuditEvent.objects.filter(name="reporting.downloaded").exists()


def test_another_manager_cannot_see_or_fetch_my_workbook(manager, hub_agency, client_for):
    other = UserFactory(username="other.manager", agency=hub_agency, role=Role.HUB_MANAGER)
    job = built(
        export_requested(user=manager, kind=ExportKind.WORKBOOK, file_format="xlsx", period=OCTOBER)
    )
    client = client_for(other)
    assert client.get(reverse("reporting:export_status", args=[job.pk])).status_code == 404
    assert client.get(reverse("reporting:export_download", args=[job.pk])).status_code == 404


def test_an_unknown_export_is_404(manager, client_for):
    url = reverse("reporting:export_status", args=["6f1c2a0e-0000-4000-8000-000000000000"])
    assert client_for(manager).get(url).status_code == 404


@pytest.mark.parametrize("persona", ["hub_worker", "researcher_b", "referrer"], ids=str)
def test_roles_without_kpis_cannot_ask_for_the_workbook(persona, request, client_for):
    user = request.getfixturevalue(persona)
    response = client_for(user).post(reverse("reporting:workbook_request"), OCTOBER_QUERY)
    assert response.status_code == 404
    assert not ExportJob.objects.exists()


def test_bad_workbook_period_is_400_naming_the_field_and_stores_nothing(manager, client_for):
    response = client_for(manager).post(
        reverse("reporting:workbook_request"), {"from": "yesterday", "to": "2026-11-01"}
    )
    assert response.status_code == 400
    assert "From (" in response.content.decode()
    assert "&#x27;from&#x27; must be a real date" in response.content.decode()
    assert not ExportJob.objects.exists()


def test_the_workbook_is_asked_for_by_post_only(manager, client_for):
    response = client_for(manager).get(reverse("reporting:workbook_request"), OCTOBER_QUERY)
    assert response.status_code == 405


def test_exports_older_than_a_day_are_deleted(manager):
    with time_machine.travel(datetime(2026, 11, 2, 9, 0, tzinfo=UTC), tick=False):
        old = export_requested(
            user=manager, kind=ExportKind.WORKBOOK, file_format="xlsx", period=OCTOBER
        )
    with time_machine.travel(datetime(2026, 11, 3, 8, 0, tzinfo=UTC), tick=False):
        recent = export_requested(
            user=manager, kind=ExportKind.WORKBOOK, file_format="xlsx", period=OCTOBER
        )
    now = datetime(2026, 11, 3, 9, 0, 1, tzinfo=UTC)  # 24 h and 1 s after "old"
    assert exports_delete_expired(now=now) == 1
    assert list(ExportJob.objects.values_list("pk", flat=True)) == [recent.pk]
    assert old.pk != recent.pk


def test_partner_agency_table_names_agencies_not_people(board_member, client_for):
    police = AgencyFactory(code="police", name="County Police")
    for day in range(1, 7):
        contact(local(2026, 10, day, 9, 0), child(), referring_agency=police)
    rows = read_csv(
        client_for(board_member).get(table_url(breakdown="partner_agency"), OCTOBER_QUERY)
    )
    assert rows == [["Referring partner agency", "Contacts"], ["police - County Police", "6"]]


def test_kpi_download_of_a_period_with_nothing_has_just_the_header(manager, client_for):
    rows = read_csv(client_for(manager).get(table_url(), OCTOBER_QUERY))
    assert rows == [["Source", "Contacts"]]


def test_export_status_shows_the_period_of_the_job(manager, client_for):
    job = export_requested(
        user=manager, kind=ExportKind.WORKBOOK, file_format="xlsx", period=OCTOBER
    )
    ExportJob.objects.filter(pk=job.pk).update(
        state=ExportState.RUNNING, progress=42, created_at=timezone.now() - timedelta(minutes=1)
    )
    html = client_for(manager).get(reverse("reporting:export_status", args=[job.pk])).content
    assert b'value="42"' in html
    assert b"42% done" in html


# --- With a real worker on Redis ------------------------------------------------------------


@pytest.fixture
def worker(transactional_db):
    from celery.contrib.testing.worker import start_worker

    from mash.celery import app as celery_app

    celery_app.control.purge()  # tasks other tests enqueued on the test broker are not ours
    with start_worker(celery_app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
        yield


@pytest.mark.celery_worker
def test_a_real_worker_builds_the_workbook_asked_for_on_the_page(worker, manager, client_for):
    import time

    kpi_october()
    response = client_for(manager).post(reverse("reporting:workbook_request"), OCTOBER_QUERY)
    job = ExportJob.objects.get()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.state in (ExportState.DONE, ExportState.FAILED):
            break
        time.sleep(0.2)
    assert (job.state, job.progress) == (ExportState.DONE, 100)
    download = client_for(manager).get(response["Location"] + "download/")
    assert read_xlsx(download.content).sheetnames[:2] == ["Cover", "K1"]
    requested = AuditEvent.objects.get(name="reporting.export_requested")
    assert requested.actor == manager
