"""The three deadline clocks (DOMAIN.md, "RAG ratings and timescales").

Pure unit tests: no database. Every expected value is worked out by hand and written down as a
local wall-clock time plus its offset (GMT = UTC+0, BST = UTC+1), so that a result with the
right wall-clock time but the wrong offset fails.

Calendar used below (2026): 1 January is a Thursday; the week of Monday 1 June 2026 has no
English bank holiday; clocks go forward on Sunday 29 March and back on Sunday 25 October; Good
Friday is 3 April, Easter Monday 6 April; Christmas Day is Friday 25 December, Boxing Day Saturday
26 December (substitute Monday 28 December); New Year's Day 2027 is a Friday.
"""

from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from mash import clocks
from mash.clocks import Clock, Timescale, WorkingCalendar, default_calendar, due_at

LONDON = ZoneInfo("Europe/London")
OFFSETS = {"GMT": timedelta(0), "BST": timedelta(hours=1)}

ENGLAND = WorkingCalendar()
SCOTLAND = WorkingCalendar(nation="SCT")

RED_DECISION = Timescale(4, Clock.ELAPSED)
RED_RETURN = Timescale(2, Clock.ELAPSED)
AMBER_DECISION = Timescale(1, Clock.WORKING_DAYS)
AMBER_RETURN = Timescale(6, Clock.WORKING_HOURS)
GREEN_DECISION = Timescale(3, Clock.WORKING_DAYS)
GREEN_RETURN = Timescale(1, Clock.WORKING_DAYS)


def london(y: int, m: int, d: int, hh: int, mm: int = 0, *, fold: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=LONDON, fold=fold)


def assert_local(result: datetime, wall: str, zone: str) -> None:
    """``result`` is in Europe/London, reads ``wall`` ("YYYY-MM-DD HH:MM") and is in ``zone``."""
    assert result.tzinfo == LONDON, result.tzinfo
    assert result.strftime("%Y-%m-%d %H:%M") == wall
    assert result.utcoffset() == OFFSETS[zone], (result, zone)


# --- DOMAIN.md's examples, verbatim ---------------------------------------------------------------


def test_domain_working_days_friday_1600_is_due_monday_1600():
    # Friday 5 June 2026 16:00 -> Monday 8 June 16:00.
    assert_local(ENGLAND.add(london(2026, 6, 5, 16), AMBER_DECISION), "2026-06-08 16:00", "BST")


def test_domain_working_days_saturday_1000_is_due_tuesday_0900():
    # Saturday: count from Monday 09:00; one working day later is Tuesday 9 June 09:00.
    assert_local(ENGLAND.add(london(2026, 6, 6, 10), AMBER_DECISION), "2026-06-09 09:00", "BST")


def test_domain_working_hours_thursday_1500_is_due_friday_1300():
    # 15:00-17:00 Thursday (2 h), 09:00-13:00 Friday (4 h).
    assert_local(ENGLAND.add(london(2026, 6, 4, 15), AMBER_RETURN), "2026-06-05 13:00", "BST")


def test_domain_working_hours_saturday_1000_is_due_monday_1500():
    # Nothing counts at the weekend; 09:00-15:00 Monday 8 June.
    assert_local(ENGLAND.add(london(2026, 6, 6, 10), AMBER_RETURN), "2026-06-08 15:00", "BST")


def test_domain_escalation_example_pieces():
    # Amber opened Monday 1 June 10:00 (due Tuesday 10:00); escalated to Red at 15:00: 15:00 + 4 h
    # elapsed = 19:00, the earlier of the two.
    assert_local(ENGLAND.add(london(2026, 6, 1, 10), AMBER_DECISION), "2026-06-02 10:00", "BST")
    assert_local(ENGLAND.add(london(2026, 6, 1, 15), RED_DECISION), "2026-06-01 19:00", "BST")


def test_domain_de_escalation_example_pieces():
    # Red opened Monday 1 June 10:00 (due 14:00); to Green at 11:00: opening + 3 working days =
    # Thursday 4 June 10:00, the later of the two.
    assert_local(ENGLAND.add(london(2026, 6, 1, 10), RED_DECISION), "2026-06-01 14:00", "BST")
    assert_local(ENGLAND.add(london(2026, 6, 1, 10), GREEN_DECISION), "2026-06-04 10:00", "BST")


