"""The managers' live backlog (issue 6, item 6): undecided contacts past due, open enquiries past
their deadline and overdue returns by agency, worked out from the due times at the moment of
asking, with links to the records. Hub managers only: everyone else gets 404.

Monday 9 March 2026 is a working day. A contact is due one working day after it arrives; a Red
enquiry 4 elapsed hours after it opens (its returns 2 hours after they are asked for); an Amber
enquiry 1 working day after it opens (its returns 6 working hours after).
"""

import re
from datetime import datetime
from html import unescape
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contacts import services as contact_services
from contacts.models import Contact
from deadlines.models import Breach
from deadlines.services import run_deadline_scan
from enquiries import services as enquiry_services
from reporting.selectors_backlog import backlog_for
from tests.factories import contact_input
from tests.test_enquiries_api import answer, ask, open_enquiry

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
BACKLOG = "/reporting/backlog/"
NOW = datetime(2026, 3, 10, 16, 0, tzinfo=LONDON)  # Tuesday 16:00
OUTSIDERS = [
    "hub_worker",
    "researcher_a",
    "researcher_b",
    "supervisor_a",
    "referrer",
    "board_member",
    "administrator",
]


def at(*args) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def contact_at(when: datetime) -> Contact:
    with time_machine.travel(when, tick=False):
        return contact_services.contact_create(data=contact_input())


def get_at(when: datetime, client_for, user, url: str = BACKLOG):
    with time_machine.travel(when, tick=False):
        return client_for(user).get(url)


def table(content: str, testid: str) -> list[list[str]]:
    """The body rows of the (first) table marked `testid`, as lists of cell texts."""
    body = content.split(f'data-testid="{testid}"', 1)[1].split("</tbody>", 1)[0]
    body = body.split("<tbody", 1)[1]
    rows = []
    for row in re.findall(r"<tr\b.*?</tr>", body, flags=re.S):
        cells = re.findall(r"<t[hd]\b[^>]*>(.*?)</t[hd]>", row, flags=re.S)
        rows.append([unescape(" ".join(re.sub(r"<[^>]+>", " ", cell).split())) for cell in cells])
    return rows


@pytest.fixture
def backlog(hub_worker, manager, agency_a, agency_b, researcher_b):
    """By Tuesday 16:00: two contacts, one enquiry and three returns past due, and around them
    items that are in time, decided, closed or returned."""
    first = contact_at(at(2026, 3, 9, 10, 0))  # due Tue 10:00
    with time_machine.travel(at(2026, 3, 9, 10, 5), tick=False):
        contact_services.contact_recommend(
            contact=first, user=hub_worker, outcome="NFA", rationale="No recognised need"
        )
    second = contact_at(at(2026, 3, 9, 11, 0))  # due Tue 11:00
    with time_machine.travel(at(2026, 3, 10, 11, 30), tick=False):
        contact_services.contact_pick_up(contact=second, user=hub_worker)
    in_time = contact_at(at(2026, 3, 10, 9, 0))  # due Wed 09:00
    decided = contact_at(at(2026, 3, 9, 9, 30))
    with time_machine.travel(at(2026, 3, 9, 12, 0), tick=False):
        contact_services.contact_recommend(
            contact=decided, user=hub_worker, outcome="NFA", rationale="-"
        )
        contact_services.contact_decide(contact=decided, manager=manager, outcome="NFA")

    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False):
        closed = open_enquiry(hub_worker, manager, "RED", name="Chloe")  # due Mon 13:00
    with time_machine.travel(at(2026, 3, 10, 9, 0), tick=False):
        enquiry_services.enquiry_recommend(
            enquiry=closed, user=hub_worker, outcome="NFA", final_rag="RED", rationale="-"
        )
        enquiry_services.enquiry_decide(
            enquiry=closed, manager=manager, outcome="NFA", final_rag="RED"
        )
        red = open_enquiry(hub_worker, manager, "RED")  # due Tue 13:00
        amber = open_enquiry(hub_worker, manager, "AMBER", name="Bella")  # due Wed 09:00
        police_red = ask(red, agency_a, hub_worker)  # due Tue 11:00
        health_red = ask(red, agency_b, hub_worker)  # due Tue 11:00, returned late
        police_amber = ask(amber, agency_a, hub_worker)  # due Tue 15:00
        health_amber = ask(amber, agency_b, hub_worker)  # due Tue 15:00
    with time_machine.travel(at(2026, 3, 10, 11, 30), tick=False):
        answer(health_red, researcher_b)
    return {
        "first": first,
        "second": second,
        "in_time": in_time,
        "decided": decided,
        "closed": closed,
        "red": red,
        "amber": amber,
        "police_red": police_red,
        "police_amber": police_amber,
        "health_red": health_red,
        "health_amber": health_amber,
    }


