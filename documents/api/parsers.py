"""The API's multipart parser for uploads: DRF's, keeping each file's name as the client sent it
(documents/multipart.py), so a name with a path separator or a control character is refused
naming `file` rather than silently repaired."""

from django.http.multipartparser import MultiPartParserError
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from ..multipart import NameKeepingParser


class NameKeepingMultiPartParser(parsers.MultiPartParser):
    """DRF's `MultiPartParser`, parsing with the pages' `NameKeepingParser`: each uploaded file
    carries the client's own name as `raw_name` (read it with `multipart.sent_name`)."""

    def parse(self, stream, media_type=None, parser_context=None) -> parsers.DataAndFiles:
        parser_context = parser_context or {}
        request = parser_context["request"]
        encoding = parsers.get_encoding(parser_context)  # text charsets only, as DRF's
        meta = request.META.copy()
        meta["CONTENT_TYPE"] = media_type
        try:
            parser = NameKeepingParser(meta, stream, request.upload_handlers, encoding)
            data, files = parser.parse()
        except MultiPartParserError as error:
            raise ParseError(f"Multipart form parse error - {error}") from error
        return parsers.DataAndFiles(data, files)