# --- The RAG defaults ----------------------------------------------------------------------------


def test_red_four_elapsed_hours_runs_through_the_night():
    # Tuesday 2 June 23:00 -> Wednesday 3 June 03:00.
    assert_local(ENGLAND.add(london(2026, 6, 2, 23), RED_DECISION), "2026-06-03 03:00", "BST")


def test_red_two_elapsed_hours_runs_through_the_weekend():
    # Saturday 6 June 23:30 -> Sunday 7 June 01:30.
    assert_local(ENGLAND.add(london(2026, 6, 6, 23, 30), RED_RETURN), "2026-06-07 01:30", "BST")


def test_amber_one_working_day_and_six_working_hours():
    start = london(2026, 6, 2, 11)  # Tuesday 11:00
    assert_local(ENGLAND.add(start, AMBER_DECISION), "2026-06-03 11:00", "BST")
    assert_local(ENGLAND.add(start, AMBER_RETURN), "2026-06-02 17:00", "BST")  # ends at 17:00


def test_green_three_working_days_and_one_working_day():
    start = london(2026, 6, 3, 14, 15)  # Wednesday 14:15
    # Thursday, Friday, Monday.
    assert_local(ENGLAND.add(start, GREEN_DECISION), "2026-06-08 14:15", "BST")
    assert_local(ENGLAND.add(start, GREEN_RETURN), "2026-06-04 14:15", "BST")


# --- Working days: rules and edges ---------------------------------------------------------------


def test_working_days_over_a_weekend():
    # Thursday 4 June 12:00 + 3 -> Friday, Monday, Tuesday 9 June 12:00.
    start = london(2026, 6, 4, 12)
    assert_local(ENGLAND.add(start, Timescale(3, Clock.WORKING_DAYS)), "2026-06-09 12:00", "BST")


def test_working_days_from_sunday_counts_from_monday_0900():
    # Sunday 7 June 18:00 + 3 -> Monday 09:00 start, then Tuesday, Wednesday, Thursday 11 June.
    assert_local(ENGLAND.add(london(2026, 6, 7, 18), GREEN_DECISION), "2026-06-11 09:00", "BST")


def test_working_days_keep_the_clock_time_outside_office_hours_on_a_working_day():
    # DOMAIN.md taken literally: same local clock time on the next working day.
    assert_local(ENGLAND.add(london(2026, 6, 1, 20), AMBER_DECISION), "2026-06-02 20:00", "BST")
    assert_local(ENGLAND.add(london(2026, 6, 1, 7), AMBER_DECISION), "2026-06-02 07:00", "BST")
    # Friday evening: Monday evening.
    assert_local(ENGLAND.add(london(2026, 6, 5, 22), AMBER_DECISION), "2026-06-08 22:00", "BST")


def test_working_days_keep_seconds():
    start = datetime(2026, 6, 1, 10, 11, 12, 500, tzinfo=LONDON)
    expected = datetime(2026, 6, 2, 10, 11, 12, 500, tzinfo=LONDON)
    assert ENGLAND.add(start, AMBER_DECISION) == expected


def test_zero_working_days():
    zero = Timescale(0, Clock.WORKING_DAYS)
    assert_local(ENGLAND.add(london(2026, 6, 1, 10), zero), "2026-06-01 10:00", "BST")
    # Saturday: the count starts at Monday 09:00.
    assert_local(ENGLAND.add(london(2026, 6, 6, 10), zero), "2026-06-08 09:00", "BST")


# --- Working hours: rules and edges --------------------------------------------------------------


def test_working_hours_before_0900_counts_from_0900():
    # Monday 1 June 07:30 + 6 -> 09:00-15:00.
    assert_local(ENGLAND.add(london(2026, 6, 1, 7, 30), AMBER_RETURN), "2026-06-01 15:00", "BST")


def test_working_hours_after_1700_counts_from_0900_next_working_day():
    # Monday 18:00 -> Tuesday 09:00-15:00.
    assert_local(ENGLAND.add(london(2026, 6, 1, 18), AMBER_RETURN), "2026-06-02 15:00", "BST")
    # Exactly 17:00 is already outside the working day.
    assert_local(ENGLAND.add(london(2026, 6, 1, 17), AMBER_RETURN), "2026-06-02 15:00", "BST")
    # Friday 18:00 -> Monday 09:00-15:00.
    assert_local(ENGLAND.add(london(2026, 6, 5, 18), AMBER_RETURN), "2026-06-08 15:00", "BST")


