"""Information requests: made to an agency (granting it the request), withdrawn, assigned,
and answered with a return."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from agencies.models import Agency
from agencies.roles import AGENCY_ROLES, HUB_ROLES, Role
from deadlines.models import ItemKind
from deadlines.resolution import resolve_breaches
from deadlines.services import (
    notify_allocated,
    notify_request_received,
    notify_return_received,
)
from mash.access import grant_to_agency, require_role, revoke_from_agency
from mash.audit.events import record_event
from mash.errors import ConflictError

from ..models import (
    Enquiry,
    EnquiryState,
    HandlingMarking,
    InformationRequest,
    InformationReturn,
    RequestState,
)
from ..timescales import return_due_at

VIEW = "enquiries.view_informationrequest"


@transaction.atomic
def request_create(
    *, enquiry: Enquiry, agency: Agency, question: str, people: list, requested_by
) -> InformationRequest:
    """Ask one agency what it holds about some of the enquiry's people. One open request per
    agency per enquiry; the agency's group is granted the request."""
    require_role(requested_by, HUB_ROLES, "request information")
    enquiry = Enquiry.objects.select_for_update().get(pk=enquiry.pk)
    if enquiry.is_closed:
        raise ConflictError(f"{enquiry.reference} is closed.")
    errors: dict[str, str] = {}
    if not agency.is_active:
        errors["agency"] = "This agency is inactive."
    if not question.strip():
        errors["question"] = "Write the question for the agency."
    enquiry_people = set(enquiry.person_links.values_list("person_id", flat=True))
    chosen = {getattr(person, "pk", person) for person in people}
    if not chosen:
        errors["people"] = "Choose at least one person for the agency to check."
    elif not chosen <= enquiry_people:
        errors["people"] = "Choose people from this enquiry."
    if enquiry.requests.filter(agency=agency, state=RequestState.OPEN).exists():
        errors["agency"] = f"{agency.name} already has an open request on this enquiry."
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    try:
        with transaction.atomic():
            request = InformationRequest.objects.create(
                enquiry=enquiry,
                agency=agency,
                question=question.strip(),
                requested_at=now,
                due_at=return_due_at(now, enquiry.rag),
                requested_by=requested_by,
                created_by=requested_by,
                modified_by=requested_by,
            )
    except IntegrityError as clash:
        raise ValidationError(
            {"agency": f"{agency.name} already has an open request on this enquiry."}
        ) from clash
    request.people.set(sorted(chosen))
    grant_to_agency(obj=request, agency=agency, perm=VIEW, reason="information request")
    if enquiry.state == EnquiryState.OPEN:
        enquiry.state = EnquiryState.AWAITING_RETURNS
        enquiry.save(update_fields=["state", "modified_at"])
    record_event(
        "information_request.made",
        target=request,
        actor=requested_by,
        data={"enquiry": enquiry.pk, "agency": agency.code},
    )
    notify_request_received(request=request, sent_by=requested_by)
    return request


@transaction.atomic
def request_withdraw(
    *, request: InformationRequest, reason: str, withdrawn_by
) -> InformationRequest:
    """Withdraw an open request (with a reason): the agency loses sight of it at once."""
    require_role(withdrawn_by, HUB_ROLES, "withdraw requests")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the request is being withdrawn."})
    _lock_enquiry_first(request)
    request = InformationRequest.objects.select_for_update().get(pk=request.pk)
    if request.state != RequestState.OPEN:
        raise ConflictError(
            f"{request.reference} is already {request.get_state_display().lower()}."
        )
    request.state = RequestState.WITHDRAWN
    request.withdrawn_at = timezone.now()
    request.withdrawn_reason = reason.strip()
    request.withdrawn_by = withdrawn_by
    request.modified_by = withdrawn_by
    request.save(
        update_fields=[
            "state",
            "withdrawn_at",
            "withdrawn_reason",
            "withdrawn_by",
            "modified_by",
            "modified_at",
        ]
    )
    resolve_breaches(kind=ItemKind.INFORMATION_RETURN, item=request, at=request.withdrawn_at)
    revoke_from_agency(obj=request, agency=request.agency, perm=VIEW, reason=reason)
    record_event(
        "information_request.withdrawn", target=request, actor=withdrawn_by, data={"reason": reason}
    )
    _settle_enquiry_state(request.enquiry_id)
    return request


