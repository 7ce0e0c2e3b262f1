"""A create form posted without its one-time token (a page open since before an upgrade, a
script) is refused like a bad token: 400 on the form's page, the GOV.UK error summary saying
nothing was saved and to send the form again, nothing stored, and the page shown carries a fresh
token that sends it. (Tokens sent twice, forged or expired: test_idempotency.py.)"""

import re

import pytest

from contacts.models import Contact, Marf, Person
from drafts.models import Draft, DraftKind
from enquiries.models import InformationRequest, InformationReturn
from mash.idempotency.models import SubmissionToken
from mash.idempotency.submissions import MISSING_MESSAGE
from tests.test_agency_pages import RETURN_FORM, ask, open_enquiry, send_return
from tests.test_marf import fill_marf, marf_draft
from tests.test_record_contact import form_data

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="submission_token" value="([^"]+)"')


def token_of(html: str) -> str:
    match = TOKEN.search(html)
    assert match, "the form carries no submission token"
    return match[1]


def error_summary(html: str) -> str:
    start = html.index('class="govuk-error-summary"')
    return html[start : html.index("</ul>", start)]


def assert_refused(response) -> str:
    """The form's page again, 400, with the message in the error summary; its HTML."""
    assert response.status_code == 400
    html = response.content.decode()
    assert "<title>Error: " in html
    summary = error_summary(html)
    assert MISSING_MESSAGE in summary
    assert "nothing was saved" in summary and "send the form again" in summary
    return html


def test_the_message_says_nothing_was_saved_and_what_to_do():
    assert "not sent from an up-to-date copy of its page" in MISSING_MESSAGE
    assert MISSING_MESSAGE.endswith("Check your answers and send the form again.")


class TestWithoutAToken:
    @pytest.mark.parametrize("sent", [{}, {"submission_token": ""}], ids=["absent", "empty"])
    def test_the_marf_shows_check_your_answers_again_and_keeps_the_draft(
        self, client_for, referrer, sent
    ):
        browser = client_for(referrer)
        fill_marf(browser)
        html = assert_refused(browser.post("/marf/check/", sent))
        assert "Check your answers before sending your referral" in html
        assert "Amy" in html  # the referrer's answers, still there to check
        assert not Contact.objects.exists() and not Marf.objects.exists()
        assert not Person.objects.exists() and not SubmissionToken.objects.exists()
        assert marf_draft(referrer) is not None  # not thrown out of the form
        # The page carries a fresh token, which sends the referral
        sent = browser.post("/marf/check/", {"submission_token": token_of(html)})
        contact = Contact.objects.get()
        assert sent["Location"] == f"/marf/sent/{contact.pk}/"
        assert Marf.objects.count() == 1

    def test_the_marf_left_unfinished_goes_back_to_its_first_missing_page(
        self, client_for, referrer
    ):
        browser = client_for(referrer)
        browser.post("/marf/about-you/", {})  # nothing answered: the draft stays empty
        assert browser.post("/marf/check/")["Location"] == "/marf/"
        fill_marf(browser)
        draft = Draft.objects.get(owner=referrer, kind=DraftKind.MARF)
        del draft.data["consent"]
        draft.save()
        assert browser.post("/marf/check/")["Location"] == "/marf/consent/"
        assert not Contact.objects.exists()

    def test_the_hubs_contact_form_keeps_the_answers_and_sends_with_the_fresh_token(
        self, client_for, hub_worker
    ):
        browser = client_for(hub_worker)
        html = assert_refused(browser.post("/contacts/new/", form_data()))
        assert "Record a contact" in html and 'value="Maisie"' in html
        assert not Contact.objects.exists() and not Person.objects.exists()
        assert not SubmissionToken.objects.exists()
        sent = browser.post("/contacts/new/", form_data(submission_token=token_of(html)))
        assert sent["Location"] == f"/contacts/{Contact.objects.get().pk}/"

    def test_a_return_is_refused_on_the_request_page(
        self, client_for, hub_worker, manager, agency_a, researcher_a
    ):
        info_request = ask(open_enquiry(hub_worker, manager), agency_a, hub_worker)
        browser = client_for(researcher_a)
        url = f"/requests/{info_request.pk}/return/"
        html = assert_refused(browser.post(url, RETURN_FORM))
        assert "Send your return" in html
        assert not InformationReturn.objects.exists() and not SubmissionToken.objects.exists()
        info_request.refresh_from_db()
        assert info_request.state == "open"
        sent = browser.post(url, dict(RETURN_FORM, submission_token=token_of(html)))
        assert sent["Location"] == f"/requests/{info_request.pk}/"
        assert InformationReturn.objects.get().is_addendum is False

    def test_an_addendum_is_refused_on_the_request_page(
        self, client_for, hub_worker, manager, agency_a, researcher_a
    ):
        info_request = ask(open_enquiry(hub_worker, manager), agency_a, hub_worker)
        send_return(info_request, researcher_a)
        addendum = dict(RETURN_FORM, summary="A fourth call-out, last night")
        html = assert_refused(
            client_for(researcher_a).post(f"/requests/{info_request.pk}/return/", addendum)
        )
        assert "Add an addendum" in html
        assert list(InformationReturn.objects.values_list("is_addendum", flat=True)) == [False]
        assert not SubmissionToken.objects.exists()

    def test_an_information_request_is_refused_on_the_enquiry_page(
        self, client_for, hub_worker, manager, agency_a
    ):
        enquiry = open_enquiry(hub_worker, manager)
        browser = client_for(hub_worker)
        form = {
            "agency": agency_a.pk,
            "question": "Any call-outs to the address?",
            "people": [enquiry.person_links.filter(is_subject=True).first().person_id],
        }
        html = assert_refused(browser.post(f"/enquiries/{enquiry.pk}/requests/", form))
        assert "Any call-outs to the address?" in html  # the question is kept to send again
        assert not InformationRequest.objects.exists() and not SubmissionToken.objects.exists()
        sent = browser.post(
            f"/enquiries/{enquiry.pk}/requests/", dict(form, submission_token=token_of(html))
        )
        assert sent["Location"] == f"/enquiries/{enquiry.pk}/requests/"
        assert InformationRequest.objects.count() == 1