def test_working_hours_ending_exactly_at_1700_is_due_at_1700():
    assert_local(ENGLAND.add(london(2026, 6, 1, 11), AMBER_RETURN), "2026-06-01 17:00", "BST")
    eight = Timescale(8, Clock.WORKING_HOURS)
    assert_local(ENGLAND.add(london(2026, 6, 1, 9), eight), "2026-06-01 17:00", "BST")
    # A start before 09:00 still ends at 17:00, not 09:00 the next day.
    assert_local(ENGLAND.add(london(2026, 6, 1, 6), eight), "2026-06-01 17:00", "BST")


def test_working_hours_over_several_days():
    # Monday 09:00 + 16 -> Monday 17:00 (8), Tuesday 17:00 (16).
    eight = Timescale(8, Clock.WORKING_HOURS)
    sixteen = Timescale(16, Clock.WORKING_HOURS)
    assert_local(ENGLAND.add(london(2026, 6, 1, 9), eight), "2026-06-01 17:00", "BST")
    assert_local(ENGLAND.add(london(2026, 6, 1, 9), sixteen), "2026-06-02 17:00", "BST")


def test_working_hours_keep_minutes():
    # Thursday 16:45 + 6: 15 min Thursday, 5 h 45 min Friday -> 14:45.
    assert_local(ENGLAND.add(london(2026, 6, 4, 16, 45), AMBER_RETURN), "2026-06-05 14:45", "BST")


def test_zero_working_hours_moves_into_working_time():
    zero = Timescale(0, Clock.WORKING_HOURS)
    assert_local(ENGLAND.add(london(2026, 6, 1, 10, 30), zero), "2026-06-01 10:30", "BST")
    assert_local(ENGLAND.add(london(2026, 6, 6, 10), zero), "2026-06-08 09:00", "BST")


# --- English bank holidays -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 4, 3),  # Good Friday
        date(2026, 4, 6),  # Easter Monday
        date(2026, 12, 25),  # Christmas Day
        date(2026, 12, 28),  # Boxing Day (substitute)
        date(2027, 1, 1),  # New Year's Day
        date(2026, 6, 6),  # a Saturday
        date(2026, 6, 7),  # a Sunday
    ],
)
def test_not_working_days_in_england(day):
    assert not ENGLAND.is_working_day(day)


@pytest.mark.parametrize(
    "day", [date(2026, 4, 2), date(2026, 4, 7), date(2026, 12, 24), date(2026, 12, 29)]
)
def test_working_days_in_england(day):
    assert ENGLAND.is_working_day(day)


def test_next_working_day_is_strictly_after():
    assert ENGLAND.next_working_day(date(2026, 6, 1)) == date(2026, 6, 2)
    assert ENGLAND.next_working_day(date(2026, 6, 5)) == date(2026, 6, 8)
    assert ENGLAND.next_working_day(date(2026, 4, 2)) == date(2026, 4, 7)  # over Easter
    assert ENGLAND.next_working_day(date(2026, 12, 24)) == date(2026, 12, 29)


def test_working_days_over_easter():
    # Thursday 2 April 10:00: Good Friday, the weekend and Easter Monday skipped -> Tuesday 7 April.
    assert_local(ENGLAND.add(london(2026, 4, 2, 10), AMBER_DECISION), "2026-04-07 10:00", "BST")
    # Received on Good Friday: from Tuesday 7 April 09:00, one more -> Wednesday 8 April 09:00.
    assert_local(ENGLAND.add(london(2026, 4, 3, 11), AMBER_DECISION), "2026-04-08 09:00", "BST")


def test_working_hours_over_easter():
    # Thursday 2 April 14:00: 3 h Thursday, then 3 h on Tuesday 7 April -> 12:00.
    assert_local(ENGLAND.add(london(2026, 4, 2, 14), AMBER_RETURN), "2026-04-07 12:00", "BST")


