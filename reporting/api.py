"""The KPIs through the API: ``GET /api/v1/reporting/kpis/?from=YYYY-MM-DD&to=YYYY-MM-DD``.

The same figures as the dashboard for the same period (both go through
reporting.selectors_dashboard); board members get the suppressed version.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from contacts.api.serializers import ErrorSerializer
from mash.audit.context import bind_actor

from .kpis import KPI_IDS, BreakdownError, Figure, KpiResult
from .periods import NAMED_PERIODS, Period, PeriodError
from .selectors_dashboard import (
    KPI_VIEWER_ROLES,
    kpis_for,
    period_from_query,
    record_kpis_viewed,
    sees_suppressed,
)

# --- The response, for the schema ------------------------------------------------------------


@extend_schema_field(
    {
        "oneOf": [{"type": "number"}, {"type": "string"}],
        "nullable": True,
        "description": 'A figure (null for an empty set), "<5" where suppressed for a board '
        "member, or a dimension's code.",
    }
)
class FigureValueField(serializers.JSONField):
    pass


class KpiPeriodSerializer(serializers.Serializer):
    """The period ``[from, to)``: from local midnight of ``from`` to local midnight of ``to``."""

    def get_fields(self) -> dict[str, serializers.Field]:
        # "from" is a Python keyword, so the fields are named here rather than as attributes.
        return {
            "from": serializers.DateField(help_text="The first day of the period."),
            "to": serializers.DateField(help_text="The first day after the period."),
        }


class KpiSerializer(serializers.Serializer):
    id = serializers.CharField(help_text=f"K1 to {KPI_IDS[-1]}, as KPIS.md numbers them.")
    name = serializers.CharField()
    definition = serializers.CharField(help_text="KPIS.md's definition, word for word.")
    headline = serializers.DictField(
        child=FigureValueField(),
        help_text="The figures over the whole period, by name (e.g. count, percent).",
    )
    breakdowns = serializers.DictField(
        child=serializers.ListField(child=serializers.DictField(child=FigureValueField())),
        help_text="Each breakdown's rows by breakdown name: dimension keys give codes (e.g. "
        '"source": "2A"), figure keys give values or "<5".',
    )


class KpiResponseSerializer(serializers.Serializer):
    period = KpiPeriodSerializer()
    suppressed = serializers.BooleanField(
        help_text='True for a board member: breakdown cells from fewer than 5 records are "<5".'
    )
    kpis = KpiSerializer(many=True)


# --- Building the JSON -----------------------------------------------------------------------


def _value(value: Any) -> Any:
    return value.as_json() if isinstance(value, Figure) else value


def kpi_as_json(result: KpiResult) -> dict[str, Any]:
    """One KPI as the API gives it."""
    return {
        "id": result.id,
        "name": result.name,
        "definition": result.definition,
        "headline": {key: figure.as_json() for key, figure in result.headline.items()},
        "breakdowns": {
            table.name: [
                {column.key: _value(row.get(column.key)) for column in table.columns}
                for row in table.rows
            ]
            for table in result.tables
        },
    }


def kpis_as_json(period: Period, results: list[KpiResult], *, suppressed: bool) -> dict:
    return {
        "period": {"from": period.start.isoformat(), "to": period.end.isoformat()},
        "suppressed": suppressed,
        "kpis": [kpi_as_json(result) for result in results],
    }


def _names(request: Request, field: str) -> list[str] | None:
    """A comma-separated (or repeated) query value as a list; None when not given or blank."""
    names = [
        name.strip()
        for value in request.query_params.getlist(field)
        for name in value.split(",")
        if name.strip()
    ]
    return list(dict.fromkeys(names)) or None


# --- The view --------------------------------------------------------------------------------

_PARAMETERS = [
    OpenApiParameter(
        "from",
        OpenApiTypes.DATE,
        description="The first day of the period (YYYY-MM-DD, Europe/London). Required unless "
        "`period` is given.",
    ),
    OpenApiParameter(
        "to",
        OpenApiTypes.DATE,
        description="The first day after the period (YYYY-MM-DD): the period is [from, to), at "
        "most 5 years long. Required unless `period` is given.",
    ),
    OpenApiParameter(
        "period",
        OpenApiTypes.STR,
        enum=list(NAMED_PERIODS),
        description="A named period as of today instead of from/to.",
    ),
    OpenApiParameter(
        "kpis",
        OpenApiTypes.STR,
        description=f"Comma-separated KPI ids (K1 to {KPI_IDS[-1]}); every KPI when left out.",
    ),
    OpenApiParameter(
        "breakdowns",
        OpenApiTypes.STR,
        description="Comma-separated breakdown names (e.g. source,agency); every breakdown "
        "when left out.",
    ),
]


class KpiView(APIView):
    """Every KPI of KPIS.md for a period, with its breakdowns: the same figures as the KPI
    dashboard for the same period.

    Board members, managers and administrators only; everyone else gets 404. Board members get
    the suppressed figures: a breakdown cell built from fewer than 5 records is "<5". A bad
    period, an unknown KPI or an unknown breakdown is a 400 naming the query field.
    """

    allowed_roles = KPI_VIEWER_ROLES
    pagination_class = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        bind_actor(request.user)

    @extend_schema(
        operation_id="reporting_kpis",
        parameters=_PARAMETERS,
        responses={200: KpiResponseSerializer, 400: ErrorSerializer, 404: ErrorSerializer},
    )
    def get(self, request: Request) -> Response:
        query = {name: request.query_params.get(name, "") for name in ("period", "from", "to")}
        try:
            period = period_from_query(query, today=timezone.localdate(), default=None).period
            results = kpis_for(
                request.user,
                period,
                ids=_names(request, "kpis"),
                breakdowns=_names(request, "breakdowns"),
            )
        except (PeriodError, BreakdownError) as error:
            raise exceptions.ValidationError({error.field: [error.message]}) from None
        suppressed = sees_suppressed(request.user)
        record_kpis_viewed(
            request.user,
            period,
            ids=[result.id for result in results],
            via="api",
            suppressed=suppressed,
        )
        return Response(kpis_as_json(period, results, suppressed=suppressed))
