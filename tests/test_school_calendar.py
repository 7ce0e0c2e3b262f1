"""The school-day calendar of Operation Encompass (issue 13, item 4's timing): weekdays less bank
holidays less the deployment's school holidays, 09:00 and 10:00 Europe/London across both clock
changes; and the administrators' school holidays page."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured

from deadlines.models import ClosureDay
from mash.audit.models import AuditEvent
from schools.calendar import (
    SchoolCalendar,
    acknowledge_by,
    is_school_day,
    next_school_day_start,
)
from schools.models import SchoolHoliday

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
HOLIDAYS = "/staff/schools/holidays/"


def london(*args) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def easter_holiday() -> SchoolHoliday:
    # Term ends Friday 27 March 2026; back on Monday 13 April.
    return SchoolHoliday.objects.create(
        name="Easter holiday", first_day=date(2026, 3, 30), last_day=date(2026, 4, 10)
    )


# --- When a notice is due ----------------------------------------------------------------------


def test_an_incident_on_friday_night_is_due_monday_at_nine():
    assert next_school_day_start(london(2026, 3, 6, 22, 0)) == london(2026, 3, 9, 9, 0)


def test_an_incident_on_the_last_day_of_term_is_due_on_the_first_day_back():
    easter_holiday()
    due = next_school_day_start(london(2026, 3, 27, 15, 30))
    assert due == london(2026, 4, 13, 9, 0)
    assert due.astimezone(UTC) == utc(2026, 4, 13, 8, 0)  # British Summer Time by then
    # An incident in the holiday is due on the first day back too.
    assert next_school_day_start(london(2026, 4, 8, 12, 0)) == london(2026, 4, 13, 9, 0)


def test_an_incident_before_a_bank_holiday_monday_is_due_tuesday_at_nine():
    # Monday 25 May 2026 is the spring bank holiday.
    assert next_school_day_start(london(2026, 5, 22, 21, 0)) == london(2026, 5, 26, 9, 0)
    assert next_school_day_start(london(2026, 5, 25, 8, 0)) == london(2026, 5, 26, 9, 0)


def test_an_incident_before_the_start_of_a_school_day_is_due_that_morning():
    tuesday = (2026, 3, 10)
    assert next_school_day_start(london(*tuesday, 7, 0)) == london(*tuesday, 9, 0)
    assert next_school_day_start(london(*tuesday, 8, 59)) == london(*tuesday, 9, 0)
    # From the start of the school day on, it is the next school day's start.
    assert next_school_day_start(london(*tuesday, 9, 0)) == london(2026, 3, 11, 9, 0)
    assert next_school_day_start(london(*tuesday, 23, 59)) == london(2026, 3, 11, 9, 0)


def test_the_spring_clock_change_weekend():
    # Clocks go forward at 01:00 GMT on Sunday 29 March 2026.
    incident = london(2026, 3, 28, 23, 30)  # Saturday night, GMT
    assert incident.astimezone(UTC) == utc(2026, 3, 28, 23, 30)
    due = next_school_day_start(incident)
    assert due == london(2026, 3, 30, 9, 0)
    assert due.utcoffset().total_seconds() == 3600
    assert due.astimezone(UTC) == utc(2026, 3, 30, 8, 0)
    assert acknowledge_by(due).astimezone(UTC) == utc(2026, 3, 30, 9, 0)


def test_the_autumn_clock_change_weekend():
    # Clocks go back at 02:00 BST on Sunday 25 October 2026.
    incident = london(2026, 10, 24, 23, 30)  # Saturday night, BST
    assert incident.astimezone(UTC) == utc(2026, 10, 24, 22, 30)
    due = next_school_day_start(incident)
    assert due == london(2026, 10, 26, 9, 0)
    assert due.utcoffset().total_seconds() == 0
    assert due.astimezone(UTC) == utc(2026, 10, 26, 9, 0)
    assert acknowledge_by(due).astimezone(UTC) == utc(2026, 10, 26, 10, 0)


def test_an_incident_given_in_utc_is_placed_on_the_london_calendar():
    # 23:30 UTC on Thursday 18 June is 00:30 BST on Friday: due Friday 09:00 BST.
    assert next_school_day_start(utc(2026, 6, 18, 23, 30)) == london(2026, 6, 19, 9, 0)


def test_acknowledge_by_is_ten_that_school_day():
    assert acknowledge_by(date(2026, 3, 9)) == london(2026, 3, 9, 10, 0)
    assert acknowledge_by(date(2026, 7, 1)).astimezone(UTC) == utc(2026, 7, 1, 9, 0)


def test_the_times_come_from_the_settings(settings):
    settings.MASH_ENCOMPASS_NOTICE_TIME = "08:30"
    settings.MASH_ENCOMPASS_ACKNOWLEDGE_TIME = "09:15"
    assert next_school_day_start(london(2026, 3, 6, 22, 0)) == london(2026, 3, 9, 8, 30)
    assert acknowledge_by(date(2026, 3, 9)) == london(2026, 3, 9, 9, 15)
    settings.MASH_ENCOMPASS_NOTICE_TIME = "nine"
    with pytest.raises(ImproperlyConfigured, match="MASH_ENCOMPASS_NOTICE_TIME"):
        next_school_day_start(london(2026, 3, 6, 22, 0))
    settings.MASH_ENCOMPASS_NOTICE_TIME = "11:00"
    with pytest.raises(ImproperlyConfigured, match="before"):
        next_school_day_start(london(2026, 3, 6, 22, 0))


def test_a_naive_datetime_is_refused():
    with pytest.raises(ValueError, match="aware"):
        next_school_day_start(datetime(2026, 3, 6, 22, 0))


# --- Which days are school days -----------------------------------------------------------------


def test_school_days_are_weekdays_less_bank_holidays_and_school_holidays():
    easter_holiday()
    assert is_school_day(date(2026, 3, 27))  # Friday, last day of term
    assert not is_school_day(date(2026, 3, 28))  # Saturday
    assert not is_school_day(date(2026, 3, 30))  # first day of the holiday
    assert not is_school_day(date(2026, 4, 10))  # last day of the holiday
    assert is_school_day(date(2026, 4, 13))
    assert not is_school_day(date(2026, 5, 25))  # spring bank holiday
    assert not is_school_day(date(2026, 12, 25))


def test_the_hubs_closure_days_are_not_school_holidays(administrator):
    ClosureDay.objects.create(
        date=date(2026, 3, 10),
        reason="Staff training",
        created_by=administrator,
        created_at=london(2026, 1, 5, 9, 0),
    )
    assert is_school_day(date(2026, 3, 10))


def test_the_nation_setting_chooses_the_bank_holidays(settings):
    # 2 January is a bank holiday in Scotland only.
    assert is_school_day(date(2026, 1, 2))
    settings.MASH_BANK_HOLIDAY_NATION = "SCT"
    assert not is_school_day(date(2026, 1, 2))


def test_the_calendar_reads_the_holidays_in_one_query(django_assert_num_queries):
    for month in range(1, 12):
        SchoolHoliday.objects.create(
            name=f"Break {month}", first_day=date(2026, month, 20), last_day=date(2026, month, 22)
        )
    with django_assert_num_queries(1):
        next_school_day_start(london(2026, 7, 17, 22, 0))


def test_a_calendar_without_a_database():
    calendar = SchoolCalendar(
        holidays=((date(2026, 3, 9), date(2026, 3, 13)),), notice_time=time(9)
    )
    assert calendar.next_school_day_start(london(2026, 3, 6, 22, 0)) == london(2026, 3, 16, 9, 0)


# --- The school holidays page -------------------------------------------------------------------


def holiday_form(name: str, first: date, last: date) -> dict:
    return {
        "name": name,
        "first_day-day": first.day,
        "first_day-month": first.month,
        "first_day-year": first.year,
        "last_day-day": last.day,
        "last_day-month": last.month,
        "last_day-year": last.year,
    }


def test_administrator_adds_and_removes_school_holidays(client_for, administrator):
    browser = client_for(administrator)
    response = browser.post(
        HOLIDAYS, holiday_form("Summer holiday", date(2030, 7, 22), date(2030, 9, 2))
    )
    assert response.status_code == 302
    holiday = SchoolHoliday.objects.get()
    assert (holiday.first_day, holiday.last_day) == (date(2030, 7, 22), date(2030, 9, 2))
    page = browser.get(HOLIDAYS).content.decode()
    assert "Summer holiday" in page and "Monday 22 July 2030" in page
    assert AuditEvent.objects.filter(name="school_holiday.added").exists()

    response = browser.post(f"{HOLIDAYS}{holiday.pk}/remove/")
    assert response.status_code == 302
    assert not SchoolHoliday.objects.exists()
    assert AuditEvent.objects.filter(name="school_holiday.removed").exists()


def test_a_holiday_ending_before_it_starts_is_refused_naming_the_field(client_for, administrator):
    response = client_for(administrator).post(
        HOLIDAYS, holiday_form("Half term", date(2030, 10, 28), date(2030, 10, 21))
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "The last day must be the same as or after the first day." in page
    assert 'href="#id_last_day_0"' in page
    assert not SchoolHoliday.objects.exists()


def test_overlapping_holidays_are_refused(client_for, administrator):
    browser = client_for(administrator)
    browser.post(HOLIDAYS, holiday_form("Half term", date(2030, 10, 21), date(2030, 10, 25)))
    for first, last in (
        (date(2030, 10, 25), date(2030, 10, 28)),  # shares the last day
        (date(2030, 10, 14), date(2030, 11, 1)),  # wraps it
        (date(2030, 10, 22), date(2030, 10, 22)),  # inside it
    ):
        response = browser.post(HOLIDAYS, holiday_form("Another", first, last))
        assert response.status_code == 400
        assert "These days overlap Half term" in response.content.decode()
    assert SchoolHoliday.objects.count() == 1
    # The day after is fine.
    response = browser.post(
        HOLIDAYS, holiday_form("Training day", date(2030, 10, 28), date(2030, 10, 28))
    )
    assert response.status_code == 302


def test_a_bad_date_names_the_field(client_for, administrator):
    data = holiday_form("Half term", date(2030, 10, 21), date(2030, 10, 25))
    data["first_day-month"] = "13"
    response = client_for(administrator).post(HOLIDAYS, data)
    assert response.status_code == 400
    assert "First day must be a real date" in response.content.decode()
    assert not SchoolHoliday.objects.exists()


@pytest.mark.parametrize("persona", ["hub_worker", "manager", "board_member", "researcher_a"])
def test_only_administrators_change_school_holidays(request, client_for, persona):
    holiday = easter_holiday()
    browser = client_for(request.getfixturevalue(persona))
    assert browser.get(HOLIDAYS).status_code == 404
    data = holiday_form("Summer holiday", date(2030, 7, 22), date(2030, 9, 2))
    assert browser.post(HOLIDAYS, data).status_code == 404
    assert browser.post(f"{HOLIDAYS}{holiday.pk}/remove/").status_code == 404
    assert SchoolHoliday.objects.count() == 1