def test_working_days_over_christmas_and_new_year():
    start = london(2026, 12, 24, 12)  # Thursday
    # 25 (holiday), 26-27 (weekend), 28 (substitute holiday) -> Tuesday 29 December.
    assert_local(ENGLAND.add(start, AMBER_DECISION), "2026-12-29 12:00", "GMT")
    # 29, 30, 31 December.
    assert_local(ENGLAND.add(start, GREEN_DECISION), "2026-12-31 12:00", "GMT")
    # ... then 1 January (holiday), 2-3 (weekend) -> Monday 4 January 2027.
    assert_local(ENGLAND.add(start, Timescale(4, Clock.WORKING_DAYS)), "2027-01-04 12:00", "GMT")


def test_working_hours_over_christmas():
    # Thursday 24 December 15:00: 2 h, then Tuesday 29 December 09:00-13:00.
    assert_local(ENGLAND.add(london(2026, 12, 24, 15), AMBER_RETURN), "2026-12-29 13:00", "GMT")


# --- Scotland differs ----------------------------------------------------------------------------


def test_scottish_holidays_are_not_english_ones():
    for day in (date(2026, 1, 2), date(2027, 1, 4), date(2025, 12, 1), date(2026, 11, 30)):
        assert ENGLAND.is_working_day(day)
        assert not SCOTLAND.is_working_day(day)
    # Easter Monday is an English, not a Scottish, bank holiday.
    assert not ENGLAND.is_working_day(date(2026, 4, 6))
    assert SCOTLAND.is_working_day(date(2026, 4, 6))


def test_second_of_january_in_scotland():
    # Wednesday 31 December 2025 10:00; 1 January is a holiday in both, 2 January only in Scotland.
    start = london(2025, 12, 31, 10)
    assert_local(ENGLAND.add(start, AMBER_DECISION), "2026-01-02 10:00", "GMT")
    assert_local(SCOTLAND.add(start, AMBER_DECISION), "2026-01-05 10:00", "GMT")


def test_scottish_new_year_substitute_2027():
    # Thursday 31 December 2026 12:00: England's next working day is Monday 4 January 2027;
    # Scotland's 2 January (Saturday) is observed on Monday 4 January -> Tuesday 5 January.
    start = london(2026, 12, 31, 12)
    assert_local(ENGLAND.add(start, AMBER_DECISION), "2027-01-04 12:00", "GMT")
    assert_local(SCOTLAND.add(start, AMBER_DECISION), "2027-01-05 12:00", "GMT")
    # Working hours from 15:00: 2 h on the 31st, then 09:00-13:00.
    start = london(2026, 12, 31, 15)
    assert_local(ENGLAND.add(start, AMBER_RETURN), "2027-01-04 13:00", "GMT")
    assert_local(SCOTLAND.add(start, AMBER_RETURN), "2027-01-05 13:00", "GMT")


def test_st_andrews_day_substitute_in_scotland():
    # 30 November 2025 is a Sunday; Scotland observes it on Monday 1 December.
    start = london(2025, 11, 28, 10)  # Friday
    assert_local(ENGLAND.add(start, AMBER_DECISION), "2025-12-01 10:00", "GMT")
    assert_local(SCOTLAND.add(start, AMBER_DECISION), "2025-12-02 10:00", "GMT")


# --- Local closures ------------------------------------------------------------------------------


def test_a_local_closure_day_is_not_a_working_day():
    closed = WorkingCalendar(closures=frozenset({date(2026, 6, 8)}))  # Monday
    assert ENGLAND.is_working_day(date(2026, 6, 8))
    assert not closed.is_working_day(date(2026, 6, 8))
    # Friday 16:00 -> Monday closed -> Tuesday 9 June 16:00.
    assert_local(closed.add(london(2026, 6, 5, 16), AMBER_DECISION), "2026-06-09 16:00", "BST")
    # Friday 15:00 + 6 working hours: 2 h Friday, 4 h Tuesday -> 13:00.
    assert_local(closed.add(london(2026, 6, 5, 15), AMBER_RETURN), "2026-06-09 13:00", "BST")
    # Received on the closure day: from Tuesday 09:00, one more -> Wednesday 09:00.
    assert_local(closed.add(london(2026, 6, 8, 10), AMBER_DECISION), "2026-06-10 09:00", "BST")


def test_closures_may_be_given_as_any_iterable():
    closed = WorkingCalendar(closures=[date(2026, 6, 8)])  # type: ignore[arg-type]
    assert closed.closures == frozenset({date(2026, 6, 8)})
    assert not closed.is_working_day(date(2026, 6, 8))


