"""The shared database pieces of the KPIs: percentiles, percentages, "12 months before"."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from django.db import connection
from django.db.models import Count

from contacts.models import Contact
from contacts.services.repeats import repeat_window_start
from reporting.kpis import sql
from reporting.kpis.sql import (
    HoursBetween,
    LocalMonthsBefore,
    PercentileOf,
    interpolated_percentile,
    percent,
    summarise,
)
from tests.reporting.factories import ContactFactory


def z(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


class TestInPython:
    @pytest.mark.parametrize(
        ("values", "fraction", "expected"),
        [
            ([1, 2, 4, 10], 0.5, 3.0),  # halfway between the 2nd and 3rd
            ([1, 2, 4, 10], 0.9, 8.2),  # position 2.7: 4 + 0.7 * 6
            ([1, 2, 4], 0.5, 2.0),
            ([5], 0.9, 5.0),
            ([], 0.5, None),
        ],
    )
    def test_linear_interpolation(self, values, fraction, expected):
        assert interpolated_percentile(values, fraction) == pytest.approx(expected)

    def test_a_percentage_of_nothing_is_null_not_zero(self):
        assert percent(0, 0) is None
        assert percent(0, 4) == 0.0
        assert percent(1, 3) == pytest.approx(33.3333333)


@pytest.mark.django_db
class TestInTheDatabase:
    @pytest.fixture
    def decided(self):
        # hours to decision: schools 1, 2, 4, 10; police 7 (and one undecided)
        at = z(2026, 4, 9, 9)
        for source, hours in (("2A", 1), ("2A", 2), ("2A", 4), ("2A", 10), ("6", 7)):
            ContactFactory(
                received_at=at, decided_at=at + timedelta(hours=hours), outcome="NFA", source=source
            )
        ContactFactory(received_at=at, source="6")

    def summary(self):
        hours = HoursBetween("received_at", "decided_at")
        return summarise(
            Contact.objects.all(),
            ("source",),
            {"n": Count("pk")},
            {"median": PercentileOf(hours, 0.5), "p90": PercentileOf(hours, 0.9)},
        )

    def test_percentiles_per_group_ignore_nulls(self, decided):
        assert self.summary() == {
            ("2A",): {"source": "2A", "n": 4, "median": 3.0, "p90": pytest.approx(8.2)},
            ("6",): {"source": "6", "n": 2, "median": 7.0, "p90": 7.0},
        }

    def test_the_fallback_gives_what_the_database_gives(self, decided, monkeypatch):
        native = self.summary()
        monkeypatch.setattr(sql, "connection", SimpleNamespace(vendor="fallback"))

        assert self.summary() == native

    @pytest.mark.skipif(connection.vendor != "postgresql", reason="percentile_cont")
    def test_percentile_cont_agrees_with_the_python_interpolation(self):
        values = [0.25, 3.5, 3.5, 7.0, 11.75, 12.0, 40.5]
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x), "
                "percentile_cont(0.9) WITHIN GROUP (ORDER BY x) FROM unnest(%s::float8[]) x",
                [values],
            )
            median, p90 = cursor.fetchone()

        assert median == pytest.approx(interpolated_percentile(values, 0.5))
        assert p90 == pytest.approx(interpolated_percentile(values, 0.9))

    @pytest.mark.parametrize(
        "received_at",
        [
            z(2026, 3, 29, 11, 0),  # BST now, GMT a year before
            z(2026, 3, 29, 0, 30),  # before the spring change, same GMT day a year before
            z(2025, 10, 26, 0, 30),  # 01:30 BST on the autumn change day
            z(2025, 10, 26, 1, 30),  # 01:30 GMT on the same day (the repeated hour)
            z(2024, 2, 29, 12, 0),  # 29 February: 28 February 2023
            z(2026, 3, 31, 23, 30),  # 00:30 BST 1 April: 1 April 2025, not 31 March
            z(2026, 1, 1, 0, 0),
            z(2026, 7, 31, 22, 59, 59, 123000),
        ],
    )
    def test_12_months_before_is_the_repeat_flags_window_start(self, received_at):
        ContactFactory(received_at=received_at)

        in_database = Contact.objects.annotate(
            window_start=LocalMonthsBefore("received_at", 12)
        ).get()

        assert in_database.window_start == repeat_window_start(received_at)
