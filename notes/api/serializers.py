"""Case notes through the API: a note as it is shown, and what a new note takes."""

from rest_framework import serializers

from mash import limits

from ..models import CaseNote, NoteKind
from ..services import KIND_REQUIRED, KIND_UNKNOWN, TEXT_REQUIRED, text_too_long


class NoteAuthorSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(source="display_name", read_only=True)


class CaseNoteSerializer(serializers.ModelSerializer):
    """One case note: on a contact or an enquiry (the other is null), never changed."""

    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    author = NoteAuthorSerializer(read_only=True)

    class Meta:
        model = CaseNote
        fields = [
            "id",
            "contact",
            "enquiry",
            "kind",
            "kind_label",
            "text",
            "significant",
            "author",
            "created_at",
        ]
        read_only_fields = fields


class CaseNoteCreateSerializer(serializers.Serializer):
    """A new note. `significant` notes are shown in the chronology of the record's people."""

    kind = serializers.ChoiceField(
        choices=NoteKind.choices,
        allow_blank=True,  # refused below, with the same message as a missing kind
        error_messages={
            "required": KIND_REQUIRED,
            "null": KIND_REQUIRED,
            "invalid_choice": KIND_UNKNOWN,
        },
    )
    text = serializers.CharField(
        max_length=limits.CASE_NOTE.input_length,
        error_messages={
            "required": TEXT_REQUIRED,
            "blank": TEXT_REQUIRED,
            "null": TEXT_REQUIRED,
            "max_length": text_too_long(),
        },
    )
    significant = serializers.BooleanField(default=False)

    def validate_kind(self, value: str) -> str:
        if not value:
            raise serializers.ValidationError(KIND_REQUIRED)
        return value
