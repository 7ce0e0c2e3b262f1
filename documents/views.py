"""Uploading a document to a contact or an enquiry (hub staff), to a MARF (the referrer who sent
it) or to a return (the agency that made it), and downloading one. Who may attach what is decided
in documents/targets.py, shared with the API."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_safe

from mash.audit.events import record_event
from mash.idempotency.submissions import USED_MESSAGE, SubmissionTokenError, submission_once

from . import clamd, services
from .multipart import parse_keeping_names, sent_file, sent_name
from .selectors import documents_visible_to
from .targets import upload_target

FORM = "document"
logger = logging.getLogger(__name__)


@csrf_exempt  # the upload is parsed first (keeping file names), then CSRF checked: _upload
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def upload(request: HttpRequest, pk: int, record_kind: str) -> HttpResponse:
    if request.method == "POST":
        parse_keeping_names(request)
    return _upload(request, pk, record_kind)


@csrf_protect
def _upload(request: HttpRequest, pk: int, record_kind: str) -> HttpResponse:
    target = upload_target(request.user, record_kind, pk)  # 404 outside role or view
    page = target.page
    error, status = "", 400
    if request.method == "POST" and target.closed:
        status = 409  # the page says why; nothing is read or stored
    elif request.method == "POST":
        try:
            upload = sent_file(request.FILES)
            with services.files_follow_rows(), submission_once(request, FORM) as submission:
                if submission.already_done:
                    messages.success(request, USED_MESSAGE)
                    return redirect(submission.done_url)
                document = services.document_upload(
                    record=target.record,
                    upload=upload,
                    name=sent_name(upload),
                    uploaded_by=request.user,
                )
                url = f"{page}#documents"
                submission.produced(url)
        except SubmissionTokenError as refused:
            error = refused.message
        except ValidationError as invalid:
            error = " ".join(invalid.message_dict.get("file", invalid.messages))
        else:
            messages.success(request, uploaded_message(document))
            return redirect(url)
    return render(
        request,
        "documents/upload.html",
        {
            "record": target.record,
            "reference": target.reference,
            "record_kind": record_kind,
            "record_page": page,
            "closed": target.closed,
            "error": error,
            "max_bytes": services.max_bytes(),
        },
        status=status if request.method == "POST" else 200,
    )


@login_required
@require_safe
def download(request: HttpRequest, pk: int) -> HttpResponse:
    """The file, as an attachment, to those who can see its record; only once found clean."""
    document = documents_visible_to(request.user).filter(pk=pk).first()
    if document is None:
        raise Http404
    if not document.is_downloadable:
        return render(
            request,
            "documents/unavailable.html",
            {
                "document": document,
                "record_page": services.record_link(document, request.user),
                "scanner": clamd.is_configured(),
            },
            status=404,
        )
    try:
        return serve(document)
    except StoreUnavailable as down:
        return render(
            request,
            "documents/unavailable.html",
            {
                "document": document,
                "record_page": services.record_link(document, request.user),
                "store_down": str(down),
            },
            status=503,
        )


class StoreUnavailable(Exception):
    """The file store (the folder or the bucket) could not be read just now."""


STORE_UNAVAILABLE = (
    "The file store cannot be reached just now, so this file cannot be downloaded. Try again "
    "in a few minutes."
)


def serve(document) -> FileResponse:
    """A clean document's file as an attachment that no browser renders, audited. Http404 when
    its file is missing; StoreUnavailable when the store cannot be read (logged)."""
    try:
        stream = document.file.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    except Exception as failure:  # noqa: BLE001 - a folder or bucket that is down: 503, logged
        logger.exception("Document %s could not be read from the file store", document.pk)
        raise StoreUnavailable(STORE_UNAVAILABLE) from failure
    record_event(
        "document.downloaded",
        target=document,
        data={"name": document.original_name, "sha256": document.sha256},
    )
    response = FileResponse(
        stream,
        as_attachment=True,
        filename=services.download_name(document),
        content_type="application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


def uploaded_message(document) -> str:
    """What the uploader is told once the file is stored."""
    if document.quarantined:
        return (
            f"{document.original_name} contains a virus ({document.scan_result}) and has been "
            "quarantined: nobody can open it. We have emailed you about it. Check the file "
            "with your IT team before you send it again."
        )
    return (
        f"{document.original_name} was uploaded. Nobody can open it until it has been "
        "checked for viruses."
    )