def test_the_url_is_reporting_backlog():
    assert reverse("reporting:backlog") == BACKLOG


def test_a_manager_sees_the_three_parts_counted_and_listed_oldest_due_first(
    client_for, manager, hub_worker, backlog
):
    response = get_at(NOW, client_for, manager)
    assert response.status_code == 200
    content = response.content.decode()
    summary = table(content, "backlog-contacts")
    first, second = backlog["first"], backlog["second"]
    assert summary == [
        [
            first.reference,
            "9 Mar 2026 10:00",
            "10 Mar 2026 10:00",
            "Overdue by 6 hours",
            f"Awaiting manager's decision {hub_worker.display_name}",
        ],
        [
            second.reference,
            "9 Mar 2026 11:00",
            "10 Mar 2026 11:00",
            "Overdue by 5 hours",
            f"In triage {hub_worker.display_name}",
        ],
    ]
    assert "2 undecided contacts past their decision due time" in content

    red = backlog["red"]
    assert table(content, "backlog-enquiries") == [
        [
            red.reference,
            "Red",
            "10 Mar 2026 13:00",
            "Overdue by 3 hours",
            f"Awaiting returns {red.worker.display_name}",
        ]
    ]
    assert "1 open enquiry past its deadline" in content

    assert table(content, "backlog-returns-by-agency") == [
        ["Community Health", "1"],
        ["County Police", "2"],
    ]
    assert "3 overdue returns" in content
    health_rows, police_rows = content.split('data-testid="backlog-returns"')[1:]
    assert table('data-testid="x"' + police_rows, "x") == [
        [
            backlog["police_red"].reference,
            f"{red.reference} , return {backlog['police_red'].reference}",
            "10 Mar 2026 11:00",
            "Overdue by 5 hours",
            "Not assigned",
        ],
        [
            backlog["police_amber"].reference,
            f"{backlog['amber'].reference} , return {backlog['police_amber'].reference}",
            "10 Mar 2026 15:00",
            "Overdue by 1 hour",
            "Not assigned",
        ],
    ]
    assert [row[0] for row in table('data-testid="x"' + health_rows, "x")] == [
        backlog["health_amber"].reference
    ]
    for absent in ("in_time", "decided", "closed", "amber", "health_red"):
        assert f">{backlog[absent].reference}<" not in content.split("backlog-returns-by")[0]
    assert f">{backlog['health_red'].reference}<" not in content


def test_every_row_links_to_the_hub_record(client_for, manager, backlog):
    content = get_at(NOW, client_for, manager).content.decode()
    assert f'href="/contacts/{backlog["first"].pk}/"' in content
    assert f'href="/contacts/{backlog["second"].pk}/"' in content
    assert f'href="/enquiries/{backlog["red"].pk}/"' in content
    # an overdue return opens the enquiry's Requests and returns section
    assert f'href="/enquiries/{backlog["red"].pk}/requests/#returns-title"' in content
    assert f'href="/enquiries/{backlog["amber"].pk}/requests/#returns-title"' in content
    assert 'href="/requests/' not in content  # never the agency's own page


