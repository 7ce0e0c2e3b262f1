"""Documents on MARFs (the referrer who sent it) and on returns (the agency that made it), scanned
by the real clamd of tests/conftest.py (issue 11, item 6).

A referrer attaches files on their MARF's page (/marfs/<pk>/) after sending it, until the hub
decides; the hub sees them on the contact. An agency attaches files to its latest return or
addendum on the request page, after sending it, while the enquiry is open; the hub sees them on
the enquiry by its returns. Nobody else: another referrer, another agency and the board get 404.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agencies.roles import Role
from contacts import services as contact_services
from contacts.codes import Channel
from documents import services
from documents.models import Document, ScanState
from documents.tasks import scan_waiting_documents
from enquiries.models import Enquiry, InformationRequest, InformationReturn
from mash.outbox.models import OutboxEmail
from tests.factories import UserFactory, contact_input, person_input
from tests.forms import submission_token
from tests.test_agency_pages import ask, open_enquiry, send_return
from tests.test_documents import (
    EICAR,
    PDF,
    email_carrying,
    office_file,
    raw_upload,
    scan_all,
    stored_files,
    upload,
)

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


def make_marf(referrer, given_name: str = "Kayla"):
    """A contact made from `referrer`'s MARF (through the intake service, not the wizard)."""
    return contact_services.contact_create(
        data=contact_input(channel=Channel.MARF, subjects=[person_input(given_name=given_name)]),
        referrer_user=referrer,
        marf_answers={"people": [{"given_name": given_name, "family_name": "Brown"}]},
    )


def marf_upload_url(contact) -> str:
    return f"/documents/marfs/{contact.pk}/upload/"


def return_upload_url(information_return) -> str:
    return f"/documents/returns/{information_return.pk}/upload/"


def download(client, document):
    return client.get(f"/documents/{document.pk}/download/")


@pytest.fixture
def other_referrer(referrer_agency):
    return UserFactory(username="other.referrer", agency=referrer_agency, role=Role.REFERRER)


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


# --- MARF attachments ------------------------------------------------------------------------


def test_a_referrer_attaches_a_pdf_to_their_marf_and_the_hub_downloads_it_from_the_contact(
    scanner,
    client_for,
    referrer,
    other_referrer,
    hub_worker,
    manager,
    researcher_a,
    board_member,
    administrator,
):
    contact = make_marf(referrer)
    client = client_for(referrer)
    page = client.get(f"/marfs/{contact.pk}/").content.decode()
    assert "Attach documents" in page and f'action="{marf_upload_url(contact)}"' in page
    assert 'name="submission_token"' in page

    response = upload(client, referrer, marf_upload_url(contact), "School letter.pdf", PDF)
    assert response.status_code == 302
    assert response["Location"] == f"/marfs/{contact.pk}/#documents"
    document = Document.objects.get()
    assert document.marf == contact.marf and document.contact_id is None
    assert document.uploaded_by == referrer and document.scan_state == ScanState.PENDING
    page = client.get(f"/marfs/{contact.pk}/").content.decode()
    assert "School letter.pdf" in page and "Not yet scanned" in page
    assert download(client, document).status_code == 404  # not scanned yet

    scan_all()
    document.refresh_from_db()
    assert document.scan_state == ScanState.CLEAN
    page = client.get(f"/marfs/{contact.pk}/").content.decode()
    assert "Clean" in page and f"/documents/{document.pk}/download/" in page
    response = download(client, document)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF

    hub_page = client_for(hub_worker).get(f"/contacts/{contact.pk}/").content.decode()
    assert "School letter.pdf" in hub_page and "From the referral form" in hub_page
    assert f"/documents/{document.pk}/download/" in hub_page
    for user in (hub_worker, manager):
        response = download(client_for(user), document)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Disposition"] == 'attachment; filename="School letter.pdf"'

    for user in (other_referrer, researcher_a, board_member, administrator):
        outsider = client_for(user)
        assert download(outsider, document).status_code == 404, user.role
        assert outsider.get(marf_upload_url(contact)).status_code == 404, user.role
        assert upload(outsider, user, marf_upload_url(contact), "b.pdf", PDF).status_code == 404
    assert Document.objects.count() == 1


