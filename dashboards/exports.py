"""CSV and XLSX of a drill-down list: the same rows as the page, streamed, and every text cell
that a spreadsheet would read as a formula made inert."""

import datetime
import itertools
import tempfile
from collections.abc import Iterable, Iterator

import tablib
from django.db.models import QuerySet
from openpyxl import Workbook

from rocu_tracker import deadlines

HEADERS = [
    "Inspection",
    "Published",
    "Kind of finding",
    "Reference",
    "Finding",
    "Organisation",
    "Status",
    "Blocked by",
    "Inspectorate deadline",
    "Target date",
    "Effective deadline",
    "Days left",
    "RAG",
    "Owner",
]
CHUNK_SIZE = 2000
# A spreadsheet reads a cell that begins with one of these as a formula (OWASP, "CSV
# injection"); tab and carriage return are there because some programs skip them first.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Text that a spreadsheet would run as a formula, made inert with a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def row_for(item, today: datetime.date) -> list:
    finding = item.finding
    return [
        neutralise(value)
        for value in (
            finding.inspection.title,
            finding.inspection.published_on,
            finding.get_kind_display(),
            finding.reference,
            finding.text or finding.summary or "Text not yet recorded",
            item.organisation.name,
            item.get_status_display(),
            item.blocked_by,
            finding.deadline_display,
            item.target_date,
            item.effective_deadline,
            deadlines.days_left(item.effective_deadline, today),
            item.rag.title(),
            (item.owner.get_full_name() or item.owner.get_username()) if item.owner else "",
        )
    ]


def rows(items: QuerySet, today: datetime.date) -> Iterator[list]:
    for item in items.iterator(chunk_size=CHUNK_SIZE):
        yield row_for(item, today)


def _chunks(iterable: Iterable, size: int) -> Iterator[list]:
    iterator = iter(iterable)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def csv_stream(items: QuerySet, today: datetime.date) -> Iterator[str]:
    """The header, then the rows a chunk at a time, each chunk written by tablib."""
    yield tablib.Dataset(headers=HEADERS).export("csv")
    for chunk in _chunks(rows(items, today), CHUNK_SIZE):
        yield tablib.Dataset(*chunk).export("csv")


def xlsx_file(items: QuerySet, today: datetime.date):
    """The workbook in a temporary file, written row by row (openpyxl's write-only mode, so a
    national export does not hold every cell in memory), ready to stream."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Tracked items")
    sheet.append(HEADERS)
    for row in rows(items, today):
        sheet.append(row)
    # FileResponse closes it once sent (and the operating system removes it).
    output = tempfile.TemporaryFile()  # noqa: SIM115
    workbook.save(output)
    output.seek(0)
    return output