def test_the_backlog_is_live_from_due_times_not_from_recorded_breaches(
    client_for, hub_worker, manager
):
    late = contact_at(at(2026, 3, 9, 10, 0))  # due Tue 10:00; no scan has run
    with time_machine.travel(at(2026, 3, 10, 10, 0), tick=False):
        moved = open_enquiry(hub_worker, manager, "RED")  # due 14:00
    with time_machine.travel(at(2026, 3, 10, 14, 1), tick=False):
        run_deadline_scan()
    with time_machine.travel(at(2026, 3, 10, 15, 0), tick=False):
        enquiry_services.enquiry_change_rag(
            enquiry=moved, to_rag="GREEN", reason="Safe with grandmother", changed_by=hub_worker
        )
    assert Breach.objects.filter(enquiry=moved, resolved_at__isnull=True).exists()

    content = get_at(NOW, client_for, manager).content.decode()
    assert f">{late.reference}<" in content
    assert f">{moved.reference}<" not in content  # now due Friday: not past due
    assert table(content, "backlog-enquiries") == [["No open enquiry is past its deadline."]]

    # At its due time the contact is not yet late; a minute later it is.
    assert backlog_for(manager, now=at(2026, 3, 10, 10, 0)).contacts_count == 0
    assert backlog_for(manager, now=at(2026, 3, 10, 10, 1)).contacts_count == 1


def test_an_empty_backlog_says_so(client_for, manager):
    content = client_for(manager).get(BACKLOG).content.decode()
    assert "No undecided contact is past due." in content
    assert "No open enquiry is past its deadline." in content
    assert "No return is overdue." in content


def test_the_backlog_costs_the_same_queries_however_long_it_is(
    client_for, hub_worker, manager, agency_a, agency_b
):
    def add(count: int, minute: int) -> None:
        for index in range(count):
            contact_at(at(2026, 3, 9, 10, minute + index))
            with time_machine.travel(at(2026, 3, 10, 9, minute + index), tick=False):
                enquiry = open_enquiry(hub_worker, manager, "RED")
                ask(enquiry, agency_a if index % 2 else agency_b, hub_worker)

    def count() -> int:
        with time_machine.travel(NOW, tick=False):
            client = client_for(manager)
            with CaptureQueriesContext(connection) as context:
                assert client.get(BACKLOG).status_code == 200
        return len(context.captured_queries)

    add(2, 0)
    few = count()
    add(10, 10)
    assert backlog_for(manager, now=NOW).enquiries_count == 12
    assert count() == few


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_everyone_but_a_manager_gets_404(request, client_for, persona, backlog):
    user = request.getfixturevalue(persona)
    response = get_at(NOW, client_for, user)
    assert response.status_code == 404
    assert backlog_for(user, now=NOW) is None


def test_a_board_member_sees_no_name_and_no_reference(client_for, board_member, backlog):
    # Their own name is in the header: make sure it cannot be mistaken for a case's.
    board_member.first_name, board_member.last_name = "Board", "Member"
    board_member.save()
    response = get_at(NOW, client_for, board_member)
    content = response.content.decode()
    assert response.status_code == 404
    for text in ("Amira", "Bella", "Hussain", "Smith", "Ms Jones", "County Police", "Overdue"):
        assert text not in content
    assert not re.search(r"\b[CER]\d{6}\b", content)


def test_the_manager_backlog_names_no_person(client_for, manager, backlog):
    content = get_at(NOW, client_for, manager).content.decode()
    for name in ("Amira", "Bella", "Hussain", "John Smith", "Ms Jones"):
        assert name not in content


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(BACKLOG)
    assert response.status_code == 302 and "sign-in" in response["Location"]


def test_the_backlog_only_answers_reads(client_for, manager):
    assert client_for(manager).post(BACKLOG).status_code == 405
