"""Evidence is checked by what it holds (recommendations/evidence.py): a program, a web page or
an SVG under an allowed name is refused and nothing is stored; real files of each type are
accepted; a file over the limit is refused as it arrives, with figures that show by how much."""

import io
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.test import RequestFactory
from django.urls import reverse

from recommendations.evidence import EvidenceUploadHandler, OversizedUpload
from recommendations.models import Evidence, TrackedItem

pytestmark = pytest.mark.django_db

NARRATIVE = "Minutes of the June board, where the plan was agreed."


@pytest.fixture
def item(reference_data):
    """The 2015 force-level recommendation as it applies to Devon and Cornwall."""
    return TrackedItem.objects.get(
        organisation__slug="devon-and-cornwall", finding__audience="all_forces"
    )


def _progress(client, item, *uploads, narrative=NARRATIVE):
    item.refresh_from_db()
    return client.post(
        reverse("recommendations:item_progress", args=[item.pk]),
        {
            "version": item.version,
            "status": item.status,
            "narrative": narrative,
            "evidence": list(uploads),
        },
    )


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _png() -> bytes:
    """A real 1×1 white PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff"))
        + chunk(b"IEND", b"")
    )


CONTENT_TYPES = b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/"/>'
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
DOCX = _zip(
    {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": b"<Relationships/>",
        "word/document.xml": b"<w:document/>",
    }
)
XLSX = _zip({"[Content_Types].xml": CONTENT_TYPES, "xl/workbook.xml": b"<workbook/>"})
PPTX = _zip({"[Content_Types].xml": CONTENT_TYPES, "ppt/presentation.xml": b"<p/>"})
ODT = _zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"})
ODS = _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"})
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 50 + b"PE\x00\x00"
HTML = b"<!DOCTYPE html>\n<html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


@pytest.mark.parametrize(
    ("name", "content", "claimed"),
    [
        ("minutes.pdf", EXE, "a PDF document (.pdf)"),
        ("minutes.pdf", HTML, "a PDF document (.pdf)"),
        ("chart.png", SVG, "a PNG image (.png)"),
        ("photo.jpg", SVG, "a JPEG image (.jpg)"),
        ("notes.txt", HTML, "a text file (.txt)"),
        ("figures.csv", b"year,count\n2016,3\n" + SVG, "a CSV file (.csv)"),
        ("notes.txt", "Plain words".encode("utf-16"), "a text file (.txt)"),
        ("plan.docx", XLSX, "a Word document (.docx)"),
        ("plan.docx", _zip({"word/document.xml": b"<w/>"}), "a Word document (.docx)"),
        (
            "plan.docx",
            _zip({"[Content_Types].xml": CONTENT_TYPES, "word/vbaProject.bin": b"macro"}),
            "a Word document (.docx)",
        ),
        ("budget.xlsx", DOCX, "an Excel workbook (.xlsx)"),
        ("budget.xlsx", EXE, "an Excel workbook (.xlsx)"),
        ("plan.odt", ODS, "an OpenDocument text (.odt)"),
        ("plan.odt", b"PK\x03\x04 not really a zip", "an OpenDocument text (.odt)"),
    ],
)
def test_it_refuses_a_file_whose_content_is_not_what_its_name_says(
    client, item, dc_editor, settings, name, content, claimed
):
    client.force_login(dc_editor)
    response = _progress(client, item, SimpleUploadedFile(name, content, "application/pdf"))
    page = response.content.decode()
    assert response.status_code == 400
    assert f"“{name}” is named as {claimed} but its content is not one" in page
    assert not Evidence.objects.exists()
    assert item.events.count() == 1
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not any(path.is_file() for path in media.rglob("*"))


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("minutes.pdf", PDF, "application/pdf"),
        ("chart.png", _png(), "image/png"),
        ("photo.jpeg", JPEG, "image/jpeg"),
        (
            "plan.docx",
            DOCX,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("budget.xlsx", XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (
            "briefing.pptx",
            PPTX,
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ),
        ("plan.odt", ODT, "application/vnd.oasis.opendocument.text"),
        ("budget.ods", ODS, "application/vnd.oasis.opendocument.spreadsheet"),
        ("costs.csv", "item,cost\nSurveillance van,£40 000\n".encode(), "text/csv"),
        ("costs.csv", "item,cost\nVan,£40 000 < budget\n".encode("cp1252"), "text/csv"),
        ("notes.txt", "Agreed with the PCC: 3 > 2.\n".encode("utf-8-sig"), "text/plain"),
    ],
)
def test_it_accepts_a_real_file_of_each_type(client, item, dc_editor, name, content, content_type):
    client.force_login(dc_editor)
    response = _progress(client, item, SimpleUploadedFile(name, content, "application/x-what"))
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert (evidence.original_name, evidence.content_type) == (name, content_type)
    assert evidence.file.read() == content


def test_it_keeps_the_narrative_after_a_refusal_and_takes_the_good_file_next(
    client, item, dc_editor
):
    client.force_login(dc_editor)
    refused = _progress(client, item, SimpleUploadedFile("minutes.pdf", EXE))
    assert refused.status_code == 400
    assert f"{NARRATIVE}</textarea>" in refused.content.decode()
    assert not Evidence.objects.exists()

    accepted = _progress(client, item, SimpleUploadedFile("minutes.pdf", PDF))
    assert accepted.status_code == 302
    assert Evidence.objects.get().original_name == "minutes.pdf"
    assert item.events.latest("id").narrative == NARRATIVE


def test_it_shows_the_real_size_of_a_file_just_over_the_limit(client, item, dc_editor, settings):
    settings.EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
    size = 10_527_703  # 10.04 MB: "10.0 MB" to a one-decimal formatter, like the limit
    client.force_login(dc_editor)
    response = _progress(client, item, SimpleUploadedFile("scan.pdf", PDF.ljust(size)))
    page = response.content.decode()
    assert response.status_code == 400
    assert (
        "“scan.pdf” is 10.04\xa0MB (10,527,703 bytes); the limit is 10.0\xa0MB (10,485,760 bytes)."
    ) in page
    assert f"{NARRATIVE}</textarea>" in page
    assert not Evidence.objects.exists()


class _Counting(FileUploadHandler):
    """Stands where Django's memory and temporary-file handlers stand: counts what it is
    handed, as they would store it."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)

    def file_complete(self, file_size):
        return SimpleUploadedFile(self.file_name, b"")


