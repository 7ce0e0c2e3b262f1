"""Documents on hub contacts and enquiries, scanned by a real clamd (issue 11, item 6).

A session fixture (tests/conftest.py) starts Debian's clamd with its own configuration and a
one-line hash database holding the EICAR test file's signature (no internet here: freshclam cannot
run). `make test` installs clamav-daemon (scripts/ensure-services); without it these tests fail,
naming the fix.
"""

import base64
import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from contacts import services as contact_services
from documents import clamd, services
from documents.content import detect_bytes
from documents.models import Document, ScanState
from documents.tasks import scan_document, scan_waiting_documents
from enquiries.models import Enquiry
from mash.audit.models import AuditEvent
from mash.outbox.models import OutboxEmail
from tests.factories import contact_input, person_input
from tests.forms import submission_token

pytestmark = pytest.mark.django_db

# The standard 68-byte EICAR test file, built from parts so this file is not itself flagged.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-" + b"ANTIVIRUS-TEST-FILE!$H+H*"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
OUTSIDERS = ["researcher_a", "supervisor_a", "referrer", "board_member"]


# --- A real clamd: the fixtures (clamd_socket, media, scanner, no_scanner) are in conftest.py --


def stored_files(media: Path) -> list[Path]:
    return [path for path in media.rglob("*") if path.is_file()] if media.exists() else []


# --- Files -----------------------------------------------------------------------------------


def email_carrying(payload: bytes, name: str = "notice.com") -> bytes:
    """An RFC 822 email with `payload` attached (base64), as a mail client saves one."""
    encoded = base64.encodebytes(payload).decode()
    return (
        "From: Desk Officer <desk@police.example>\r\n"
        "To: mash@council.example\r\n"
        "Subject: Notice\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n'
        "--b1\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n"
        f'--b1\r\nContent-Type: application/octet-stream; name="{name}"\r\n'
        f'Content-Disposition: attachment; filename="{name}"\r\n'
        f"Content-Transfer-Encoding: base64\r\n\r\n{encoded}\r\n--b1--\r\n"
    ).encode()


