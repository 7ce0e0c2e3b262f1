"""A choice field documented as its own named enum in the OpenAPI schema.

drf-spectacular names enums after the field (`rag` → `RagEnum`) and warns when one name carries
several choice sets (`state` of a contact, of an enquiry, of a request) or one choice set carries
several names (`rag`, `final_rag`, `from_rag`). The enquiries API has both, so its choice fields
name their enum component themselves (`Rag`, `EnquiryState`, ...): one component per choice
set, whatever the field is called.
"""

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers


class NamedChoiceField(serializers.ChoiceField):
    """A ChoiceField whose choices are the schema component `enum_name`."""

    def __init__(self, choices, *, enum_name: str, **kwargs) -> None:
        self.enum_name = enum_name
        super().__init__(choices, **kwargs)


class NamedChoiceFieldExtension(OpenApiSerializerFieldExtension):
    """Documents a NamedChoiceField as a reference to its enum component."""

    target_class = NamedChoiceField

    def get_name(self) -> str:
        return self.target.enum_name

    def map_serializer_field(self, auto_schema, direction) -> dict:
        choices = self.target.choices
        lines = [f"* `{value}` - {label}" for value, label in choices.items()]
        return {"type": "string", "enum": list(choices), "description": "\n".join(lines)}


class IdListField(serializers.ListField):
    """A list of record ids whose item errors are reported under the list's own name.

    DRF keys item errors by position (`{"people": {0: [...]}}`), which the API's error body would
    name `people.0`; here they read `{"people": ["Item 0: A valid integer is required."]}`.
    """

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("child", serializers.IntegerField(min_value=1))
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as error:
            if not isinstance(error.detail, dict):
                raise
            messages = [
                f"Item {index}: {message}"
                for index, item_messages in error.detail.items()
                for message in item_messages
            ]
            raise serializers.ValidationError(messages) from error
