"""Monthly KPI snapshots: stored losslessly for closed months only, read instead of recomputed,
and marked stale by a late change (a decision, a merge, a moved received_at) so the next nightly
run recomputes them. It is mid-March 2026 unless a test says otherwise."""

from __future__ import annotations

import json
from dataclasses import fields
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from contacts import services as contact_services
from reporting import snapshots as snapshot_reads
from reporting.kpis import KPI_IDS, compute_kpis
from reporting.kpis.serialise import figure_from_json, figure_to_json, from_json, to_json
from reporting.kpis.types import Column, Figure, KpiResult, Table, Unit
from reporting.models import MonthlySnapshot
from reporting.periods import Period
from reporting.services_snapshots import (
    month_changed,
    refresh_snapshots,
    snapshot_month,
)
from reporting.snapshots import monthly_results
from tests.factories import PersonFactory
from tests.reporting.factories import ContactFactory
from tests.reporting.snapshot_data import (
    FEBRUARY,
    JANUARY,
    MARCH,
    MID_MARCH,
    stored,
    tamper,
    winter_contacts,
    z,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def mid_march(time_machine):
    time_machine.move_to(MID_MARCH, tick=False)


def headline(result) -> dict:
    return {key: figure.value for key, figure in result.headline.items()}


# --- serialisation ---------------------------------------------------------------------------


def a_result() -> KpiResult:
    """Every kind of value a result carries: int, float and null figures, all three units, a
    hidden cell, a null dimension code, labels, and keys in an order that is not sorted."""
    table = Table(
        name="source_x_initial_rag",
        title="By source and initial RAG",
        columns=(
            Column("source", "Source"),
            Column("initial_rag", "Initial RAG"),
            Column("percent", "%", Unit.PERCENT),
            Column("count", "Contacts", Unit.COUNT),
        ),
        rows=(
            {
                "source": "2A",
                "initial_rag": "RED",
                "percent": Figure(33.33333333333333, 3, Unit.PERCENT),
                "count": Figure(1, 1, hidden=True),
            },
            {
                "source": None,
                "initial_rag": "",
                "percent": Figure(None, 0, Unit.PERCENT),
                "count": Figure(0, 0),
            },
        ),
        labels={"source": {"2A": "Schools"}, "initial_rag": {"RED": "Red", "": "None"}},
    )
    return KpiResult(
        id="K3",
        name="Contacts that became MASH enquiries",
        definition="count of contacts … whose outcome is MASH_ENQUIRY",
        headline={
            "percent": Figure(16.0481444332999, 2991, Unit.PERCENT, part=480),
            "count": Figure(480, 480),
            "median_hours": Figure(None, 0, Unit.HOURS),
        },
        tables=(table, Table("empty", "Nothing", (Column("agency", "Agency"),), ())),
    )


def test_serialised_result_reads_back_equal_with_its_order():
    result = a_result()

    again = from_json(json.loads(json.dumps(to_json(result))))

    assert again == result
    assert list(again.headline) == ["percent", "count", "median_hours"]
    assert list(again.tables[0].rows[0]) == ["source", "initial_rag", "percent", "count"]
    assert again.tables[0].rows[0]["count"].shown() == "<5"
    assert isinstance(again.headline["count"].value, int)


def test_every_field_of_a_figure_is_stored():
    values = {"value": 12.5, "n": 40, "unit": Unit.PERCENT, "hidden": True, "part": 5}
    assert {field.name for field in fields(Figure)} == set(values)  # a new field: set it here
    figure = Figure(**values)

    assert figure_from_json(json.loads(json.dumps(figure_to_json(figure)))) == figure


def test_a_snapshot_of_an_older_format_is_computed_live_and_stored_again():
    winter_contacts()
    MonthlySnapshot.objects.create(
        month=JANUARY.start,
        figures={"version": 1, "results": [["K1", "old shape"]]},
        computed_at=timezone.now(),
    )

    assert headline(monthly_results([JANUARY], ["K1"])[JANUARY][0]) == {"count": 2}
    assert JANUARY.start in refresh_snapshots().stored
    assert headline(stored(JANUARY, "K1")) == {"count": 2}


def test_result_stored_in_the_database_reads_back_equal_with_its_order():
    """jsonb keeps neither key order nor types of its own accord: the stored shape must."""
    result = a_result()
    MonthlySnapshot.objects.create(
        month=date(2026, 1, 1), figures={"results": [to_json(result)]}, computed_at=timezone.now()
    )

    figures = MonthlySnapshot.objects.get(month=date(2026, 1, 1)).figures
    again = from_json(figures["results"][0])

    assert again == result
    assert list(again.headline) == ["percent", "count", "median_hours"]
    assert list(again.tables[0].labels["initial_rag"]) == ["RED", ""]


def test_every_computed_kpi_round_trips():
    winter_contacts()

    for result in compute_kpis(JANUARY):
        assert from_json(json.loads(json.dumps(to_json(result)))) == result


# --- refresh ---------------------------------------------------------------------------------


def test_refresh_stores_the_closed_months_only():
    winter_contacts()

    result = refresh_snapshots()

    months = set(MonthlySnapshot.objects.values_list("month", flat=True))
    assert date(2026, 3, 1) not in months  # the open month is never stored
    assert min(months) == date(2025, 2, 1) and max(months) == date(2026, 2, 1)
    assert len(months) == 13 == len(result.stored)
    assert headline(stored(JANUARY, "K1")) == {"count": 2}
    assert headline(stored(JANUARY, "K9")) == {"count": 2, "decided": 1, "undecided": 1}
    assert headline(stored(FEBRUARY, "K12"))["early_help_percent"] == 100.0


def test_a_second_refresh_computes_nothing(django_assert_max_num_queries):
    winter_contacts()
    refresh_snapshots()

    with django_assert_max_num_queries(1):
        again = refresh_snapshots()

    assert again.stored == [] and again.skipped == 13


def test_the_open_month_cannot_be_stored():
    with pytest.raises(ValueError, match="not a closed month"):
        snapshot_month(MARCH)


# --- reading ---------------------------------------------------------------------------------


def test_trends_read_stored_months_and_compute_the_open_one_live(monkeypatch):
    winter_contacts()
    refresh_snapshots()
    tamper(JANUARY, "K1", "count", 999)  # what is stored is what is shown
    ContactFactory(received_at=z(2026, 3, 10, 9))  # the open month changes after the refresh
    computed = []

    def spy(period, **kwargs):
        computed.append(period)
        return compute_kpis(period, **kwargs)

    monkeypatch.setattr(snapshot_reads, "compute_kpis", spy)
    results = monthly_results([JANUARY, FEBRUARY, MARCH], ["K1", "K9"])

    assert computed == [MARCH]
    assert [r.id for r in results[JANUARY]] == ["K1", "K9"]
    assert headline(results[JANUARY][0]) == {"count": 999}
    assert headline(results[FEBRUARY][0]) == {"count": 1}
    assert headline(results[MARCH][0]) == {"count": 2}


def test_a_stale_or_missing_month_is_computed_live():
    winter_contacts()
    snapshot_month(JANUARY)
    tamper(JANUARY, "K1", "count", 999)
    MonthlySnapshot.objects.filter(month=JANUARY.start).update(stale_since=timezone.now())

    results = monthly_results([JANUARY, FEBRUARY], ["K1"])

    assert headline(results[JANUARY][0]) == {"count": 2}  # stale: live, not the stored 999
    assert headline(results[FEBRUARY][0]) == {"count": 1}  # never stored


def test_trend_of_a_year_from_snapshots_costs_only_the_open_month(django_assert_num_queries):
    winter_contacts()
    refresh_snapshots()
    months = Period.named("last_12_months", date(2026, 3, 16)).months()
    with CaptureQueriesContext(connection) as live:
        compute_kpis(MARCH)
    per_month = len(live.captured_queries)
    assert per_month > 0

    with django_assert_num_queries(1 + per_month):  # one read of the snapshots, March live
        monthly_results(months, KPI_IDS)


# --- late changes ------------------------------------------------------------------------------


def test_a_late_decision_marks_its_closed_month_stale_and_the_next_run_recomputes_it(
    manager, hub_worker, django_capture_on_commit_callbacks, time_machine
):
    contacts = winter_contacts()
    refresh_snapshots()
    late = contacts["jan_open"]
    contact_services.contact_pick_up(contact=late, user=hub_worker)

    with django_capture_on_commit_callbacks(execute=True):
        contact_services.contact_recommend(
            contact=late, user=hub_worker, outcome="SIGNPOST", rationale="Housing can help."
        )
        contact_services.contact_decide(contact=late, manager=manager, outcome="SIGNPOST")

    january = MonthlySnapshot.objects.get(month=JANUARY.start)
    assert january.stale_since == timezone.now()
    assert MonthlySnapshot.objects.filter(stale_since__isnull=False).count() == 1
    time_machine.move_to(MID_MARCH + timedelta(hours=14.5))  # the next night's run
    result = refresh_snapshots()
    assert result.stored == [JANUARY.start]
    assert headline(stored(JANUARY, "K9")) == {"count": 2, "decided": 2, "undecided": 0}
    assert MonthlySnapshot.objects.get(month=JANUARY.start).stale_since is None


def test_a_merge_of_people_marks_their_closed_month_stale(
    manager, django_capture_on_commit_callbacks
):
    child, duplicate = PersonFactory(), PersonFactory()
    ContactFactory(received_at=z(2026, 1, 5, 10), subjects=[child])
    ContactFactory(received_at=z(2026, 1, 20, 10), subjects=[duplicate])
    refresh_snapshots()
    assert headline(stored(JANUARY, "K2"))["count"] == 0

    with django_capture_on_commit_callbacks(execute=True):
        contact_services.person_merge(
            keep=child, duplicate=duplicate, reason="Same child", merged_by=manager
        )

    assert MonthlySnapshot.objects.get(month=JANUARY.start).stale_since is not None
    assert refresh_snapshots().stored == [JANUARY.start]
    assert headline(stored(JANUARY, "K2"))["count"] == 1  # the 20 January contact is a repeat


def test_moving_received_at_marks_the_old_and_the_new_month_stale(
    manager, django_capture_on_commit_callbacks
):
    contact = ContactFactory(received_at=z(2026, 1, 30, 16))
    refresh_snapshots()

    with django_capture_on_commit_callbacks(execute=True):
        contact_services.contact_change_received_at(
            contact=contact, received_at=z(2026, 2, 2, 9), reason="Email read late",
            changed_by=manager,
        )  # fmt: skip

    stale = MonthlySnapshot.objects.filter(stale_since__isnull=False)
    assert set(stale.values_list("month", flat=True)) == {JANUARY.start, FEBRUARY.start}
    refresh_snapshots()
    assert headline(stored(JANUARY, "K1")) == {"count": 0}
    assert headline(stored(FEBRUARY, "K1")) == {"count": 1}


def test_feedback_sent_late_marks_its_closed_month_stale(django_capture_on_commit_callbacks):
    contact = ContactFactory(received_at=z(2026, 1, 30, 16))
    refresh_snapshots()

    with django_capture_on_commit_callbacks(execute=True):
        assert contact_services.contact_mark_feedback_sent(contact_id=contact.pk)

    assert MonthlySnapshot.objects.get(month=JANUARY.start).stale_since is not None


def test_a_change_in_the_open_month_marks_nothing(django_capture_on_commit_callbacks):
    refresh_snapshots()

    with django_capture_on_commit_callbacks(execute=True):
        ContactFactory(received_at=z(2026, 3, 9, 10))

    assert not MonthlySnapshot.objects.filter(stale_since__isnull=False).exists()


def test_a_mark_is_made_when_the_change_commits_not_before(django_capture_on_commit_callbacks):
    refresh_snapshots()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        month_changed(z(2026, 1, 15, 12))
        assert MonthlySnapshot.objects.get(month=JANUARY.start).stale_since is None

    assert len(callbacks) == 1
    callbacks[0]()
    assert MonthlySnapshot.objects.get(month=JANUARY.start).stale_since is not None


def test_a_change_made_while_the_month_is_computed_keeps_it_stale(monkeypatch, time_machine):
    """The store began before the change committed, so it may not have seen it: stay stale."""
    time_machine.move_to(MID_MARCH, tick=True)
    winter_contacts()
    snapshot_month(JANUARY)
    MonthlySnapshot.objects.filter(month=JANUARY.start).update(stale_since=timezone.now())
    import reporting.services_snapshots as services

    def compute_while_a_decision_lands(period, **kwargs):
        results = compute_kpis(period, **kwargs)
        MonthlySnapshot.objects.filter(month=JANUARY.start).update(
            stale_since=timezone.now() + timedelta(microseconds=1)
        )
        return results

    monkeypatch.setattr(services, "compute_kpis", compute_while_a_decision_lands)
    snapshot_month(JANUARY)

    assert MonthlySnapshot.objects.get(month=JANUARY.start).stale_since is not None
    monkeypatch.undo()
    snapshot_month(JANUARY)
    assert MonthlySnapshot.objects.get(month=JANUARY.start).stale_since is None


# --- the nightly task, its schedule, the command -------------------------------------------


def test_nightly_task_refreshes_and_is_scheduled_at_half_past_two_london_time():
    from django_celery_beat.models import PeriodicTask

    from mash.celery import app
    from reporting.tasks_snapshots import TASK_NAME, refresh_kpi_snapshots

    winter_contacts()
    assert TASK_NAME == "reporting.refresh_snapshots" and TASK_NAME in app.tasks

    done = refresh_kpi_snapshots.apply().get()

    assert done["stored"][-1] == "2026-02-01" and len(done["stored"]) == 13
    schedule = PeriodicTask.objects.get(task=TASK_NAME)
    assert schedule.enabled
    assert (schedule.crontab.minute, schedule.crontab.hour) == ("30", "2")
    assert str(schedule.crontab.timezone) == "Europe/London"


def test_command_says_what_it_did(capsys):
    winter_contacts()

    call_command("refresh_kpi_snapshots")
    call_command("refresh_kpi_snapshots")

    out = capsys.readouterr().out
    assert "Computed 13 months (February 2025," in out
    assert "All 13 closed months were up to date; nothing computed." in out


def test_command_refuses_the_open_month():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not a closed month"):
        call_command("refresh_kpi_snapshots", month="2026-03-01")


def test_a_late_return_marks_the_month_its_enquiry_opened_in(
    hub_worker, django_capture_on_commit_callbacks
):
    from enquiries.models import InformationReturn
    from tests.reporting.factories import InformationRequestFactory

    request = InformationRequestFactory(
        enquiry__contact__received_at=z(2026, 1, 30, 16), enquiry__opened_at=z(2026, 2, 2, 10)
    )
    refresh_snapshots()

    with django_capture_on_commit_callbacks(execute=True):
        InformationReturn.objects.create(
            request=request,
            information_held=False,
            systems_checked="Niche RMS",
            submitted_by=hub_worker,
            submitted_at=timezone.now(),
        )

    stale = MonthlySnapshot.objects.filter(stale_since__isnull=False)
    assert list(stale.values_list("month", flat=True)) == [FEBRUARY.start]