def office_file(folder: str = "word", extra: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{folder}/document.xml", "<document/>")
        for member, content in (extra or {}).items():
            archive.writestr(member, content)
    return buffer.getvalue()


def make_contact():
    return contact_services.contact_create(
        data=contact_input(subjects=[person_input(given_name="Kayla", family_name="Brown")])
    )


def make_enquiry(hub_worker, manager) -> Enquiry:
    contact = make_contact()
    contact_services.contact_recommend(
        contact=contact, user=hub_worker, outcome="MASH_ENQUIRY", rag="AMBER", rationale="Unclear"
    )
    contact_services.contact_decide(
        contact=contact, manager=manager, outcome="MASH_ENQUIRY", rag="AMBER"
    )
    return Enquiry.objects.get(contact=contact)


def upload(client, user, url: str, name: str, content: bytes):
    data = {"file": SimpleUploadedFile(name, content), **submission_token(user, "document")}
    return client.post(url, data)


def raw_upload(client, user, url: str, raw_name: str, content: bytes):
    """A multipart post with the file name exactly as given (Django's test client would strip
    path separators, as browsers mostly do: a script or a hand-made request need not)."""
    boundary = "----mashboundary"
    token = submission_token(user, "document")["submission_token"]
    body = (
        (
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="submission_token"\r\n\r\n'
            f"{token}\r\n"
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="file"; filename="{raw_name}"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return client.post(url, body, content_type=f"multipart/form-data; boundary={boundary}")


def contact_upload_url(contact) -> str:
    return f"/documents/contacts/{contact.pk}/upload/"


def scan_all() -> None:
    for pk in Document.objects.values_list("pk", flat=True):
        scan_document.apply(args=(pk,))


# --- The real clamd --------------------------------------------------------------------------


def test_the_real_clamd_finds_eicar_and_passes_a_pdf(scanner):
    assert clamd.ping()
    assert clamd.scan_chunks([EICAR]) == clamd.Verdict(True, "Eicar-Test-Signature.UNOFFICIAL")
    assert clamd.scan_chunks([PDF[:10], PDF[10:]]) == clamd.Verdict(False)
    assert clamd.scan_chunks([email_carrying(EICAR)]).infected


def test_a_pdf_uploaded_to_a_contact_is_scanned_clean_and_downloaded_with_safe_headers(
    scanner, media, client_for, hub_worker, manager, django_capture_on_commit_callbacks
):
    contact = make_contact()
    client = client_for(hub_worker)
    with django_capture_on_commit_callbacks() as callbacks:
        response = upload(client, hub_worker, contact_upload_url(contact), "Police notice.pdf", PDF)
    assert response.status_code == 302
    assert response["Location"] == f"/contacts/{contact.pk}/#documents"
    assert len(callbacks) == 1  # the scan, asked for once the upload committed
    document = Document.objects.get()
    assert (document.contact, document.original_name, document.kind) == (
        contact,
        "Police notice.pdf",
        "pdf",
    )
    assert document.file.name == f"documents/{document.uid}"  # never the uploader's name
    assert document.size == len(PDF) and len(document.sha256) == 64
    assert document.scan_state == ScanState.PENDING
    page = client.get(f"/contacts/{contact.pk}/").content.decode()
    assert "Police notice.pdf" in page and "Not yet scanned" in page
    assert f"/documents/{document.pk}/download/" not in page
    assert client.get(f"/documents/{document.pk}/download/").status_code == 404

    assert scan_document.apply(args=(document.pk,)).get() == ScanState.CLEAN
    document.refresh_from_db()
    assert document.scan_state == ScanState.CLEAN and document.scanned_at is not None
    page = client.get(f"/contacts/{contact.pk}/").content.decode()
    assert f"/documents/{document.pk}/download/" in page and "Clean" in page

    for user in (hub_worker, manager):
        response = client_for(user).get(f"/documents/{document.pk}/download/")
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Disposition"] == 'attachment; filename="Police notice.pdf"'
        assert response["Content-Type"] == "application/octet-stream"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Cache-Control"] == "no-store"
    events = AuditEvent.objects.filter(name="document.downloaded", object_pk=str(document.pk))
    assert sorted(events.values_list("actor", flat=True)) == sorted([hub_worker.pk, manager.pk])


def test_a_document_on_an_enquiry(scanner, client_for, hub_worker, manager):
    enquiry = make_enquiry(hub_worker, manager)
    client = client_for(hub_worker)
    url = f"/documents/enquiries/{enquiry.pk}/upload/"
    response = upload(client, hub_worker, url, "strategy.docx", office_file())
    assert response.status_code == 302
    # back to the section that lists it: the enquiry's Notes and documents
    assert response["Location"] == f"/enquiries/{enquiry.pk}/notes-and-documents/#documents"
    document = Document.objects.get(enquiry=enquiry)
    assert document.kind == "docx"
    scan_all()
    page = client.get(f"/enquiries/{enquiry.pk}/notes-and-documents/").content.decode()
    assert "strategy.docx" in page and f"/documents/{document.pk}/download/" in page
    assert client.get(f"/documents/{document.pk}/download/").status_code == 200


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("police-notice.pdf", "email"),  # EICAR attached to an email, named as a PDF
        ("notes.txt", "docx"),  # EICAR inside a Word file, named as text
    ],
)
def test_an_infected_file_is_quarantined_never_served_and_its_uploader_told(
    scanner,
    media,
    client_for,
    hub_worker,
    name,
    content,
    request,
    django_capture_on_commit_callbacks,
):
    payload = email_carrying(EICAR) if content == "email" else office_file(extra={"word/x": EICAR})
    contact = make_contact()
    assert (
        upload(
            client_for(hub_worker), hub_worker, contact_upload_url(contact), name, payload
        ).status_code
        == 302
    )
    document = Document.objects.get()
    clean_name = document.file.name
    with django_capture_on_commit_callbacks(execute=True):
        assert scan_waiting_documents.apply().get() == 1  # beat's periodic scan finds it
    document.refresh_from_db()
    assert document.scan_state == ScanState.INFECTED and document.quarantined
    assert document.scan_result == "Eicar-Test-Signature.UNOFFICIAL"  # a local database
    assert document.file.name.startswith("quarantine/")
    assert not (media / clean_name).exists()  # moved out of the documents folder
    mail = OutboxEmail.objects.get(purpose="document.quarantined")
    assert mail.recipient == hub_worker.email and name in mail.subject
    for role in ["hub_worker", "manager", "administrator", *OUTSIDERS]:
        response = client_for(request.getfixturevalue(role)).get(
            f"/documents/{document.pk}/download/"
        )
        assert response.status_code == 404, role
        assert not hasattr(response, "streaming_content")
        assert b"EICAR" not in response.content
    page = client_for(hub_worker).get(f"/contacts/{contact.pk}/").content.decode()
    assert "Quarantined: virus found" in page
    assert f"/documents/{document.pk}/download/" not in page
    quarantine_page = client_for(hub_worker).get(f"/documents/{document.pk}/download/")
    assert "quarantined" in quarantine_page.content.decode()


@pytest.mark.parametrize("name", ["eicar.pdf", "eicar.txt", "eicar.com"])
def test_a_bare_eicar_file_is_quarantined_at_once_and_its_uploader_told(
    scanner, media, client_for, hub_worker, manager, name
):
    """The bare 68-byte file is not a document, but it is a virus: rather than merely refused it
    is scanned at once, kept in quarantine (for the record and for IT), never served, and the
    uploader is told on the page and by email."""
    contact = make_contact()
    client = client_for(hub_worker)
    response = upload(client, hub_worker, contact_upload_url(contact), name, EICAR)
    assert response.status_code == 302
    told = client.get(response["Location"]).content.decode()
    assert f"{name} contains a virus" in told and "quarantined" in told
    document = Document.objects.get()
    assert document.quarantined and document.scan_state == ScanState.INFECTED
    assert document.file.name.startswith("quarantine/")
    assert [path.relative_to(media).parts[0] for path in stored_files(media)] == ["quarantine"]
    mail = OutboxEmail.objects.get(purpose="document.quarantined")
    assert mail.recipient == hub_worker.email and name in mail.subject
    for user in (hub_worker, manager):
        answer = client_for(user).get(f"/documents/{document.pk}/download/")
        assert answer.status_code == 404 and b"EICAR" not in answer.content


def test_a_bare_eicar_file_is_refused_when_there_is_no_scanner(
    settings, media, client_for, hub_worker
):
    """`make run` has no clamd: the file is not a document, so it is refused and not stored."""
    settings.MASH_CLAMD_SOCKET = ""
    settings.MASH_CLAMD_HOST = ""
    contact = make_contact()
    response = upload(
        client_for(hub_worker), hub_worker, contact_upload_url(contact), "eicar.pdf", EICAR
    )
    assert response.status_code == 400
    assert Document.objects.count() == 0 and stored_files(media) == []


# --- Bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("big.pdf", PDF + b"0" * 2000, "smaller than"),
        ("setup.pdf", b"MZ\x90\x00" + b"\x00" * 100, "program or script"),
        ("tool.pdf", b"\x7fELF\x02\x01\x01" + b"\x00" * 100, "program or script"),
        ("tool.pdf", b"\xcf\xfa\xed\xfe" + b"\x00" * 100, "program or script"),
        ("run.pdf", b"#!/bin/sh\nrm -rf /\n", "program or script"),
        ("empty.pdf", b"", "is empty"),
        ("notes.pdf", b"just some text\n", "must be a PDF, Word document"),
        ("archive.docx", office_file(folder="other"), "must be a PDF, Word document"),
        ("x" * 197 + ".pdf", PDF, "200 characters or fewer"),
    ],
)
def test_bad_files_are_refused_naming_file_and_nothing_is_stored(
    settings, media, client_for, hub_worker, name, content, message
):
    settings.MASH_DOCUMENT_MAX_BYTES = 1000
    contact = make_contact()
    response = upload(
        client_for(hub_worker), hub_worker, contact_upload_url(contact), name, content
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert 'href="#document-file"' in page and 'name="file"' in page
    assert Document.objects.count() == 0 and stored_files(media) == []


@pytest.mark.parametrize(
    "raw_name", ["../../etc/passwd.pdf", "..\\report.pdf", "report\x01.pdf", "re\x1bport.pdf", ".."]
)
def test_file_names_with_separators_or_control_characters_are_refused(
    media, client_for, hub_worker, raw_name
):
    contact = make_contact()
    response = raw_upload(
        client_for(hub_worker), hub_worker, contact_upload_url(contact), raw_name, PDF
    )
    assert response.status_code == 400
    assert (
        "file" in response.content.decode() and "document-file-error" in response.content.decode()
    )
    assert Document.objects.count() == 0 and stored_files(media) == []


def test_a_file_of_20_mb_and_one_byte_is_refused(media, client_for, hub_worker):
    contact = make_contact()
    content = PDF + b"0" * (20 * 1024 * 1024 + 1 - len(PDF))
    response = upload(
        client_for(hub_worker), hub_worker, contact_upload_url(contact), "big.pdf", content
    )
    assert response.status_code == 400
    assert "smaller than 20.0MB" in response.content.decode()
    assert Document.objects.count() == 0 and stored_files(media) == []


def test_no_file_and_no_token_store_nothing(media, client_for, hub_worker):
    contact = make_contact()
    client = client_for(hub_worker)
    response = client.post(contact_upload_url(contact), submission_token(hub_worker, "document"))
    assert response.status_code == 400 and "Select a file" in response.content.decode()
    response = client.post(contact_upload_url(contact), {"file": SimpleUploadedFile("a.pdf", PDF)})
    assert response.status_code == 400 and "nothing was saved" in response.content.decode()
    assert Document.objects.count() == 0 and stored_files(media) == []


def test_a_row_that_fails_leaves_no_file_and_a_rolled_back_upload_leaves_none(
    media, hub_worker, monkeypatch
):
    contact = make_contact()

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "record_event", broken)
    with pytest.raises(RuntimeError):
        services.document_upload(
            record=contact, upload=SimpleUploadedFile("a.pdf", PDF), uploaded_by=hub_worker
        )
    assert Document.objects.count() == 0 and stored_files(media) == []
    monkeypatch.undo()

    with services.files_follow_rows(), transaction.atomic():
        services.document_upload(
            record=contact, upload=SimpleUploadedFile("a.pdf", PDF), uploaded_by=hub_worker
        )
        assert len(stored_files(media)) == 1
        transaction.set_rollback(True)  # e.g. the form's token turned out to be used
    assert Document.objects.count() == 0 and stored_files(media) == []


