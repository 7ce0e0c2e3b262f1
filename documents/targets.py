"""Who may attach documents to which record, and who may list them: one set of rules for the
upload pages and the API.

- A contact or an enquiry: hub staff, on the records they can see, until the contact is decided
  or the enquiry closed (as for case notes).
- A MARF (by its contact's id): the referrer who sent it, until the hub decides.
- A return: the agency that made it (researchers and supervisors), while the hub has not
  withdrawn the request and until the enquiry closes.
- A request (the API): the agency's latest return or addendum to it, as the request page does;
  before any return there is nothing to attach to (a ValidationError naming `file`). Hub staff
  and the agency holding the request list its returns' documents.

Every other role, and any record outside the user's view, is Http404: never an answer that tells
the record exists. A record closed to uploads is named in `Target.closed` (the callers answer
409, saying why).
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import Http404
from django.urls import reverse

from agencies.roles import AGENCY_ROLES, HUB_ROLES, Role
from mash.access import is_member

from .multipart import FIELD

MARF_DECIDED = (
    "The hub has decided about this referral, so no more files can be attached. To tell the "
    "hub something new, make a new referral."
)
ENQUIRY_CLOSED = "The hub has closed this enquiry: no more files can be attached."
CONTACT_DECIDED = (
    "This contact has been decided: no more files can be attached to it. Attach them to its "
    "enquiry, if it has one."
)
NO_RETURN = (
    "Send your return first: files are attached to your agency's return, or to its latest addendum."
)


@dataclass(frozen=True)
class Target:
    """The record a document is uploaded to, its reference and page, and why it is closed to
    uploads ("" while open). Only a closed target may lack a record (a request with no return,
    on a closed enquiry)."""

    record: Model | None
    reference: str
    page: str
    closed: str = ""


def _require(user, roles) -> None:
    if not is_member(user) or user.role not in roles:
        raise Http404


def upload_target(user, record_kind: str, pk: int) -> Target:
    """Where `user` attaches a file on record `record_kind` `pk` ("contact", "enquiry", "marf",
    "return" or "request"); Http404 outside their role or view."""
    if record_kind == "marf":
        return _marf_target(user, pk)
    if record_kind == "return":
        return _return_target(user, pk)
    if record_kind == "request":
        return _request_target(user, pk)
    record = _hub_record(user, record_kind, pk)
    # An enquiry's files are in its Notes and documents section.
    page = "contacts:contact_detail" if record_kind == "contact" else "enquiries_hub:notes"
    return Target(
        record, record.reference, reverse(page, kwargs={"pk": record.pk}), hub_closed(record)
    )


def hub_closed(record) -> str:
    """Why a contact or an enquiry takes no more files ("" while it does): a contact once
    decided, an enquiry once closed, as for case notes."""
    from contacts.models import Contact

    if isinstance(record, Contact):
        return CONTACT_DECIDED if record.outcome else ""
    return ENQUIRY_CLOSED if record.is_closed else ""


def readable_record(user, record_kind: str, pk: int) -> Model:
    """The record whose documents `user` lists ("contact", "enquiry" or "request"); Http404
    outside their role or view. A request: hub staff, or the agency holding it (not once
    withdrawn)."""
    if record_kind != "request":
        return _hub_record(user, record_kind, pk)
    from enquiries.selectors import information_requests_visible_to

    _require(user, HUB_ROLES | AGENCY_ROLES)
    if user.role in AGENCY_ROLES:
        requests = _standing_requests(user)
    else:
        requests = information_requests_visible_to(user)
    record = requests.filter(pk=pk).first()
    if record is None:
        raise Http404
    return record


def _hub_record(user, record_kind: str, pk: int) -> Model:
    from contacts.selectors import contacts_visible_to
    from enquiries.selectors import enquiries_visible_to

    _require(user, HUB_ROLES)
    if record_kind == "contact":
        record = contacts_visible_to(user).filter(pk=pk).first()
    elif record_kind == "enquiry":
        record = enquiries_visible_to(user).filter(pk=pk).first()
    else:
        raise Http404
    if record is None:
        raise Http404
    return record


def _marf_target(user, contact_id: int) -> Target:
    from contacts.selectors import marfs_of_referrer

    _require(user, {Role.REFERRER})
    marf = marfs_of_referrer(user).filter(contact_id=contact_id).first()
    if marf is None:
        raise Http404
    return Target(
        marf,
        marf.contact.reference,
        reverse("contacts:marf_detail", kwargs={"pk": contact_id}),
        MARF_DECIDED if marf.contact.outcome else "",
    )


def _standing_requests(user):
    """The requests `user` can see that the hub has not withdrawn (a withdrawn request is gone
    from its agency's view)."""
    from enquiries.models import RequestState
    from enquiries.selectors import information_requests_visible_to

    return information_requests_visible_to(user).exclude(state=RequestState.WITHDRAWN)


def _for_return(information_return, info_request) -> Target:
    return Target(
        information_return,
        info_request.reference,
        reverse("enquiries_agency:request_detail", kwargs={"pk": info_request.pk}),
        ENQUIRY_CLOSED if info_request.enquiry.is_closed else "",
    )


def _return_target(user, pk: int) -> Target:
    from enquiries.models import RequestState
    from enquiries.selectors import returns_visible_to

    _require(user, AGENCY_ROLES)
    information_return = (
        returns_visible_to(user)
        .exclude(request__state=RequestState.WITHDRAWN)
        .select_related("request__enquiry")
        .filter(pk=pk)
        .first()
    )
    if information_return is None:
        raise Http404
    return _for_return(information_return, information_return.request)


def _request_target(user, request_id: int) -> Target:
    """The latest return or addendum to the agency's request (the one its page uploads to)."""
    from enquiries.selectors import returns_visible_to

    _require(user, AGENCY_ROLES)
    info_request = _standing_requests(user).select_related("enquiry").filter(pk=request_id).first()
    if info_request is None:
        raise Http404
    latest = (
        returns_visible_to(user)
        .filter(request=info_request)
        .order_by("-submitted_at", "-id")
        .first()
    )
    if latest is None and not info_request.enquiry.is_closed:
        raise ValidationError({FIELD: NO_RETURN}, code="no_return")
    return _for_return(latest, info_request)
