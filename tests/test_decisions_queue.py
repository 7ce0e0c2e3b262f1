"""The Decisions queue: contacts and enquiries awaiting a manager's decision, soonest due first.

The problem it fixes: an enquiry awaiting decision was left out, so a Red enquiry with under 4
hours left was found only by scanning the Enquiries list."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from contacts import services as contact_services
from tests.test_allocation import close, decide
from tests.test_work import (
    count_queries,
    make_contact,
    open_enquiry,
    recommend_enquiry,
    row_of,
    unique_family,
)
from work.selectors import decisions_page

pytestmark = pytest.mark.django_db


def recommended_contact(hub_worker, **kwargs):
    contact = make_contact(family=unique_family(), **kwargs)
    contact_services.contact_recommend(
        contact=contact, user=hub_worker, outcome="EARLY_HELP", rationale="Support"
    )
    return contact


def table_rows(content: str) -> list[str]:
    table = content.split('data-testid="decision-queue"')[1].split("</table>")[0]
    return table.split('data-testid="decision-row"')[1:]


def test_a_red_enquiry_with_3_hours_left_is_at_the_top(client_for, hub_worker, manager):
    start = timezone.now().replace(microsecond=0)
    with time_machine.travel(start, tick=False):
        red = open_enquiry(hub_worker, manager, rag="RED", name="Scarlett")
        recommend_enquiry(red, hub_worker, outcome="REFERRAL")
        green = open_enquiry(hub_worker, manager, rag="GREEN")
        recommend_enquiry(green, hub_worker)
        contact = recommended_contact(hub_worker)
    with time_machine.travel(start + timedelta(hours=1), tick=False):
        content = client_for(manager).get("/decisions/").content.decode()
    rows = table_rows(content)
    assert len(rows) == 3
    top = rows[0]
    assert f">{red.reference}<" in top
    assert 'data-testid="kind">Enquiry<' in top
    assert "Scarlett" in top and "app-rag--red" in top
    assert "3 hours left" in top
    assert "Referral" in top and f"by {hub_worker.display_name}" in top
    assert contact.reference in content and green.reference in content


def test_contacts_and_enquiries_interleave_soonest_due_first(client_for, hub_worker, manager):
    now = timezone.now()
    overdue_contact = recommended_contact(hub_worker, received_at=now - timedelta(days=6))
    red = open_enquiry(hub_worker, manager, rag="RED")
    recommend_enquiry(red, hub_worker)
    fresh_contact = recommended_contact(hub_worker)
    green = open_enquiry(hub_worker, manager, rag="GREEN")
    recommend_enquiry(green, hub_worker)
    content = client_for(manager).get("/decisions/").content.decode()
    order = [overdue_contact, red, fresh_contact, green]
    due = [
        overdue_contact.decision_due_at,
        red.deadline,
        fresh_contact.decision_due_at,
        green.deadline,
    ]
    expected = [
        record.reference for _, record in sorted(zip(due, order, strict=True), key=lambda p: p[0])
    ]
    positions = [content.index(f">{reference}<") for reference in expected]
    assert positions == sorted(positions)
    overdue = row_of(content, overdue_contact.reference)
    assert "Overdue by" in overdue and 'data-testid="kind">Contact<' in overdue
    assert "Early help" in overdue and "Ada Family" in overdue and "Age " in overdue


def test_only_what_awaits_a_decision(client_for, hub_worker, manager):
    not_recommended = make_contact(family=unique_family())
    decided = recommended_contact(hub_worker)
    contact_services.contact_decide(contact=decided, manager=manager, outcome="EARLY_HELP")
    running = open_enquiry(hub_worker, manager)
    closed = open_enquiry(hub_worker, manager)
    close(closed, hub_worker, manager)
    content = client_for(manager).get("/decisions/").content.decode()
    for record in (not_recommended, decided, running, closed):
        assert f">{record.reference}<" not in content
    assert "Nothing is waiting for a decision." in content


def test_pages_follow_one_another_across_kinds(hub_worker, manager):
    made = []
    for index in range(5):
        made.append(recommended_contact(hub_worker).reference)
        enquiry = open_enquiry(hub_worker, manager, rag=["RED", "AMBER", "GREEN"][index % 3])
        recommend_enquiry(enquiry, hub_worker)
        made.append(enquiry.reference)
    seen, after = [], None
    for _ in range(10):
        page = decisions_page(manager, after=after, size=3)
        seen.extend(row.reference for row in page.rows)
        after = page.next_token
        if after is None:
            break
    assert sorted(seen) == sorted(made) and len(seen) == len(set(seen))
    whole = [row.due for row in decisions_page(manager, size=50).rows]
    assert whole == sorted(whole)
    assert decisions_page(manager, after="tampered").has_previous is False


def test_a_decision_from_the_queue_returns_to_it(client_for, hub_worker, manager):
    contact = recommended_contact(hub_worker)
    contact.refresh_from_db()
    response = client_for(manager).post(
        f"/contacts/{contact.pk}/decide/",
        {"outcome": "EARLY_HELP", "version": contact.version},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/decisions/"
    assert f"{contact.reference} is decided." in response.content.decode()


@pytest.mark.parametrize(
    "persona",
    ["hub_worker", "researcher_a", "supervisor_a", "referrer", "board_member", "administrator"],
)
def test_everyone_but_a_manager_gets_404(request, client_for, persona, hub_worker):
    recommended_contact(hub_worker)
    user = request.getfixturevalue(persona)
    assert client_for(user).get("/decisions/").status_code == 404
    assert decisions_page(user) is None


def test_query_count_is_the_same_for_5_and_50_rows(client_for, hub_worker, manager):
    def add(count: int) -> None:
        for index in range(count):
            if index % 2:
                recommended_contact(hub_worker)
            else:
                enquiry = open_enquiry(hub_worker, manager)
                recommend_enquiry(enquiry, hub_worker)

    client = client_for(manager)
    add(5)
    five = count_queries(client, "/decisions/")
    add(45)
    assert count_queries(client, "/decisions/") == five
    assert len(table_rows(client.get("/decisions/").content.decode())) == 50


def test_decided_contacts_leave_the_queue(client_for, hub_worker, manager):
    contact = make_contact(family=unique_family())
    decide(contact, hub_worker, manager)
    assert contact.reference not in client_for(manager).get("/decisions/").content.decode()