def test_a_double_post_of_one_form_is_one_document(media, client_for, hub_worker):
    contact = make_contact()
    client = client_for(hub_worker)
    token = submission_token(hub_worker, "document")
    for _ in range(2):
        response = client.post(
            contact_upload_url(contact), {"file": SimpleUploadedFile("a.pdf", PDF), **token}
        )
        assert response.status_code == 302
    assert Document.objects.count() == 1 and len(stored_files(media)) == 1


def test_every_allowed_type_is_recognised_by_content():
    samples = {
        "pdf": PDF,
        "png": b"\x89PNG\r\n\x1a\n" + b"\x00" * 20,
        "jpeg": b"\xff\xd8\xff\xe0" + b"\x00" * 20,
        "gif": b"GIF89a" + b"\x00" * 20,
        "tiff": b"II*\x00" + b"\x00" * 20,
        "docx": office_file("word"),
        "xlsx": office_file("xl"),
        "ole": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 20,
        "eml": b"Received: from x\r\nFrom: a@b.example\r\nSubject: hi\r\n\r\nBody",
    }
    assert {kind: detect_bytes(content).kind for kind, content in samples.items()} == {
        kind: kind for kind in samples
    }


# --- Who can see and upload ------------------------------------------------------------------


@pytest.mark.parametrize("role", OUTSIDERS)
def test_outside_the_hub_every_document_url_is_a_404(
    scanner, client_for, hub_worker, manager, role, request
):
    contact = make_contact()
    enquiry = make_enquiry(hub_worker, manager)
    services.document_upload(
        record=contact, upload=SimpleUploadedFile("a.pdf", PDF), uploaded_by=hub_worker
    )
    scan_all()
    document = Document.objects.get()
    assert document.scan_state == ScanState.CLEAN
    user = request.getfixturevalue(role)
    client = client_for(user)
    assert client.get(f"/documents/{document.pk}/download/").status_code == 404
    for url in (contact_upload_url(contact), f"/documents/enquiries/{enquiry.pk}/upload/"):
        assert client.get(url).status_code == 404
        assert upload(client, user, url, "b.pdf", PDF).status_code == 404
    assert Document.objects.count() == 1
    assert not AuditEvent.objects.filter(name="document.downloaded").exists()


