"""Breaches on screens: a breach is resolved when its item stops being open, every queue marks
breached rows, and hub managers have a live list of current breaches (everyone else gets 404).

Monday 9 March 2026 is a working day; a contact is due one working day after it arrives, a Red
enquiry 4 elapsed hours after it opens and a Red enquiry's returns 2 elapsed hours after they
are asked for.
"""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contacts import services as contact_services
from contacts.models import Contact
from deadlines.models import Breach, ItemKind
from deadlines.resolution import resolve_breaches
from deadlines.services import run_deadline_scan
from enquiries import services as enquiry_services
from tests.factories import contact_input
from tests.test_enquiries_api import answer, ask, open_enquiry

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
BREACHES = "/breaches/"
HTMX = {"HX-Request": "true"}
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


def scan_at(when: datetime) -> None:
    with time_machine.travel(when, tick=False):
        run_deadline_scan()


def contact_at(when: datetime, *, recommended_by=None) -> Contact:
    with time_machine.travel(when, tick=False):
        contact = contact_services.contact_create(data=contact_input())
        if recommended_by is not None:
            contact_services.contact_recommend(
                contact=contact, user=recommended_by, outcome="NFA", rationale="No need"
            )
    return contact


def decide_at(when: datetime, contact: Contact, manager) -> None:
    with time_machine.travel(when, tick=False):
        contact_services.contact_decide(contact=contact, manager=manager, outcome="NFA")


def get_at(when: datetime, client_for, user, url: str, *, headers: dict | None = None):
    with time_machine.travel(when, tick=False):
        return client_for(user).get(url, headers=headers or {})


def row_of(content: str, reference: str) -> str:
    """The table row that shows `reference`."""
    [row] = [row for row in re.split(r"<tr\b", content) if f">{reference}<" in row]
    return row


def breached(content: str, reference: str) -> bool:
    return 'data-testid="breached">Breached<' in row_of(content, reference)


# --- Resolution --------------------------------------------------------------------------------


class TestResolution:
    def test_deciding_a_breached_contact_resolves_its_breach_at_the_decision(
        self, hub_worker, manager
    ):
        late = contact_at(at(2026, 3, 9, 10, 0), recommended_by=hub_worker)  # due Tue 10:00
        other = contact_at(at(2026, 3, 9, 10, 30))  # due Tue 10:30
        scan_at(at(2026, 3, 10, 10, 31))
        assert Breach.objects.filter(resolved_at__isnull=True).count() == 2

        decide_at(at(2026, 3, 10, 11, 45), late, manager)

        assert Breach.objects.get(contact=late).resolved_at == at(2026, 3, 10, 11, 45)
        assert Breach.objects.get(contact=other).resolved_at is None  # still open

    def test_a_late_return_resolves_its_breach_and_the_open_enquiry_stays_breached(
        self, hub_worker, manager, agency_a, agency_b, researcher_a
    ):
        with time_machine.travel(at(2026, 3, 10, 21, 0), tick=False):
            enquiry = open_enquiry(hub_worker, manager, "RED")  # due Wed 01:00
            police = ask(enquiry, agency_a, hub_worker)  # due 23:00
            health = ask(enquiry, agency_b, hub_worker)  # due 23:00
        scan_at(at(2026, 3, 10, 23, 1))
        with time_machine.travel(at(2026, 3, 10, 23, 40), tick=False):
            answer(police, researcher_a)
        scan_at(at(2026, 3, 11, 1, 1))

        assert Breach.objects.get(information_request=police).resolved_at == at(2026, 3, 10, 23, 40)
        assert Breach.objects.get(information_request=health).resolved_at is None
        assert Breach.objects.get(enquiry=enquiry).resolved_at is None

    def test_an_addendum_does_not_move_the_resolution(
        self, hub_worker, manager, agency_a, researcher_a
    ):
        with time_machine.travel(at(2026, 3, 10, 21, 0), tick=False):
            police = ask(open_enquiry(hub_worker, manager, "RED"), agency_a, hub_worker)
        scan_at(at(2026, 3, 10, 23, 1))
        with time_machine.travel(at(2026, 3, 10, 23, 40), tick=False):
            answer(police, researcher_a)
        with time_machine.travel(at(2026, 3, 10, 23, 55), tick=False):
            answer(police, researcher_a, information_held=True, summary="One more call-out")
        assert Breach.objects.get(information_request=police).resolved_at == at(2026, 3, 10, 23, 40)

    def test_withdrawing_a_late_request_and_closing_a_late_enquiry_resolve_their_breaches(
        self, hub_worker, manager, agency_a
    ):
        with time_machine.travel(at(2026, 3, 10, 9, 0), tick=False):
            enquiry = open_enquiry(hub_worker, manager, "RED")  # due 13:00
            police = ask(enquiry, agency_a, hub_worker)  # due 11:00
        scan_at(at(2026, 3, 10, 13, 1))
        with time_machine.travel(at(2026, 3, 10, 13, 20), tick=False):
            enquiry_services.request_withdraw(
                request=police, reason="Police attended the strategy meeting", withdrawn_by=manager
            )
        with time_machine.travel(at(2026, 3, 10, 14, 5), tick=False):
            enquiry_services.enquiry_recommend(
                enquiry=enquiry, user=hub_worker, outcome="NFA", final_rag="RED", rationale="-"
            )
            enquiry_services.enquiry_decide(
                enquiry=enquiry, manager=manager, outcome="NFA", final_rag="RED"
            )
        assert Breach.objects.get(information_request=police).resolved_at == at(2026, 3, 10, 13, 20)
        assert Breach.objects.get(enquiry=enquiry).resolved_at == at(2026, 3, 10, 14, 5)

    def test_resolving_is_one_update_and_leaves_resolved_breaches_alone(
        self, hub_worker, manager, django_assert_num_queries
    ):
        contact = contact_at(at(2026, 3, 9, 10, 0))
        scan_at(at(2026, 3, 10, 10, 1))
        with django_assert_num_queries(1):
            resolved = resolve_breaches(
                kind=ItemKind.CONTACT_DECISION, item=contact, at=at(2026, 3, 10, 12, 0)
            )
        assert resolved == 1
        assert (
            resolve_breaches(kind=ItemKind.CONTACT_DECISION, item=contact, at=at(2026, 3, 11)) == 0
        )
        assert Breach.objects.get(contact=contact).resolved_at == at(2026, 3, 10, 12, 0)

    def test_a_decision_that_fails_resolves_nothing(self, hub_worker, manager):
        contact = contact_at(at(2026, 3, 9, 10, 0))  # never recommended: cannot be decided
        scan_at(at(2026, 3, 10, 10, 1))
        with pytest.raises(ValidationError, match="no recommendation"):
            decide_at(at(2026, 3, 10, 11, 0), contact, manager)
        assert Breach.objects.get(contact=contact).resolved_at is None


