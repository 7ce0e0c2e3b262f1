"""Contacts through the API: intake (one or a batch), the triage queue, and the triage steps."""

from collections.abc import Callable

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from agencies.roles import AGENCY_ROLES, HUB_ROLES
from mash.api.pagination import DefaultCursorPagination
from mash.api.views import VisibleViewSetMixin
from mash.audit.events import record_access
from mash.errors import ConflictError

from ..models import Contact
from ..selectors import QueueFilters, contacts_visible_to, triage_queue
from ..services import (
    ContactInput,
    contact_decide,
    contact_intake,
    contact_pick_up,
    contact_recommend,
)
from .intake import BatchResultsSerializer, ContactBatchSerializer, ContactIntakeSerializer
from .serializers import (
    ConflictSerializer,
    ContactFilterSerializer,
    ContactReceiptSerializer,
    ContactSerializer,
    DecidedContactSerializer,
    DecideSerializer,
    ErrorSerializer,
    QueueContactSerializer,
    RecommendSerializer,
)

# Who may send contacts in: hub staff, and the accounts partner agencies' systems use.
INTAKE_ROLES = HUB_ROLES | AGENCY_ROLES

INTAKE_RESULT = PolymorphicProxySerializer(
    component_name="ContactIntakeResult",
    serializers=[ContactSerializer, ContactReceiptSerializer],
    resource_type_field_name=None,
)
ERRORS = {400: ErrorSerializer, 404: ErrorSerializer}
STEP_RESPONSES = {200: ContactSerializer, **ERRORS, 409: ConflictSerializer}


class ContactCursorPagination(DefaultCursorPagination):
    """The queue's order: soonest due first, then by id."""

    ordering = ("decision_due_at", "id")


