"""The documents sections of the pages, each one query for its documents however many:

- a hub contact or enquiry: `{% include "documents/_documents.html" with record=contact %}` (a
  contact's list includes the files the referrer attached to its MARF);
- the referrer's MARF page: `{% include "documents/_marf_documents.html" %}` (their own files);
- the agency's request page: `{% include "documents/_agency_return_documents.html" %}`;
- the hub enquiry page, by its returns: `{% include "documents/_return_documents.html" %}`.
"""

from django import template
from django.urls import reverse

from .. import clamd
from ..content import TYPES
from ..selectors import documents_of, marf_documents, return_documents
from ..services import max_bytes
from ..targets import hub_closed

register = template.Library()


@register.simple_tag(takes_context=True)
def documents_section(context, record) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    kind = record._meta.model_name
    upload_url, closed = "", ""
    if kind in ("contact", "enquiry"):
        closed = hub_closed(record)
        if not closed:
            upload_url = reverse(f"documents:upload_{kind}", kwargs={"pk": record.pk})
    documents = documents_of(record, user) if user is not None else []
    return _section(documents, upload_url, closed=closed)


def _user(context):
    return getattr(context.get("request"), "user", None)


def _section(documents, upload_url: str, **extra) -> dict:
    for document in documents:
        file_type = TYPES.get(document.kind)
        document.kind_label = file_type.label if file_type else document.kind
    return {
        "documents": documents,
        "upload_url": upload_url,
        "scanner": clamd.is_configured(),
        "max_bytes": max_bytes(),
        **extra,
    }


@register.simple_tag(takes_context=True)
def marf_documents_section(context, contact_id: int) -> dict:
    """The referrer's own files on their MARF (of contact `contact_id`), and the upload form
    while the hub has not decided (two queries)."""
    from contacts.models import Contact

    user = _user(context)
    documents = marf_documents(user, contact_id) if user is not None else []
    decided = Contact.objects.filter(pk=contact_id).exclude(outcome="").exists()
    upload_url = "" if decided else reverse("documents:upload_marf", kwargs={"pk": contact_id})
    return _section(documents, upload_url, decided=decided)


@register.simple_tag(takes_context=True)
def agency_return_documents_section(context, info_request, returns, can_return) -> dict:
    """The agency's files on its returns to `info_request` (one query); uploads go to the latest
    return or addendum, while a return can still be sent."""
    user = _user(context)
    documents = return_documents(user, request_id=info_request.pk) if user is not None else []
    latest = returns[-1] if returns else None
    upload_url = ""
    if latest is not None and can_return:
        upload_url = reverse("documents:upload_return", kwargs={"pk": latest.pk})
    return _section(documents, upload_url, latest=latest)


@register.simple_tag(takes_context=True)
def return_documents_section(context, enquiry) -> dict:
    """Every file the hub may see on the returns to `enquiry`'s requests (one query)."""
    user = _user(context)
    documents = return_documents(user, enquiry_id=enquiry.pk) if user is not None else []
    return _section(documents, "")


@register.filter
def scan_tag_colour(document) -> str:
    return {
        "clean": "green",
        "infected": "red",
        "error": "orange",
    }.get(document.scan_state, "grey")