# --- The queues --------------------------------------------------------------------------------


class TestQueues:
    def test_the_triage_queue_tags_breached_and_past_due_contacts(
        self, client_for, hub_worker, manager
    ):
        scanned = contact_at(at(2026, 3, 9, 10, 0))  # due Tue 10:00, breach recorded
        unscanned = contact_at(at(2026, 3, 9, 11, 0))  # due Tue 11:00, past due, scan not yet
        in_time = contact_at(at(2026, 3, 10, 9, 0))  # due Wed 09:00
        scan_at(at(2026, 3, 10, 10, 30))

        content = get_at(at(2026, 3, 10, 11, 5), client_for, hub_worker, "/contacts/")
        content = content.content.decode()
        assert breached(content, scanned.reference)
        assert breached(content, unscanned.reference)
        assert not breached(content, in_time.reference)
        assert "21 hours 55 minutes left" in row_of(content, in_time.reference)

    def test_the_decision_queue_tags_a_breached_recommendation(
        self, client_for, hub_worker, manager
    ):
        late = contact_at(at(2026, 3, 9, 10, 0), recommended_by=hub_worker)
        fresh = contact_at(at(2026, 3, 10, 9, 0), recommended_by=hub_worker)
        scan_at(at(2026, 3, 10, 10, 1))
        content = get_at(at(2026, 3, 10, 10, 30), client_for, manager, "/decisions/")
        content = content.content.decode()
        assert breached(content, late.reference)
        assert "Overdue by 30 minutes" in row_of(content, late.reference)
        assert not breached(content, fresh.reference)

    def test_an_enquiry_stays_breached_after_a_de_escalation_moves_its_deadline_on(
        self, client_for, hub_worker, manager
    ):
        with time_machine.travel(at(2026, 3, 10, 10, 0), tick=False):
            moved = open_enquiry(hub_worker, manager, "RED")  # due 14:00
            calm = open_enquiry(hub_worker, manager, "GREEN", name="Bella")
        scan_at(at(2026, 3, 10, 14, 1))
        with time_machine.travel(at(2026, 3, 10, 15, 0), tick=False):
            enquiry_services.enquiry_change_rag(
                enquiry=moved, to_rag="GREEN", reason="Safe with grandmother", changed_by=hub_worker
            )
        moved.refresh_from_db()
        assert moved.deadline == at(2026, 3, 13, 10, 0)  # 3 working days from opening

        content = get_at(at(2026, 3, 10, 15, 30), client_for, hub_worker, "/enquiries/")
        content = content.content.decode()
        assert breached(content, moved.reference)  # the recorded breach is unresolved
        assert not breached(content, calm.reference)

    def test_the_agency_queue_tags_its_breached_request(
        self, client_for, hub_worker, manager, agency_a, researcher_a
    ):
        with time_machine.travel(at(2026, 3, 10, 9, 0), tick=False):
            late = ask(open_enquiry(hub_worker, manager, "RED"), agency_a, hub_worker)
        with time_machine.travel(at(2026, 3, 10, 10, 0), tick=False):
            fresh = ask(open_enquiry(hub_worker, manager, "GREEN"), agency_a, hub_worker)
        scan_at(at(2026, 3, 10, 11, 1))
        content = get_at(at(2026, 3, 10, 11, 15), client_for, researcher_a, "/requests/")
        content = content.content.decode()
        assert breached(content, late.reference)
        assert not breached(content, fresh.reference)

    def test_breached_rows_cost_no_extra_query(self, client_for, hub_worker):
        def count(url: str) -> int:
            with time_machine.travel(at(2026, 3, 12, 9, 0), tick=False):
                client = client_for(hub_worker)
                with CaptureQueriesContext(connection) as context:
                    assert client.get(url).status_code == 200
            return len(context.captured_queries)

        for minute in range(3):
            contact_at(at(2026, 3, 9, 10, minute))
        scan_at(at(2026, 3, 11, 9, 0))
        few = count("/contacts/")
        for minute in range(3, 15):
            contact_at(at(2026, 3, 9, 10, minute))
        scan_at(at(2026, 3, 11, 9, 30))
        assert Breach.objects.count() == 15
        assert count("/contacts/") == few


