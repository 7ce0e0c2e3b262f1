"""Ofsted ILACS Annex A, List 1 (contacts): managers only, one row per child subject of each
contact in the period, Ofsted's seven columns in Ofsted's order, ages worked out by hand.

The contact of 14 October 2026 10:00 (London, summer time) is about three children born ten
years earlier: the day before (13 Oct 2016: 10 years), the day of (14 Oct 2016: 10 years) and
the day after (15 Oct 2016: 9 years, the birthday is tomorrow)."""

from __future__ import annotations

import csv
import html
import io
from datetime import UTC, date, datetime

import openpyxl
import pytest
from django.urls import reverse

from contacts.codes import Ethnicity, Gender, Source
from mash.audit.models import AuditEvent
from reporting.models import ExportJob, ExportKind, ExportState
from reporting.selectors_annex_a import age_in_years, annex_a_list_1
from reporting.services_exports import export_requested
from reporting.tasks import build_export
from tests.reporting.download_data import OCTOBER, child, contact, local

pytestmark = pytest.mark.django_db

HEADERS = [
    "Child Unique ID",
    "Gender",
    "Ethnicity",
    "Date of Birth",
    "Age of Child (Years)",
    "Date of Contact",
    "Contact Source",
]
ANNEX_A = {"from": "2026-10-01", "to": "2026-11-01", "format": "csv"}


def birthday_children():
    before = child(
        given_name="Eglantine",
        family_name="Before",
        date_of_birth=date(2016, 10, 13),
        gender=Gender.FEMALE,
        ethnicity=Ethnicity.WBRI,
    )
    on_the_day = child(
        given_name="Thaddeus",
        family_name="Ontheday",
        date_of_birth=date(2016, 10, 14),
        gender=Gender.MALE,
        ethnicity=Ethnicity.BAFR,
    )
    after = child(
        given_name="Wilhelmina",
        family_name="After",
        date_of_birth=date(2016, 10, 15),
        gender=Gender.FEMALE,
        ethnicity=Ethnicity.AIND,
    )
    return before, on_the_day, after


def csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8"))))


def built_file(user, file_format: str = "csv") -> ExportJob:
    job = export_requested(
        user=user, kind=ExportKind.ANNEX_A, file_format=file_format, period=OCTOBER
    )
    build_export(str(job.pk))
    job.refresh_from_db()
    return job


def test_columns_are_ofsteds_in_order_and_ages_are_whole_years_at_the_contact(manager):
    before, on_the_day, after = birthday_children()
    contact(local(2026, 10, 14, 10, 0), before, on_the_day, after, source=Source.GP)
    job = built_file(manager)
    assert job.state == ExportState.DONE
    assert job.filename == "annex-a-list-1-contacts-2026-10-01-to-2026-10-31.csv"
    assert csv_rows(bytes(job.content)) == [
        HEADERS,
        [str(before.pk), "2", "WBRI", "13/10/2016", "10", "14/10/2026", "3A"],
        [str(on_the_day.pk), "1", "BAFR", "14/10/2016", "10", "14/10/2026", "3A"],
        [str(after.pk), "2", "AIND", "15/10/2016", "9", "14/10/2026", "3A"],
    ]


def test_one_row_per_child_per_contact_and_no_names(manager):
    first = child(given_name="Perpetua", family_name="Gravesend", date_of_birth=date(2020, 1, 2))
    second = child(given_name="Ambrose", family_name="Fitzwarren", date_of_birth=date(2019, 5, 6))
    contact(local(2026, 10, 3, 9, 0), first, second, source=Source.POLICE)
    contact(local(2026, 10, 20, 9, 0), first, source=Source.SCHOOLS)
    content = bytes(built_file(manager).content)
    rows = csv_rows(content)[1:]
    assert [(row[0], row[5], row[6]) for row in rows] == [
        (str(first.pk), "03/10/2026", "6"),
        (str(second.pk), "03/10/2026", "6"),
        (str(first.pk), "20/10/2026", "2A"),
    ]
    text = content.decode()
    for name in ("Perpetua", "Gravesend", "Ambrose", "Fitzwarren"):
        assert name not in text


