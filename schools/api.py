"""Schools through the API: hub staff and administrators list and search them (to record a
pupil's school by its URN); anyone else, key adults included, gets 404."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers

from mash.api.pagination import DefaultCursorPagination
from mash.api.serializers import ErrorSerializer
from mash.api.views import VisibleReadOnlyViewSet
from mash.limits import SEARCH_QUERY

from .models import School, SchoolStatus
from .selectors import SCHOOL_LIST_ROLES, schools_search, schools_visible_to

NOT_FOUND = {404: ErrorSerializer}
STATUS_FILTERS = ("open", "closed", "all")


class SchoolSerializer(serializers.ModelSerializer):
    class Meta:
        model = School
        fields = [
            "id",
            "urn",
            "name",
            "phase",
            "status",
            "establishment_type",
            "postcode",
            "local_authority",
        ]
        read_only_fields = fields


class SchoolPagination(DefaultCursorPagination):
    ordering = ("name", "id")


LIST_PARAMETERS = [
    OpenApiParameter(
        "search",
        {"type": "string", "maxLength": SEARCH_QUERY.max_length},
        description="Digits: schools whose URN starts with them. Words: schools whose name holds "
        "every word (any case).",
    ),
    OpenApiParameter(
        "status",
        OpenApiTypes.STR,
        enum=STATUS_FILTERS,
        description="`open` (the default: schools that may be chosen), `closed` or `all`.",
    ),
]


@extend_schema_view(
    list=extend_schema(
        parameters=LIST_PARAMETERS,
        responses={200: SchoolSerializer(many=True), **NOT_FOUND},
        description="Schools and early years settings, by name. Hub staff and administrators "
        "only (404 for anyone else).",
    ),
    retrieve=extend_schema(responses={200: SchoolSerializer, **NOT_FOUND}),
)
class SchoolViewSet(VisibleReadOnlyViewSet):
    """Schools with their DfE URN, phase and status."""

    queryset = School.objects.all()
    serializer_class = SchoolSerializer
    pagination_class = SchoolPagination
    visible_to = staticmethod(schools_visible_to)
    allowed_roles = SCHOOL_LIST_ROLES

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.action != "list":
            return queryset
        queryset = schools_search(queryset, self.request.query_params.get("search", ""))
        status = self.request.query_params.get("status", "open")
        if status not in STATUS_FILTERS:
            raise serializers.ValidationError(
                {"status": f"Choose one of {', '.join(STATUS_FILTERS)}."}
            )
        if status != "all":
            queryset = queryset.filter(status=SchoolStatus(status))
        return queryset
