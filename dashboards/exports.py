"""CSV and XLSX of a drill-down list: the same rows as the page, streamed, and every text cell
that a spreadsheet would read as a formula made inert (rocu_tracker.spreadsheets)."""

import datetime
import itertools
import tempfile
from collections.abc import Iterable, Iterator

from django.db.models import QuerySet
from openpyxl import Workbook

from rocu_tracker import deadlines
from rocu_tracker.people import display_name
from rocu_tracker.spreadsheets import csv_line, csv_lines, neutralise

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


def row_for(item, today: datetime.date) -> list:
    finding = item.finding
    return [
        neutralise(value)
        for value in (
            finding.inspection.title,
            finding.inspection.published_on,
            finding.get_kind_display(),
            finding.reference,
            finding.display_text,
            item.organisation.name,
            item.get_status_display(),
            item.blocked_by,
            finding.deadline_display,
            item.target_date,
            item.effective_deadline,
            deadlines.days_left(item.effective_deadline, today),
            item.rag.title(),
            display_name(item.owner),
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
    """The header, then the rows a chunk at a time, each chunk written by the project's one
    CSV writer."""
    yield csv_line(HEADERS)
    for chunk in _chunks(rows(items, today), CHUNK_SIZE):
        yield csv_lines(chunk)


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
