"""The documents section of a record's page: `{% include "documents/_documents.html" with
record=contact %}` calls `{% documents_section record as section %}` (one query)."""

from django import template
from django.urls import reverse

from .. import clamd
from ..content import TYPES
from ..selectors import documents_of
from ..services import max_bytes

register = template.Library()


@register.simple_tag(takes_context=True)
def documents_section(context, record) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    kind = record._meta.model_name
    upload_url = ""
    if kind in ("contact", "enquiry"):
        upload_url = reverse(f"documents:upload_{kind}", kwargs={"pk": record.pk})
    documents = documents_of(record, user) if user is not None else []
    for document in documents:
        file_type = TYPES.get(document.kind)
        document.kind_label = file_type.label if file_type else document.kind
    return {
        "documents": documents,
        "upload_url": upload_url,
        "scanner": clamd.is_configured(),
        "max_bytes": max_bytes(),
    }


@register.filter
def scan_tag_colour(document) -> str:
    return {
        "clean": "green",
        "infected": "red",
        "error": "orange",
    }.get(document.scan_state, "grey")
