"""People through the API: the records one may see, and the triager's search."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from agencies.roles import AGENCY_ROLES, HUB_ROLES
from mash.api.views import VisibleReadOnlyViewSet
from mash.audit.events import record_listing

from ..models import Person
from ..selectors import contacts_of_people, people_search, people_visible_to
from .serializers import (
    ErrorSerializer,
    PersonSearchHitSerializer,
    PersonSearchQuerySerializer,
    PersonSearchResultsSerializer,
    PersonSerializer,
)

NOT_FOUND = {404: ErrorSerializer}


@extend_schema_view(
    list=extend_schema(responses={200: PersonSerializer(many=True), **NOT_FOUND}),
    retrieve=extend_schema(responses={200: PersonSerializer, **NOT_FOUND}),
)
class PersonViewSet(VisibleReadOnlyViewSet):
    """People the caller may see: all of them for hub staff, granted ones for partner agencies.

    Records and the list serve hub staff and agency staff (who see only the people their agency
    was given to check); search serves hub staff only. Any other role gets 404, as a record
    outside one's view does. Each record read writes an access audit entry.
    """

    queryset = Person.objects.all()
    serializer_class = PersonSerializer
    visible_to = staticmethod(people_visible_to)
    audit_reads = True

    @property
    def allowed_roles(self) -> frozenset[str]:  # type: ignore[override]
        if self.action == "search":
            return HUB_ROLES
        return HUB_ROLES | AGENCY_ROLES

    @extend_schema(
        parameters=[PersonSearchQuerySerializer],
        responses={200: PersonSearchResultsSerializer, 400: ErrorSerializer, **NOT_FOUND},
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def search(self, request: Request) -> Response:
        """Find people by name (aliases, near spellings), date of birth, NHS number or postcode,
        in one box; each hit lists the person's contacts and whether one is open."""
        query = PersonSearchQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        people = people_search(request.user, query.validated_data["q"])
        record_listing(people, query=query.validated_data["q"])
        hits = PersonSearchHitSerializer(
            people, many=True, context={"history": contacts_of_people(people)}
        )
        return Response({"results": hits.data})
