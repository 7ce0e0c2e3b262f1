"""People through the API: the records one may see, and the triager's search."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from agencies.roles import AGENCY_ROLES, HUB_ROLES
from mash.api.views import VisibleReadOnlyViewSet
from mash.audit.events import record_access, record_listing

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


class RelatedPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    given_name = serializers.CharField(read_only=True)
    family_name = serializers.CharField(read_only=True)
    date_of_birth = serializers.DateField(read_only=True, allow_null=True)


class FamilyRelationshipSerializer(serializers.Serializer):
    """One relationship, read from this person: `words` says it ("Mother of", "Child of")."""

    type = serializers.CharField(
        read_only=True, help_text="The relationship type, read from `direction`."
    )
    direction = serializers.ChoiceField(
        read_only=True,
        choices=[("from", "from"), ("to", "to")],
        help_text="`from`: this person is `type` of `person`; `to`: `person` is `type` of them.",
    )
    words = serializers.CharField(read_only=True)
    person = RelatedPersonSerializer(read_only=True)
    learnt_from = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="The contact's id."
    )


class HouseholdMemberSerializer(serializers.Serializer):
    person = RelatedPersonSerializer(read_only=True)
    related = serializers.BooleanField(read_only=True)
    relationship = serializers.CharField(read_only=True)


class AddressHistorySerializer(serializers.Serializer):
    address = serializers.CharField(read_only=True)
    postcode = serializers.CharField(read_only=True)
    date_from = serializers.DateField(read_only=True, allow_null=True)
    date_to = serializers.DateField(read_only=True, allow_null=True)
    is_current = serializers.BooleanField(read_only=True)
    learnt_from = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="The contact's id."
    )


class PersonFamilySerializer(serializers.Serializer):
    """A person's household (the people living with them now), relationships both ways and
    address history, current first."""

    household = HouseholdMemberSerializer(many=True, read_only=True)
    relationships = FamilyRelationshipSerializer(many=True, read_only=True)
    addresses = AddressHistorySerializer(many=True, read_only=True)


def _family_data(person) -> dict:
    from ..views.people import person_family

    family = person_family(person)

    def brief(other) -> dict:
        return {
            "id": other.pk,
            "given_name": other.given_name,
            "family_name": other.family_name,
            "date_of_birth": other.date_of_birth,
        }

    relationships = []
    for row in family["relationships"]:
        relationships.append(
            {
                "type": row["kind"],
                "direction": "from" if row["forward"] else "to",
                "words": row["words"],
                "person": brief(row["other"]),
                "learnt_from": row["learnt_from_id"],
            }
        )
    return {
        "household": [
            {
                "person": brief(m["person"]),
                "related": m["related"],
                "relationship": m["relationship"],
            }
            for m in family["household"]
        ],
        "relationships": relationships,
        "addresses": [
            {
                "address": a.address,
                "postcode": a.postcode,
                "date_from": a.date_from,
                "date_to": a.date_to,
                "is_current": a.is_current,
                "learnt_from": a.learnt_from_id,
            }
            for a in family["addresses"]
        ],
    }


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
        if self.action in ("search", "family"):
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

    @extend_schema(responses={200: PersonFamilySerializer, **NOT_FOUND})
    @action(detail=True, methods=["get"], pagination_class=None)
    def family(self, request: Request, pk: str | None = None) -> Response:
        """The person's household, relationships (both directions, in words) and address
        history. Hub staff only; the read is audited."""
        person = self.get_object()
        record_access(person)
        return Response(PersonFamilySerializer(_family_data(person)).data)
