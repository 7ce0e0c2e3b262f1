"""Once per submission, one request at a time: `Idempotency-Key` on every API POST, the forms'
one-time tokens, and batch intake's references. (Posts at the same moment:
test_once_concurrent.py.)"""

import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from contacts.models import Contact, Marf, Person
from enquiries.models import InformationRequest, InformationReturn
from mash.celery import app
from mash.idempotency.models import IdempotencyRecord, SubmissionToken
from mash.idempotency.services import idempotency_delete_expired
from mash.idempotency.submissions import submission_token_issue
from tests.test_agency_pages import RETURN_FORM, ask, open_enquiry
from tests.test_contacts_api import BATCH, CONTACTS, item
from tests.test_marf import fill_marf
from tests.test_record_contact import form_data

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="submission_token" value="([^"]+)"')
KEY = "HTTP_IDEMPOTENCY_KEY"


def token_of(html: str, action: str | None = None) -> str:
    """The submission token of the page's first form, or of the form posting to `action`
    (a page may carry several: a return form and a documents upload, say)."""
    if action is not None:
        start = html.find(f'action="{action}"')
        assert start != -1, f"no form posts to {action}"
        html = html[start : html.find("</form>", start)]
    match = TOKEN.search(html)
    assert match, "the form carries no submission token"
    return match[1]


def error_summary(html: str) -> str:
    start = html.index('class="govuk-error-summary"')
    return html[start : html.index("</div>", start)]


# --- Idempotency-Key -----------------------------------------------------------------------


class TestIdempotencyKey:
    def test_a_retry_with_the_same_key_is_one_contact_and_the_same_answer(
        self, api_for, hub_worker
    ):
        api = api_for(hub_worker)
        body = item(external_reference="")  # without a key, each post is a new contact
        first = api.post(CONTACTS, body, format="json", **{KEY: "k-1"})
        again = api.post(CONTACTS, body, format="json", **{KEY: "k-1"})
        assert (first.status_code, again.status_code) == (201, 201)
        assert again.json() == first.json()
        assert again["Idempotent-Replayed"] == "true"
        assert Contact.objects.count() == 1
        # A new key is a new request
        assert api.post(CONTACTS, body, format="json", **{KEY: "k-2"}).status_code == 201
        assert Contact.objects.count() == 2

    def test_keys_belong_to_their_caller(self, api_for, hub_worker, manager):
        body = item(external_reference="")
        mine = api_for(hub_worker).post(CONTACTS, body, format="json", **{KEY: "shared"})
        theirs = api_for(manager).post(CONTACTS, body, format="json", **{KEY: "shared"})
        assert mine.json()["id"] != theirs.json()["id"]
        assert Contact.objects.count() == 2

    def test_the_same_key_with_a_different_body_is_refused_naming_the_header(
        self, api_for, hub_worker
    ):
        api = api_for(hub_worker)
        api.post(CONTACTS, item(external_reference=""), format="json", **{KEY: "k-1"})
        other = item(external_reference="", narrative="A different concern altogether.")
        response = api.post(CONTACTS, other, format="json", **{KEY: "k-1"})
        assert response.status_code == 422
        assert set(response.json()) == {"detail", "errors"}
        assert set(response.json()["errors"]) == {"Idempotency-Key"}
        assert Contact.objects.count() == 1
        # ... and so is the same key on another endpoint
        elsewhere = api.post(BATCH, {"items": [item()]}, format="json", **{KEY: "k-1"})
        assert elsewhere.status_code == 422
        assert Contact.objects.count() == 1

    @pytest.mark.parametrize("key", ["", "   ", "x" * 256, "naïve-key"])
    def test_an_empty_overlong_or_non_ascii_key_is_a_400_naming_the_header(
        self, api_for, hub_worker, key
    ):
        response = api_for(hub_worker).post(
            CONTACTS, item(external_reference=""), format="json", **{KEY: key}
        )
        assert response.status_code == 400
        assert set(response.json()["errors"]) == {"Idempotency-Key"}
        assert not Contact.objects.exists()

    def test_a_refused_request_is_not_remembered_so_the_corrected_retry_works(
        self, api_for, hub_worker
    ):
        api = api_for(hub_worker)
        bad = item(external_reference="", consent_detail="")
        refused = api.post(CONTACTS, bad, format="json", **{KEY: "k-1"})
        assert refused.status_code == 400
        assert set(refused.json()["errors"]) == {"consent_detail"}
        assert not IdempotencyRecord.objects.exists()
        fixed = api.post(CONTACTS, item(external_reference=""), format="json", **{KEY: "k-1"})
        assert fixed.status_code == 201
        assert Contact.objects.count() == 1

    def test_a_step_replayed_with_its_key_answers_as_the_first_time(
        self, api_for, hub_worker, hub_agency
    ):
        api = api_for(hub_worker)
        contact_id = api.post(CONTACTS, item(), format="json").json()["id"]
        url = f"{CONTACTS}{contact_id}/pick-up/"
        first = api.post(url, format="json", **{KEY: "pick-1"})
        again = api.post(url, format="json", **{KEY: "pick-1"})
        assert first.status_code == again.status_code == 200
        assert again.json() == first.json()

    def test_a_post_without_a_key_behaves_as_before(self, api_for, hub_worker):
        api = api_for(hub_worker)
        body = item(external_reference="")
        assert api.post(CONTACTS, body, format="json").status_code == 201
        assert api.post(CONTACTS, body, format="json").status_code == 201
        assert Contact.objects.count() == 2
        assert not IdempotencyRecord.objects.exists()

    def test_an_expired_key_is_a_new_request(self, api_for, hub_worker):
        api = api_for(hub_worker)
        body = item(external_reference="", received_at=None)
        with time_machine.travel(timezone.now() - timedelta(hours=25)):
            assert api.post(CONTACTS, body, format="json", **{KEY: "old"}).status_code == 201
        assert api.post(CONTACTS, body, format="json", **{KEY: "old"}).status_code == 201
        assert Contact.objects.count() == 2


