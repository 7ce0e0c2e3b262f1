"""Work not lost (issue 12): a MARF or a return in progress is saved on the server as the user
goes, survives signing out (or the idle sign-out) and signing in again, is its owner's alone, and
goes when the form is sent or after 30 days untouched. The idle warning's "Stay signed in" posts
to a keep-alive URL that restarts the idle clock."""

import json
import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from contacts.models import Contact
from drafts.models import Draft, DraftKind
from drafts.services import draft_save, drafts_purge_stale
from drafts.tasks import purge_stale_drafts
from enquiries.models import Enquiry, EnquiryState, InformationReturn
from enquiries.services import request_withdraw
from mash.audit.models import AuditEvent
from mash.celery import app
from mash.limits import RETURN_SUMMARY
from tests.factories import PASSWORD
from tests.forms import submission_token
from tests.test_agency_pages import RETURN_FORM, ask, open_enquiry
from tests.test_marf import ABOUT, CONCERN, fill_marf, people_post, person

pytestmark = pytest.mark.django_db

DRAFT_SUMMARY = "DraftSummary-Q9: two call-outs so far, still checking Niche"
HTMX = {"HTTP_HX_REQUEST": "true"}


def sign_in(username: str) -> Client:
    """A new browser signing in through the real sign-in page."""
    client = Client()
    response = client.post("/account/sign-in/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:2000]
    return client


def sign_out(client: Client) -> None:
    assert client.post("/account/sign-out/").status_code == 302
    assert client.get("/").status_code == 302  # signed out: sent to sign in


def draft_url(info_request) -> str:
    return f"/requests/{info_request.pk}/draft/"


def page_url(info_request) -> str:
    return f"/requests/{info_request.pk}/"


@pytest.fixture
def police_request(hub_worker, manager, agency_a):
    return ask(open_enquiry(hub_worker, manager), agency_a, hub_worker)


def drafts_of(user) -> list[Draft]:
    return list(Draft.objects.filter(owner=user))


# --- Returns --------------------------------------------------------------------------------


class TestReturnDrafts:
    def test_a_draft_return_survives_sign_out_and_sign_in(self, researcher_a, police_request):
        browser = sign_in(researcher_a.username)
        typed = {"information_held": "yes", "summary": DRAFT_SUMMARY, "systems_checked": "Niche"}
        saved = browser.post(draft_url(police_request), typed, **HTMX)
        assert saved.status_code == 200
        assert "Draft saved at" in saved.content.decode()

        sign_out(browser)
        browser = sign_in(researcher_a.username)
        page = browser.get(page_url(police_request)).content.decode()
        assert DRAFT_SUMMARY in page  # the form is filled in from the draft
        assert re.search(r'<input[^>]*name="information_held" value="yes"[^>]*checked', page)
        local = timezone.localtime(Draft.objects.get().updated_at)
        assert f"Draft saved at {local:%H:%M}" in page

    def test_save_draft_without_script_goes_back_to_the_filled_in_page(
        self, client_for, researcher_a, police_request
    ):
        browser = client_for(researcher_a)
        data = {**RETURN_FORM, "summary": DRAFT_SUMMARY, **submission_token(researcher_a, "return")}
        response = browser.post(draft_url(police_request), data)
        assert response.status_code == 302
        assert response["Location"] == f"{page_url(police_request)}#return"
        page = browser.get(page_url(police_request)).content.decode()
        assert "Your draft was saved" in page and DRAFT_SUMMARY in page
        draft = Draft.objects.get(owner=researcher_a)
        assert draft.data == {**RETURN_FORM, "summary": DRAFT_SUMMARY}  # no token, no CSRF
        assert not InformationReturn.objects.exists()  # saved, not sent

    def test_sending_the_return_deletes_the_draft(self, client_for, researcher_a, police_request):
        browser = client_for(researcher_a)
        browser.post(draft_url(police_request), {"summary": DRAFT_SUMMARY}, **HTMX)
        assert Draft.objects.filter(owner=researcher_a).exists()
        sent = browser.post(
            f"/requests/{police_request.pk}/return/",
            {**RETURN_FORM, **submission_token(researcher_a, "return")},
        )
        assert sent.status_code == 302
        assert InformationReturn.objects.count() == 1
        assert not Draft.objects.exists()
        page = browser.get(page_url(police_request)).content.decode()
        assert DRAFT_SUMMARY not in page and "Draft saved" not in page  # the addendum form is empty
        names = list(AuditEvent.objects.filter(name__startswith="draft.").values("name", "data"))
        assert [event["name"] for event in names] == ["draft.deleted", "draft.saved"]
        assert names[0]["data"]["reason"] == "sent"

    def test_a_refused_return_keeps_the_draft(self, client_for, researcher_a, police_request):
        browser = client_for(researcher_a)
        browser.post(draft_url(police_request), {"summary": DRAFT_SUMMARY}, **HTMX)
        refused = browser.post(
            f"/requests/{police_request.pk}/return/",
            {"summary": DRAFT_SUMMARY, **submission_token(researcher_a, "return")},
        )
        assert refused.status_code == 400
        assert Draft.objects.get(owner=researcher_a).data["summary"] == DRAFT_SUMMARY

    def test_drafts_are_each_users_own(
        self, client_for, researcher_a, supervisor_a, police_request
    ):
        client_for(researcher_a).post(draft_url(police_request), {"summary": DRAFT_SUMMARY}, **HTMX)
        page = client_for(supervisor_a).get(page_url(police_request)).content.decode()
        assert DRAFT_SUMMARY not in page and "Draft saved" not in page
        client_for(supervisor_a).post(draft_url(police_request), {"summary": "Mine"}, **HTMX)
        assert Draft.objects.get(owner=researcher_a).data == {"summary": DRAFT_SUMMARY}
        assert Draft.objects.get(owner=supervisor_a).data == {"summary": "Mine"}

    def test_saving_again_replaces_the_draft(self, client_for, researcher_a, police_request):
        browser = client_for(researcher_a)
        browser.post(draft_url(police_request), {"summary": "first"}, **HTMX)
        browser.post(draft_url(police_request), {"summary": "second"}, **HTMX)
        assert Draft.objects.get().data == {"summary": "second"}
        # Only the first save is in the audit trail, and never what the draft says.
        events = AuditEvent.objects.filter(name__startswith="draft.")
        assert [event.name for event in events] == ["draft.saved"]
        assert "first" not in json.dumps(events[0].data) and "draft" in events[0].object_repr

    @pytest.mark.parametrize(
        "persona", ["researcher_b", "hub_worker", "manager", "board_member", "referrer"]
    )
    def test_outsiders_get_404_and_nothing_is_stored(
        self, request, client_for, persona, police_request
    ):
        outsider = request.getfixturevalue(persona)
        browser = client_for(outsider)
        for extra in ({}, HTMX):
            response = browser.post(draft_url(police_request), {"summary": "x"}, **extra)
            assert response.status_code == 404
        assert not Draft.objects.exists()

    def test_signed_out_visitors_are_sent_to_sign_in(self, client, police_request):
        response = client.post(draft_url(police_request), {"summary": "x"})
        assert response.status_code == 302 and "/account/sign-in/" in response["Location"]
        assert not Draft.objects.exists()

    def test_a_withdrawn_request_is_404(self, client_for, researcher_a, hub_worker, police_request):
        request_withdraw(request=police_request, reason="Not needed", withdrawn_by=hub_worker)
        response = client_for(researcher_a).post(draft_url(police_request), {"summary": "x"})
        assert response.status_code == 404
        assert not Draft.objects.exists()

    def test_a_closed_enquiry_is_409_with_a_message(self, client_for, researcher_a, police_request):
        Enquiry.objects.filter(pk=police_request.enquiry_id).update(
            state=EnquiryState.CLOSED, outcome="NFA", closed_at=timezone.now()
        )
        browser = client_for(researcher_a)
        scripted = browser.post(draft_url(police_request), {"summary": "x"}, **HTMX)
        assert scripted.status_code == 409
        assert "The hub has closed this enquiry" in scripted.content.decode()
        plain = browser.post(draft_url(police_request), {"summary": "x"})
        assert plain.status_code == 409 and "closed this enquiry" in plain.content.decode()
        assert not Draft.objects.exists()

    def test_get_is_not_allowed(self, client_for, researcher_a, police_request):
        assert client_for(researcher_a).get(draft_url(police_request)).status_code == 405

    @pytest.mark.parametrize(
        "data, field, message",
        [
            ({"colour": "red"}, "colour", "colour is not a question of the return"),
            (
                {"summary": "x" * (RETURN_SUMMARY.max_length + 1)},
                "summary",
                "Summary of relevant information must be 20,000 characters or fewer",
            ),
            ({"handling": "top_secret"}, "handling", "Choose a handling marking"),
            ({"information_held": "maybe"}, "information_held", "Say whether your agency holds"),
        ],
    )
    def test_bad_input_is_400_naming_the_field_and_nothing_is_stored(
        self, client_for, researcher_a, police_request, data, field, message
    ):
        browser = client_for(researcher_a)
        scripted = browser.post(draft_url(police_request), {"summary": "ok", **data}, **HTMX)
        assert scripted.status_code == 400
        assert f"Your draft was not saved. {message}" in scripted.content.decode()
        plain = browser.post(draft_url(police_request), {"summary": "ok", **data})
        assert plain.status_code == 400
        body = plain.content.decode()
        assert "There is a problem" in body and message in body  # the page, with the error
        assert not Draft.objects.exists()
        with pytest.raises(ValidationError) as refused:
            draft_save(
                owner=researcher_a,
                kind=DraftKind.RETURN,
                data=data,
                information_request=police_request,
            )
        assert field in refused.value.message_dict
        assert not Draft.objects.exists()

    def test_the_page_shows_the_autosave_form_and_a_save_draft_button(
        self, client_for, researcher_a, police_request
    ):
        page = client_for(researcher_a).get(page_url(police_request)).content.decode()
        assert f'hx-post="{draft_url(police_request)}"' in page
        assert 'data-testid="save-draft"' in page
        assert f'formaction="{draft_url(police_request)}"' in page
        assert "js/drafts.js" in page


# --- MARF -----------------------------------------------------------------------------------


class TestMarfDrafts:
    def test_the_marf_resumes_after_sign_out_at_the_right_page_with_the_answers(self, referrer):
        browser = sign_in(referrer.username)
        assert browser.post("/marf/about-you/", ABOUT).status_code == 302
        people = people_post(person(0, given_name="Amy", family_name="Smith"))
        assert browser.post("/marf/people/", people)["Location"] == "/marf/concern/"
        sign_out(browser)

        browser = sign_in(referrer.username)
        start = browser.get("/marf/").content.decode()
        assert "You have a referral you have not sent yet" in start
        assert 'href="/marf/concern/"' in start  # Continue your referral: the next page
        people_page = browser.get("/marf/people/").content.decode()
        assert 'value="Amy"' in people_page and 'value="Smith"' in people_page
        about = browser.get("/marf/about-you/").content.decode()
        assert ABOUT["referrer_role"] in about
        # and on they go to the end
        assert browser.post("/marf/concern/", CONCERN)["Location"] == "/marf/household/"

    def test_the_marf_draft_is_not_in_the_session(self, client_for, referrer):
        browser = client_for(referrer)
        browser.post("/marf/people/", people_post(person(0, given_name="Amy")))
        assert "Amy" not in str(Session.objects.get().get_decoded())
        assert Draft.objects.get(owner=referrer, kind=DraftKind.MARF).information_request is None

    def test_sending_the_marf_deletes_the_draft(self, client_for, referrer):
        browser = client_for(referrer)
        fill_marf(browser)
        assert Draft.objects.filter(owner=referrer).exists()
        response = browser.post("/marf/check/", submission_token(referrer, "marf"))
        assert response.status_code == 302
        assert Contact.objects.count() == 1
        assert not Draft.objects.exists()
        assert (
            "You have a referral you have not sent yet"
            not in browser.get("/marf/").content.decode()
        )
        event = AuditEvent.objects.get(name="draft.deleted")
        assert event.data["reason"] == "sent" and "Amy" not in json.dumps(event.data)

    def test_a_refused_send_keeps_the_draft(self, client_for, referrer):
        browser = client_for(referrer)
        fill_marf(browser)
        draft = Draft.objects.get(owner=referrer)
        draft.data["people"][0]["nhs_number"] = "123"  # the service refuses it
        draft.save()
        response = browser.post("/marf/check/", submission_token(referrer, "marf"))
        assert response.status_code == 400
        assert not Contact.objects.exists() and Draft.objects.filter(owner=referrer).exists()

    def test_one_referrers_draft_is_not_anothers(self, client_for, referrer, referrer_agency):
        from agencies.roles import Role
        from tests.factories import UserFactory

        other = UserFactory(username="other.referrer", agency=referrer_agency, role=Role.REFERRER)
        client_for(referrer).post("/marf/about-you/", ABOUT)
        start = client_for(other).get("/marf/").content.decode()
        assert "You have a referral you have not sent yet" not in start
        assert (
            ABOUT["referrer_role"] not in client_for(other).get("/marf/about-you/").content.decode()
        )

    @pytest.mark.parametrize(
        "data, field",
        [
            ({"secrets": {}}, "secrets"),
            ({"about_you": {"shoe_size": "9"}}, "about_you.shoe_size"),
            ({"concern": {"what_happened": "x" * 10_001}}, "concern.what_happened"),
            ({"people": [{"given_name": "A"}] * 11}, "people"),
            ({"household": {"people": [{"nickname": "Al"}]}}, "household.people[0].nickname"),
            ({"concern": {"concerns": ["neglect"] * 50}}, "concern.concerns"),
            ({"about_you": {"referrer_name": 7}}, "about_you.referrer_name"),
        ],
    )
    def test_a_marf_draft_holds_only_the_forms_answers(self, referrer, data, field):
        with pytest.raises(ValidationError) as refused:
            draft_save(owner=referrer, kind=DraftKind.MARF, data=data)
        assert field in refused.value.message_dict
        assert not Draft.objects.exists()


# --- The 30-day purge -------------------------------------------------------------------------


class TestPurge:
    def test_drafts_untouched_for_30_days_are_deleted_and_newer_ones_kept(
        self, referrer, researcher_a, police_request
    ):
        now = timezone.now()
        with time_machine.travel(now - timedelta(days=31), tick=False):
            old = draft_save(owner=referrer, kind=DraftKind.MARF, data={"about_you": {}})
        with time_machine.travel(now - timedelta(days=29), tick=False):
            recent = draft_save(
                owner=researcher_a,
                kind=DraftKind.RETURN,
                data={"summary": "still working"},
                information_request=police_request,
            )
        assert drafts_purge_stale(now=now) == 1
        assert list(Draft.objects.all()) == [recent]
        assert drafts_purge_stale(now=now) == 0  # safe to run twice
        deleted = AuditEvent.objects.get(name="draft.deleted")
        assert deleted.data == {
            "draft_id": old.pk,
            "kind": "marf",
            "information_request_id": None,
            "reason": "expired",
        }

    def test_a_draft_saved_again_starts_its_30_days_again(self, referrer):
        now = timezone.now()
        with time_machine.travel(now - timedelta(days=40), tick=False):
            draft_save(owner=referrer, kind=DraftKind.MARF, data={"about_you": {}})
        with time_machine.travel(now - timedelta(days=2), tick=False):
            draft_save(owner=referrer, kind=DraftKind.MARF, data={"about_you": {}})
        assert drafts_purge_stale(now=now) == 0

    def test_beat_purges_every_night_through_a_task_the_worker_has(self, referrer):
        entry = PeriodicTask.objects.get(name="Purge stale drafts")
        assert entry.task == "drafts.purge_stale" and entry.enabled
        assert (entry.crontab.minute, entry.crontab.hour) == ("20", "3")
        assert str(entry.crontab.timezone) == "Europe/London"
        app.loader.import_default_modules()
        assert entry.task in app.tasks
        with time_machine.travel(timezone.now() - timedelta(days=31), tick=False):
            draft_save(owner=referrer, kind=DraftKind.MARF, data={"about_you": {}})
        result = app.tasks["drafts.purge_stale"].apply()
        assert result.successful() and result.get() == 1
        assert purge_stale_drafts() == 0


# --- Staying signed in ------------------------------------------------------------------------


class TestKeepAlive:
    def test_keep_alive_restarts_the_idle_clock(self, hub_worker):
        browser = sign_in(hub_worker.username)
        Session.objects.update(expire_date=timezone.now() + timedelta(minutes=1))
        response = browser.post("/account/keep-alive/", HTTP_ACCEPT="application/json")
        assert response.status_code == 200
        assert response.json() == {"signed_in": True, "expires_in": 30 * 60}
        assert Session.objects.get().expire_date > timezone.now() + timedelta(minutes=29)

    def test_without_script_it_goes_back_to_the_page(self, client_for, hub_worker):
        browser = client_for(hub_worker)
        response = browser.post("/account/keep-alive/", {"next": "/contacts/"})
        assert response.status_code == 302 and response["Location"] == "/contacts/"
        elsewhere = browser.post("/account/keep-alive/", {"next": "https://evil.example/"})
        assert elsewhere["Location"] == "/"

    def test_keep_alive_needs_sign_in(self, client):
        response = client.post("/account/keep-alive/", HTTP_ACCEPT="application/json")
        assert response.status_code == 401 and response.json() == {"signed_in": False}
        plain = client.post("/account/keep-alive/")
        assert plain.status_code == 302 and "/account/sign-in/" in plain["Location"]
        assert not Session.objects.exists()  # no session made for a visitor

    def test_keep_alive_needs_the_csrf_token(self, hub_worker):
        browser = Client(enforce_csrf_checks=True)
        browser.force_login(hub_worker, backend="django.contrib.auth.backends.ModelBackend")
        refused = browser.post("/account/keep-alive/", HTTP_ACCEPT="application/json")
        assert refused.status_code == 403
        page = browser.get("/").content.decode()
        token = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
        allowed = browser.post(
            "/account/keep-alive/",
            {"csrfmiddlewaretoken": token},
            HTTP_ACCEPT="application/json",
        )
        assert allowed.status_code == 200 and allowed.json()["signed_in"] is True

    def test_keep_alive_is_post_only(self, client_for, hub_worker):
        assert client_for(hub_worker).get("/account/keep-alive/").status_code == 405

    def test_every_signed_in_page_carries_the_warning_timed_to_the_idle_sign_out(
        self, client_for, hub_worker, settings
    ):
        page = client_for(hub_worker).get("/").content.decode()
        assert page.count('data-testid="idle-warning"') == 1
        assert 'data-idle-seconds="1800"' in page and 'data-warning-seconds="120"' in page
        assert "You will be signed out in <strong data-idle-countdown>2 minutes</strong>" in page
        assert "Stay signed in" in page and "js/idle-warning.js" in page
        settings.SESSION_COOKIE_AGE = 600
        page = client_for(hub_worker).get("/").content.decode()
        assert 'data-idle-seconds="600"' in page

    def test_signed_out_pages_have_no_warning(self, client):
        page = client.get("/account/sign-in/").content.decode()
        assert "idle-warning" not in page