def test_contacts_outside_the_period_are_left_out_at_local_midnight(manager):
    """1 October starts at 2026-09-30 23:00 UTC (summer time); 1 November at 00:00 UTC (winter
    time, after the clocks went back on 25 October)."""
    last_minute_of_september = child(date_of_birth=date(2015, 1, 1))
    first_minute_of_october = child(date_of_birth=date(2015, 1, 2))
    last_minute_of_october = child(date_of_birth=date(2015, 1, 3))
    first_minute_of_november = child(date_of_birth=date(2015, 1, 4))
    contact(local(2026, 9, 30, 23, 59), last_minute_of_september)
    contact(local(2026, 10, 1, 0, 0), first_minute_of_october)
    contact(local(2026, 10, 31, 23, 59), last_minute_of_october)
    contact(local(2026, 11, 1, 0, 0), first_minute_of_november)
    rows = csv_rows(bytes(built_file(manager).content))[1:]
    assert [(row[0], row[5]) for row in rows] == [
        (str(first_minute_of_october.pk), "01/10/2026"),
        (str(last_minute_of_october.pk), "31/10/2026"),
    ]


def test_date_of_contact_and_age_use_the_local_date(manager):
    """23:30 UTC on 14 October is 00:30 on 15 October in London: the contact is on the 15th,
    which is the child's tenth birthday."""
    birthday_child = child(date_of_birth=date(2016, 10, 15))
    contact(datetime(2026, 10, 14, 23, 30, tzinfo=UTC), birthday_child)
    [row] = csv_rows(bytes(built_file(manager).content))[1:]
    assert (row[3], row[4], row[5]) == ("15/10/2016", "10", "15/10/2026")


def test_unborn_child_unknown_birth_date_and_adults(manager):
    unborn = child(date_of_birth=None, expected_date_of_delivery=date(2027, 1, 20))
    unknown = child(date_of_birth=None, ethnicity=Ethnicity.NOBT)
    seventeen = child(date_of_birth=date(2008, 10, 15))  # 18 tomorrow: still a child
    eighteen = child(date_of_birth=date(2008, 10, 14))  # 18 today: an adult, left out
    parent = child(date_of_birth=date(1985, 3, 3))
    contact(local(2026, 10, 14, 10, 0), unborn, unknown, seventeen, eighteen, parent)
    rows = csv_rows(bytes(built_file(manager).content))[1:]
    assert rows == [
        [str(unborn.pk), "0", "NOBT", "20/01/2027", "", "14/10/2026", "2A"],
        [str(unknown.pk), "0", "NOBT", "", "", "14/10/2026", "2A"],
        [str(seventeen.pk), "0", "NOBT", "15/10/2008", "17", "14/10/2026", "2A"],
    ]


def test_xlsx_has_the_same_columns_with_real_dates_shown_dd_mm_yyyy(manager):
    before, on_the_day, after = birthday_children()
    contact(local(2026, 10, 14, 10, 0), before, on_the_day, after, source=Source.GP)
    job = built_file(manager, "xlsx")
    assert job.filename.endswith(".xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(bytes(job.content)))["List 1"]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    assert rows[1] == (
        str(before.pk),
        "2",
        "WBRI",
        datetime(2016, 10, 13),
        10,
        datetime(2026, 10, 14),
        "3A",
    )
    assert rows[3][4] == 9
    assert sheet["D2"].number_format == "dd/mm/yyyy"
    assert sheet["F2"].number_format == "dd/mm/yyyy"
    assert sheet["A2"].data_type == "s"


def test_birthdays_on_29_february():
    leapling = date(2012, 2, 29)
    assert age_in_years(leapling, date(2026, 2, 28)) == 13
    assert age_in_years(leapling, date(2026, 3, 1)) == 14
    assert age_in_years(leapling, date(2024, 2, 29)) == 12


# --- The page -------------------------------------------------------------------------------