def test_signed_out_users_are_sent_to_sign_in(client, hub_worker):
    contact = make_contact()
    response = client.get(contact_upload_url(contact))
    assert response.status_code == 302 and "/account/sign-in/" in response["Location"]


def test_an_unknown_record_or_document_is_a_404(client_for, hub_worker):
    client = client_for(hub_worker)
    assert client.get("/documents/contacts/999999/upload/").status_code == 404
    assert client.get("/documents/enquiries/999999/upload/").status_code == 404
    assert client.get("/documents/999999/download/").status_code == 404


# --- No scanner ------------------------------------------------------------------------------


def test_with_no_scanner_documents_wait_not_yet_scanned_and_cannot_be_opened(
    no_scanner, client_for, hub_worker, django_capture_on_commit_callbacks
):
    contact = make_contact()
    client = client_for(hub_worker)
    with django_capture_on_commit_callbacks() as callbacks:
        assert (
            upload(client, hub_worker, contact_upload_url(contact), "a.pdf", PDF).status_code == 302
        )
    assert callbacks == []  # nothing to ask for
    document = Document.objects.get()
    assert scan_document.apply(args=(document.pk,)).get() == ScanState.PENDING
    assert scan_waiting_documents.apply().get() == 0
    page = client.get(f"/contacts/{contact.pk}/").content.decode()
    assert "Not yet scanned" in page and "Virus scanning is not set up" in page
    assert f"/documents/{document.pk}/download/" not in page
    response = client.get(f"/documents/{document.pk}/download/")
    assert response.status_code == 404
    assert "has not been scanned for viruses" in response.content.decode()


