"""Reporting periods: [from, to) of local dates in Europe/London, and the errors that name the
query field a person got wrong."""

from datetime import UTC, date, datetime, timedelta

import pytest

from reporting.periods import Period, PeriodError, parse_period


class TestParsing:
    def test_from_and_to_make_a_period_of_local_dates(self):
        period = parse_period("2026-03-01", "2026-04-01")

        assert (period.start, period.end) == (date(2026, 3, 1), date(2026, 4, 1))
        assert period.last_day == date(2026, 3, 31)
        assert str(period) == "March 2026"

    @pytest.mark.parametrize(
        ("start", "end", "field"),
        [
            ("2026-04-01", "2026-03-01", "to"),  # from after to
            ("2026-04-01", "2026-04-01", "to"),  # an empty period
            ("2026-01-01", "2031-01-02", "to"),  # 5 years and a day
            ("2026-13-01", "2026-04-01", "from"),  # no 13th month
            ("2026-02-30", "2026-04-01", "from"),  # no 30 February
            ("01/03/2026", "2026-04-01", "from"),
            ("20260301", "2026-04-01", "from"),  # ISO basic format: not YYYY-MM-DD
            ("2026-W10-1", "2026-04-01", "from"),  # an ISO week date: not YYYY-MM-DD
            ("2026-03-01", "next tuesday", "to"),
            ("2026-03-01", "2026-04-01\x00", "to"),
            ("", "2026-04-01", "from"),
            ("2026-03-01", None, "to"),
        ],
    )
    def test_a_bad_period_names_the_field(self, start, end, field):
        with pytest.raises(PeriodError) as error:
            parse_period(start, end)

        assert error.value.field == field
        assert f"'{field}'" in error.value.message or "period" in error.value.message

    def test_from_after_to_says_so(self):
        with pytest.raises(PeriodError) as error:
            parse_period("2026-04-01", "2026-03-01")

        assert error.value.message == "The end of the period must be after its start."

    def test_five_years_exactly_is_allowed_and_a_day_more_is_not(self):
        assert parse_period("2026-01-01", "2031-01-01").end == date(2031, 1, 1)
        with pytest.raises(PeriodError, match="at most 5 years"):
            parse_period("2026-01-01", "2031-01-02")

    def test_a_period_at_the_end_of_the_calendar_is_not_a_crash(self):
        # 9999-01-01 plus 5 years cannot be computed; the period is short, so it is allowed
        assert parse_period("9999-01-01", "9999-12-31").last_day == date(9999, 12, 30)

    def test_an_unknown_named_period_names_the_period_field(self):
        with pytest.raises(PeriodError) as error:
            Period.named("last_fortnight", date(2026, 4, 15))

        assert error.value.field == "period"


class TestLocalMidnights:
    def test_the_spring_change_day_starts_at_midnight_gmt_and_lasts_23_hours(self):
        # 29 March 2026: clocks go from 01:00 GMT to 02:00 BST. Midnight is still GMT (00:00Z),
        # the next midnight is BST (00:00 BST on the 30th = 23:00Z on the 29th).
        day = Period(date(2026, 3, 29), date(2026, 3, 30))

        assert day.starts_at == datetime(2026, 3, 29, 0, 0, tzinfo=UTC)
        assert day.ends_at == datetime(2026, 3, 29, 23, 0, tzinfo=UTC)

    def test_the_autumn_change_day_lasts_25_hours(self):
        # 25 October 2026: clocks go back from 02:00 BST to 01:00 GMT. Midnight is BST
        # (23:00Z on the 24th); the next midnight is GMT (00:00Z on the 26th).
        day = Period(date(2026, 10, 25), date(2026, 10, 26))

        assert day.starts_at == datetime(2026, 10, 24, 23, 0, tzinfo=UTC)
        assert day.ends_at == datetime(2026, 10, 26, 0, 0, tzinfo=UTC)
        # (in UTC: Python subtracts two times of one zone by their wall clocks)
        assert day.ends_at.astimezone(UTC) - day.starts_at.astimezone(UTC) == timedelta(hours=25)


class TestNamedPeriods:
    @pytest.mark.parametrize(
        ("name", "start", "end"),
        [
            # today is Wednesday 15 April 2026; an open month or quarter ends tomorrow
            ("this_month", date(2026, 4, 1), date(2026, 4, 16)),
            ("last_month", date(2026, 3, 1), date(2026, 4, 1)),
            ("this_quarter", date(2026, 4, 1), date(2026, 4, 16)),
            ("last_quarter", date(2026, 1, 1), date(2026, 4, 1)),
            ("last_12_months", date(2025, 5, 1), date(2026, 4, 16)),
        ],
    )
    def test_named_periods_as_of_a_day(self, name, start, end):
        assert Period.named(name, date(2026, 4, 15)) == Period(start, end)

    def test_last_quarter_in_january_is_the_previous_years_last_quarter(self):
        assert Period.named("last_quarter", date(2026, 1, 5)) == Period(
            date(2025, 10, 1), date(2026, 1, 1)
        )

    def test_months_are_whole_calendar_months_overlapping_the_period(self):
        months = Period(date(2026, 1, 15), date(2026, 3, 2)).months()

        assert [str(month) for month in months] == ["January 2026", "February 2026", "March 2026"]
