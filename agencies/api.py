from rest_framework import serializers

from mash.api.views import VisibleReadOnlyViewSet

from .models import Agency
from .roles import SCHOOL_ROLES, Role
from .selectors import agencies_visible_to


class AgencySerializer(serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = ["id", "name", "code", "kind", "membership", "is_active"]


class AgencyViewSet(VisibleReadOnlyViewSet):
    """Partner agencies of the hub."""

    queryset = Agency.objects.all()
    serializer_class = AgencySerializer
    visible_to = staticmethod(agencies_visible_to)
    # Every member's but a school key adult's (their view is their school's notices alone).
    allowed_roles = frozenset(Role.values) - SCHOOL_ROLES