# --- Daylight saving: spring forward on Sunday 29 March 2026 (01:00 GMT -> 02:00 BST) ---------


def test_elapsed_across_spring_change_counts_real_hours():
    # 00:30 GMT = 00:30 UTC; + 4 h = 04:30 UTC = 05:30 BST.
    assert_local(ENGLAND.add(london(2026, 3, 29, 0, 30), RED_DECISION), "2026-03-29 05:30", "BST")
    # Saturday 23:00 GMT = 23:00 UTC; + 4 h = 03:00 UTC = 04:00 BST.
    assert_local(ENGLAND.add(london(2026, 3, 28, 23), RED_DECISION), "2026-03-29 04:00", "BST")
    # 00:30 GMT + 2 h = 02:30 UTC = 03:30 BST.
    assert_local(ENGLAND.add(london(2026, 3, 29, 0, 30), RED_RETURN), "2026-03-29 03:30", "BST")


def test_working_days_across_spring_change_keep_the_clock_time():
    # Friday 27 March 16:00 GMT -> Monday 30 March 16:00 BST.
    assert_local(ENGLAND.add(london(2026, 3, 27, 16), AMBER_DECISION), "2026-03-30 16:00", "BST")
    # Received on the Sunday of the change -> Tuesday 31 March 09:00 BST.
    assert_local(ENGLAND.add(london(2026, 3, 29, 3), AMBER_DECISION), "2026-03-31 09:00", "BST")


def test_working_hours_across_spring_change_are_unaffected():
    # Friday 27 March 15:00 GMT: 2 h Friday, then Monday 09:00-13:00 BST.
    assert_local(ENGLAND.add(london(2026, 3, 27, 15), AMBER_RETURN), "2026-03-30 13:00", "BST")


# --- Daylight saving: fall back on Sunday 25 October 2026 (02:00 BST -> 01:00 GMT) ------------


def test_elapsed_across_autumn_change_counts_real_hours():
    # 00:30 BST = 23:30 UTC (24th); + 4 h = 03:30 UTC = 03:30 GMT (3 h on the wall clock).
    assert_local(ENGLAND.add(london(2026, 10, 25, 0, 30), RED_DECISION), "2026-10-25 03:30", "GMT")
    # Saturday 23:00 BST = 22:00 UTC; + 4 h = 02:00 UTC = 02:00 GMT.
    assert_local(ENGLAND.add(london(2026, 10, 24, 23), RED_DECISION), "2026-10-25 02:00", "GMT")
    # 00:30 BST + 2 h = 01:30 UTC: the second 01:30, in GMT.
    result = ENGLAND.add(london(2026, 10, 25, 0, 30), RED_RETURN)
    assert_local(result, "2026-10-25 01:30", "GMT")
    assert result.astimezone(UTC) == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)


def test_working_days_across_autumn_change_keep_the_clock_time():
    # Friday 23 October 16:00 BST -> Monday 26 October 16:00 GMT.
    assert_local(ENGLAND.add(london(2026, 10, 23, 16), AMBER_DECISION), "2026-10-26 16:00", "GMT")
    # Green: Monday, Tuesday, Wednesday 28 October 16:00 GMT.
    assert_local(ENGLAND.add(london(2026, 10, 23, 16), GREEN_DECISION), "2026-10-28 16:00", "GMT")


def test_working_hours_across_autumn_change_are_unaffected():
    # Friday 23 October 15:00 BST: 2 h Friday, then Monday 09:00-13:00 GMT.
    assert_local(ENGLAND.add(london(2026, 10, 23, 15), AMBER_RETURN), "2026-10-26 13:00", "GMT")


# --- Non-existent and ambiguous local times -----------------------------------------------------


def test_localise_normalises_a_time_in_the_spring_gap():
    # 01:30 on 29 March 2026 does not exist in London: through UTC it becomes 02:30 BST.
    assert_local(ENGLAND.localise(date(2026, 3, 29), time(1, 30)), "2026-03-29 02:30", "BST")


