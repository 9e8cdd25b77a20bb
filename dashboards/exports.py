"""CSV and XLSX of a drill-down list: the same rows as the page, written from value tuples
(the joins done in SQL) and streamed, every text cell that a spreadsheet would read as a
formula made inert (rocu_tracker.spreadsheets). An export past EXPORT_INLINE_ROW_LIMIT rows
is written by a Celery job instead (services.export_job_request)."""

import datetime
import itertools
from collections.abc import Callable, Iterable, Iterator

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from rocu_tracker import deadlines
from rocu_tracker.spreadsheets import csv_line, csv_lines, neutralise

from . import wording, xlsx
from .listing import Shape

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
# Offered only when the list's columns are chosen (listing.Shape): an export without a
# choice keeps HEADERS, as it always had.
EXTRA_HEADERS = ["Last update"]
ALL_HEADERS = HEADERS + EXTRA_HEADERS
COLUMNS = (
    "finding__inspection__title",
    "finding__inspection__published_on",
    "finding__kind",
    "finding__reference",
    "finding__text",
    "finding__summary",
    "organisation__name",
    "status",
    "blocked_by",
    "finding__deadline",
    "finding__deadline_precision",
    "target_date",
    "effective_deadline",
    "rag",
    "updated_at",
    *wording.OWNER_FIELDS,
)
CHUNK_SIZE = 2000
SHEET_NAME = "Tracked items"
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def inline_row_limit() -> int:
    return settings.EXPORT_INLINE_ROW_LIMIT


def is_past_inline_limit(items: QuerySet) -> bool:
    """Whether the list has more rows than a web request writes: a count that stops at the
    limit, so asking costs the same for 20,001 rows as for 250,000."""
    limit = inline_row_limit()
    return items.order_by()[: limit + 1].count() > limit


def value_rows(items: QuerySet) -> Iterator[tuple]:
    """The list's rows as value tuples of COLUMNS, in its order, read in chunks."""
    return items.values_list(*COLUMNS).iterator(chunk_size=CHUNK_SIZE)


def headers_for(shape: Shape | None) -> list[str]:
    """The headers of the columns the list shows, or HEADERS when it chooses none."""
    if shape is None or shape.chosen is None:
        return HEADERS
    return shape.export_headers(ALL_HEADERS)


def row_cells(today: datetime.date, shape: Shape | None = None) -> Callable[[tuple], list]:
    """A function from a value tuple to the export's cells, as the list shows them (not
    yet formula-safe: each writer makes them so): those of headers_for(shape)."""
    owner_name = wording.OwnerNames()
    picked = [ALL_HEADERS.index(header) for header in headers_for(shape)]

    def every_cell(row: tuple) -> list:
        (
            title, published_on, kind, reference, text, summary, organisation, status,
            blocked_by, deadline, precision, target_date, effective_deadline, rag,
            updated_at, *owner,
        ) = row  # fmt: skip
        return [
            title,
            published_on,
            wording.KIND_LABELS.get(kind, kind),
            reference,
            wording.finding_text(text, summary),
            organisation,
            wording.STATUS_LABELS.get(status, status),
            blocked_by,
            deadlines.format_deadline(deadline, precision),
            target_date,
            effective_deadline,
            deadlines.days_left(effective_deadline, today),
            rag.title(),
            owner_name(*owner),
            timezone.localtime(updated_at).date(),
        ]

    def cells(row: tuple) -> list:
        every = every_cell(row)
        return [every[index] for index in picked]

    return cells


def _chunks(iterable: Iterable, size: int) -> Iterator[list]:
    iterator = iter(iterable)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def csv_stream(
    rows: Iterable[tuple],
    today: datetime.date,
    *,
    progress: Callable[[int], None] | None = None,
    shape: Shape | None = None,
) -> Iterator[str]:
    """The header, then the rows a chunk at a time, each chunk written by the project's one
    CSV writer (which makes every cell formula-safe). `progress(rows_so_far)` is told after
    each chunk."""
    yield csv_line(headers_for(shape))
    cells = row_cells(today, shape)
    written = 0
    for chunk in _chunks(rows, CHUNK_SIZE):
        yield csv_lines(map(cells, chunk))
        written += len(chunk)
        if progress:
            progress(written)


def xlsx_stream(
    rows: Iterable[tuple],
    today: datetime.date,
    *,
    progress: Callable[[int], None] | None = None,
    shape: Shape | None = None,
) -> Iterator[bytes]:
    """The workbook's bytes as they are written (dashboards.xlsx), one sheet of the rows,
    every cell formula-safe."""
    cells = row_cells(today, shape)

    def safe_cells(row: tuple) -> list:
        return [neutralise(value) for value in cells(row)]

    counted = _counting(map(safe_cells, rows), progress)
    return xlsx.workbook_stream(SHEET_NAME, headers_for(shape), counted, flush_rows=CHUNK_SIZE)


def _counting(rows: Iterable, progress: Callable[[int], None] | None) -> Iterator:
    written = 0
    for row in rows:
        yield row
        written += 1
        if progress and written % CHUNK_SIZE == 0:
            progress(written)
    if progress:
        progress(written)


def stream(
    format: str,
    rows: Iterable[tuple],
    today: datetime.date,
    *,
    progress: Callable[[int], None] | None = None,
    shape: Shape | None = None,
) -> Iterator[str | bytes]:
    """The export in `format`, with the columns `shape` shows (every column without one)."""
    writer = {"csv": csv_stream, "xlsx": xlsx_stream}[format]
    return writer(rows, today, progress=progress, shape=shape)


def file_name(today: datetime.date, format: str) -> str:
    return f"rocu-tracked-items-{today:%Y-%m-%d}.{format}"
