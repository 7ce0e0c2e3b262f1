"""What a file is, by its content (magic bytes), never by its name; and which names we keep."""

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass

from django.core.exceptions import ValidationError

NAME_MAX_LENGTH = 200


@dataclass(frozen=True)
class FileType:
    kind: str
    label: str
    content_type: str


PDF = FileType("pdf", "PDF", "application/pdf")
PNG = FileType("png", "PNG image", "image/png")
JPEG = FileType("jpeg", "JPEG image", "image/jpeg")
GIF = FileType("gif", "GIF image", "image/gif")
TIFF = FileType("tiff", "TIFF image", "image/tiff")
DOCX = FileType(
    "docx",
    "Word document",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
)
XLSX = FileType(
    "xlsx", "Excel spreadsheet", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)
OLE = FileType("ole", "Word 97-2003 document or Outlook message", "application/x-ole-storage")
EML = FileType("eml", "Email", "message/rfc822")

TYPES = {t.kind: t for t in (PDF, PNG, JPEG, GIF, TIFF, DOCX, XLSX, OLE, EML)}

TYPE_MESSAGE = (
    "The selected file must be a PDF, Word document, Excel spreadsheet, image (JPG, PNG, GIF or "
    "TIFF) or email (EML or MSG)"
)
PROGRAM_MESSAGE = (
    "The selected file is a program or script, which cannot be attached. Attach a PDF, Word "
    "document, Excel spreadsheet, image or email"
)

_SIGNATURES = (
    (b"%PDF-", PDF),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
    (b"GIF87a", GIF),
    (b"GIF89a", GIF),
    (b"II*\x00", TIFF),
    (b"MM\x00*", TIFF),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", OLE),
)
_PROGRAMS = (
    b"MZ",  # Windows PE and DOS executables
    b"\x7fELF",
    b"\xfe\xed\xfa\xce",  # Mach-O, 32 and 64 bit, both byte orders, and universal binaries
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",
    b"#!",  # scripts
)
#: An RFC 5322 header line: a field name, a colon.
_HEADER = re.compile(rb"^[!-9;-~]+:[ \t]")
_MAIL_HEADERS = (
    b"from",
    b"received",
    b"mime-version",
    b"return-path",
    b"message-id",
    b"delivered-to",
    b"x-mailer",
)


def _is_email(head: bytes) -> bool:
    """RFC 822 headers from the first line: text, header lines, at least one that only mail has."""
    if b"\0" in head:
        return False
    lines = head.replace(b"\r\n", b"\n").split(b"\n")[:40]
    if not lines or not _HEADER.match(lines[0]):
        return False
    names = set()
    for line in lines:
        if not line.strip():
            break  # end of the header block
        if line[:1] in (b" ", b"\t"):
            continue  # a folded header's continuation
        if not _HEADER.match(line):
            return False
        names.add(line.split(b":", 1)[0].lower())
    return bool(names & set(_MAIL_HEADERS)) and len(names) >= 2


def _office_type(stream) -> FileType | None:
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if any(name.startswith("word/") for name in names):
        return DOCX
    if any(name.startswith("xl/") for name in names):
        return XLSX
    return None


def detect_type(stream) -> FileType:
    """The type of the file in `stream` (seekable binary) by content; ValidationError on `file`
    for programs, scripts and anything not on the list."""
    stream.seek(0)
    head = stream.read(8192)
    stream.seek(0)
    if head.startswith(_PROGRAMS):
        raise ValidationError({"file": PROGRAM_MESSAGE}, code="program")
    for magic, file_type in _SIGNATURES:
        if head.startswith(magic):
            return file_type
    if head.startswith(b"PK\x03\x04"):
        found = _office_type(stream)
        stream.seek(0)
        if found is not None:
            return found
    elif _is_email(head):
        return EML
    raise ValidationError({"file": TYPE_MESSAGE}, code="type")


def detect_bytes(data: bytes) -> FileType:
    return detect_type(io.BytesIO(data))


def check_name(name: str | None) -> str:
    """The uploader's file name, kept only if safe to show and to offer on download."""
    name = (name or "").strip()
    if not name or name in (".", ".."):
        raise ValidationError({"file": "The selected file must have a name"}, code="name")
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationError(
            {"file": f"The selected file's name must be {NAME_MAX_LENGTH} characters or fewer"},
            code="name",
        )
    if "/" in name or "\\" in name:
        raise ValidationError(
            {"file": "The selected file's name must not contain / or \\"}, code="name"
        )
    if any(unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") for char in name):
        raise ValidationError(
            {"file": "The selected file's name must not contain control characters"}, code="name"
        )
    return name
