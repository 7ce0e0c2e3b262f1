"""Documents through the API: each record's documents listed (newest first) and uploaded, under
the pages' rules (documents/targets.py), scanned by the real clamd of tests/conftest.py.

- `/api/v1/contacts/{id}/documents/` and `/api/v1/enquiries/{id}/documents/`: hub staff;
- `/api/v1/information-requests/{id}/documents/`: the hub and the agency holding the request
  read; the agency uploads to its latest return or addendum.

Everyone else, and any record outside the caller's view, gets 404.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from documents import services
from documents.models import Document, ScanState
from documents.targets import ENQUIRY_CLOSED, NO_RETURN
from documents.tasks import scan_waiting_documents
from enquiries import services as enquiry_services
from enquiries.models import Enquiry, InformationRequest, InformationReturn
from mash.audit.models import AuditEvent
from tests.test_agency_pages import ask, open_enquiry, send_return
from tests.test_documents import EICAR, PDF, email_carrying, make_contact, stored_files
from tests.test_documents_marf_returns import add_documents, another_enquiry, make_marf

pytestmark = pytest.mark.django_db

EVERYONE = [
    "hub_worker",
    "manager",
    "researcher_a",
    "researcher_b",
    "supervisor_a",
    "referrer",
    "board_member",
    "administrator",
]
#: Never see any of these endpoints.
OUTSIDERS = ["referrer", "board_member", "administrator"]


@pytest.fixture
def enquiry(hub_worker, manager) -> Enquiry:
    return open_enquiry(hub_worker, manager)


@pytest.fixture
def police_request(enquiry, agency_a, hub_worker) -> InformationRequest:
    return ask(enquiry, agency_a, hub_worker)


@pytest.fixture
def health_request(enquiry, agency_b, hub_worker) -> InformationRequest:
    return ask(enquiry, agency_b, hub_worker, "Any A&E attendances?")


@pytest.fixture
def police_return(police_request, researcher_a) -> InformationReturn:
    return send_return(police_request, researcher_a)


def contact_url(contact) -> str:
    return f"/api/v1/contacts/{contact.pk}/documents/"


def enquiry_url(enquiry) -> str:
    return f"/api/v1/enquiries/{enquiry.pk}/documents/"


def request_url(info_request) -> str:
    return f"/api/v1/information-requests/{info_request.pk}/documents/"


def post_file(api, url: str, name: str, content: bytes, **headers):
    return api.post(url, {"file": SimpleUploadedFile(name, content)}, format="multipart", **headers)


def post_raw(api, url: str, raw_name: str, content: bytes):
    """A multipart post with the file name exactly as given (Django's test client would strip
    path separators and control characters, as a script or a hand-made request need not)."""
    boundary = "----mashboundary"
    body = (
        (
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="file"; filename="{raw_name}"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return api.post(url, body, content_type=f"multipart/form-data; boundary={boundary}")


def names_listed(api, url: str) -> list[str]:
    response = api.get(url)
    assert response.status_code == 200, response.content
    return [item["original_name"] for item in response.json()["results"]]


def api_download(api, document):
    return api.get(f"/api/v1/documents/{document.pk}/download/")


# --- Hub staff: contacts and enquiries --------------------------------------------------------


def test_the_hub_uploads_a_pdf_to_a_contact_and_lists_it_with_the_referrers_marf_files(
    no_scanner, media, api_for, client_for, hub_worker, manager, referrer
):
    contact = make_marf(referrer)
    marf_file = services.document_upload(
        record=contact.marf, upload=SimpleUploadedFile("school.pdf", PDF), uploaded_by=referrer
    )
    api = api_for(hub_worker)
    response = post_file(api, contact_url(contact), "Police notice.pdf", PDF)
    assert response.status_code == 201, response.content
    body = response.json()
    document = Document.objects.get(pk=body["id"])
    assert (body["contact"], body["original_name"], body["kind"]) == (
        contact.pk,
        "Police notice.pdf",
        "pdf",
    )
    assert body["scan_state"] == "pending" and body["download_url"] is None
    assert body["uploaded_by"] == hub_worker.display_name and body["size"] == len(PDF)
    assert document.file.name == f"documents/{document.uid}"  # never the uploader's name
    assert AuditEvent.objects.filter(name="document.uploaded", object_pk=str(document.pk)).exists()

    # Newest first, with the file the referrer attached to the MARF.
    assert names_listed(api_for(manager), contact_url(contact)) == [
        "Police notice.pdf",
        "school.pdf",
    ]
    listed = AuditEvent.objects.filter(name="records.listed", actor=manager).get()
    assert listed.data == {"model": "documents.document", "ids": [document.pk, marf_file.pk]}
    page = client_for(hub_worker).get(f"/contacts/{contact.pk}/").content.decode()
    assert "Police notice.pdf" in page and "Not yet scanned" in page
    assert api_download(api, document).status_code == 404  # not scanned


def test_the_hub_uploads_to_an_enquiry_and_it_is_downloadable_once_clean(
    scanner, api_for, client_for, hub_worker, manager, enquiry
):
    api = api_for(hub_worker)
    response = post_file(api, enquiry_url(enquiry), "strategy.pdf", PDF)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["enquiry"] == enquiry.pk and body["scan_state"] == "pending"
    assert names_listed(api, enquiry_url(enquiry)) == ["strategy.pdf"]
    page = client_for(manager).get(f"/enquiries/{enquiry.pk}/notes-and-documents/")
    page = page.content.decode()
    assert "strategy.pdf" in page

    with_scan = scan_waiting_documents.apply().get()
    assert with_scan == 1
    listed = api.get(enquiry_url(enquiry)).json()["results"][0]
    assert listed["scan_state"] == ScanState.CLEAN
    assert listed["download_url"] == f"/api/v1/documents/{body['id']}/download/"
    response = api.get(listed["download_url"])
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF


def test_a_contact_or_enquiry_that_does_not_exist_is_a_404(media, api_for, hub_worker):
    api = api_for(hub_worker)
    for url in ("/api/v1/contacts/999999/documents/", "/api/v1/enquiries/999999/documents/"):
        assert api.get(url).status_code == 404
        refused = post_file(api, url, "a.pdf", PDF)
        assert refused.status_code == 404
        assert refused.json() == {"detail": "Not found.", "errors": {}}
    assert Document.objects.count() == 0 and stored_files(media) == []


# --- Agencies: information requests -----------------------------------------------------------


def test_police_upload_to_their_latest_return_and_the_hub_sees_it_health_cannot(
    no_scanner,
    media,
    api_for,
    client_for,
    hub_worker,
    researcher_a,
    supervisor_a,
    researcher_b,
    police_request,
    police_return,
    health_request,
):
    addendum = send_return(police_request, researcher_a, summary="One more call-out")
    earlier = services.document_upload(
        record=police_return, upload=SimpleUploadedFile("first.pdf", PDF), uploaded_by=researcher_a
    )
    response = post_file(api_for(researcher_a), request_url(police_request), "PNC.pdf", PDF)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["information_return"] == addendum.pk  # the latest, as the request page does
    assert body["scan_state"] == "pending" and body["uploaded_by"] == researcher_a.display_name
    document = Document.objects.get(pk=body["id"])

    for user in (researcher_a, supervisor_a, hub_worker):
        assert names_listed(api_for(user), request_url(police_request)) == [
            "PNC.pdf",
            "first.pdf",
        ], user.role
    page = client_for(researcher_a).get(f"/requests/{police_request.pk}/").content.decode()
    assert "PNC.pdf" in page and "first.pdf" in page

    health = api_for(researcher_b)
    assert health.get(request_url(police_request)).status_code == 404
    assert post_file(health, request_url(police_request), "x.pdf", PDF).status_code == 404
    assert names_listed(health, request_url(health_request)) == []
    # The hub reads returns' files; it does not attach them to an agency's return.
    hub = api_for(hub_worker)
    assert post_file(hub, request_url(police_request), "x.pdf", PDF).status_code == 404
    # Agencies never reach the hub's own records.
    for url in (contact_url(police_request.enquiry.contact), enquiry_url(police_request.enquiry)):
        assert api_for(researcher_a).get(url).status_code == 404
        assert post_file(api_for(researcher_a), url, "x.pdf", PDF).status_code == 404
    assert set(Document.objects.values_list("pk", flat=True)) == {earlier.pk, document.pk}
    assert len(stored_files(media)) == 2


def test_before_a_return_there_is_nothing_to_attach_to(
    media, api_for, researcher_a, police_request
):
    api = api_for(researcher_a)
    assert names_listed(api, request_url(police_request)) == []
    response = post_file(api, request_url(police_request), "early.pdf", PDF)
    assert response.status_code == 400
    assert response.json() == {"detail": "Invalid input.", "errors": {"file": [NO_RETURN]}}
    assert Document.objects.count() == 0 and stored_files(media) == []


def test_once_the_enquiry_is_closed_no_more_files_are_attached(
    media, api_for, researcher_a, hub_worker, manager, enquiry, police_request, police_return
):
    enquiry_services.enquiry_recommend(
        enquiry=enquiry, user=hub_worker, outcome="NFA", final_rag="GREEN", rationale="x"
    )
    enquiry_services.enquiry_decide(
        enquiry=enquiry, manager=manager, outcome="NFA", final_rag="GREEN"
    )
    api = api_for(researcher_a)
    response = post_file(api, request_url(police_request), "late.pdf", PDF)
    assert response.status_code == 409
    assert response.json()["detail"] == ENQUIRY_CLOSED
    assert names_listed(api, request_url(police_request)) == []  # still readable
    assert Document.objects.count() == 0 and stored_files(media) == []


def test_a_withdrawn_request_is_a_404_for_its_agency(
    media, api_for, researcher_a, hub_worker, police_request
):
    enquiry_services.request_withdraw(
        request=police_request, reason="Asked in error", withdrawn_by=hub_worker
    )
    api = api_for(researcher_a)
    assert api.get(request_url(police_request)).status_code == 404
    assert post_file(api, request_url(police_request), "a.pdf", PDF).status_code == 404
    assert Document.objects.count() == 0


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_referrers_the_board_and_administrators_get_404_on_every_documents_endpoint(
    persona, request, media, api_for, referrer, hub_worker, enquiry, police_request, police_return
):
    contact = make_marf(referrer)
    services.document_upload(
        record=contact, upload=SimpleUploadedFile("hub.pdf", PDF), uploaded_by=hub_worker
    )
    api = api_for(request.getfixturevalue(persona))
    for url in (contact_url(contact), enquiry_url(enquiry), request_url(police_request)):
        assert api.get(url).status_code == 404, url
        refused = post_file(api, url, "a.pdf", PDF)
        assert refused.status_code == 404, url
        assert refused.json() == {"detail": "Not found.", "errors": {}}
    assert Document.objects.count() == 1 and len(stored_files(media)) == 1


def test_a_json_body_is_refused_as_unsupported(api_for, hub_worker, enquiry):
    response = api_for(hub_worker).post(enquiry_url(enquiry), {"file": "x"}, format="json")
    assert response.status_code == 415
    assert set(response.json()) == {"detail", "errors"}
    assert Document.objects.count() == 0


# --- Bad input --------------------------------------------------------------------------------


def _upload_url(where: str, request) -> tuple:
    if where == "contact":
        return request.getfixturevalue("hub_worker"), contact_url(make_contact())
    request.getfixturevalue("police_return")
    info_request = request.getfixturevalue("police_request")
    return request.getfixturevalue("researcher_a"), request_url(info_request)


def _refused(response, message: str) -> None:
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["detail"] == "Invalid input." and list(body["errors"]) == ["file"]
    assert message in " ".join(body["errors"]["file"])


BAD_FILES = [
    ("big.pdf", PDF + b"0" * 2000, "smaller than"),
    ("setup.pdf", b"MZ\x90\x00" + b"\x00" * 100, "program or script"),
    ("empty.pdf", b"", "is empty"),
    ("notes.txt", b"just some text\n", "must be a PDF, Word document"),
]


@pytest.mark.parametrize("where", ["contact", "request"])
@pytest.mark.parametrize(("name", "content", "message"), BAD_FILES)
def test_bad_files_are_a_400_naming_file_and_nothing_is_stored(
    settings, media, request, api_for, where, name, content, message
):
    settings.MASH_DOCUMENT_MAX_BYTES = 1000
    user, url = _upload_url(where, request)
    _refused(post_file(api_for(user), url, name, content), message)
    assert Document.objects.count() == 0 and stored_files(media) == []


@pytest.mark.parametrize("where", ["contact", "request"])
@pytest.mark.parametrize(
    ("raw_name", "message"),
    [
        ("../../etc/passwd.pdf", "must not contain / or \\"),
        ("..\\report.pdf", "must not contain / or \\"),
        ("re\x00port.pdf", "control characters"),
        ("re\nport.pdf", "control characters"),
    ],
)
def test_names_with_separators_or_control_characters_are_refused_not_repaired(
    media, request, api_for, where, raw_name, message
):
    user, url = _upload_url(where, request)
    _refused(post_raw(api_for(user), url, raw_name, PDF), message)
    assert Document.objects.count() == 0 and stored_files(media) == []


@pytest.mark.parametrize("where", ["contact", "request"])
def test_no_file_or_two_files_are_a_400_naming_file(media, request, api_for, where):
    user, url = _upload_url(where, request)
    api = api_for(user)
    _refused(api.post(url, {}, format="multipart"), "Select a file")
    _refused(api.post(url, {"note": "no file here"}, format="multipart"), "Select a file")
    two = [SimpleUploadedFile("a.pdf", PDF), SimpleUploadedFile("b.pdf", PDF)]
    _refused(api.post(url, {"file": two}, format="multipart"), "Select one file")
    assert Document.objects.count() == 0 and stored_files(media) == []


# --- Idempotency-Key --------------------------------------------------------------------------


def test_a_retried_upload_with_the_same_key_is_one_document_and_the_same_answer(
    media, api_for, hub_worker, enquiry, django_capture_on_commit_callbacks
):
    api = api_for(hub_worker)
    with django_capture_on_commit_callbacks(execute=True):
        first = post_file(api, enquiry_url(enquiry), "a.pdf", PDF, HTTP_IDEMPOTENCY_KEY="doc-1")
        again = post_file(api, enquiry_url(enquiry), "a.pdf", PDF, HTTP_IDEMPOTENCY_KEY="doc-1")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Document.objects.count() == 1 and len(stored_files(media)) == 1
    other = post_file(api, enquiry_url(enquiry), "b.pdf", PDF, HTTP_IDEMPOTENCY_KEY="doc-1")
    assert other.status_code == 422  # the same key for another file
    assert Document.objects.count() == 1 and len(stored_files(media)) == 1


def test_a_refused_upload_with_a_key_stores_nothing_and_the_corrected_retry_works(
    media, api_for, hub_worker, enquiry
):
    api = api_for(hub_worker)
    refused = post_file(api, enquiry_url(enquiry), "e.pdf", b"", HTTP_IDEMPOTENCY_KEY="doc-2")
    _refused(refused, "is empty")
    assert Document.objects.count() == 0 and stored_files(media) == []
    fixed = post_file(api, enquiry_url(enquiry), "e.pdf", PDF, HTTP_IDEMPOTENCY_KEY="doc-3")
    assert fixed.status_code == 201
    assert Document.objects.count() == 1 and len(stored_files(media)) == 1


# --- Infected files ---------------------------------------------------------------------------


def test_an_eicar_uploaded_to_a_police_return_is_quarantined_and_never_downloaded(
    scanner,
    media,
    request,
    api_for,
    client_for,
    researcher_a,
    hub_worker,
    police_request,
    police_return,
    django_capture_on_commit_callbacks,
):
    api = api_for(researcher_a)
    payload = email_carrying(EICAR)  # an email with EICAR attached, named as a PDF
    response = post_file(api, request_url(police_request), "notice.pdf", payload)
    assert response.status_code == 201, response.content
    document = Document.objects.get(pk=response.json()["id"])
    with django_capture_on_commit_callbacks(execute=True):
        assert scan_waiting_documents.apply().get() == 1
    document.refresh_from_db()
    assert document.scan_state == ScanState.INFECTED and document.quarantined
    assert document.file.name.startswith("quarantine/")
    for user in (researcher_a, hub_worker):
        listed = api_for(user).get(request_url(police_request)).json()["results"]
        assert [
            (item["scan_state"], item["quarantined"], item["download_url"]) for item in listed
        ] == [("infected", True, None)]
    for role in EVERYONE:
        user = request.getfixturevalue(role)
        for response in (
            api_download(api_for(user), document),
            client_for(user).get(f"/documents/{document.pk}/download/"),
        ):
            assert response.status_code == 404, role
            assert not hasattr(response, "streaming_content")
            assert b"EICAR" not in response.content


# --- Query counts -----------------------------------------------------------------------------


def _queries(api, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = api.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


def test_the_contact_and_enquiry_lists_cost_the_same_for_5_and_50_documents(
    no_scanner, api_for, hub_worker, manager, referrer
):
    counts = {}
    for total in (5, 50):
        contact = make_marf(referrer, given_name=f"Child{total}")
        add_documents(referrer, 2, marf=contact.marf)
        add_documents(hub_worker, total - 2, contact=contact)
        enquiry = another_enquiry(hub_worker, manager, f"Child{total}")
        add_documents(hub_worker, total, enquiry=enquiry)
        api = api_for(hub_worker)
        urls = (contact_url(contact), enquiry_url(enquiry))
        _queries(api, urls[0])  # warm caches
        counts[total] = [_queries(api, url) for url in urls]
        for url in urls:
            assert len(api.get(url).json()["results"]) == total
    assert counts[5] == counts[50], counts


def test_the_request_list_costs_the_same_for_5_and_50_documents(
    no_scanner, api_for, researcher_a, hub_worker, manager, agency_a
):
    counts = {}
    for total in (5, 50):
        enquiry = another_enquiry(hub_worker, manager, f"Child{total}")
        info_request = ask(enquiry, agency_a, hub_worker)
        first = send_return(info_request, researcher_a)
        addendum = send_return(info_request, researcher_a, summary="More")
        add_documents(researcher_a, total - 1, information_return=first)
        add_documents(researcher_a, 1, information_return=addendum)
        for user in (researcher_a, hub_worker):
            api = api_for(user)
            _queries(api, request_url(info_request))  # warm caches
            counts[(total, user.role)] = _queries(api, request_url(info_request))
            assert len(api.get(request_url(info_request)).json()["results"]) == total
    for user in (researcher_a, hub_worker):
        assert counts[(5, user.role)] == counts[(50, user.role)], counts


def test_an_upload_larger_than_django_keeps_in_memory_is_still_once_per_key(
    media, api_for, hub_worker, enquiry, django_capture_on_commit_callbacks
):
    """Over 2.5 MB Django will not hold the body in memory: the key's fingerprint is taken as
    the body streams, and the view still parses the same upload (same name, same bytes)."""
    big = PDF + b"%" + b"0" * (3 * 1024 * 1024)
    api = api_for(hub_worker)
    with django_capture_on_commit_callbacks(execute=True):
        first = post_file(api, enquiry_url(enquiry), "big.pdf", big, HTTP_IDEMPOTENCY_KEY="big-1")
        again = post_file(api, enquiry_url(enquiry), "big.pdf", big, HTTP_IDEMPOTENCY_KEY="big-1")
    assert first.status_code == again.status_code == 201, first.content
    assert again["Idempotent-Replayed"] == "true" and first.json() == again.json()
    document = Document.objects.get()
    assert document.original_name == "big.pdf" and document.size == len(big)
    assert document.file.read() == big
    changed = big[:-1] + b"1"
    other = post_file(api, enquiry_url(enquiry), "big.pdf", changed, HTTP_IDEMPOTENCY_KEY="big-1")
    assert other.status_code == 422
    assert Document.objects.count() == 1 and len(stored_files(media)) == 1
