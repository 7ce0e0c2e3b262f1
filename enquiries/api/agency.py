"""A partner agency's own information requests through the API: its queue, one request, its
return, and (supervisors) who works on it."""

from collections.abc import Callable
from typing import Any

from django.db.models import Count, Prefetch, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer

from agencies.roles import AGENCY_ROLES
from contacts.api.serializers import ErrorSerializer
from contacts.selectors import people_visible_to
from mash.api.pagination import DefaultCursorPagination
from mash.api.views import VisibleViewSetMixin

from ..models import InformationRequest, RequestState
from ..selectors import information_requests_visible_to, returns_visible_to
from ..services import request_assign, return_submit
from .serializers import (
    AgencyInformationRequestConflictSerializer,
    AgencyInformationRequestSerializer,
    AgencyInformationRequestSummarySerializer,
    AgencyRequestFilterSerializer,
    AssignSerializer,
    InformationReturnInputSerializer,
)
from .steps import StepConflict, run_step

STEP_ERRORS = {
    400: ErrorSerializer,
    404: ErrorSerializer,
    409: AgencyInformationRequestConflictSerializer,
}


class AgencyRequestCursorPagination(DefaultCursorPagination):
    """The queue's order: soonest due first, then by id."""

    ordering = ("due_at", "id")


@extend_schema_view(
    list=extend_schema(
        parameters=[AgencyRequestFilterSerializer],
        responses={
            200: AgencyInformationRequestSummarySerializer(many=True),
            400: ErrorSerializer,
            404: ErrorSerializer,
        },
    ),
    retrieve=extend_schema(
        responses={200: AgencyInformationRequestSerializer, 404: ErrorSerializer}
    ),
)
class InformationRequestViewSet(
    VisibleViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """A partner agency's own information requests: the agency's workspace.

    Agency staff only (researchers and supervisors), and only their own agency's requests:
    another agency's request, a withdrawn one, or any id that is not theirs answers 404, as for
    a record that does not exist. A request shows what the agency needs and nothing more: the
    people to check with their identifiers, the question, the enquiry's RAG rating, the due time
    and the agency's own returns. Never the referrer, the narrative, the hub's notes or other
    agencies' returns.

    Hub staff get 404 here too: this is the agencies' view, cut down to what an agency may see.
    The hub reads every request in full, with all returns, under
    `/api/v1/enquiries/{id}/information-requests/`, and finds overdue ones through the enquiry
    queue's counts. Everyone else (referrers, board members, administrators) gets 404.
    """

    serializer_class = AgencyInformationRequestSerializer
    visible_to = staticmethod(information_requests_visible_to)
    allowed_roles = AGENCY_ROLES
    audit_reads = True
    pagination_class = AgencyRequestCursorPagination
    lookup_value_regex = r"\d+"
    queue_filters: dict | None = None

    def get_queryset(self) -> QuerySet[InformationRequest]:
        if getattr(self, "swagger_fake_view", False):
            return InformationRequest.objects.none()
        user = self.request.user
        # The grant goes when a request is withdrawn; excluding withdrawn ones here as well
        # keeps them out even if a grant were left behind.
        requests = (
            information_requests_visible_to(user)
            .exclude(state=RequestState.WITHDRAWN)
            .select_related("enquiry", "assignee")
        )
        if self.action == "list":
            filters = self.queue_filters or {}
            requests = requests.annotate(people_count=Count("people", distinct=True))
            if filters.get("state"):
                requests = requests.filter(state=filters["state"])
            if filters.get("mine"):
                requests = requests.filter(assignee=user)
            return requests
        people = people_visible_to(user).prefetch_related("aliases")
        returns = returns_visible_to(user).select_related("submitted_by")
        return requests.prefetch_related(
            Prefetch("people", queryset=people), Prefetch("returns", queryset=returns)
        )

    def get_serializer_class(self):
        if self.action == "list":
            return AgencyInformationRequestSummarySerializer
        return AgencyInformationRequestSerializer

    # --- Reading -------------------------------------------------------------------------

    def list(self, request: Request, *args, **kwargs) -> Response:
        """The agency's requests, open and returned, soonest due first (cursor-paginated), with
        the enquiry's RAG, time due and who is working on each. `state=open` is the queue still
        to answer; `mine=true` those assigned to me. Withdrawn requests are not listed."""
        filters = AgencyRequestFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        self.queue_filters = dict(filters.validated_data)
        return super().list(request, *args, **kwargs)

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        """One of the agency's requests: the people to check, the question, the RAG, the due
        time and the agency's returns. The read is recorded in the audit trail."""
        return super().retrieve(request, *args, **kwargs)

    # --- Steps ---------------------------------------------------------------------------

    def _step(
        self,
        form_class: type[Serializer],
        step: Callable[[InformationRequest, Any], object],
        *,
        openly: bool,
    ) -> Response:
        """Run a service on the request in view with the validated input; answer with the
        request as it now stands.

        The request is looked up first, so another agency's id is a 404 whatever the body. A
        conflict (the enquiry is closed, the request no longer open) is a 409 with the request's
        current state; if the request has meanwhile left the agency's view (it was withdrawn),
        the answer is 404.
        """
        information_request = self.get_object()
        form = form_class(data=self.request.data, context={"request": self.request})
        form.is_valid(raise_exception=True)
        values = form.validated_data
        try:
            run_step(lambda: step(information_request, values), refuse_openly=openly)
        except StepConflict as conflict:
            return conflict.response(self.get_serializer(self.get_object()).data)
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(
        request=InformationReturnInputSerializer,
        responses={201: AgencyInformationRequestSerializer, **STEP_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def submit_return(self, request: Request, pk: str | None = None) -> Response:
        """Submit the agency's return: 201 with the request and its returns. A return is final;
        sending another on a returned request adds an addendum. A return on a closed enquiry is
        a 409; on a withdrawn request, or another agency's, a 404."""
        response = self._step(
            InformationReturnInputSerializer,
            lambda information_request, values: return_submit(
                request=information_request,
                data=values,
                submitted_by=request.user,
            ),
            openly=False,
        )
        if response.status_code == status.HTTP_200_OK:
            response.status_code = status.HTTP_201_CREATED
        return response

    @extend_schema(
        request=AssignSerializer,
        responses={200: AgencyInformationRequestSerializer, 403: ErrorSerializer, **STEP_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk: str | None = None) -> Response:
        """A supervisor gives an open request to a researcher of the agency. A researcher gets
        403 (they can see the request, so refusing openly discloses nothing); a user who is not
        an active researcher of the agency is a 400 naming `assignee`."""
        return self._step(
            AssignSerializer,
            lambda information_request, values: request_assign(
                request=information_request,
                researcher=values["assignee"],
                assigned_by=request.user,
            ),
            openly=True,
        )
