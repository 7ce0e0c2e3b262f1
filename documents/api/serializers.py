"""Documents through the API: a document as it is shown, and what an upload takes."""

from django.urls import reverse
from rest_framework import serializers

from ..models import Document


class DocumentSerializer(serializers.ModelSerializer):
    """One document: the record it is on (the others are null), its checked name, its type found
    from the content, and its scan. `download_url` stays null until the file is scanned clean;
    an infected file is quarantined and never downloadable."""

    uploaded_by = serializers.CharField(source="uploaded_by.display_name", default=None)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = [
            "id",
            "contact",
            "enquiry",
            "marf",
            "information_return",
            "original_name",
            "kind",
            "content_type",
            "size",
            "sha256",
            "uploaded_by",
            "uploaded_at",
            "scan_state",
            "scanned_at",
            "scan_result",
            "quarantined",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, document: Document) -> str | None:
        if not document.is_downloadable:
            return None
        return reverse("documents:api-document-download", kwargs={"pk": document.pk})


class DocumentUploadSerializer(serializers.Serializer):
    """One file, sent as `multipart/form-data`. Only the schema uses this: the upload view reads
    the file itself, so that its name is checked as the client sent it."""

    file = serializers.FileField(
        help_text=(
            "PDF, Word, Excel, JPG, PNG, GIF, TIFF or email (EML, MSG), the type found from the "
            "content; up to the size limit (20 MB unless set otherwise). A name with a path "
            "separator or a control character is refused."
        )
    )
