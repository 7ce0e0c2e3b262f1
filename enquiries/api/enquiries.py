"""MASH enquiries through the API, from the hub's side: the queue, one enquiry, and its steps."""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer

from agencies.roles import HUB_ROLES
from contacts.api.serializers import ErrorSerializer
from contacts.models import Person
from contacts.selectors import people_visible_to
from mash.api.pagination import DefaultCursorPagination
from mash.api.views import VisibleViewSetMixin

from ..models import Enquiry, EnquiryContact, EnquiryPerson, RagChange
from ..selectors import enquiries_visible_to, enquiry_queue, information_requests_visible_to
from ..services import (
    enquiry_add_person,
    enquiry_change_rag,
    enquiry_decide,
    enquiry_recommend,
    enquiry_remove_person,
)
from .serializers import (
    EnquiryConflictSerializer,
    EnquiryDecideSerializer,
    EnquiryListItemSerializer,
    EnquiryRecommendSerializer,
    EnquirySerializer,
    PersonToCheckSerializer,
    RagChangeSerializer,
)
from .steps import StepConflict, run_step

ERRORS = {400: ErrorSerializer, 404: ErrorSerializer}
STEP_RESPONSES = {200: EnquirySerializer, **ERRORS, 409: EnquiryConflictSerializer}
PERSON_ID = OpenApiParameter(
    "person_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The person's id."
)
VERSION = OpenApiParameter(
    "version",
    OpenApiTypes.INT,
    OpenApiParameter.QUERY,
    required=False,
    description="The enquiry's version you saw: if someone changed it since, the answer is 409.",
)


class EnquiryCursorPagination(DefaultCursorPagination):
    """The queue's order: soonest deadline first, then by id."""

    ordering = ("deadline", "id")


def people_links() -> Prefetch:
    """The enquiry's people, with their person records, in one query."""
    return Prefetch("person_links", queryset=EnquiryPerson.objects.select_related("person"))