def test_clamd_down_leaves_documents_waiting(settings, media, hub_worker, tmp_path):
    settings.MASH_CLAMD_SOCKET = str(tmp_path / "nobody-here.sock")
    contact = make_contact()
    document = services.document_upload(
        record=contact, upload=SimpleUploadedFile("a.pdf", PDF), uploaded_by=hub_worker
    )
    assert services.document_scan(document.pk) == ScanState.PENDING
    assert services.scan_waiting() == 0
    document.refresh_from_db()
    assert document.scan_state == ScanState.PENDING


# --- Query counts ----------------------------------------------------------------------------


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def add_documents(contact, user, count: int) -> None:
    now = timezone.now()
    Document.objects.bulk_create(
        Document(
            contact=contact,
            original_name=f"file-{index}.pdf",
            file=f"documents/fake-{contact.pk}-{index}",
            kind="pdf",
            content_type="application/pdf",
            size=100,
            sha256="0" * 64,
            uploaded_by=user,
            uploaded_at=now,
            scan_state=ScanState.CLEAN if index % 2 else ScanState.PENDING,
        )
        for index in range(count)
    )


def test_the_contact_page_makes_as_many_queries_for_5_documents_as_for_50(
    no_scanner, client_for, hub_worker, manager
):
    few, many = make_contact(), make_contact()
    add_documents(few, hub_worker, 5)
    add_documents(many, manager, 50)
    client = client_for(hub_worker)
    queries_for(client, f"/contacts/{few.pk}/")  # warm caches (content types, sessions)
    assert queries_for(client, f"/contacts/{few.pk}/") == queries_for(
        client, f"/contacts/{many.pk}/"
    )
    assert (
        client.get(f"/contacts/{many.pk}/").content.decode().count('data-testid="document"') == 50
    )