def test_it_stops_storing_a_file_as_soon_as_it_passes_the_limit(settings):
    settings.EVIDENCE_MAX_BYTES = 100 * 1024
    size = 3 * 1024 * 1024
    request = RequestFactory().post(
        "/items/1/progress/",
        {"narrative": NARRATIVE, "evidence": SimpleUploadedFile("scan.pdf", PDF.ljust(size))},
    )
    guard, storage = EvidenceUploadHandler(request), _Counting(request)
    request.upload_handlers = [guard, storage]

    (upload,) = request.FILES.getlist("evidence")
    assert isinstance(upload, OversizedUpload)
    assert (upload.name, upload.size) == ("scan.pdf", size)
    assert storage.received <= settings.EVIDENCE_MAX_BYTES
    assert request.POST["narrative"] == NARRATIVE


def test_it_passes_a_file_within_the_limit_whole(settings):
    settings.EVIDENCE_MAX_BYTES = 100 * 1024
    request = RequestFactory().post(
        "/items/1/progress/", {"evidence": SimpleUploadedFile("scan.pdf", PDF.ljust(100 * 1024))}
    )
    storage = _Counting(request)
    request.upload_handlers = [EvidenceUploadHandler(request), storage]
    (upload,) = request.FILES.getlist("evidence")
    assert not isinstance(upload, OversizedUpload)
    assert storage.received == 100 * 1024
