from rest_framework import serializers

from mash.api.views import VisibleReadOnlyViewSet

from .models import Person
from .selectors import people_visible_to


class PersonSerializer(serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = [
            "id",
            "given_name",
            "family_name",
            "date_of_birth",
            "expected_date_of_delivery",
            "gender",
            "nhs_number",
            "address",
            "postcode",
        ]


class PersonViewSet(VisibleReadOnlyViewSet):
    """People the caller may see: all of them for hub staff, granted ones for partner agencies."""

    queryset = Person.objects.all()
    serializer_class = PersonSerializer
    visible_to = staticmethod(people_visible_to)
    audit_reads = True