def test_manager_sees_the_form(manager, client_for):
    response = client_for(manager).get(reverse("reporting:annex_a"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Annex A" in text
    for name in ('name="from-day"', 'name="to-year"', 'name="format"'):
        assert name in text


def test_manager_asks_downloads_and_both_are_audited(manager, client_for):
    before, on_the_day, after = birthday_children()
    contact(local(2026, 10, 14, 10, 0), before, on_the_day, after)
    client = client_for(manager)
    response = client.post(reverse("reporting:annex_a"), ANNEX_A)
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reporting:export_status", args=[job.pk])
    assert (job.kind, job.file_format, job.suppressed) == (ExportKind.ANNEX_A, "csv", False)
    build_export(str(job.pk))

    page = client.get(response["Location"]).content.decode()
    assert "Download the Annex A list" in page
    download = client.get(reverse("reporting:export_download", args=[job.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"] == (
        'attachment; filename="annex-a-list-1-contacts-2026-10-01-to-2026-10-31.csv"'
    )
    assert csv_rows(download.content)[0] == HEADERS
    event = AuditEvent.objects.get(name="reporting.downloaded")
    assert event.actor == manager
    assert (event.data["kind"], event.data["from"], event.data["to"]) == (
        "annex_a",
        "2026-10-01",
        "2026-11-01",
    )
    built_event = AuditEvent.objects.get(name="reporting.annex_a_built")
    assert built_event.actor == manager
    assert built_event.data["rows"] == 3
    assert built_event.data["people"] == sorted([before.pk, on_the_day.pk, after.pk])


@pytest.mark.parametrize(
    "persona",
    ["board_member", "hub_worker", "researcher_a", "supervisor_a", "referrer", "administrator"],
    ids=str,
)
def test_everyone_but_a_manager_gets_404(persona, request, client_for):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("reporting:annex_a")).status_code == 404
    assert client.get(reverse("reporting:annex_a"), ANNEX_A).status_code == 404
    assert client.post(reverse("reporting:annex_a"), ANNEX_A).status_code == 404
    assert not ExportJob.objects.exists()


def test_the_service_refuses_a_board_member(board_member):
    with pytest.raises(PermissionError):
        export_requested(
            user=board_member, kind=ExportKind.ANNEX_A, file_format="csv", period=OCTOBER
        )
    assert not ExportJob.objects.exists()


def test_a_board_member_cannot_reach_a_managers_annex_a(manager, board_member, client_for):
    job = built_file(manager)
    client = client_for(board_member)
    assert client.get(reverse("reporting:export_status", args=[job.pk])).status_code == 404
    assert client.get(reverse("reporting:export_download", args=[job.pk])).status_code == 404


@pytest.mark.parametrize(
    ("data", "field_id", "message"),
    [
        ({**ANNEX_A, "from": "31/10/2026"}, "id_from", "'from' must be a real date"),
        ({**ANNEX_A, "to": ""}, "id_to", "Enter the 'to' date"),
        ({**ANNEX_A, "to": "2026-09-01"}, "id_to", "must be after its start"),
        ({**ANNEX_A, "format": "pdf"}, "id_format", "Choose a file format"),
    ],
)
def test_bad_input_is_400_with_the_field_named_and_nothing_stored(
    manager, client_for, data, field_id, message
):
    response = client_for(manager).post(reverse("reporting:annex_a"), data)
    assert response.status_code == 400
    text = html.unescape(response.content.decode())
    assert "There is a problem" in text
    assert f'href="#{field_id}' in text
    assert message in text
    assert not ExportJob.objects.exists()


def test_bad_dates_in_the_query_string_are_400_too(manager, client_for):
    response = client_for(manager).get(reverse("reporting:annex_a"), {"from": "2026-02-30"})
    assert response.status_code == 400
    assert 'href="#id_from_0"' in response.content.decode()


def test_the_selector_shows_nothing_to_a_role_that_sees_no_contacts(board_member):
    contact(local(2026, 10, 14, 10, 0), child(date_of_birth=date(2016, 1, 1)))
    assert list(annex_a_list_1(user=board_member, period=OCTOBER)) == []


def test_the_list_is_read_in_a_fixed_number_of_queries(manager, django_assert_max_num_queries):
    for day in range(1, 21):
        contact(local(2026, 10, day, 9, 0), child(), child())
    with django_assert_max_num_queries(3):
        rows = list(annex_a_list_1(user=manager, period=OCTOBER))
    assert len(rows) == 40