@extend_schema_view(
    list=extend_schema(
        parameters=[ContactFilterSerializer],
        responses={200: QueueContactSerializer(many=True), **ERRORS},
    ),
    retrieve=extend_schema(responses={200: ContactSerializer, 404: ErrorSerializer}),
)
class ContactViewSet(
    VisibleViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Contacts: the concerns arriving at the front door, and their triage and decision.

    Who may do what:
    - Hub staff (front-door workers and managers) list, read, send, pick up and recommend;
      only a manager decides. A hub worker who tries to decide gets 403: they can see the
      contact, so refusing openly discloses nothing.
    - Partner agencies' systems (accounts with the agency researcher or supervisor role, e.g. the
      police notification feed) may only **send** contacts, one or a batch. Contacts are the
      hub's, so those accounts get 404 for every read and step, and the answer to what they
      sent is a receipt (id, reference, received_at, created), never the record. Their
      contacts are recorded as referred by their own agency; a reference another sender
      already used for the same source is refused, so no one learns of another's contact.
    - Any other role (referrers, board members, administrators) gets 404 everywhere here, as a
      record outside one's view does.

    Intake is idempotent on (source, external_reference): the same item sent again answers 200
    with the contact made the first time instead of 201 with a new one.
    """

    serializer_class = ContactSerializer
    visible_to = staticmethod(contacts_visible_to)
    audit_reads = True
    pagination_class = ContactCursorPagination
    lookup_value_regex = r"\d+"
    queue_filters = QueueFilters()

    @property
    def allowed_roles(self) -> frozenset[str]:  # type: ignore[override]
        if self.action in ("create", "batch"):
            return INTAKE_ROLES
        return HUB_ROLES

    def get_serializer_class(self):
        return QueueContactSerializer if self.action == "list" else ContactSerializer

    def get_serializer_context(self) -> dict:
        return {**super().get_serializer_context(), "today": timezone.localdate()}

    def get_queryset(self) -> QuerySet[Contact]:
        if getattr(self, "swagger_fake_view", False):
            return Contact.objects.none()
        if self.action == "list":
            contacts = triage_queue(self.request.user, self.queue_filters)
        else:
            contacts = contacts_visible_to(self.request.user)
        return contacts.select_related(
            "referring_agency", "assignee", "recommended_by", "decided_by"
        ).prefetch_related("subjects")

    # --- Reading -------------------------------------------------------------------------

    def list(self, request: Request, *args, **kwargs) -> Response:
        """The triage queue: undecided contacts, soonest due first (cursor-paginated), with its
        filters. A filter value that is not a known code is a 400 naming the parameter. Each
        subject comes with their age in whole years today (null when unborn or not known), and
        each contact with `open_work`: whether a subject has another undecided contact or an
        open enquiry."""
        filters = ContactFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        values = {key: value for key, value in filters.validated_data.items() if value}
        self.queue_filters = QueueFilters(**values)
        return super().list(request, *args, **kwargs)

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        """One contact, in full. The read is recorded in the audit trail."""
        return super().retrieve(request, *args, **kwargs)

    # --- Intake --------------------------------------------------------------------------

    def _is_agency_caller(self) -> bool:
        return self.request.user.role in AGENCY_ROLES

    def _intake(self, data: ContactInput) -> tuple[Contact, bool]:
        contact, created = contact_intake(data=data, created_by=self.request.user)
        if (
            not created
            and self._is_agency_caller()
            and contact.referring_agency_id != self.request.user.agency_id
        ):
            raise DjangoValidationError(
                {
                    "external_reference": "This reference was already used by another sender "
                    "for this source. Use a reference unique to your system."
                }
            )
        return contact, created

    @extend_schema(
        request=ContactIntakeSerializer,
        responses={201: INTAKE_RESULT, 200: INTAKE_RESULT, **ERRORS},
    )
    def create(self, request: Request, *args, **kwargs) -> Response:
        """Send one contact. 201 with the new contact, or 200 with the existing one when the
        same (source, external_reference) was sent before. Agency systems get a receipt."""
        serializer = ContactIntakeSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        contact, created = self._intake(serializer.validated_data)
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        if self._is_agency_caller():
            receipt = {
                "id": contact.pk,
                "reference": contact.reference,
                "received_at": contact.received_at,
                "created": created,
            }
            return Response(ContactReceiptSerializer(receipt).data, status=code)
        contact = self.get_queryset().get(pk=contact.pk)
        if not created:
            record_access(contact)
        return Response(ContactSerializer(contact).data, status=code)

    @extend_schema(
        request=ContactBatchSerializer,
        responses={201: BatchResultsSerializer, 200: BatchResultsSerializer, **ERRORS},
    )
    @action(detail=False, methods=["post"], pagination_class=None)
    def batch(self, request: Request) -> Response:
        """Send up to 500 contacts. Every item is checked first: if any is invalid, the answer is
        400 with errors named like `items[3].subjects[0].nhs_number` and nothing is stored.
        Otherwise all are stored in one transaction, each idempotently; 201 when any was new,
        200 when every item had been sent before."""
        serializer = ContactBatchSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        results = []
        with transaction.atomic():
            for index, data in enumerate(serializer.validated_data["items"]):
                try:
                    contact, created = self._intake(data)
                except DjangoValidationError as error:
                    raise _item_error(index, error) from error
                except ConflictError as conflict:
                    raise conflict.for_prefix(f"items[{index}].") from conflict
                results.append(
                    {
                        "index": index,
                        "id": contact.pk,
                        "reference": contact.reference,
                        "created": created,
                    }
                )
        any_created = any(row["created"] for row in results)
        code = status.HTTP_201_CREATED if any_created else status.HTTP_200_OK
        return Response(BatchResultsSerializer({"results": results}).data, status=code)

    # --- Triage steps --------------------------------------------------------------------

    def _step(
        self, step: Callable[[Contact], object], answer: type = ContactSerializer
    ) -> Response:
        """Run a triage service on the contact in view and answer with its new state.

        ValidationError → 400 by field (the exception handler); ConflictError → 409 with the
        current state; PermissionError (a hub worker deciding) → 403.
        """
        contact = self.get_object()
        try:
            step(contact)
        except ConflictError as conflict:
            current = ContactSerializer(self.get_object()).data
            body = {"detail": conflict.message, "errors": conflict.errors, "current": current}
            return Response(body, status=status.HTTP_409_CONFLICT)
        except PermissionError as refused:
            if self.request.user.role in HUB_ROLES:
                raise exceptions.PermissionDenied(str(refused)) from refused
            raise exceptions.NotFound() from refused
        return Response(answer(self.get_object()).data)

    @extend_schema(request=None, responses=STEP_RESPONSES)
    @action(detail=True, methods=["post"], url_path="pick-up")
    def pick_up(self, request: Request, pk: str | None = None) -> Response:
        """Pick the contact up: starts decision making and makes you its assignee, once. Someone
        else's contact is a 409 (a manager can reassign it)."""
        return self._step(lambda contact: contact_pick_up(contact=contact, user=request.user))

    @extend_schema(request=RecommendSerializer, responses=STEP_RESPONSES)
    @action(detail=True, methods=["post"])
    def recommend(self, request: Request, pk: str | None = None) -> Response:
        """Record the recommended outcome (a REFERRAL needs a threshold rationale; a
        MASH_ENQUIRY an initial RAG). Send the version you saw: a stale one is a 409."""
        form = RecommendSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        values = form.validated_data
        return self._step(
            lambda contact: contact_recommend(
                contact=contact,
                user=request.user,
                outcome=values["outcome"],
                rationale=values["rationale"],
                rag=values["rag"],
                threshold_rationale=values["threshold_rationale"],
                expected_version=values["version"],
            )
        )

    @extend_schema(
        request=DecideSerializer,
        responses={**STEP_RESPONSES, 200: DecidedContactSerializer, 403: ErrorSerializer},
    )
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str | None = None) -> Response:
        """A manager's decision: approve the recommendation or choose another outcome with a
        reason. Final. Two managers deciding at once: one wins, the other gets 409 with the
        current state. A hub worker gets 403.

        A MASH_ENQUIRY for a contact whose subject already has an open enquiry adds the contact
        to that enquiry (one enquiry per family; its RAG is raised when this decision's is
        higher) instead of opening a second one, unless `separate_enquiry_reason` says why a
        second, separate enquiry is needed. `enquiry` in the answer is the enquiry the contact
        is in, `enquiry.joined` whether it was added to one already open. If that enquiry
        closes in between, the answer is 409 naming `enquiry` and nothing is stored."""
        form = DecideSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        values = form.validated_data
        return self._step(
            lambda contact: contact_decide(
                contact=contact,
                manager=request.user,
                outcome=values["outcome"],
                reason=values["reason"],
                rag=values["rag"],
                expected_version=values["version"],
                separate_enquiry_reason=values["separate_enquiry_reason"],
            ),
            answer=DecidedContactSerializer,
        )


def _item_error(index: int, error: DjangoValidationError) -> exceptions.ValidationError:
    """A service's refusal of one batch item, named by the item's position."""
    if hasattr(error, "error_dict"):
        return exceptions.ValidationError(
            {f"items[{index}].{name}": messages for name, messages in error.message_dict.items()}
        )
    return exceptions.ValidationError({f"items[{index}]": error.messages})