def _api_post_urls() -> list[tuple[str, str]]:
    """(route, view name) of every API view under /api/v1/ that accepts POST, with each
    path parameter filled in."""
    found = []

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
                continue
            assert isinstance(pattern, URLPattern)
            callback = pattern.callback
            view_class = getattr(callback, "cls", None)
            if view_class is None or not route.startswith("api/v1/"):
                continue
            actions = getattr(callback, "actions", None)
            accepts_post = "post" in actions if actions else hasattr(view_class, "post")
            if accepts_post:
                found.append((route, pattern.name))

    walk(get_resolver().url_patterns, "")
    urls = []
    for route, name in found:
        if "(?P<format>" in route:
            continue  # the router's format-suffix twin of a route already listed
        path = route.replace("^", "").replace("$", "")
        path = re.sub(r"\(\?P<\w+>[^)]*\)", "1", path)
        path = re.sub(r"<(?:\w+:)?\w+>", "1", path)
        url = "/" + path
        assert resolve(url).url_name == name, (route, url)
        urls.append((url, name))
    return urls


def test_every_api_post_endpoint_honours_the_idempotency_key(api_for, manager):
    """Walks the URL resolver: a bad key is refused before the view runs, on every endpoint
    that accepts POST, so no endpoint (including one added later) is left out."""
    urls = _api_post_urls()
    names = {name for _url, name in urls}
    assert {"contact-list", "contact-batch", "contact-decide"} <= names, names
    api = api_for(manager)
    for url, name in urls:
        response = api.post(url, {}, format="json", **{KEY: ""})
        assert response.status_code == 400, (url, name, response.content[:300])
        assert set(response.json()["errors"]) == {"Idempotency-Key"}, (url, name)


def test_old_keys_and_tokens_are_deleted_hourly_by_beat(api_for, hub_worker, referrer):
    api = api_for(hub_worker)
    with time_machine.travel(timezone.now() - timedelta(hours=25)):
        old = item(external_reference="", received_at=None)
        assert api.post(CONTACTS, old, format="json", **{KEY: "old"}).status_code == 201
        SubmissionToken.objects.create(
            token="old", user=referrer, form="marf", created_at=timezone.now()
        )
    api.post(CONTACTS, item(external_reference=""), format="json", **{KEY: "new"})
    SubmissionToken.objects.create(
        token="new", user=referrer, form="marf", created_at=timezone.now()
    )
    assert idempotency_delete_expired() == 2
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]
    assert list(SubmissionToken.objects.values_list("token", flat=True)) == ["new"]
    task = PeriodicTask.objects.get(task="idempotency.delete_expired")
    assert task.enabled and task.crontab.hour == "*"
    app.loader.import_default_modules()
    assert "idempotency.delete_expired" in app.tasks


