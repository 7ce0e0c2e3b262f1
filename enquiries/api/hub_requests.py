"""An enquiry's information requests, from the hub's side: list, make, read, withdraw."""

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from agencies.roles import HUB_ROLES
from contacts.api.serializers import ErrorSerializer
from contacts.selectors import people_visible_to
from mash.api.pagination import DefaultCursorPagination
from mash.api.views import VisibleViewSetMixin

from ..models import Enquiry, InformationRequest
from ..selectors import enquiries_visible_to, information_requests_visible_to, returns_visible_to
from ..services import request_create, request_withdraw
from .serializers import (
    HubInformationRequestConflictSerializer,
    HubInformationRequestSerializer,
    InformationRequestCreateSerializer,
    WithdrawSerializer,
)
from .steps import StepConflict, run_step

ENQUIRY_ID = OpenApiParameter(
    "enquiry_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The enquiry's id."
)
REQUEST_ID = OpenApiParameter(
    "request_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The request's id."
)


class RequestCursorPagination(DefaultCursorPagination):
    """In the order they were made."""

    ordering = ("requested_at", "id")


def hub_requests(user) -> QuerySet[InformationRequest]:
    """Requests with everything the hub's shape shows, in a constant number of queries."""
    returns = returns_visible_to(user).select_related("submitted_by")
    return (
        information_requests_visible_to(user)
        .select_related("agency", "requested_by", "withdrawn_by")
        .prefetch_related(
            Prefetch("people", queryset=people_visible_to(user)),
            Prefetch("returns", queryset=returns),
        )
    )


@extend_schema(parameters=[ENQUIRY_ID])
@extend_schema_view(
    list=extend_schema(
        responses={200: HubInformationRequestSerializer(many=True), 404: ErrorSerializer}
    ),
    retrieve=extend_schema(
        parameters=[REQUEST_ID],
        responses={200: HubInformationRequestSerializer, 404: ErrorSerializer},
    ),
)
class EnquiryInformationRequestViewSet(
    VisibleViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Information requests to partner agencies, from the hub's side.

    Hub staff only: anyone else gets 404, as for a record outside one's view (agencies answer
    their own requests at `/api/v1/information-requests/`). Every request of the enquiry is
    listed, withdrawn ones included, each with all its returns side by side: who returned,
    when, whether on time, and the handling marking.
    """

    serializer_class = HubInformationRequestSerializer
    visible_to = staticmethod(information_requests_visible_to)
    allowed_roles = HUB_ROLES
    audit_reads = True
    pagination_class = RequestCursorPagination
    lookup_url_kwarg = "request_id"
    lookup_value_regex = r"\d+"

    def get_enquiry(self) -> Enquiry:
        """The enquiry in the path, if the caller may see it (else 404)."""
        if not hasattr(self, "_enquiry"):
            visible = enquiries_visible_to(self.request.user)
            self._enquiry = get_object_or_404(visible, pk=self.kwargs["enquiry_id"])
        return self._enquiry

    def get_queryset(self) -> QuerySet[InformationRequest]:
        if getattr(self, "swagger_fake_view", False):
            return InformationRequest.objects.none()
        return hub_requests(self.request.user).filter(enquiry=self.get_enquiry())

    def _current(self, request: InformationRequest) -> dict:
        return HubInformationRequestSerializer(self.get_queryset().get(pk=request.pk)).data

    def list(self, request: Request, *args, **kwargs) -> Response:
        """The enquiry's requests, in the order made, each with its returns. Cursor-paginated."""
        return super().list(request, *args, **kwargs)

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        """One request with its returns. The read is recorded in the audit trail."""
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        request=InformationRequestCreateSerializer,
        responses={
            201: HubInformationRequestSerializer,
            400: ErrorSerializer,
            404: ErrorSerializer,
            409: ErrorSerializer,
        },
    )
    def create(self, request: Request, *args, **kwargs) -> Response:
        """Ask one agency (by code) what it holds about some of the enquiry's people. One open
        request per agency per enquiry (a second is a 400 naming `agency`); its due time follows
        the enquiry's RAG. The agency sees the request from now on. A closed enquiry is a 409."""
        enquiry = self.get_enquiry()
        form = InformationRequestCreateSerializer(data=request.data, context={"request": request})
        form.is_valid(raise_exception=True)
        values = form.validated_data
        try:
            made = run_step(
                lambda: request_create(
                    enquiry=enquiry,
                    agency=values["agency"],
                    question=values["question"],
                    people=values["people"],
                    requested_by=request.user,
                ),
                refuse_openly=True,
            )
        except StepConflict as conflict:
            raise conflict.conflict from None  # a closed enquiry: 409, by the exception handler
        return Response(self._current(made), status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[REQUEST_ID],
        request=WithdrawSerializer,
        responses={
            200: HubInformationRequestSerializer,
            400: ErrorSerializer,
            404: ErrorSerializer,
            409: HubInformationRequestConflictSerializer,
        },
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, *args, **kwargs) -> Response:
        """Withdraw an open request, with a reason: the agency loses sight of it at once and
        owes no return. A request already returned or withdrawn is a 409."""
        information_request = self.get_object()
        form = WithdrawSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            run_step(
                lambda: request_withdraw(
                    request=information_request,
                    reason=form.validated_data["reason"],
                    withdrawn_by=request.user,
                ),
                refuse_openly=True,
            )
        except StepConflict as conflict:
            return conflict.response(self._current(information_request))
        return Response(self._current(information_request))
