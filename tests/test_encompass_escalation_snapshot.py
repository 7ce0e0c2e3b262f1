"""An Encompass notice escalated by the deadline scan after its incident's month was stored as a
KPI snapshot makes that month stale, so the next refresh computes K14 again (the escalation is a
bulk update, which sends no save signal)."""

from __future__ import annotations

import pytest

from deadlines.services import run_deadline_scan
from encompass.models import EncompassNotice
from reporting.kpis.encompass_notices import k14_encompass
from reporting.kpis.serialise import from_json
from reporting.models import MonthlySnapshot
from reporting.services_snapshots import refresh_snapshots, snapshot_month
from schools.models import Phase
from tests.reporting.test_k13 import local
from tests.reporting.test_k14 import MAY, incident, notice, police, school  # noqa: F401

pytestmark = pytest.mark.django_db


def stored_k14(month) -> dict:
    snapshot = MonthlySnapshot.objects.get(month=month.start)
    [k14] = [from_json(data) for data in snapshot.figures["results"] if data["id"] == "K14"]
    return k14.headline


def test_a_notice_escalated_after_its_month_was_stored_makes_the_month_computed_again(
    police,  # noqa: F811
    time_machine,
    django_capture_on_commit_callbacks,
):
    """Friday 29 May 22:00, the notice made at 22:05: due Monday 1 June 09:00, to be
    acknowledged by 10:00. May is stored at 00:30 on 1 June, when nothing is yet due for
    acknowledgement; the school does not acknowledge, the scan escalates it at 10:00, and May
    is stale until it is computed again, now with one notice due and none in time."""
    time_machine.move_to(local(2026, 6, 1, 0, 30), tick=False)
    late = notice(
        incident(police, local(2026, 5, 29, 22)),
        school(Phase.PRIMARY),
        local(2026, 5, 29, 22, 5),
    )
    assert late.acknowledge_by == local(2026, 6, 1, 10)
    snapshot_month(MAY)
    before = stored_k14(MAY)
    assert before["acknowledgement_due"].value == 0

    time_machine.move_to(local(2026, 6, 1, 10), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        run_deadline_scan(now=local(2026, 6, 1, 10))
    late.refresh_from_db()
    assert late.escalated_at == local(2026, 6, 1, 10)
    assert MonthlySnapshot.objects.get(month=MAY.start).stale_since is not None

    time_machine.move_to(local(2026, 6, 2, 1), tick=False)
    result = refresh_snapshots()
    assert MAY.start in result.stored
    snapshot = MonthlySnapshot.objects.get(month=MAY.start)
    assert snapshot.stale_since is None
    after = stored_k14(MAY)
    assert after["acknowledgement_due"].value == 1
    assert after == k14_encompass(MAY).headline
    assert EncompassNotice.objects.filter(escalated_at__isnull=False).count() == 1


def test_a_scan_that_escalates_nothing_marks_no_month(
    police,  # noqa: F811
    time_machine,
    django_capture_on_commit_callbacks,
):
    """A notice acknowledged in time is not escalated, and its stored month stays current."""
    time_machine.move_to(local(2026, 6, 1, 0, 30), tick=False)
    notice(
        incident(police, local(2026, 5, 29, 22)),
        school(Phase.PRIMARY),
        local(2026, 5, 29, 22, 5),
        local(2026, 6, 1, 0, 20),
    )
    snapshot_month(MAY)
    time_machine.move_to(local(2026, 6, 1, 10), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        run_deadline_scan(now=local(2026, 6, 1, 10))
    assert MonthlySnapshot.objects.get(month=MAY.start).stale_since is None
