"""The timescale change preview (issue 12, item 6): before a timescale or closure day change is
stored, the administrator sees how many open items' deadlines would move, per kind and RAG, the
earliest new deadline and how many would be overdue at once; "Confirm change" stores exactly
what was previewed, "Cancel" nothing. A preview made before another administrator's change is
refused and shown again. Anyone but an administrator: 404.

Calendar (2026): Monday 9 March and Monday 8 June are ordinary working days.
"""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from agencies.roles import Role
from contacts import services as contact_services
from contacts.codes import Rag
from deadlines import timescales
from deadlines.models import ClosureDay, ItemKind, TimescaleSetting
from deadlines.timescale_preview import timescale_preview
from deadlines.timescale_services import timescale_set
from enquiries.models import Enquiry, InformationRequest
from enquiries.timescales import enquiry_timescale
from mash.audit.models import AuditEvent
from mash.clocks import Clock, Timescale
from tests.factories import UserFactory, contact_input
from tests.test_enquiries_api import ask, open_enquiry

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
LIST = "/settings/timescales/"
AMBER_ENQUIRY = "/settings/timescales/enquiry/amber/"
RED_ENQUIRY = "/settings/timescales/enquiry/red/"
AMBER_RETURN = "/settings/timescales/information_return/amber/"
CLOSURES = "/settings/timescales/closures/"
TWO_WORKING_DAYS = {"amount": "2", "clock": "working_days", "warning_percent": "75"}
NOON = datetime(2026, 3, 9, 12, tzinfo=LONDON)