# --- The managers' live breach list -------------------------------------------------------------


@pytest.fixture
def breaches(hub_worker, manager, agency_a, agency_b):
    """By Tuesday 14:00: five current breaches and one resolved, one item in time."""
    first = contact_at(at(2026, 3, 9, 10, 0))  # due Tue 10:00
    second = contact_at(at(2026, 3, 9, 11, 0))  # due Tue 11:00
    decided = contact_at(at(2026, 3, 9, 12, 0), recommended_by=hub_worker)  # due Tue 12:00
    with time_machine.travel(at(2026, 3, 10, 9, 0), tick=False):
        enquiry = open_enquiry(hub_worker, manager, "RED")  # due 13:00
        police = ask(enquiry, agency_a, hub_worker)  # due 11:00
        health = ask(enquiry, agency_b, hub_worker)  # due 11:00
    in_time = contact_at(at(2026, 3, 10, 9, 30))  # due Wed 09:30
    scan_at(at(2026, 3, 10, 14, 0))
    decide_at(at(2026, 3, 10, 14, 10), decided, manager)
    return {
        "first": first,
        "second": second,
        "decided": decided,
        "enquiry": enquiry,
        "police": police,
        "health": health,
        "in_time": in_time,
    }


def table(content: str, testid: str) -> list[list[str]]:
    """The body rows of the table marked `testid`, as lists of cell texts."""
    body = content.split(f'data-testid="{testid}"', 1)[1].split("</tbody>", 1)[0]
    body = body.split("<tbody", 1)[1]
    rows = []
    for row in re.findall(r"<tr\b.*?</tr>", body, flags=re.S):
        cells = re.findall(r"<t[hd]\b[^>]*>(.*?)</t[hd]>", row, flags=re.S)
        rows.append([" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in cells])
    return rows


class TestBreachList:
    def test_a_manager_sees_counts_by_kind_and_agency_and_the_breaches_missed_longest_ago_first(
        self, client_for, manager, breaches
    ):
        response = get_at(at(2026, 3, 10, 14, 30), client_for, manager, BREACHES)
        assert response.status_code == 200
        content = response.content.decode()
        assert "5 current breaches" in content
        assert table(content, "by-kind") == [
            ["Contact decision", "2"],
            ["MASH enquiry", "1"],
            ["Information return", "2"],
            ["Operation Encompass notice", "0"],
        ]
        assert table(content, "by-agency") == [
            ["The hub (contacts and enquiries)", "3"],
            ["Community Health", "1"],
            ["County Police", "1"],
        ]
        rows = table(content, "breaches")
        first, enquiry = breaches["first"], breaches["enquiry"]
        assert rows[0] == [
            first.reference,
            "Contact decision",
            "The hub",
            "10 Mar 2026 10:00",
            "Overdue by 4 hours 30 minutes",
        ]
        assert rows[-1] == [
            f"{enquiry.reference} Red",  # with its RAG tag
            "MASH enquiry",
            "The hub",
            "10 Mar 2026 13:00",
            "Overdue by 1 hour 30 minutes",
        ]
        police = breaches["police"]
        assert [f"{police.reference} Enquiry {enquiry.reference}", "Information return"] in [
            row[:2] for row in rows
        ]
        assert len(rows) == 5
        for absent in (breaches["decided"], breaches["in_time"]):
            assert f">{absent.reference}<" not in content

    def test_each_breach_links_to_the_hub_record(self, client_for, manager, breaches):
        content = get_at(at(2026, 3, 10, 14, 30), client_for, manager, BREACHES).content.decode()
        enquiry = breaches["enquiry"]
        assert f'href="/contacts/{breaches["first"].pk}/"' in content
        assert f'href="/enquiries/{enquiry.pk}/"' in content
        assert f'href="/enquiries/{enquiry.pk}/requests/#returns-title"' in content
        assert f"/requests/{breaches['police'].pk}/" not in content  # the agency's page
        with time_machine.travel(at(2026, 3, 10, 14, 30), tick=False):
            client = client_for(manager)
            assert client.get(f"/enquiries/{enquiry.pk}/").status_code == 200
            assert client.get(f"/contacts/{breaches['first'].pk}/").status_code == 200

    def test_the_list_refreshes_itself_every_minute_and_drops_what_is_resolved(
        self, client_for, hub_worker, manager, researcher_a, breaches
    ):
        page = get_at(at(2026, 3, 10, 14, 30), client_for, manager, BREACHES).content.decode()
        assert 'hx-get="/breaches/"' in page and 'hx-trigger="every 60s"' in page
        with time_machine.travel(at(2026, 3, 10, 14, 40), tick=False):
            answer(breaches["police"], researcher_a)
        fragment = get_at(
            at(2026, 3, 10, 14, 41), client_for, manager, BREACHES, headers=HTMX
        ).content.decode()
        assert "<html" not in fragment and 'id="breach-board"' in fragment
        assert 'hx-trigger="every 60s"' in fragment  # it keeps polling
        assert "4 current breaches" in fragment
        assert ["County Police", "1"] not in table(fragment, "by-agency")

    def test_no_breaches_says_so(self, client_for, manager):
        content = client_for(manager).get(BREACHES).content.decode()
        assert "0 current breaches" in content and "There are no current breaches." in content

    def test_a_breach_of_an_item_closed_without_resolution_is_not_current(
        self, client_for, manager, breaches
    ):
        # A breach recorded before resolution existed: its contact was decided long ago.
        Breach.objects.filter(contact=breaches["decided"]).update(resolved_at=None)
        content = get_at(at(2026, 3, 10, 14, 30), client_for, manager, BREACHES).content.decode()
        assert "5 current breaches" in content
        assert f">{breaches['decided'].reference}<" not in content

    def test_the_list_costs_the_same_queries_however_many_breaches(
        self, client_for, manager, hub_worker
    ):
        def count() -> int:
            with time_machine.travel(at(2026, 3, 12, 9, 0), tick=False):
                client = client_for(manager)
                with CaptureQueriesContext(connection) as context:
                    assert client.get(BREACHES).status_code == 200
            return len(context.captured_queries)

        contact_at(at(2026, 3, 9, 10, 0))
        scan_at(at(2026, 3, 11, 9, 0))
        few = count()
        for minute in range(1, 12):
            contact_at(at(2026, 3, 9, 10, minute))
        scan_at(at(2026, 3, 11, 9, 30))
        assert count() == few

    @pytest.mark.parametrize("persona", OUTSIDERS)
    def test_everyone_but_a_manager_gets_404(self, request, client_for, persona, breaches):
        user = request.getfixturevalue(persona)
        for headers in ({}, HTMX):
            response = get_at(at(2026, 3, 10, 14, 30), client_for, user, BREACHES, headers=headers)
            assert response.status_code == 404
            assert breaches["first"].reference not in response.content.decode()

    def test_a_board_member_sees_no_name_and_no_reference(self, client_for, board_member, breaches):
        response = get_at(at(2026, 3, 10, 14, 30), client_for, board_member, BREACHES)
        content = response.content.decode()
        assert response.status_code == 404
        for text in ("Amira", "Hussain", "Smith", "Ms Jones", "Breach", "County Police"):
            assert text not in content
        assert not re.search(r"\b[CER]\d{6}\b", content)

    def test_the_manager_list_names_no_person(self, client_for, manager, breaches):
        content = get_at(at(2026, 3, 10, 14, 30), client_for, manager, BREACHES).content.decode()
        for name in ("Amira", "Hussain", "John Smith", "Ms Jones"):
            assert name not in content

    def test_signed_out_visitors_are_sent_to_sign_in(self, client):
        response = client.get(BREACHES)
        assert response.status_code == 302 and "sign-in" in response["Location"]

    def test_the_list_only_answers_reads(self, client_for, manager):
        assert client_for(manager).post(BREACHES).status_code == 405
