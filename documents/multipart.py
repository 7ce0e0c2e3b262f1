"""Reading an upload with its file's name exactly as the client sent it, for the pages and the API.

Django's multipart parser (and DRF's, which uses it) silently strips path separators and
unprintable characters from upload names, so `../../etc/passwd.pdf` would arrive as
`passwd.pdf`. We refuse such a name (naming `file`) rather than repair it, so both the upload
page and the API parse with `NameKeepingParser`, which keeps each raw name for
`services.check_name` to judge (`sent_name`).
"""

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest
from django.http.multipartparser import MultiPartParser
from django.utils.datastructures import ImmutableList, MultiValueDict

FIELD = "file"
ONE_FILE = "Select one file"


class NameKeepingParser(MultiPartParser):
    """Django's multipart parser, keeping each file's name as the client sent it.

    Each stored upload is named neutrally (`upload-<n>`) and carries the client's name as
    `raw_name`, unchanged, for the service to check."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._raw_names: list[str] = []

    def sanitize_file_name(self, file_name: str) -> str:
        self._raw_names.append(file_name)
        return f"upload-{len(self._raw_names) - 1}"

    def parse(self) -> tuple:
        post, files = super().parse()
        for _field, uploads in files.lists():
            for upload in uploads:
                index = int(upload.name.rpartition("-")[2])
                upload.raw_name = self._raw_names[index]
        return post, files


def parse_keeping_names(request: HttpRequest) -> None:
    """Parse a page's multipart POST now with `NameKeepingParser` (before CSRF reads it)."""

    def parse_file_upload(META, post_data):
        request.upload_handlers = ImmutableList(
            request.upload_handlers,
            warning="You cannot alter upload handlers after the upload has been processed.",
        )
        return NameKeepingParser(META, post_data, request.upload_handlers, request.encoding).parse()

    request.parse_file_upload = parse_file_upload
    request.POST  # noqa: B018 - parse now, before CSRF (checked next) reads it


def sent_file(files: MultiValueDict) -> UploadedFile | None:
    """The one file sent as `file` (None when there is none); more than one is a ValidationError
    naming `file`."""
    uploads = files.getlist(FIELD)
    if len(uploads) > 1:
        raise ValidationError({FIELD: ONE_FILE}, code="multiple")
    return uploads[0] if uploads else None


def sent_name(upload: UploadedFile | None) -> str | None:
    """The name the client gave `upload`, unchanged (None when it was not parsed here, and the
    service then checks `upload.name`)."""
    return getattr(upload, "raw_name", None)
