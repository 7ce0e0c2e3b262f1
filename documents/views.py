"""Uploading a document to a contact or an enquiry (hub staff), to a MARF (the referrer who sent
it) or to a return (the agency that made it), and downloading one."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParser
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.datastructures import ImmutableList
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_safe

from agencies.roles import AGENCY_ROLES, Role
from contacts.views.common import require_hub, require_roles
from mash.audit.events import record_event
from mash.idempotency.submissions import USED_MESSAGE, SubmissionTokenError, submission_once

from . import clamd, services
from .selectors import documents_visible_to

FORM = "document"
MARF_DECIDED = (
    "The hub has decided about this referral, so no more files can be attached. To tell the "
    "hub something new, make a new referral."
)
ENQUIRY_CLOSED = "The hub has closed this enquiry: no more files can be attached."


class _NameKeepingParser(MultiPartParser):
    """Django's multipart parser, keeping each file's name as the client sent it.

    Django strips path separators and unprintable characters from upload names; a name that
    needed that is refused (naming `file`) rather than silently repaired, so the raw names are
    kept for the service to check, and the stored upload is named neutrally."""

    def __init__(self, *args, names: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._names = names

    def sanitize_file_name(self, file_name):
        self._names.append(file_name)
        return "upload"


def _parse_keeping_names(request: HttpRequest) -> list[str]:
    names: list[str] = []

    def parse_file_upload(META, post_data):
        request.upload_handlers = ImmutableList(
            request.upload_handlers,
            warning="You cannot alter upload handlers after the upload has been processed.",
        )
        parser = _NameKeepingParser(
            META, post_data, request.upload_handlers, request.encoding, names=names
        )
        return parser.parse()

    request.parse_file_upload = parse_file_upload
    request.POST  # noqa: B018 - parse now, before CSRF (checked next) reads it
    return names


@dataclass(frozen=True)
class Target:
    """The record a document is uploaded to, its reference and page, and why it is closed to
    uploads ("" while open)."""

    record: object
    reference: str
    page: str
    closed: str = ""


def _target(request: HttpRequest, record_kind: str, pk: int) -> Target:
    """The record a document is uploaded to: 404 outside the uploader's role or view.

    Contacts and enquiries: hub staff. A MARF (by its contact's id, as /marfs/<pk>/): the
    referrer who sent it. A return: the agency that made it (researchers and supervisors)."""
    user = request.user
    if record_kind == "marf":
        from contacts.selectors import marfs_of_referrer

        require_roles(request, {Role.REFERRER})
        marf = marfs_of_referrer(user).filter(contact_id=pk).first()
        if marf is None:
            raise Http404
        return Target(
            marf,
            marf.contact.reference,
            reverse("contacts:marf_detail", kwargs={"pk": pk}),
            MARF_DECIDED if marf.contact.outcome else "",
        )
    if record_kind == "return":
        from enquiries.models import RequestState
        from enquiries.selectors import returns_visible_to

        require_roles(request, AGENCY_ROLES)
        information_return = (
            returns_visible_to(user)
            .exclude(request__state=RequestState.WITHDRAWN)
            .select_related("request__enquiry")
            .filter(pk=pk)
            .first()
        )
        if information_return is None:
            raise Http404
        info_request = information_return.request
        return Target(
            information_return,
            info_request.reference,
            reverse("enquiries_agency:request_detail", kwargs={"pk": info_request.pk}),
            ENQUIRY_CLOSED if info_request.enquiry.is_closed else "",
        )
    require_hub(request)
    if record_kind == "contact":
        from contacts.selectors import contacts_visible_to

        record = contacts_visible_to(user).filter(pk=pk).first()
        page = "contacts:contact_detail"
    else:
        from enquiries.selectors import enquiries_visible_to

        record = enquiries_visible_to(user).filter(pk=pk).first()
        page = "enquiries_hub:detail"
    if record is None:
        raise Http404
    return Target(record, record.reference, reverse(page, kwargs={"pk": record.pk}))


@csrf_exempt  # the upload is parsed first (keeping file names), then CSRF checked: _upload
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def upload(request: HttpRequest, pk: int, record_kind: str) -> HttpResponse:
    names = _parse_keeping_names(request) if request.method == "POST" else []
    return _upload(request, pk, record_kind, names)


@csrf_protect
def _upload(request: HttpRequest, pk: int, record_kind: str, names: list[str]) -> HttpResponse:
    target = _target(request, record_kind, pk)
    page = target.page
    error, status = "", 400
    if request.method == "POST" and target.closed:
        status = 409  # the page says why; nothing is read or stored
    elif request.method == "POST":
        files = request.FILES.getlist("file")
        if len(files) > 1:
            error = "Select one file"
        else:
            try:
                with services.files_follow_rows(), submission_once(request, FORM) as submission:
                    if submission.already_done:
                        messages.success(request, USED_MESSAGE)
                        return redirect(submission.done_url)
                    document = services.document_upload(
                        record=target.record,
                        upload=files[0] if files else None,
                        name=names[0] if names else None,
                        uploaded_by=request.user,
                    )
                    url = f"{page}#documents"
                    submission.produced(url)
            except SubmissionTokenError as refused:
                error = refused.message
            except ValidationError as invalid:
                error = " ".join(invalid.message_dict.get("file", invalid.messages))
            else:
                messages.success(
                    request,
                    f"{document.original_name} was uploaded. Nobody can open it until it has "
                    "been checked for viruses.",
                )
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
    return serve(document)


def serve(document) -> FileResponse:
    """A clean document's file as an attachment that no browser renders, audited."""
    try:
        stream = document.file.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
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