def test_a_referrer_sees_only_the_documents_they_attached(
    scanner, client_for, referrer, other_referrer, hub_worker
):
    contact = make_marf(referrer)
    theirs = make_marf(other_referrer, given_name="Zed")
    hub_file = services.document_upload(
        record=contact, upload=SimpleUploadedFile("hub.pdf", PDF), uploaded_by=hub_worker
    )
    other_file = services.document_upload(
        record=theirs.marf, upload=SimpleUploadedFile("other.pdf", PDF), uploaded_by=other_referrer
    )
    # Someone else's file on the referrer's own MARF (the hub's, say) is not theirs either.
    not_theirs = services.document_upload(
        record=contact.marf, upload=SimpleUploadedFile("notmine.pdf", PDF), uploaded_by=hub_worker
    )
    mine = services.document_upload(
        record=contact.marf, upload=SimpleUploadedFile("mine.pdf", PDF), uploaded_by=referrer
    )
    scan_all()
    client = client_for(referrer)
    page = client.get(f"/marfs/{contact.pk}/").content.decode()
    assert "mine.pdf" in page
    for hidden in ("hub.pdf", "other.pdf", "notmine.pdf"):
        assert hidden not in page
    assert download(client, mine).status_code == 200
    for document in (hub_file, other_file, not_theirs):
        assert download(client, document).status_code == 404
    assert client.get(marf_upload_url(theirs)).status_code == 404
    # The hub sees the contact's own and its MARF's files.
    hub_page = client_for(hub_worker).get(f"/contacts/{contact.pk}/").content.decode()
    for name in ("hub.pdf", "notmine.pdf", "mine.pdf"):
        assert name in hub_page
    assert "other.pdf" not in hub_page


def test_once_the_hub_has_decided_the_referrer_cannot_attach_more(
    media, client_for, referrer, hub_worker, manager
):
    contact = make_marf(referrer)
    contact_services.contact_recommend(
        contact=contact, user=hub_worker, outcome="NFA", rag="", rationale="No concerns"
    )
    contact_services.contact_decide(contact=contact, manager=manager, outcome="NFA")
    client = client_for(referrer)
    page = client.get(f"/marfs/{contact.pk}/").content.decode()
    assert "no more files can be attached" in page and marf_upload_url(contact) not in page
    response = upload(client, referrer, marf_upload_url(contact), "late.pdf", PDF)
    assert response.status_code == 409
    assert "no more files can be attached" in response.content.decode()
    assert Document.objects.count() == 0 and stored_files(media) == []


# --- Return attachments ----------------------------------------------------------------------


def test_police_attach_a_pdf_to_their_return_the_hub_downloads_it_health_cannot(
    scanner,
    client_for,
    hub_worker,
    researcher_a,
    supervisor_a,
    researcher_b,
    referrer,
    board_member,
    police_request,
    health_request,
    police_return,
    enquiry,
):
    client = client_for(researcher_a)
    page = client.get(f"/requests/{police_request.pk}/").content.decode()
    assert "Documents with your return" in page
    assert f'action="{return_upload_url(police_return)}"' in page

    response = upload(client, researcher_a, return_upload_url(police_return), "PNC.pdf", PDF)
    assert response.status_code == 302
    assert response["Location"] == f"/requests/{police_request.pk}/#documents"
    document = Document.objects.get()
    assert document.information_return == police_return and document.uploaded_by == researcher_a
    scan_all()

    page = client.get(f"/requests/{police_request.pk}/").content.decode()
    assert "PNC.pdf" in page and f"/documents/{document.pk}/download/" in page
    for user in (researcher_a, supervisor_a, hub_worker):
        response = download(client_for(user), document)
        assert response.status_code == 200, user.role
        assert b"".join(response.streaming_content) == PDF

    hub_page = client_for(hub_worker).get(f"/enquiries/{enquiry.pk}/requests/").content.decode()
    assert "Documents from agencies" in hub_page and "PNC.pdf" in hub_page
    assert f"/documents/{document.pk}/download/" in hub_page

    health = client_for(researcher_b)
    assert download(health, document).status_code == 404
    assert "PNC.pdf" not in health.get(f"/requests/{health_request.pk}/").content.decode()
    assert health.get(return_upload_url(police_return)).status_code == 404
    response = upload(health, researcher_b, return_upload_url(police_return), "x.pdf", PDF)
    assert response.status_code == 404
    assert Document.objects.count() == 1
    for user in (referrer, board_member):
        outsider = client_for(user)
        assert download(outsider, document).status_code == 404
        assert outsider.get(return_upload_url(police_return)).status_code == 404
    # The hub reads returns; it does not attach files to an agency's return.
    assert client_for(hub_worker).get(return_upload_url(police_return)).status_code == 404


def test_before_a_return_is_sent_there_is_nothing_to_attach_to(
    client_for, researcher_a, police_request
):
    page = client_for(researcher_a).get(f"/requests/{police_request.pk}/").content.decode()
    assert "/documents/returns/" not in page and "Documents with your return" not in page