@transaction.atomic
def request_assign(*, request: InformationRequest, researcher, assigned_by) -> InformationRequest:
    """An agency supervisor gives a request to a researcher of the same agency."""
    require_role(assigned_by, {Role.AGENCY_SUPERVISOR}, "assign requests")
    if request.agency_id != assigned_by.agency_id:
        raise PermissionError("Requests can only be assigned within your own agency.")
    if (
        researcher.agency_id != request.agency_id
        or researcher.role not in AGENCY_ROLES
        or not researcher.is_active
    ):
        raise ValidationError({"assignee": "Choose an active researcher of your agency."})
    request = InformationRequest.objects.select_for_update().get(pk=request.pk)
    if request.state != RequestState.OPEN:
        raise ConflictError(f"{request.reference} is no longer open.")
    request.assignee = researcher
    request.modified_by = assigned_by
    request.save(update_fields=["assignee", "modified_by", "modified_at"])
    record_event(
        "information_request.assigned",
        target=request,
        actor=assigned_by,
        data={"assignee": researcher.username},
    )
    notify_allocated(record=request, assignee=researcher, allocated_by=assigned_by)
    return request


@dataclass
class ReturnInput:
    information_held: bool | None
    systems_checked: str
    summary: str = ""
    risk_indicators: str = ""
    handling: str = HandlingMarking.NONE


@transaction.atomic
def return_submit(
    *, request: InformationRequest, data: ReturnInput, submitted_by
) -> InformationReturn:
    """An agency's return: read-only once submitted. A later one on a returned request is an
    addendum. Nothing can be returned on a withdrawn request or a closed enquiry."""
    require_role(submitted_by, AGENCY_ROLES, "submit returns")
    if submitted_by.agency_id != request.agency_id:
        raise PermissionError("Returns can only be submitted for your own agency's requests.")
    errors: dict[str, str] = {}
    if data.information_held is None:
        errors["information_held"] = "Say whether your agency holds information."
    if not data.systems_checked.strip():
        errors["systems_checked"] = "List the systems you checked."
    if data.information_held and not data.summary.strip():
        errors["summary"] = "Summarise the relevant information your agency holds."
    if data.handling not in HandlingMarking.values:
        errors["handling"] = "Choose a handling marking."
    if errors:
        raise ValidationError(errors)
    _lock_enquiry_first(request)
    request = (
        InformationRequest.objects.select_for_update().select_related("enquiry").get(pk=request.pk)
    )
    if request.state == RequestState.WITHDRAWN:
        raise ConflictError(f"{request.reference} was withdrawn: no return is needed.")
    if request.enquiry.is_closed:
        raise ConflictError(f"The enquiry behind {request.reference} is closed.")
    now = timezone.now()
    is_addendum = request.state == RequestState.RETURNED
    information_return = InformationReturn.objects.create(
        request=request,
        information_held=bool(data.information_held),
        summary=data.summary.strip(),
        risk_indicators=data.risk_indicators.strip(),
        systems_checked=data.systems_checked.strip(),
        handling=data.handling,
        is_addendum=is_addendum,
        submitted_by=submitted_by,
        submitted_at=now,
    )
    if not is_addendum:
        request.state = RequestState.RETURNED
        request.returned_at = now
        request.modified_by = submitted_by
        request.save(update_fields=["state", "returned_at", "modified_by", "modified_at"])
        resolve_breaches(kind=ItemKind.INFORMATION_RETURN, item=request, at=now)
    record_event(
        "information_request.addendum" if is_addendum else "information_request.returned",
        target=request,
        actor=submitted_by,
        data={"on_time": now <= request.due_at},
    )
    if not is_addendum:
        _settle_enquiry_state(request.enquiry_id)
    notify_return_received(information_return=information_return)
    return information_return


def _lock_enquiry_first(request: InformationRequest) -> None:
    """Every step that locks an enquiry and its requests locks the enquiry first (a RAG change
    locks the enquiry, then its open requests), so two steps never wait on each other."""
    Enquiry.objects.select_for_update().filter(pk=request.enquiry_id).values_list("pk").first()


def _settle_enquiry_state(enquiry_id: int) -> None:
    """An enquiry awaiting returns is open again (ready for a recommendation) once none of its
    requests is outstanding. The enquiry row is locked, so the last two returns arriving at once
    cannot both miss it."""
    enquiry = Enquiry.objects.select_for_update().get(pk=enquiry_id)
    if enquiry.state != EnquiryState.AWAITING_RETURNS:
        return
    if enquiry.requests.filter(state=RequestState.OPEN).exists():
        return
    enquiry.state = EnquiryState.OPEN
    enquiry.save(update_fields=["state", "modified_at"])
