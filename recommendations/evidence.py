"""What evidence may be, checked by what the file holds, not what it is called.

A file's name and the browser's content type are the uploader's claims. Evidence is served
back to other people (as an attachment, with nosniff), so a Windows program named
`minutes.pdf`, a web page named `.pdf` or an SVG (which can carry script) named `.png` must
not be stored. Each type on the allow-list has a check of its content: the format's
signature, for Office and OpenDocument files the parts inside the zip, for text that it is
text and not markup. A file larger than EVIDENCE_MAX_BYTES is refused while it arrives
(EvidenceUploadHandler), not after it has been read to the end.
"""

import codecs
import dataclasses
import re
import zipfile
from collections.abc import Callable
from typing import IO

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.template.defaultfilters import filesizeformat

CHUNK = 64 * 1024


@dataclasses.dataclass(frozen=True)
class EvidenceType:
    content_type: str
    label: str  # what the name claims the file is, for the refusal
    holds: Callable[[IO[bytes]], bool]


def _starts_with(signature: bytes) -> Callable[[IO[bytes]], bool]:
    return lambda file: file.read(len(signature)) == signature


def _zip_names(file: IO[bytes]) -> list[str] | None:
    if file.read(4) != b"PK\x03\x04":
        return None
    try:
        with zipfile.ZipFile(file) as archive:
            return archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None


def _office(folder: str) -> Callable[[IO[bytes]], bool]:
    """Office Open XML: a zip with [Content_Types].xml and its main part under `folder`,
    and no macros (a .docm renamed .docx)."""

    def holds(file: IO[bytes]) -> bool:
        names = _zip_names(file)
        return (
            names is not None
            and "[Content_Types].xml" in names
            and any(name.startswith(folder) for name in names)
            and not any(name.lower().endswith("vbaproject.bin") for name in names)
        )

    return holds


def _open_document(mimetype: str) -> Callable[[IO[bytes]], bool]:
    """OpenDocument: a zip whose `mimetype` entry names the format."""

    def holds(file: IO[bytes]) -> bool:
        if _zip_names(file) is None:
            return False
        file.seek(0)
        try:
            with zipfile.ZipFile(file) as archive, archive.open("mimetype") as entry:
                return entry.read(len(mimetype) + 1) == mimetype.encode()
        except (KeyError, zipfile.BadZipFile, OSError, ValueError):
            return False

    return holds


# What a browser would take for a web page or an image with script, wherever it appears (the
# HTML sniffing patterns of the WHATWG MIME Sniffing standard, and SVG, XML and script).
_MARKUP = re.compile(
    r"<(?:!doctype\s+html|html|head|body|script|iframe|svg|object|embed|style|title|\?xml"
    r"|!--)[\s>/-]",
    re.IGNORECASE,
)
# A file that begins with one of these tags is a web page to a browser (WHATWG again).
_LEADING_TAG = re.compile(r"\A\s*<(?:a|b|br|div|font|h1|p|table)[\s>]", re.IGNORECASE)
_TAIL = 32  # a marker split across two chunks is still found


def _text(file: IO[bytes]) -> bool:
    """Text: UTF-8 (or, from older spreadsheet programs, Windows-1252), no NUL bytes, and
    no markup a browser could run."""
    for encoding in ("utf-8-sig", "cp1252"):
        file.seek(0)
        verdict = _text_in(file, encoding)
        if verdict is not None:
            return verdict
    return False


def _text_in(file: IO[bytes], encoding: str) -> bool | None:
    """True for plain text, False for NUL bytes or markup, None if not in this encoding."""
    decoder = codecs.getincrementaldecoder(encoding)()
    tail = ""
    try:
        while chunk := file.read(CHUNK):
            if b"\x00" in chunk:
                return False
            text = tail + decoder.decode(chunk)
            if _MARKUP.search(text) or (not tail and _LEADING_TAG.match(text)):
                return False
            tail = text[-_TAIL:]
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return None
    return True


TYPES = {
    ".pdf": EvidenceType("application/pdf", "a PDF document", _starts_with(b"%PDF-")),
    ".docx": EvidenceType(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "a Word document",
        _office("word/"),
    ),
    ".xlsx": EvidenceType(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "an Excel workbook",
        _office("xl/"),
    ),
    ".pptx": EvidenceType(
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "a PowerPoint presentation",
        _office("ppt/"),
    ),
    ".odt": EvidenceType(
        "application/vnd.oasis.opendocument.text",
        "an OpenDocument text",
        _open_document("application/vnd.oasis.opendocument.text"),
    ),
    ".ods": EvidenceType(
        "application/vnd.oasis.opendocument.spreadsheet",
        "an OpenDocument spreadsheet",
        _open_document("application/vnd.oasis.opendocument.spreadsheet"),
    ),
    ".csv": EvidenceType("text/csv", "a CSV file", _text),
    ".txt": EvidenceType("text/plain", "a text file", _text),
    ".png": EvidenceType("image/png", "a PNG image", _starts_with(b"\x89PNG\r\n\x1a\n")),
    ".jpg": EvidenceType("image/jpeg", "a JPEG image", _starts_with(b"\xff\xd8\xff")),
    ".jpeg": EvidenceType("image/jpeg", "a JPEG image", _starts_with(b"\xff\xd8\xff")),
}


def content_matches(upload: UploadedFile, suffix: str) -> bool:
    """The file holds what its name says (suffix on the allow-list)."""
    upload.seek(0)
    try:
        return TYPES[suffix].holds(upload)
    finally:
        upload.seek(0)


def size_problem(upload: UploadedFile) -> str | None:
    """The refusal of a file over the limit, in figures that show the difference: a file of
    10.04 MB is not "10.0 MB" against a limit of "10.0 MB"."""
    limit = settings.EVIDENCE_MAX_BYTES
    if upload.size <= limit:
        return None
    return (
        f"“{upload.name}” is {_precise(upload.size)} ({upload.size:,} bytes); the limit is "
        f"{filesizeformat(limit)} ({limit:,} bytes)."
    )


def _precise(size: int) -> str:
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:.2f}\xa0{unit}"
    return f"{size}\xa0bytes"


class OversizedUpload(UploadedFile):
    """Stands in for a file refused while it arrived: its name and size, none of its bytes."""

    def __init__(self, name: str, size: int, content_type: str | None):
        super().__init__(file=None, name=name, content_type=content_type, size=size)

    def open(self, mode=None):
        raise ValueError("An oversized upload has no content: the form refuses it.")


class EvidenceUploadHandler(FileUploadHandler):
    """First of FILE_UPLOAD_HANDLERS: passes a file's bytes on to Django's memory and
    temporary-file handlers until it passes EVIDENCE_MAX_BYTES; then drops what they hold,
    stores nothing more and only counts the rest (the request must still be read to reach
    the fields after the file), and hands the form an OversizedUpload with the real size, so
    the person is told which file, how big, and keeps what they typed."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.oversized = False

    def receive_data_chunk(self, raw_data, start):
        if self.oversized:
            return None
        if start + len(raw_data) > settings.EVIDENCE_MAX_BYTES:
            self.oversized = True
            self._drop_what_the_next_handlers_hold()
            return None
        return raw_data

    def _drop_what_the_next_handlers_hold(self) -> None:
        for handler in self.request.upload_handlers:
            if handler is not self and getattr(handler, "file", None) is not None:
                handler.file.close()  # a temporary file is deleted when closed

    def file_complete(self, file_size):
        if self.oversized:
            return OversizedUpload(self.file_name, file_size, self.content_type)
        return None
