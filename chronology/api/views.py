"""``GET /api/v1/people/{id}/chronology/?from=&to=&kinds=``: the same chronology as the page."""

from django.core.exceptions import ValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.roles import HUB_ROLES
from contacts.models import Person
from mash.api.serializers import ErrorSerializer
from mash.audit.context import bind_actor

from ..filters import EventKind, parse_filters
from ..selectors import chronology_for, people_of_chronology, person_for_chronology
from ..services import record_chronology_viewed
from .serializers import ChronologyEventSerializer, ChronologyResponseSerializer

PARAMETERS = [
    OpenApiParameter(
        "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The person's record id."
    ),
    OpenApiParameter(
        "from",
        OpenApiTypes.DATE,
        description="The first day to show (YYYY-MM-DD, Europe/London), included.",
    ),
    OpenApiParameter(
        "to",
        OpenApiTypes.DATE,
        description="The last day to show (YYYY-MM-DD, Europe/London), included; not before "
        "`from`.",
    ),
    OpenApiParameter(
        "kinds",
        {"type": "array", "items": {"type": "string", "enum": EventKind.values}},
        style="form",
        explode=False,
        description="The kinds of event to show, comma-separated (or the parameter repeated); "
        "every kind when left out.",
    ),
]


class PersonChronologyView(APIView):
    """Every event about a person, oldest first, across the hub's records: contacts received
    where they are a subject or named otherwise (source, concerns, their role), recommendations,
    decisions and corrections, enquiries opened and closed, RAG changes, information requests
    sent and returns received (that they came, not their content), significant case notes,
    documents (named only when scanned clean), domestic abuse incidents the police notified (at
    the incident's time, with the DASH risk and the person's part: a child present or not, the
    victim, the alleged perpetrator), the daily triage meeting's agreed outcome and MARAC
    referral (when it was confirmed) and a child's Operation Encompass notices (the school,
    acknowledged when, escalated or not). The events of records merged into the person are
    included.

    Hub staff only: anyone else, and a person outside the caller's view, gets 404. A malformed
    date, `from` after `to` or an unknown kind is a 400 naming the field. Each call is audited
    (`chronology.viewed`). Not paginated: one person's whole chronology in one answer, read in
    a constant number of queries however many events it has."""

    allowed_roles = HUB_ROLES
    pagination_class = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        bind_actor(request.user)

    @extend_schema(
        operation_id="people_chronology",
        summary="A person's chronology",
        parameters=PARAMETERS,
        responses={200: ChronologyResponseSerializer, 400: ErrorSerializer, 404: ErrorSerializer},
    )
    def get(self, request: Request, pk: int) -> Response:
        try:
            person = person_for_chronology(request.user, pk)
        except Person.DoesNotExist:
            raise exceptions.NotFound() from None
        query = request.query_params
        try:
            filters = parse_filters(query.get("from"), query.get("to"), query.getlist("kinds"))
        except ValidationError as error:
            raise exceptions.ValidationError(error.message_dict) from None
        people = people_of_chronology(request.user, person)
        events = chronology_for(
            request.user,
            person,
            since=filters.since,
            until=filters.until,
            kinds=filters.kinds,
            people=people,
        )
        record_chronology_viewed(request.user, person, filters, events, via="api")
        return Response(
            {
                "person": {
                    "id": person.pk,
                    "name": person.full_name,
                    "merged_into": person.merged_into_id,
                },
                "merged_records": [other.pk for other in people[1:]],
                "filters": filters.as_query(),
                "events": ChronologyEventSerializer(events, many=True).data,
            }
        )