def test_localise_takes_the_earlier_of_an_ambiguous_time():
    # 01:30 on 25 October 2026 happens twice: fold=0 is the first, in BST (00:30 UTC).
    result = ENGLAND.localise(date(2026, 10, 25), time(1, 30, fold=1))
    assert_local(result, "2026-10-25 01:30", "BST")
    assert result.astimezone(UTC) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_working_days_into_a_gap_on_a_working_day_elsewhere():
    # Cairo's clocks went forward at 00:00 on Friday 26 April 2024 (to 01:00, UTC+3).
    cairo = ZoneInfo("Africa/Cairo")
    calendar = WorkingCalendar(tz=cairo)
    start = datetime(2024, 4, 25, 0, 30, tzinfo=cairo)  # Thursday 00:30 UTC+2
    result = calendar.add(start, AMBER_DECISION)
    # Friday 00:30 does not exist: 00:30 at UTC+2 = 22:30 UTC (25th) = 01:30 at UTC+3.
    assert result.astimezone(UTC) == datetime(2024, 4, 25, 22, 30, tzinfo=UTC)
    assert result.utcoffset() == timedelta(hours=3)


def test_working_days_into_an_ambiguous_time_on_a_working_day_elsewhere():
    # Cairo's clocks went back at 24:00 on Thursday 31 October 2024, so 23:30 happened twice.
    cairo = ZoneInfo("Africa/Cairo")
    calendar = WorkingCalendar(tz=cairo)
    start = datetime(2024, 10, 30, 23, 30, tzinfo=cairo)  # Wednesday, UTC+3
    result = calendar.add(start, AMBER_DECISION)
    # The first 23:30 (UTC+3) = 20:30 UTC.
    assert result.astimezone(UTC) == datetime(2024, 10, 31, 20, 30, tzinfo=UTC)


# --- Zones in and out ----------------------------------------------------------------------------


def test_input_in_utc_output_in_london():
    # 15:00 UTC on Friday 5 June = 16:00 BST -> Monday 8 June 16:00 BST.
    result = ENGLAND.add(datetime(2026, 6, 5, 15, tzinfo=UTC), AMBER_DECISION)
    assert_local(result, "2026-06-08 16:00", "BST")
    assert result.astimezone(UTC) == datetime(2026, 6, 8, 15, tzinfo=UTC)
    # Winter: 15:00 UTC Thursday 8 January = 15:00 GMT; + 4 h elapsed = 19:00 GMT.
    assert_local(
        ENGLAND.add(datetime(2026, 1, 8, 15, tzinfo=UTC), RED_DECISION), "2026-01-08 19:00", "GMT"
    )


def test_the_local_date_decides_the_working_day():
    # 23:30 UTC on Friday 5 June is 00:30 BST on Saturday: not a working day -> from Monday 09:00,
    # one more -> Tuesday 9 June 09:00.
    result = ENGLAND.add(datetime(2026, 6, 5, 23, 30, tzinfo=UTC), AMBER_DECISION)
    assert_local(result, "2026-06-09 09:00", "BST")
    # 08:30 UTC on Monday 1 June is 09:30 BST: inside working hours -> 15:30.
    result = ENGLAND.add(datetime(2026, 6, 1, 8, 30, tzinfo=UTC), AMBER_RETURN)
    assert_local(result, "2026-06-01 15:30", "BST")


def test_input_in_another_zone():
    # 11:00 in New York (EDT, UTC-4) on Friday 5 June = 15:00 UTC = 16:00 BST.
    start = datetime(2026, 6, 5, 11, tzinfo=ZoneInfo("America/New_York"))
    assert_local(ENGLAND.add(start, AMBER_DECISION), "2026-06-08 16:00", "BST")


def test_a_fixed_offset_input():
    start = datetime(2026, 6, 2, 23, tzinfo=timezone(timedelta(hours=1)))  # = 23:00 BST
    assert_local(ENGLAND.add(start, RED_DECISION), "2026-06-03 03:00", "BST")


@pytest.mark.parametrize("timescale", [RED_DECISION, AMBER_DECISION, AMBER_RETURN])
def test_naive_datetime_refused(timescale):
    with pytest.raises(ValueError, match="aware"):
        ENGLAND.add(datetime(2026, 6, 1, 10), timescale)
    with pytest.raises(ValueError, match="aware"):
        due_at(datetime(2026, 6, 1, 10), timescale, calendar=ENGLAND)


def test_naive_datetime_refused_by_working_seconds_between():
    with pytest.raises(ValueError, match="aware"):
        ENGLAND.working_seconds_between(datetime(2026, 6, 1, 10), london(2026, 6, 1, 11))
    with pytest.raises(ValueError, match="aware"):
        ENGLAND.working_seconds_between(london(2026, 6, 1, 10), datetime(2026, 6, 1, 11))


