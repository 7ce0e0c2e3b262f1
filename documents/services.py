"""Uploading, scanning, quarantining and serving documents: the only way they change.

Upload: the name is checked, the content's type found from its bytes (never the name), the size
and SHA-256 taken, then the file written through Django's storage API and the row created in one
transaction. If the row is not committed the file is deleted (`files_follow_rows` around a larger
transaction, such as a form's one-time token); if the file cannot be written no row is made.

Scan: a worker streams the file to clamd (`documents.clamd`) with the row locked, so two workers
never scan one document. Clean: it can be downloaded. Infected: moved under `quarantine/`,
`quarantined`, never served, and the uploader emailed through the outbox in the same transaction.
clamd unreachable or not configured: the document stays pending; `documents.scan_waiting` (every
minute) tries again.
"""

import contextlib
import hashlib
import logging
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Model
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone

from mash.audit.events import record_event

from . import clamd
from .content import PROGRAM_MESSAGE, TYPE_MESSAGE, check_name, detect_type
from .models import Document, ScanState

logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
QUARANTINE_PREFIX = "quarantine/"
#: Documents scanned per run of `documents.scan_waiting`.
SCAN_BATCH = 200


def max_bytes() -> int:
    return int(getattr(settings, "MASH_DOCUMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def size_message() -> str:
    return f"The selected file must be smaller than {filesizeformat(max_bytes() + 1)}".replace(
        "\xa0", ""
    )


#: Storage names written in the current `files_follow_rows` block.
_written: ContextVar[list[str] | None] = ContextVar("documents_written", default=None)


@contextlib.contextmanager
def files_follow_rows() -> Iterator[None]:
    """Around a transaction that uploads documents: when it ends, every file written in it whose
    row did not survive (rolled back, or an exception) is deleted, so no file is kept half-way."""
    written: list[str] = []
    token = _written.set(written)
    try:
        yield
    finally:
        _written.reset(token)
        if written:
            _delete_orphans(written)


def _delete_orphans(names: list[str]) -> None:
    try:
        kept = set(Document.objects.filter(file__in=names).values_list("file", flat=True))
    except Exception:  # noqa: BLE001 - a broken connection: the file stays, logged
        logger.exception("Could not check which uploaded files were kept: %s", names)
        return
    storage = Document._meta.get_field("file").storage
    for name in names:
        if name not in kept:
            storage.delete(name)


@dataclass(frozen=True)
class Upload:
    """A checked upload, ready to store."""

    name: str
    kind: str
    content_type: str
    size: int
    sha256: str


def check_upload(upload: UploadedFile | None, *, name: str | None = None) -> Upload:
    """The upload's checked name, type by content, size and hash; ValidationError naming `file`
    when there is none, it is empty or too big, its name is unsafe or its type not allowed."""
    if upload is None:
        raise ValidationError({"file": "Select a file"}, code="required")
    safe_name = check_name(upload.name if name is None else name)
    if upload.size is None or upload.size == 0:
        raise ValidationError({"file": "The selected file is empty"}, code="empty")
    if upload.size > max_bytes():
        raise ValidationError({"file": size_message()}, code="size")
    file_type = detect_type(upload)
    digest = hashlib.sha256()
    size = 0
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
        size += len(chunk)
    upload.seek(0)
    if size == 0:
        raise ValidationError({"file": "The selected file is empty"}, code="empty")
    if size > max_bytes():
        raise ValidationError({"file": size_message()}, code="size")
    return Upload(safe_name, file_type.kind, file_type.content_type, size, digest.hexdigest())


def _owner_field(record: Model) -> str:
    from contacts.models import Contact, Marf
    from enquiries.models import Enquiry, InformationReturn

    for model, field in (
        (Contact, "contact"),
        (Enquiry, "enquiry"),
        (Marf, "marf"),
        (InformationReturn, "information_return"),
    ):
        if isinstance(record, model):
            return field
    raise TypeError(f"Documents cannot be attached to {record.__class__.__name__}")


def document_upload(
    *, record: Model, upload: UploadedFile | None, uploaded_by, name: str | None = None
) -> Document:
    """Store `upload` against `record` (a contact, enquiry, MARF or return) and ask for its scan
    after commit. `name` is the file name as the client sent it (Django's parser strips path
    separators and control characters from `upload.name`, which we refuse rather than repair)."""
    checked, signature = _checked_or_infected(upload, name)
    document = Document(
        original_name=checked.name,
        kind=checked.kind,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=uploaded_by,
        uploaded_at=timezone.now(),
        **{_owner_field(record): record},
    )
    written = _written.get()
    stored_names: list[str] = []
    try:
        with transaction.atomic():
            document.file.save("upload", upload, save=False)  # documents/<uuid>: not their name
            stored_names.append(document.file.name)
            if written is not None:
                written.append(document.file.name)
            document.save()
            record_event(
                "document.uploaded",
                target=document,
                actor=uploaded_by,
                data={"record": _owner_field(record), "record_id": record.pk, "kind": checked.kind},
            )
            if signature:  # refused for its type, and infected: quarantined at once
                _quarantine(document, signature)
                if written is not None:
                    written.append(document.file.name)
    except BaseException:
        if written is None:
            for stored in {document.file.name, *stored_names}:
                if stored:
                    document.file.storage.delete(stored)
        raise
    if not signature:
        _ask_for_scan_after_commit(document)
    return document


def _checked_or_infected(upload: UploadedFile | None, name: str | None) -> tuple[Upload, str]:
    """The checked upload and "" ; or, for a file refused for its type (not a document, or a
    program), the virus signature clamd finds in it, so that an infected file is quarantined
    and its uploader told rather than merely refused. Without a scanner, or when clamd finds
    nothing or cannot be reached, the refusal stands."""
    try:
        return check_upload(upload, name=name), ""
    except ValidationError as refused:
        messages = getattr(refused, "message_dict", {}).get("file", [])
        if upload is None or not set(messages) & {TYPE_MESSAGE, PROGRAM_MESSAGE}:
            raise
        if not clamd.is_configured():
            raise
        upload.seek(0)
        try:
            verdict = clamd.scan_chunks(upload.chunks())
        except (clamd.ScannerUnavailable, clamd.ScanFailed):
            raise refused from None
        finally:
            upload.seek(0)
        if not verdict.infected:
            raise
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
        checked = Upload(
            check_name(upload.name if name is None else name),
            "unknown",
            "application/octet-stream",
            upload.size,
            digest.hexdigest(),
        )
        return checked, verdict.signature


def _ask_for_scan_after_commit(document: Document) -> None:
    if not clamd.is_configured():
        return  # nothing to ask: it waits, "not yet scanned"
    from mash.tasks import enqueue_on_commit

    from .tasks import scan_document

    enqueue_on_commit(scan_document, document.pk)


# --- Scanning ------------------------------------------------------------------------------


def document_scan(document_id: int) -> str:
    """Scan one waiting document; returns its scan state afterwards ("pending" if clamd is not
    configured or cannot be reached, or another worker holds it)."""
    if not clamd.is_configured():
        return ScanState.PENDING
    with transaction.atomic():
        document = (
            Document.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk=document_id, scan_state=ScanState.PENDING)
            .select_related("uploaded_by")
            .first()
        )
        if document is None:
            state = Document.objects.filter(pk=document_id).values_list("scan_state", flat=True)
            return state.first() or ""
        try:
            with document.file.open("rb") as stream:
                verdict = clamd.scan_chunks(stream.chunks())
        except clamd.ScannerUnavailable as error:
            logger.warning("Document %s not scanned: %s", document.pk, error)
            return ScanState.PENDING
        except clamd.ScanFailed as error:
            _mark(document, ScanState.ERROR, str(error))
            return ScanState.ERROR
        except FileNotFoundError:
            _mark(document, ScanState.ERROR, "The stored file is missing")
            return ScanState.ERROR
        if verdict.infected:
            _quarantine(document, verdict.signature)
            return ScanState.INFECTED
        _mark(document, ScanState.CLEAN, "")
        return ScanState.CLEAN


def _mark(document: Document, state: str, result: str) -> None:
    document.scan_state = state
    document.scan_result = result[:200]
    document.scanned_at = timezone.now()
    document.save(update_fields=["scan_state", "scan_result", "scanned_at"])
    record_event(f"document.scan_{state}", target=document, data={"result": result[:200]})


def _quarantine(document: Document, signature: str) -> None:
    """Move the content out of `documents/` to `quarantine/<uuid>` (kept for investigation,
    never served), mark the row, and tell the uploader, all in the caller's transaction; the
    old file is deleted once that commits."""
    storage = document.file.storage
    old_name = document.file.name
    with storage.open(old_name, "rb") as stream:
        new_name = storage.save(f"{QUARANTINE_PREFIX}{document.uid}", stream)
    transaction.on_commit(lambda: storage.delete(old_name), robust=True)
    document.file.name = new_name
    document.quarantined = True
    document.scan_state = ScanState.INFECTED
    document.scan_result = signature[:200]
    document.scanned_at = timezone.now()
    document.save(update_fields=["file", "quarantined", "scan_state", "scan_result", "scanned_at"])
    record_event(
        "document.quarantined", target=document, actor=None, data={"signature": signature[:200]}
    )
    _tell_uploader(document, signature)


def _tell_uploader(document: Document, signature: str) -> None:
    from mash.outbox.services import queue_email

    user = document.uploaded_by
    if user is None:
        return
    link = settings.SITE_URL + record_link(document)
    queue_email(
        recipient=user.email,
        subject=f"A file you uploaded was quarantined: {document.original_name}",
        body=(
            f"The file {document.original_name}, which you uploaded on "
            f"{timezone.localtime(document.uploaded_at):%d %B %Y at %H:%M}, contains a virus "
            f"({signature}).\n\n"
            "It has been quarantined: nobody can open it. If you need to share this "
            "information, upload a clean copy.\n\n"
            f"The record it was attached to: {link}\n"
        ),
        purpose="document.quarantined",
        related_id=document.pk,
    )


def scan_waiting(*, limit: int = SCAN_BATCH) -> int:
    """Scan documents still waiting, oldest first; the number scanned (0 with no scanner)."""
    if not clamd.is_configured():
        return 0
    ids = list(
        Document.objects.filter(scan_state=ScanState.PENDING)
        .order_by("uploaded_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    scanned = 0
    for document_id in ids:
        if document_scan(document_id) != ScanState.PENDING:
            scanned += 1
        elif not _reachable():
            break  # clamd is down: the next run tries again
    return scanned


def _reachable() -> bool:
    try:
        return clamd.ping()
    except (clamd.ScannerUnavailable, OSError):
        return False


# --- Pages ---------------------------------------------------------------------------------


def record_url(document: Document, user=None) -> str:
    """The page of the record the document belongs to, as `user` sees it: a MARF's is the
    referrer's MARF page (the hub's: the contact), a return's the agency's request page (the
    hub's: the enquiry's Requests and returns section); an enquiry's own files are in its Notes and
    documents section. Without a user, the uploader's."""
    from agencies.roles import AGENCY_ROLES, HUB_ROLES, Role

    role = getattr(user if user is not None else document.uploaded_by, "role", "")
    if document.contact_id is not None:
        return reverse("contacts:contact_detail", kwargs={"pk": document.contact_id})
    if document.enquiry_id is not None:
        return reverse("enquiries_hub:notes", kwargs={"pk": document.enquiry_id})
    if document.marf_id is not None:
        contact_id = document.marf.contact_id
        if role == Role.REFERRER:
            return reverse("contacts:marf_detail", kwargs={"pk": contact_id})
        return reverse("contacts:contact_detail", kwargs={"pk": contact_id})
    if document.information_return_id is not None:
        request = document.information_return.request
        if role in AGENCY_ROLES:
            return reverse("enquiries_agency:request_detail", kwargs={"pk": request.pk})
        if role in HUB_ROLES:
            return reverse("enquiries_hub:requests", kwargs={"pk": request.enquiry_id})
    return "/"


def record_link(document: Document, user=None) -> str:
    """`record_url` with the anchor of the documents' section on that page."""
    url = record_url(document, user)
    if url == "/":
        return url
    hub_return = document.information_return_id is not None and "/enquiries/" in url
    return f"{url}#{'return-documents' if hub_return else 'documents'}"


def download_name(document: Document) -> str:
    """The name offered on download: the checked original name (no separators or controls),
    with quotes replaced so no header can be bent."""
    return document.original_name.replace('"', "'")