# --- Batch intake ---------------------------------------------------------------------------


class TestBatchReferences:
    def test_a_batch_repeating_a_reference_with_different_content_is_refused(
        self, api_for, hub_worker
    ):
        items = [
            item(external_reference="PPN-1"),
            item(external_reference="PPN-2"),
            item(external_reference="PPN-1", narrative="Another incident, another child."),
        ]
        response = api_for(hub_worker).post(BATCH, {"items": items}, format="json")
        assert response.status_code == 400
        assert set(response.json()["errors"]) == {"items[2].external_reference"}
        assert "items[0]" in response.json()["errors"]["items[2].external_reference"][0]
        assert not Contact.objects.exists() and not Person.objects.exists()

    def test_a_replayed_reference_with_different_content_is_a_409_naming_it(
        self, api_for, supervisor_a
    ):
        api = api_for(supervisor_a)
        assert api.post(CONTACTS, item(external_reference="PPN-9"), format="json").status_code == (
            201
        )
        changed = item(external_reference="PPN-9", narrative="A different incident.")
        single = api.post(CONTACTS, changed, format="json")
        assert single.status_code == 409
        assert "PPN-9" in single.json()["detail"]
        assert "PPN-9" in single.json()["errors"]["external_reference"][0]
        batch = api.post(
            BATCH, {"items": [item(external_reference="PPN-10"), changed]}, format="json"
        )
        assert batch.status_code == 409
        assert "PPN-9" in batch.json()["detail"]
        assert set(batch.json()["errors"]) == {"items[1].external_reference"}
        assert Contact.objects.count() == 1  # PPN-10 was not kept half-way
        # The same content again is still a replay
        again = api.post(BATCH, {"items": [item(external_reference="PPN-9")]}, format="json")
        assert again.status_code == 200


# --- Form tokens ----------------------------------------------------------------------------