# --- working_seconds_between ---------------------------------------------------------------------


def test_working_seconds_within_one_day():
    # 10:00-12:30 = 2.5 h = 9000 s.
    assert ENGLAND.working_seconds_between(london(2026, 6, 1, 10), london(2026, 6, 1, 12, 30)) == (
        9000.0
    )
    # 07:00-20:00 counts only 09:00-17:00 = 8 h = 28800 s.
    assert ENGLAND.working_seconds_between(london(2026, 6, 1, 7), london(2026, 6, 1, 20)) == 28800.0


def test_working_seconds_across_a_weekend():
    # Friday 5 June 15:00 -> Monday 8 June 11:00: 2 h + 2 h = 14400 s.
    assert ENGLAND.working_seconds_between(london(2026, 6, 5, 15), london(2026, 6, 8, 11)) == (
        14400.0
    )
    # Saturday to Sunday: none.
    assert ENGLAND.working_seconds_between(london(2026, 6, 6, 9), london(2026, 6, 7, 17)) == 0.0


def test_working_seconds_across_a_bank_holiday():
    # Thursday 2 April 16:00 -> Tuesday 7 April 10:00 over Easter: 1 h + 1 h = 7200 s.
    assert ENGLAND.working_seconds_between(london(2026, 4, 2, 16), london(2026, 4, 7, 10)) == (
        7200.0
    )
    # Scotland works on Easter Monday: 1 h + 8 h + 1 h = 36000 s.
    assert SCOTLAND.working_seconds_between(london(2026, 4, 2, 16), london(2026, 4, 7, 10)) == (
        36000.0
    )


def test_working_seconds_across_a_daylight_saving_weekend():
    # Friday 27 March 16:00 GMT -> Monday 30 March 10:00 BST: 1 h + 1 h = 7200 s.
    assert ENGLAND.working_seconds_between(london(2026, 3, 27, 16), london(2026, 3, 30, 10)) == (
        7200.0
    )


def test_working_seconds_across_a_closure():
    closed = WorkingCalendar(closures=frozenset({date(2026, 6, 8)}))
    # Friday 5 June 15:00 -> Tuesday 9 June 11:00: 2 h + (Monday closed) + 2 h = 14400 s.
    assert closed.working_seconds_between(london(2026, 6, 5, 15), london(2026, 6, 9, 11)) == (
        14400.0
    )


def test_working_seconds_between_in_utc():
    # 08:00-10:00 UTC on Monday 1 June = 09:00-11:00 BST = 7200 s.
    a = datetime(2026, 6, 1, 8, tzinfo=UTC)
    b = datetime(2026, 6, 1, 10, tzinfo=UTC)
    assert ENGLAND.working_seconds_between(a, b) == 7200.0


def test_working_seconds_is_zero_when_b_is_not_after_a():
    a = london(2026, 6, 1, 12)
    assert ENGLAND.working_seconds_between(a, a) == 0.0
    assert ENGLAND.working_seconds_between(a, london(2026, 6, 1, 10)) == 0.0


def test_working_seconds_match_a_working_hours_deadline():
    # Six working hours from Saturday 10:00 is Monday 15:00: 21600 s of working time between.
    assert ENGLAND.working_seconds_between(london(2026, 6, 6, 10), london(2026, 6, 8, 15)) == (
        21600.0
    )


# --- Timescale -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("timescale", "text"),
    [
        (Timescale(4, Clock.ELAPSED), "4 hours"),
        (Timescale(1, Clock.ELAPSED), "1 hour"),
        (Timescale(2, Clock.ELAPSED), "2 hours"),
        (Timescale(1, Clock.WORKING_DAYS), "1 working day"),
        (Timescale(3, Clock.WORKING_DAYS), "3 working days"),
        (Timescale(6, Clock.WORKING_HOURS), "6 working hours"),
        (Timescale(1, Clock.WORKING_HOURS), "1 working hour"),
        (Timescale(0, Clock.WORKING_DAYS), "0 working days"),
    ],
)
def test_timescale_str(timescale, text):
    assert str(timescale) == text