def test_after_an_addendum_files_go_with_the_addendum(
    media, client_for, researcher_a, police_request, police_return
):
    addendum = send_return(police_request, researcher_a, summary="One more call-out")
    assert addendum.is_addendum
    client = client_for(researcher_a)
    page = client.get(f"/requests/{police_request.pk}/").content.decode()
    assert f'action="{return_upload_url(addendum)}"' in page and "latest addendum" in page
    response = upload(client, researcher_a, return_upload_url(addendum), "a.pdf", PDF)
    assert response.status_code == 302
    assert Document.objects.get().information_return == addendum


def test_the_documents_api_gives_the_returning_agency_its_own_return_documents(
    scanner, api_for, researcher_a, researcher_b, hub_worker, police_return, referrer
):
    document = services.document_upload(
        record=police_return, upload=SimpleUploadedFile("a.pdf", PDF), uploaded_by=researcher_a
    )
    scan_all()
    for user in (researcher_a, hub_worker):
        body = api_for(user).get(f"/api/v1/documents/{document.pk}/").json()
        assert body["information_return"] == police_return.pk and body["contact"] is None
        response = api_for(user).get(body["download_url"])
        assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    for user in (researcher_b, referrer):
        for url in (f"/api/v1/documents/{document.pk}/", body["download_url"]):
            assert api_for(user).get(url).status_code == 404


# --- Infected files --------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["marf", "return"])
def test_an_eicar_file_is_quarantined_nobody_can_download_it_and_the_uploader_is_told(
    scanner,
    media,
    client_for,
    request,
    where,
    referrer,
    researcher_a,
    hub_worker,
    enquiry,
    police_request,
    police_return,
    django_capture_on_commit_callbacks,
):
    if where == "marf":
        contact = make_marf(referrer)
        uploader, url, page_url = referrer, marf_upload_url(contact), f"/marfs/{contact.pk}/"
        hub_url = f"/contacts/{contact.pk}/"
    else:
        uploader, url = researcher_a, return_upload_url(police_return)
        page_url, hub_url = f"/requests/{police_request.pk}/", f"/enquiries/{enquiry.pk}/requests/"
    client = client_for(uploader)
    payload = email_carrying(EICAR)  # an email with EICAR attached, named as a PDF
    assert upload(client, uploader, url, "notice.pdf", payload).status_code == 302
    document = Document.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        assert scan_waiting_documents.apply().get() == 1
    document.refresh_from_db()
    assert document.scan_state == ScanState.INFECTED and document.quarantined
    assert document.file.name.startswith("quarantine/")
    mail = OutboxEmail.objects.get(purpose="document.quarantined")
    assert mail.recipient == uploader.email and "notice.pdf" in mail.subject
    assert page_url in mail.body  # the link goes to the uploader's own page
    for role in EVERYONE:
        response = download(client_for(request.getfixturevalue(role)), document)
        assert response.status_code == 404, role
        assert not hasattr(response, "streaming_content")
        assert b"EICAR" not in response.content
    for viewer, url_seen in ((client, page_url), (client_for(hub_worker), hub_url)):
        page = viewer.get(url_seen).content.decode()
        assert "Quarantined: virus found" in page
        assert f"/documents/{document.pk}/download/" not in page
    assert "quarantined" in download(client, document).content.decode()


# --- Bad input -------------------------------------------------------------------------------


BAD_FILES = [
    ("big.pdf", PDF + b"0" * 2000, "smaller than"),
    ("setup.pdf", b"MZ\x90\x00" + b"\x00" * 100, "program or script"),
    ("empty.pdf", b"", "is empty"),
    ("archive.docx", office_file(folder="other"), "must be a PDF, Word document"),
    ("x" * 197 + ".pdf", PDF, "200 characters or fewer"),
]


@pytest.mark.parametrize("where", ["marf", "return"])
@pytest.mark.parametrize(("name", "content", "message"), BAD_FILES)
def test_bad_files_are_refused_naming_file_and_nothing_is_stored(
    settings,
    media,
    client_for,
    referrer,
    researcher_a,
    police_return,
    where,
    name,
    content,
    message,
):
    settings.MASH_DOCUMENT_MAX_BYTES = 1000
    if where == "marf":
        uploader, url = referrer, marf_upload_url(make_marf(referrer))
    else:
        uploader, url = researcher_a, return_upload_url(police_return)
    response = upload(client_for(uploader), uploader, url, name, content)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert 'href="#document-file"' in page and 'name="file"' in page
    assert Document.objects.count() == 0 and stored_files(media) == []


