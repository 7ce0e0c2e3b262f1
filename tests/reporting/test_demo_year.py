"""The demo year generator: realistic shares, every rule the services keep (due times, repeat
flags, deadlines, grants, model constraints), figures for every KPI, once only, no audit noise.

It is 16 March 2026, noon (GMT), unless a test says otherwise; 300 contacts over the 12 months
from April 2025 are generated once per test that asks for ``year``."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from contacts.models import Contact, Person
from contacts.services.repeats import prior_contacts_count
from contacts.timescales import contact_decision_due_at
from enquiries.models import Enquiry, InformationRequest, RequestState
from enquiries.selectors import information_requests_visible_to
from enquiries.timescales import enquiry_deadline
from mash.clocks import LONDON, default_calendar
from reporting.demo_year import DemoYearExists, generate_demo_year, received_times
from reporting.kpis import compute_kpis
from reporting.models import MonthlySnapshot
from reporting.periods import Period

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 16, 12, 0, tzinfo=UTC)
YEAR = Period(date(2025, 4, 1), date(2026, 3, 17))


@pytest.fixture(autouse=True)
def mid_march(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def year(hub_worker, manager, researcher_a, researcher_b):
    return generate_demo_year(contacts=300, months=12, seed=7, batch=120)


def share(part: int, whole: int) -> float:
    return part / whole


def test_shares_are_those_of_a_real_front_door(year):
    contacts = list(Contact.objects.all())
    decided = [c for c in contacts if c.outcome]
    outcomes = Counter(c.outcome for c in decided)

    assert year.contacts == len(contacts) == 300
    assert 0.15 <= share(sum(c.is_repeat for c in contacts), 300) <= 0.30
    assert 0.15 <= share(outcomes["NFA"], len(decided)) <= 0.30
    assert 0.08 <= share(outcomes["MASH_ENQUIRY"], len(decided)) <= 0.25
    assert share(sum(c.outcome == c.recommended_outcome for c in decided), len(decided)) >= 0.80
    assert share(sum(c.decided_at <= c.decision_due_at for c in decided), len(decided)) >= 0.80
    assert 0.20 <= share(sum(c.source == "6" for c in contacts), 300) <= 0.40
    assert len(decided) >= 290  # only the last day's are still open
    rags = Counter(Enquiry.objects.values_list("initial_rag", flat=True))
    assert set(rags) == {"RED", "AMBER", "GREEN"} and rags["GREEN"] > rags["RED"]
    returned = InformationRequest.objects.filter(state=RequestState.RETURNED)
    late = sum(r.returned_at > r.due_at for r in returned)
    assert 0.03 <= share(late, returned.count()) <= 0.25


def test_received_in_the_year_mostly_on_working_days_and_never_in_the_future(year):
    times = list(Contact.objects.values_list("received_at", flat=True))
    calendar = default_calendar()
    working = sum(calendar.is_working_day(t.astimezone(LONDON).date()) for t in times)

    assert min(times) >= YEAR.starts_at and max(times) < NOW
    assert working / len(times) > 0.8


def test_every_contact_keeps_the_front_doors_rules(year):
    for contact in Contact.objects.all():
        assert contact.decision_due_at == contact_decision_due_at(contact.received_at)
        prior = prior_contacts_count(contact)
        assert (contact.prior_contacts_12m, contact.is_repeat) == (prior, prior > 0)
        assert contact.subject_links.exists()
        if contact.outcome:
            assert contact.decision_started_at <= contact.decided_at
            entries = list(contact.decision_entries.values_list("kind", "outcome"))
            assert entries == [
                ("recommendation", contact.recommended_outcome),
                ("decision", contact.outcome),
            ]
            if contact.outcome != contact.recommended_outcome:
                assert contact.outcome_reason
        if contact.recommended_outcome == "REFERRAL":
            assert contact.threshold_rationale


def test_people_pass_their_own_validation(year):
    for person in Person.objects.all():
        person.full_clean(exclude=["created_by", "modified_by", "merged_into"])
        assert person.date_of_birth or person.expected_date_of_delivery
    numbers = [n for n in Person.objects.values_list("nhs_number", flat=True) if n]
    assert len(numbers) == len(set(numbers)) > 0


def test_enquiries_follow_their_decisions_deadlines_and_rag_changes(year):
    enquiries = Enquiry.objects.select_related("contact").prefetch_related("rag_changes")
    assert enquiries.count() == Contact.objects.filter(outcome="MASH_ENQUIRY").count() > 0
    for enquiry in enquiries:
        assert enquiry.opened_at == enquiry.contact.decided_at
        assert enquiry.initial_rag == enquiry.contact.initial_rag
        changes = list(enquiry.rag_changes.all())
        if changes:
            assert enquiry.deadline == changes[-1].new_deadline
            assert enquiry.rag == changes[-1].to_rag
        else:
            assert enquiry.deadline == enquiry_deadline(enquiry.opened_at, enquiry.initial_rag)
        if enquiry.state == "closed":
            assert enquiry.outcome and enquiry.final_rag and enquiry.closed_at
            assert not enquiry.requests.filter(state="open").exists()
        assert 2 <= enquiry.requests.count() <= 4 or enquiry.opened_at > NOW.replace(day=15)
        assert enquiry.person_links.filter(is_subject=True).exists()
        # Each holds the contact that opened it, as a decision does (one enquiry per family).
        assert [(link.contact_id, link.how) for link in enquiry.contact_links.all()] == [
            (enquiry.contact_id, "opened")
        ]


def test_each_agency_sees_exactly_its_requests_that_were_not_withdrawn(
    year, researcher_a, researcher_b
):
    for researcher in (researcher_a, researcher_b):
        own = InformationRequest.objects.filter(agency=researcher.agency)
        visible = information_requests_visible_to(researcher)
        assert set(visible) == set(own.exclude(state=RequestState.WITHDRAWN))
        assert visible.exists()
        for request in visible.filter(state=RequestState.RETURNED):
            assert request.returns.filter(is_addendum=False).get().submitted_at == (
                request.returned_at
            )
            assert request.people.exists()


#: KPIs the demo year has no records for yet: it makes no DA notifications or Encompass notices.
NOT_IN_THE_DEMO_YEAR = ("K13", "K14")


def test_every_kpi_has_figures_over_the_year(year):
    for result in compute_kpis(YEAR):
        if result.id in NOT_IN_THE_DEMO_YEAR:
            continue
        for key, figure in result.headline.items():
            assert figure.value is not None, (result.id, key)
        assert result.tables and all(table.rows for table in result.tables), result.id


def test_nothing_is_written_to_the_audit_log(hub_worker, manager, researcher_a, researcher_b):
    before = LogEntry.objects.count()

    generate_demo_year(contacts=50, months=2, seed=1)

    assert LogEntry.objects.count() == before


def test_runs_once_unless_asked_to_append(hub_worker, manager, researcher_a, researcher_b):
    generate_demo_year(contacts=40, months=2, seed=1)

    with pytest.raises(DemoYearExists, match="--append"):
        generate_demo_year(contacts=40, months=2, seed=1)
    generate_demo_year(contacts=40, months=2, seed=1, append=True)

    assert Contact.objects.count() == 80
    assert Contact.objects.values("external_reference").distinct().count() == 80


def test_makes_its_own_cast_on_an_empty_database():
    result = generate_demo_year(contacts=60, months=3, seed=3)

    assert result.contacts == Contact.objects.count() == 60
    assert InformationRequest.objects.exists()


def test_stored_snapshots_of_the_months_it_fills_become_stale(hub_worker, manager):
    for first in (date(2025, 12, 1), date(2026, 2, 1)):
        MonthlySnapshot.objects.create(month=first, figures={}, computed_at=timezone.now())
    MonthlySnapshot.objects.create(month=date(2025, 1, 1), figures={}, computed_at=NOW)

    generate_demo_year(contacts=30, months=4, seed=2)

    stale = set(MonthlySnapshot.objects.filter(stale_since__isnull=False).values_list("month"))
    assert stale == {(date(2025, 12, 1),), (date(2026, 2, 1),)}


def test_received_times_are_in_order_in_the_window_and_busier_on_working_days():
    start, now = date(2026, 1, 1), datetime(2026, 3, 16, 12, 0, tzinfo=UTC)
    times = list(received_times(random.Random(5), 3000, start, now))
    calendar = default_calendar()
    per_day = Counter(t.astimezone(LONDON).date() for t in times)
    working = [n for d, n in per_day.items() if calendar.is_working_day(d)]
    other = [n for d, n in per_day.items() if not calendar.is_working_day(d)]

    assert len(times) == 3000 and times == sorted(times)
    assert times[0] >= datetime(2026, 1, 1, tzinfo=LONDON) and times[-1] < now
    assert sum(working) / len(working) > 2 * sum(other) / len(other)


def test_command_prints_what_it_made_and_refuses_a_second_run(capsys, hub_worker, manager):
    call_command("generate_demo_year", contacts=40, months=2, seed=4)

    assert "Generated 40 contacts about" in capsys.readouterr().out
    with pytest.raises(CommandError, match="already in this database"):
        call_command("generate_demo_year", contacts=40)
    with pytest.raises(CommandError, match="at least 1"):
        call_command("generate_demo_year", contacts=0, append=True)
    call_command("generate_demo_year", once=True)  # make run, the second time
    assert "already in this database; nothing generated" in capsys.readouterr().out
    assert Contact.objects.count() == 40


def test_benchmark_prints_every_figure(capsys, hub_worker, manager):
    call_command("benchmark_kpis", contacts=120, generate=True, seed=8)

    out = capsys.readouterr().out
    assert "Generated 120 contacts" in out
    assert "Rows on postgresql: 120 contacts in 1 March 2025 to 28 February 2026" in out
    for line in (
        "All 12 KPIs for 1 March 2025 to 28 February 2026, live:",
        "12 monthly series (12 months x 12 KPIs), live:",
        "Storing the snapshots (12 months computed):",
        "The same 12 series from snapshots:",
        "Peak Python memory",
    ):
        assert line in out