@extend_schema_view(
    list=extend_schema(responses={200: EnquiryListItemSerializer(many=True), 404: ErrorSerializer}),
    retrieve=extend_schema(responses={200: EnquirySerializer, 404: ErrorSerializer}),
)
class EnquiryViewSet(
    VisibleViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """MASH enquiries: the hub's multi-agency enquiries, their RAG ratings and their decisions.

    Who may do what:
    - Hub staff (front-door workers and managers) list and read enquiries, change RAG ratings
      and recommend outcomes; only a manager decides. A hub worker who tries to decide gets
      403: they can see the enquiry, so refusing openly discloses nothing.
    - Everyone else (partner agencies, referrers, board members, administrators) gets 404 for
      every enquiry and for the list, as for a record outside one's view. Agencies see their
      own requests at `/api/v1/information-requests/`.

    Every step takes an optional `version` (the one you saw): a stale one is a 409 with the
    enquiry as it stands. A step on a closed enquiry is a 409 too.
    """

    serializer_class = EnquirySerializer
    visible_to = staticmethod(enquiries_visible_to)
    allowed_roles = HUB_ROLES
    audit_reads = True
    pagination_class = EnquiryCursorPagination
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[Enquiry]:
        if getattr(self, "swagger_fake_view", False):
            return Enquiry.objects.none()
        user = self.request.user
        if self.action == "list":
            return enquiry_queue(user).prefetch_related(people_links())
        requests = information_requests_visible_to(user).select_related("agency")
        return (
            enquiries_visible_to(user)
            .select_related("contact", "worker", "recommended_by", "decided_by")
            .prefetch_related(
                people_links(),
                Prefetch("requests", queryset=requests),
                Prefetch("rag_changes", queryset=RagChange.objects.select_related("changed_by")),
                Prefetch(
                    "contact_links", queryset=EnquiryContact.objects.select_related("contact")
                ),
            )
        )

    def get_serializer_class(self):
        if self.action == "list":
            return EnquiryListItemSerializer
        return EnquirySerializer

    # --- Reading -------------------------------------------------------------------------

    def list(self, request: Request, *args, **kwargs) -> Response:
        """The hub's queue: open enquiries (not closed), soonest deadline first, with each one's
        outstanding and overdue requests counted. Cursor-paginated."""
        return super().list(request, *args, **kwargs)

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        """One enquiry in full: people to check, requests, RAG history, recommendation and
        decision. The read is recorded in the audit trail."""
        return super().retrieve(request, *args, **kwargs)

    # --- Steps ---------------------------------------------------------------------------

    def _step(
        self, form_class: type[Serializer], step: Callable[[Enquiry, Any], object]
    ) -> Response:
        """Run a service on the enquiry in view with the validated input, and answer with the
        enquiry's new state (see `steps`). The enquiry is looked up first, so a record outside
        one's view is a 404 whatever the body."""
        enquiry = self.get_object()
        form = form_class(data=self.request.data)
        form.is_valid(raise_exception=True)
        values = form.validated_data
        try:
            run_step(lambda: step(enquiry, values), refuse_openly=True)
        except StepConflict as conflict:
            return conflict.response(EnquirySerializer(self.get_object()).data)
        return Response(EnquirySerializer(self.get_object()).data)

    @extend_schema(request=RagChangeSerializer, responses=STEP_RESPONSES)
    @action(detail=True, methods=["post"])
    def rag(self, request: Request, pk: str | None = None) -> Response:
        """Change the RAG rating, with a reason. The deadline of the enquiry and of its open
        requests move: on escalation to the earlier of the current deadline and now plus the
        new timescale; on de-escalation to the later of the current deadline and the start plus
        the new timescale. The same rating again, or no reason, is a 400."""
        return self._step(
            RagChangeSerializer,
            lambda enquiry, values: enquiry_change_rag(
                enquiry=enquiry,
                to_rag=values["rag"],
                reason=values["reason"],
                changed_by=request.user,
                expected_version=values["version"],
            ),
        )

    @extend_schema(request=EnquiryRecommendSerializer, responses=STEP_RESPONSES)
    @action(detail=True, methods=["post"])
    def recommend(self, request: Request, pk: str | None = None) -> Response:
        """Record the recommended enquiry outcome (not another MASH enquiry), the final RAG and
        the rationale. The enquiry then awaits a manager's decision."""
        return self._step(
            EnquiryRecommendSerializer,
            lambda enquiry, values: enquiry_recommend(
                enquiry=enquiry,
                user=request.user,
                outcome=values["outcome"],
                final_rag=values["final_rag"],
                rationale=values["rationale"],
                expected_version=values["version"],
            ),
        )

    @extend_schema(
        request=EnquiryDecideSerializer,
        responses={**STEP_RESPONSES, 403: ErrorSerializer},
    )
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str | None = None) -> Response:
        """A manager approves the recommendation or decides otherwise (with a reason), and the
        enquiry closes. Every request must have been returned or withdrawn first (400 naming
        the agencies outstanding). A hub worker gets 403."""
        return self._step(
            EnquiryDecideSerializer,
            lambda enquiry, values: enquiry_decide(
                enquiry=enquiry,
                manager=request.user,
                outcome=values["outcome"],
                final_rag=values["final_rag"],
                reason=values["reason"],
                expected_version=values["version"],
            ),
        )

    # --- People to check -----------------------------------------------------------------

    def _person(self, pk: int, *, missing: str) -> Person:
        """A person the caller can see; anyone else is a 400 naming `person` (the same answer
        whether the record does not exist or is outside one's view)."""
        person = people_visible_to(self.request.user).filter(pk=pk).first()
        if person is None:
            raise ValidationError({"person": missing})
        return person

    @extend_schema(request=PersonToCheckSerializer, responses=STEP_RESPONSES)
    @action(detail=True, methods=["post"], url_path="people")
    def add_person(self, request: Request, pk: str | None = None) -> Response:
        """Add someone found by the people search to the people to check. Requests sent from
        now on can include them; a request already sent keeps the people it was sent with. A
        person already on the list, or a merged record, is a 400; a closed enquiry a 409."""
        return self._step(
            PersonToCheckSerializer,
            lambda enquiry, values: enquiry_add_person(
                enquiry=enquiry,
                person=self._person(values["person"], missing="No person has this id"),
                added_by=request.user,
                expected_version=values["version"],
            ),
        )

    @extend_schema(request=None, parameters=[PERSON_ID, VERSION], responses=STEP_RESPONSES)
    @action(detail=True, methods=["delete"], url_path=r"people/(?P<person_id>\d+)")
    def remove_person(
        self, request: Request, pk: str | None = None, person_id: str | None = None
    ) -> Response:
        """Take someone off the people to check: requests not yet sent leave them out; a
        request already sent keeps them. A subject of the concern is always checked (400)."""
        version = serializers.IntegerField(min_value=1, required=False, allow_null=True)
        raw = request.query_params.get("version")
        try:
            expected = version.run_validation(raw) if raw not in (None, "") else None
        except serializers.ValidationError as invalid:
            raise serializers.ValidationError({"version": invalid.detail}) from invalid
        enquiry = self.get_object()
        try:
            run_step(
                lambda: enquiry_remove_person(
                    enquiry=enquiry,
                    person=self._person(
                        int(person_id), missing="This person is not a person to check here"
                    ),
                    removed_by=request.user,
                    expected_version=expected,
                ),
                refuse_openly=True,
            )
        except StepConflict as conflict:
            return conflict.response(EnquirySerializer(self.get_object()).data)
        return Response(EnquirySerializer(self.get_object()).data)