@pytest.mark.parametrize("where", ["marf", "return"])
@pytest.mark.parametrize("raw_name", ["../../etc/passwd.pdf", "..\\report.pdf", "re\x1bport.pdf"])
def test_file_names_with_separators_or_control_characters_are_refused(
    media, client_for, referrer, researcher_a, police_return, where, raw_name
):
    if where == "marf":
        uploader, url = referrer, marf_upload_url(make_marf(referrer))
    else:
        uploader, url = researcher_a, return_upload_url(police_return)
    response = raw_upload(client_for(uploader), uploader, url, raw_name, PDF)
    assert response.status_code == 400
    assert "document-file-error" in response.content.decode()
    assert Document.objects.count() == 0 and stored_files(media) == []


@pytest.mark.parametrize("where", ["marf", "return"])
def test_a_double_post_is_one_document_and_no_token_stores_nothing(
    media, client_for, referrer, researcher_a, police_return, where
):
    if where == "marf":
        uploader, url = referrer, marf_upload_url(make_marf(referrer))
    else:
        uploader, url = researcher_a, return_upload_url(police_return)
    client = client_for(uploader)
    response = client.post(url, {"file": SimpleUploadedFile("a.pdf", PDF)})
    assert response.status_code == 400 and "nothing was saved" in response.content.decode()
    assert Document.objects.count() == 0 and stored_files(media) == []
    token = submission_token(uploader, "document")
    for _ in range(2):
        response = client.post(url, {"file": SimpleUploadedFile("a.pdf", PDF), **token})
        assert response.status_code == 302
    assert Document.objects.count() == 1 and len(stored_files(media)) == 1


# --- Query counts ----------------------------------------------------------------------------


def add_documents(user, count: int, **record) -> None:
    now = timezone.now()
    Document.objects.bulk_create(
        Document(
            original_name=f"file-{index}.pdf",
            file=f"documents/fake-{index}",
            kind="pdf",
            content_type="application/pdf",
            size=100,
            sha256="0" * 64,
            uploaded_by=user,
            uploaded_at=now,
            scan_state=ScanState.CLEAN if index % 2 else ScanState.PENDING,
            **record,
        )
        for index in range(count)
    )


def another_enquiry(hub_worker, manager, name: str) -> Enquiry:
    """An enquiry about a child of its own (a second one about the same child would join the
    first)."""
    subjects = [person_input(given_name=name, family_name="Okafor")]
    return open_enquiry(hub_worker, manager, subjects=subjects)


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def test_the_referrers_marf_page_makes_as_many_queries_for_5_documents_as_for_50(
    no_scanner, client_for, referrer
):
    few, many = make_marf(referrer), make_marf(referrer, given_name="Zed")
    add_documents(referrer, 5, marf=few.marf)
    add_documents(referrer, 50, marf=many.marf)
    client = client_for(referrer)
    queries_for(client, f"/marfs/{few.pk}/")  # warm caches
    assert queries_for(client, f"/marfs/{few.pk}/") == queries_for(client, f"/marfs/{many.pk}/")
    page = client.get(f"/marfs/{many.pk}/").content.decode()
    assert page.count('data-testid="document"') == 50


def test_the_agency_request_page_makes_as_many_queries_for_5_documents_as_for_50(
    no_scanner, client_for, researcher_a, hub_worker, manager, agency_a
):
    requests = []
    for count in (5, 50):
        enquiry = another_enquiry(hub_worker, manager, f"Child{count}")
        info_request = ask(enquiry, agency_a, hub_worker)
        first = send_return(info_request, researcher_a)
        addendum = send_return(info_request, researcher_a, summary="More")
        add_documents(researcher_a, count - 1, information_return=first)
        add_documents(researcher_a, 1, information_return=addendum)
        requests.append(info_request)
    client = client_for(researcher_a)
    few, many = (f"/requests/{item.pk}/" for item in requests)
    queries_for(client, few)  # warm caches
    assert queries_for(client, few) == queries_for(client, many)
    assert client.get(many).content.decode().count('data-testid="document"') == 50


def test_the_hub_enquiry_page_makes_as_many_queries_for_5_return_documents_as_for_50(
    no_scanner, client_for, researcher_a, hub_worker, manager, agency_a
):
    enquiries = []
    for count in (5, 50):
        enquiry = another_enquiry(hub_worker, manager, f"Child{count}")
        add_documents(
            researcher_a,
            count,
            information_return=send_return(ask(enquiry, agency_a, hub_worker), researcher_a),
        )
        enquiries.append(enquiry)
    client = client_for(hub_worker)
    few, many = (f"/enquiries/{item.pk}/requests/" for item in enquiries)
    queries_for(client, few)
    assert queries_for(client, few) == queries_for(client, many)
    assert client.get(many).content.decode().count('data-testid="document"') == 50