def test_timescale_accepts_the_stored_clock_value():
    timescale = Timescale(3, "working_days")  # type: ignore[arg-type]
    assert timescale.clock is Clock.WORKING_DAYS
    assert timescale == Timescale(3, Clock.WORKING_DAYS)


@pytest.mark.parametrize(
    ("amount", "clock"),
    [(-1, Clock.ELAPSED), (1.5, Clock.WORKING_HOURS), (True, Clock.ELAPSED), (1, "fortnights")],
)
def test_timescale_rejects_nonsense(amount, clock):
    with pytest.raises(ValueError):
        Timescale(amount, clock)


def test_timescale_is_frozen_and_hashable():
    timescale = Timescale(4, Clock.ELAPSED)
    assert {timescale: "red"}[Timescale(4, Clock.ELAPSED)] == "red"
    with pytest.raises(AttributeError):
        timescale.amount = 5  # type: ignore[misc]


def test_clock_values_and_labels():
    assert [c.value for c in Clock] == ["elapsed", "working_days", "working_hours"]
    assert Clock.WORKING_DAYS.label == "Working days"
    assert all(c.label for c in Clock)


# --- WorkingCalendar construction, caching and defaults -------------------------------------------


@pytest.mark.parametrize("nation", ["GB", "UK", "eng", "", "IRL"])
def test_unknown_nation_refused(nation):
    with pytest.raises(ValueError, match="nation"):
        WorkingCalendar(nation=nation)


@pytest.mark.parametrize("nation", ["ENG", "SCT", "WLS", "NIR"])
def test_each_uk_nation_accepted(nation):
    calendar = WorkingCalendar(nation=nation)
    assert not calendar.is_working_day(date(2026, 12, 25))


def test_northern_ireland_st_patricks_day():
    # Tuesday 17 March 2026.
    assert ENGLAND.is_working_day(date(2026, 3, 17))
    assert not WorkingCalendar(nation="NIR").is_working_day(date(2026, 3, 17))


def test_day_start_must_be_before_day_end():
    with pytest.raises(ValueError):
        WorkingCalendar(day_start=time(17), day_end=time(9))


def test_other_office_hours():
    # 08:00-18:00: Thursday 16:00 + 6 working hours = 2 h + Friday 08:00-12:00.
    calendar = WorkingCalendar(day_start=time(8), day_end=time(18))
    assert_local(calendar.add(london(2026, 6, 4, 16), AMBER_RETURN), "2026-06-05 12:00", "BST")
    # Saturday + 1 working day = Tuesday 08:00.
    assert_local(calendar.add(london(2026, 6, 6, 10), AMBER_DECISION), "2026-06-09 08:00", "BST")


def test_calendar_is_frozen_and_hashable():
    assert WorkingCalendar() == ENGLAND
    assert hash(WorkingCalendar()) == hash(ENGLAND)
    with pytest.raises(AttributeError):
        ENGLAND.nation = "SCT"  # type: ignore[misc]


def test_bank_holidays_are_cached_per_nation_and_year():
    clocks._bank_holidays.cache_clear()
    for _ in range(3):
        ENGLAND.add(london(2026, 6, 1, 10), GREEN_DECISION)
    info = clocks._bank_holidays.cache_info()
    assert info.misses == 1  # one build for (ENG, 2026)
    assert info.hits > 0


def test_default_calendar_is_england(settings):
    if hasattr(settings, "MASH_BANK_HOLIDAY_NATION"):
        del settings.MASH_BANK_HOLIDAY_NATION
    calendar = default_calendar()
    assert calendar.nation == "ENG"
    assert calendar.closures == frozenset()
    assert (calendar.day_start, calendar.day_end) == (time(9), time(17))
    assert calendar.tz == LONDON


def test_default_calendar_follows_the_setting(settings):
    settings.MASH_BANK_HOLIDAY_NATION = "SCT"
    assert default_calendar().nation == "SCT"
    # due_at without a calendar uses it: Scotland's 2 January 2026.
    assert_local(due_at(london(2025, 12, 31, 10), AMBER_DECISION), "2026-01-05 10:00", "GMT")


def test_due_at_with_a_calendar():
    closed = WorkingCalendar(closures=frozenset({date(2026, 6, 8)}))
    assert_local(
        due_at(london(2026, 6, 5, 16), AMBER_DECISION, calendar=closed), "2026-06-09 16:00", "BST"
    )