def at(*args) -> datetime:
    return datetime(*args, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def fresh_timescales():
    timescales.clear_cache()
    yield
    timescales.clear_cache()


@pytest.fixture
def second_admin(hub_agency):
    return UserFactory(username="admin.two", agency=hub_agency, role=Role.ADMINISTRATOR)


def enquiry_at(when: datetime, hub_worker, manager, rag: str, name: str) -> Enquiry:
    with time_machine.travel(when, tick=False):
        return open_enquiry(hub_worker, manager, rag, name=name)


@pytest.fixture
def ambers(hub_worker, manager):
    """Two open Amber enquiries opened Monday 9 March at 10:00 and 11:00 (due Tuesday at the
    same times), and a Red one."""
    return [
        enquiry_at(at(2026, 3, 9, 10), hub_worker, manager, "AMBER", "Amira"),
        enquiry_at(at(2026, 3, 9, 11), hub_worker, manager, "AMBER", "Bella"),
        enquiry_at(at(2026, 3, 9, 10), hub_worker, manager, "RED", "Cara"),
    ]


def token_of(response) -> str:
    match = re.search(r'name="token" value="([^"]+)"', response.content.decode())
    assert match, "no confirmation form on the page"
    return match.group(1)


def preview_rows(response) -> dict[str, tuple[str, str, str]]:
    rows = {}
    content = response.content.decode()
    for row in re.findall(r'<tr [^>]*data-testid="preview-row">(.*?)</tr>', content, re.S):
        label = re.search(r"<th [^>]*>(.*?)</th>", row, re.S).group(1).strip()
        cells = re.findall(r"<td [^>]*>(.*?)</td>", row, re.S)
        rows[label] = tuple(cell.strip() for cell in cells)
    return rows


def deadlines(enquiries) -> list[datetime]:
    return [Enquiry.objects.get(pk=e.pk).deadline for e in enquiries]


class TestPreviewThenConfirm:
    def test_the_preview_says_what_confirming_then_stores(self, client_for, administrator, ambers):
        before = deadlines(ambers)
        client = client_for(administrator)
        with time_machine.travel(NOON, tick=False):
            preview = client.post(AMBER_ENQUIRY, TWO_WORKING_DAYS)
        assert preview.status_code == 200
        page = preview.content.decode()
        assert "This change moves the deadlines of 2 open items." in page
        assert "Now 1 working day; after the change <strong>2 working days</strong>" in page
        assert preview_rows(preview) == {
            "Enquiry (Amber)": ("2", "Wednesday 11 March 2026 10:00", "0")
        }
        assert "Confirm change" in page and f'href="{LIST}">Cancel</a>' in page
        # Nothing has changed yet.
        assert deadlines(ambers) == before
        assert not TimescaleSetting.objects.exists()
        assert enquiry_timescale("AMBER") == Timescale(1, Clock.WORKING_DAYS)
        assert not AuditEvent.objects.filter(name="timescales.setting_changed").exists()

        with time_machine.travel(NOON, tick=False):
            response = client.post(AMBER_ENQUIRY, {"token": token_of(preview)}, follow=True)
        assert "Saved. 2 open items have a new deadline." in response.content.decode()
        stored = deadlines(ambers)
        moved = [new for new, old in zip(stored, before, strict=True) if new != old]
        assert len(moved) == 2
        assert min(moved) == at(2026, 3, 11, 10)
        assert stored[2] == before[2]  # the Red enquiry keeps its deadline
        setting = TimescaleSetting.objects.get()
        assert (setting.amount, setting.clock, setting.warning_percent) == (
            2,
            Clock.WORKING_DAYS,
            75,
        )

    def test_items_that_would_be_overdue_at_once_are_counted_and_then_are(
        self, client_for, administrator, ambers
    ):
        # One elapsed hour at noon: the 10:00 enquiry is due at 11:00 (overdue at once); the
        # 11:00 one at 12:00, which is not yet past.
        client = client_for(administrator)
        data = {"amount": "1", "clock": "elapsed", "warning_percent": "75"}
        with time_machine.travel(NOON, tick=False):
            preview = client.post(AMBER_ENQUIRY, data)
            assert preview_rows(preview) == {
                "Enquiry (Amber)": ("2", "Monday 9 March 2026 11:00", "1")
            }
            assert "1 item would be overdue as soon as you confirm" in preview.content.decode()
            client.post(AMBER_ENQUIRY, {"token": token_of(preview)})
        stored = deadlines(ambers[:2])
        assert stored == [at(2026, 3, 9, 11), at(2026, 3, 9, 12)]
        assert sum(1 for due in stored if due < NOON) == 1

    def test_returns_are_grouped_by_their_enquirys_rag(
        self, client_for, administrator, ambers, hub_worker, agency_a
    ):
        with time_machine.travel(at(2026, 3, 9, 10, 30), tick=False):
            request = ask(ambers[0], agency_a, hub_worker)
        assert request.due_at == at(2026, 3, 9, 16, 30)  # 6 working hours
        client = client_for(administrator)
        with time_machine.travel(NOON, tick=False):
            preview = client.post(AMBER_RETURN, {**TWO_WORKING_DAYS, "amount": "1"})
            assert preview_rows(preview) == {
                "Information return (Amber)": ("1", "Tuesday 10 March 2026 10:30", "0")
            }
            client.post(AMBER_RETURN, {"token": token_of(preview)})
        assert InformationRequest.objects.get(pk=request.pk).due_at == at(2026, 3, 10, 10, 30)

    def test_a_change_that_moves_nothing_says_so(self, client_for, administrator, ambers):
        response = client_for(administrator).post(
            AMBER_ENQUIRY, {"amount": "1", "clock": "working_days", "warning_percent": "50"}
        )
        page = response.content.decode()
        assert "This change moves no open item's deadline." in page
        assert 'data-testid="preview-table"' not in page
        assert "1 working day (unchanged)" in page

    def test_the_service_leaves_no_trace(self, administrator, ambers):
        before = deadlines(ambers)
        with time_machine.travel(NOON, tick=False):
            preview = timescale_preview(
                actor=administrator,
                kind=ItemKind.ENQUIRY,
                rag=Rag.AMBER,
                amount=2,
                clock=Clock.WORKING_DAYS,
                warning_percent=75,
            )
        assert preview.total == 2 and preview.earliest == at(2026, 3, 11, 10)
        assert deadlines(ambers) == before
        assert not TimescaleSetting.objects.exists()
        assert enquiry_timescale("AMBER") == Timescale(1, Clock.WORKING_DAYS)


class TestCancelAndStale:
    def test_cancel_changes_nothing(self, client_for, administrator, ambers):
        before = deadlines(ambers)
        client = client_for(administrator)
        client.post(AMBER_ENQUIRY, TWO_WORKING_DAYS)
        page = client.get(LIST).content.decode()  # "Cancel" is a link to the list
        assert "Saved." not in page
        assert deadlines(ambers) == before
        assert not TimescaleSetting.objects.exists()

    def test_a_preview_made_before_another_administrators_change_is_refused(
        self, client_for, administrator, second_admin, ambers
    ):
        client = client_for(administrator)
        with time_machine.travel(NOON, tick=False):
            preview = client.post(AMBER_ENQUIRY, TWO_WORKING_DAYS)
            # Meanwhile the other administrator makes Amber enquiries 3 working days.
            timescale_set(
                actor=second_admin,
                kind=ItemKind.ENQUIRY,
                rag=Rag.AMBER,
                amount=3,
                clock=Clock.WORKING_DAYS,
            )
            after_theirs = deadlines(ambers)
            stale = client.post(AMBER_ENQUIRY, {"token": token_of(preview)})
        assert stale.status_code == 409
        page = stale.content.decode()
        assert "Another administrator changed the timescales" in page
        # Nothing of ours was stored; the new preview starts from their setting.
        assert TimescaleSetting.objects.get().amount == 3
        assert deadlines(ambers) == after_theirs
        assert "Now 3 working days; after the change <strong>2 working days</strong>" in page
        assert preview_rows(stale) == {
            "Enquiry (Amber)": ("2", "Wednesday 11 March 2026 10:00", "0")
        }
        with time_machine.travel(NOON, tick=False):
            response = client.post(AMBER_ENQUIRY, {"token": token_of(stale)})
        assert response.status_code == 302
        assert TimescaleSetting.objects.get().amount == 2

    def test_an_altered_or_misplaced_token_stores_nothing(self, client_for, administrator, ambers):
        client = client_for(administrator)
        token = token_of(client.post(AMBER_ENQUIRY, TWO_WORKING_DAYS))
        altered = client.post(AMBER_ENQUIRY, {"token": token[:-2] + "xx"})
        assert altered.status_code == 400
        assert "There is a problem" in altered.content.decode()
        elsewhere = client.post(RED_ENQUIRY, {"token": token})
        assert elsewhere.status_code == 400
        assert "for another change" in elsewhere.content.decode()
        assert not TimescaleSetting.objects.exists()

    def test_an_old_preview_is_refused(self, client_for, administrator, ambers, monkeypatch):
        # A preview is good for an hour; sessions idle out sooner, so the age is shortened here.
        monkeypatch.setattr("deadlines.timescale_preview.PREVIEW_MAX_AGE", 10 * 60)
        client = client_for(administrator)
        with time_machine.travel(NOON, tick=False):
            token = token_of(client.post(AMBER_ENQUIRY, TWO_WORKING_DAYS))
        with time_machine.travel(at(2026, 3, 9, 12, 11), tick=False):
            response = client.post(AMBER_ENQUIRY, {"token": token})
        assert response.status_code == 400
        assert "This preview is too old" in response.content.decode()
        assert not TimescaleSetting.objects.exists()


class TestClosureDays:
    def test_adding_and_removing_a_closure_day_are_previewed(self, client_for, administrator):
        with time_machine.travel(at(2026, 6, 5, 16), tick=False):
            contact = contact_services.contact_create(data=contact_input())
            assert contact.decision_due_at == at(2026, 6, 8, 16)
            client = client_for(administrator)
            data = {"day-day": "8", "day-month": "6", "day-year": "2026", "reason": "Office move"}
            preview = client.post(CLOSURES, data)
            assert preview.status_code == 200
            assert "Make 8 June 2026 a closure day" in preview.content.decode()
            assert preview_rows(preview) == {
                "Contact decision": ("1", "Tuesday 9 June 2026 16:00", "0")
            }
            assert not ClosureDay.objects.exists()
            contact.refresh_from_db()
            assert contact.decision_due_at == at(2026, 6, 8, 16)

            response = client.post(CLOSURES, {"token": token_of(preview)}, follow=True)
            assert "8 June 2026 is a closure day. 1 open item has a new deadline." in (
                response.content.decode()
            )
            contact.refresh_from_db()
            assert contact.decision_due_at == at(2026, 6, 9, 16)

            closure = ClosureDay.objects.get()
            remove = f"{CLOSURES}{closure.pk}/remove/"
            preview = client.post(remove)
            assert preview_rows(preview) == {
                "Contact decision": ("1", "Monday 8 June 2026 16:00", "0")
            }
            assert ClosureDay.objects.exists()
            client.post(remove, {"token": token_of(preview)})
            assert not ClosureDay.objects.exists()
            contact.refresh_from_db()
            assert contact.decision_due_at == at(2026, 6, 8, 16)

    def test_removing_a_past_closure_day_is_refused_on_the_page(self, client_for, administrator):
        with time_machine.travel(at(2026, 6, 5, 16), tick=False):
            closure = ClosureDay.objects.create(
                date=date(2026, 6, 8), reason="Office move", created_at=at(2026, 6, 5, 16)
            )
        with time_machine.travel(at(2026, 6, 9, 9), tick=False):
            response = client_for(administrator).post(f"{CLOSURES}{closure.pk}/remove/")
        assert response.status_code == 400
        assert "A closure day that has passed cannot be removed." in response.content.decode()
        assert ClosureDay.objects.filter(pk=closure.pk).exists()

    def test_a_closure_added_elsewhere_makes_a_timescale_preview_stale(
        self, client_for, administrator, second_admin, ambers
    ):
        client = client_for(administrator)
        with time_machine.travel(NOON, tick=False):
            preview = client.post(AMBER_ENQUIRY, TWO_WORKING_DAYS)
            from deadlines.timescale_services import closure_day_add

            closure_day_add(actor=second_admin, day=date(2026, 3, 10), reason="Office move")
            stale = client.post(AMBER_ENQUIRY, {"token": token_of(preview)})
        assert stale.status_code == 409
        assert not TimescaleSetting.objects.exists()
        # The new preview counts over the closure day: Wednesday 10:00 becomes Thursday.
        assert preview_rows(stale)["Enquiry (Amber)"][1] == "Thursday 12 March 2026 10:00"


@pytest.mark.parametrize(
    "persona", ["hub_worker", "manager", "board_member", "researcher_a", "supervisor_a"]
)
def test_everyone_but_an_administrator_gets_404_on_preview_and_confirm(
    request, client_for, persona, administrator, ambers
):
    token = token_of(client_for(administrator).post(AMBER_ENQUIRY, TWO_WORKING_DAYS))
    client = client_for(request.getfixturevalue(persona))
    assert client.post(AMBER_ENQUIRY, TWO_WORKING_DAYS).status_code == 404
    assert client.post(AMBER_ENQUIRY, {"token": token}).status_code == 404
    assert not TimescaleSetting.objects.exists()