class TestFormTokens:
    def test_the_marf_sent_twice_is_one_contact_and_both_land_on_its_confirmation(
        self, client_for, referrer
    ):
        browser = client_for(referrer)
        fill_marf(browser)
        form = {"submission_token": token_of(browser.get("/marf/check/").content.decode())}
        first = browser.post("/marf/check/", form)
        contact = Contact.objects.get()
        assert first["Location"] == f"/marf/sent/{contact.pk}/"
        again = browser.post("/marf/check/", form, follow=True)  # Back, and send again
        assert again.redirect_chain == [(f"/marf/sent/{contact.pk}/", 302)]
        page = again.content.decode()
        assert contact.reference in page
        assert "You had already sent this form" in page
        assert Contact.objects.count() == Marf.objects.count() == 1

    def test_an_expired_marf_token_is_explained_on_the_check_page_and_nothing_is_sent(
        self, client_for, referrer
    ):
        browser = client_for(referrer)
        fill_marf(browser)
        with time_machine.travel(timezone.now() - timedelta(hours=11)):
            stale = submission_token_issue(user=referrer, form="marf")
        response = browser.post("/marf/check/", {"submission_token": stale})
        assert response.status_code == 400
        html = response.content.decode()
        assert "nothing was saved" in error_summary(html)
        assert "send the form again" in error_summary(html)
        assert not Contact.objects.exists()
        # The page carries a fresh token, which sends it
        fresh = browser.post("/marf/check/", {"submission_token": token_of(html)})
        assert fresh.status_code == 302
        assert Contact.objects.count() == 1

    @pytest.mark.parametrize(
        "forge",
        [
            lambda user, other: "not-a-token",
            lambda user, other: submission_token_issue(user=other, form="record_contact"),
            lambda user, other: submission_token_issue(user=user, form="marf"),
            lambda user, other: (
                submission_token_issue(user=user, form="record_contact")[:-2] + "xx"
            ),
        ],
        ids=["garbage", "another-users", "another-forms", "altered"],
    )
    def test_a_forged_token_on_the_contact_form_is_refused_and_nothing_stored(
        self, client_for, hub_worker, manager, forge
    ):
        form = _record_contact_form(forge(hub_worker, manager))
        response = client_for(hub_worker).post("/contacts/new/", form)
        assert response.status_code == 400
        assert "send the form again" in error_summary(response.content.decode())
        assert not Contact.objects.exists() and not SubmissionToken.objects.exists()

    def test_the_contact_form_sent_twice_is_one_contact(self, client_for, hub_worker):
        browser = client_for(hub_worker)
        token = token_of(browser.get("/contacts/new/").content.decode())
        first = browser.post("/contacts/new/", _record_contact_form(token))
        assert first.status_code == 302, first.content.decode()[:3000]
        again = browser.post("/contacts/new/", _record_contact_form(token))
        assert again["Location"] == first["Location"]
        assert Contact.objects.count() == 1

    def test_a_form_with_errors_keeps_its_token_usable(self, client_for, hub_worker):
        browser = client_for(hub_worker)
        token = token_of(browser.get("/contacts/new/").content.decode())
        invalid = dict(_record_contact_form(token), consent="")
        assert browser.post("/contacts/new/", invalid).status_code == 400
        assert browser.post("/contacts/new/", _record_contact_form(token)).status_code == 302
        assert Contact.objects.count() == 1

    def test_a_return_sent_twice_is_one_return_not_an_addendum(
        self, client_for, hub_worker, manager, agency_a, researcher_a
    ):
        info_request = ask(open_enquiry(hub_worker, manager), agency_a, hub_worker)
        browser = client_for(researcher_a)
        page = browser.get(f"/requests/{info_request.pk}/").content.decode()
        url = f"/requests/{info_request.pk}/return/"
        form = dict(RETURN_FORM, submission_token=token_of(page, url))
        assert browser.post(url, form)["Location"] == f"/requests/{info_request.pk}/"
        again = browser.post(url, form, follow=True)
        assert again.redirect_chain == [(f"/requests/{info_request.pk}/", 302)]
        assert "You had already sent this form" in again.content.decode()
        assert InformationReturn.objects.get().is_addendum is False
        # A new page's token sends an addendum, as before
        addendum = dict(RETURN_FORM, submission_token=token_of(again.content.decode(), url))
        assert browser.post(url, addendum).status_code == 302
        assert list(InformationReturn.objects.values_list("is_addendum", flat=True)) == [
            False,
            True,
        ]

    def test_an_expired_return_token_is_refused_on_the_request_page(
        self, client_for, hub_worker, manager, agency_a, researcher_a
    ):
        info_request = ask(open_enquiry(hub_worker, manager), agency_a, hub_worker)
        with time_machine.travel(timezone.now() - timedelta(days=1)):
            stale = submission_token_issue(user=researcher_a, form="return")
        response = client_for(researcher_a).post(
            f"/requests/{info_request.pk}/return/", dict(RETURN_FORM, submission_token=stale)
        )
        assert response.status_code == 400
        assert "send the form again" in error_summary(response.content.decode())
        assert not InformationReturn.objects.exists()

    def test_an_information_request_sent_twice_is_one_request(
        self, client_for, hub_worker, manager, agency_a
    ):
        enquiry = open_enquiry(hub_worker, manager)
        browser = client_for(hub_worker)
        form = {
            "agency": agency_a.pk,
            "question": "Any call-outs to the address?",
            "people": [enquiry.person_links.filter(is_subject=True).first().person_id],
            "submission_token": token_of(
                browser.get(f"/enquiries/{enquiry.pk}/requests/").content.decode()
            ),
        }
        url = f"/enquiries/{enquiry.pk}/requests/"
        assert browser.post(url, form)["Location"] == url
        again = browser.post(url, form)
        assert again.status_code == 302  # not "already has an open request"
        assert again["Location"] == url
        assert InformationRequest.objects.count() == 1


def _record_contact_form(token: str) -> dict:
    return form_data(submission_token=token)


def test_the_schema_documents_the_idempotency_key_and_its_422_on_every_post(client_for, hub_worker):
    import yaml

    schema = yaml.safe_load(client_for(hub_worker).get("/api/schema/").content)
    posts = {
        path: operations["post"]
        for path, operations in schema["paths"].items()
        if "post" in operations
    }
    assert "/api/v1/contacts/batch/" in posts
    for path, operation in posts.items():
        headers = [p["name"] for p in operation.get("parameters", []) if p["in"] == "header"]
        assert "Idempotency-Key" in headers, path
        assert {"400", "422"} <= set(operation["responses"]), path