# --- API -------------------------------------------------------------------------------------


def test_the_api_gives_metadata_and_the_clean_file_under_the_same_visibility(
    scanner, api_for, hub_worker, researcher_a, referrer, board_member
):
    contact = make_contact()
    document = services.document_upload(
        record=contact, upload=SimpleUploadedFile("a.pdf", PDF), uploaded_by=hub_worker
    )
    api = api_for(hub_worker)
    body = api.get(f"/api/v1/documents/{document.pk}/").json()
    assert (body["contact"], body["original_name"], body["scan_state"]) == (
        contact.pk,
        "a.pdf",
        "pending",
    )
    assert body["download_url"] is None
    assert api.get(f"/api/v1/documents/{document.pk}/download/").status_code == 404
    scan_all()
    body = api.get(f"/api/v1/documents/{document.pk}/").json()
    assert body["download_url"] == f"/api/v1/documents/{document.pk}/download/"
    response = api.get(body["download_url"])
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Cache-Control"] == "no-store"
    assert AuditEvent.objects.filter(name="document.downloaded").count() == 1
    for outsider in (researcher_a, referrer, board_member):
        for url in (f"/api/v1/documents/{document.pk}/", body["download_url"]):
            assert api_for(outsider).get(url).status_code == 404


def test_the_document_endpoints_are_in_the_schema(client_for, hub_worker):
    schema = client_for(hub_worker).get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert "/api/v1/documents/{id}/" in schema["paths"]
    assert "/api/v1/documents/{id}/download/" in schema["paths"]


# --- Records closed to files -------------------------------------------------------------------


def test_a_decided_contact_and_a_closed_enquiry_take_no_more_files(
    media, client_for, api_for, hub_worker, manager
):
    """As for case notes: once a contact is decided or an enquiry closed, the page says so in
    place of the form, and an upload through the page or the API is a 409 storing nothing."""
    enquiry = make_enquiry(hub_worker, manager)
    contact = enquiry.contact  # decided: it became the enquiry
    from enquiries import services as enquiry_services

    enquiry_services.enquiry_recommend(
        enquiry=enquiry, user=hub_worker, outcome="NFA", final_rag="GREEN", rationale="x"
    )
    enquiry_services.enquiry_decide(
        enquiry=enquiry, manager=manager, outcome="NFA", final_rag="GREEN"
    )
    hub = client_for(hub_worker)
    html = hub.get(f"/contacts/{contact.pk}/").content.decode()
    assert 'data-testid="documents-closed"' in html and "has been decided" in html
    assert contact_upload_url(contact) not in html
    for url, words in (
        (contact_upload_url(contact), "has been decided"),
        (f"/documents/enquiries/{enquiry.pk}/upload/", "closed this enquiry"),
    ):
        refused = upload(hub, hub_worker, url, "notice.pdf", PDF)
        assert refused.status_code == 409 and words in refused.content.decode()
    api = api_for(hub_worker)
    for url in (
        f"/api/v1/contacts/{contact.pk}/documents/",
        f"/api/v1/enquiries/{enquiry.pk}/documents/",
    ):
        answer = api.post(url, {"file": SimpleUploadedFile("notice.pdf", PDF)}, format="multipart")
        assert answer.status_code == 409, answer.content
    assert Document.objects.count() == 0 and stored_files(media) == []
