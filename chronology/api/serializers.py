"""A chronology as the API gives it: the person, the filters applied and the events."""

from rest_framework import serializers

from ..filters import EventKind

# The kinds as plain strings listed in the description, not a schema enum: several serializers
# name a choice set "kind", and each enum would need its own name in the shared settings.
KINDS_TEXT = ", ".join(f"`{value}` ({label})" for value, label in EventKind.choices)


class ChronologyEventSerializer(serializers.Serializer):
    """One event about the person, on one record."""

    when = serializers.DateTimeField()
    kind = serializers.CharField(help_text=f"One of {KINDS_TEXT}.")
    kind_label = serializers.CharField()
    title = serializers.CharField()
    detail = serializers.CharField(help_text="More about the event; may be empty.")
    record = serializers.CharField(help_text="The record's reference (C000012, E000034).")
    link = serializers.CharField(help_text="The record's page in the service (a path).")
    by = serializers.CharField(help_text="Who did it, where known; may be empty.")


class ChronologyPersonSerializer(serializers.Serializer):
    """Whose chronology it is (a response: never read from a client)."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(source="full_name", read_only=True)
    merged_into = serializers.IntegerField(source="merged_into_id", allow_null=True, read_only=True)


class ChronologyFiltersSerializer(serializers.Serializer):
    """The filters applied: the local dates both included (null when not given) and the kinds
    (empty: every kind)."""

    def get_fields(self) -> dict[str, serializers.Field]:
        # "from" is a Python keyword, so the fields are named here rather than as attributes.
        return {
            "from": serializers.DateField(allow_null=True),
            "to": serializers.DateField(allow_null=True),
            "kinds": serializers.ListField(
                child=serializers.CharField(), help_text="Event kinds (`kind`); empty: every kind."
            ),
        }


class ChronologyResponseSerializer(serializers.Serializer):
    person = ChronologyPersonSerializer()
    merged_records = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="The ids of the records merged into this person, whose events are included.",
    )
    filters = ChronologyFiltersSerializer()
    events = ChronologyEventSerializer(many=True, help_text="Oldest first.")
