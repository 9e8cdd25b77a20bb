"""The one CSV writer of the project, and the rule every spreadsheet export follows: a text
cell that a spreadsheet would run as a formula is made inert (OWASP, "CSV injection").

Every CSV the project serves is written through `csv_writer` or `csv_line`; the XLSX exports
pass each cell through `neutralise`."""

import csv
import io
from collections.abc import Iterable

# A spreadsheet reads a cell that begins with one of these as a formula; tab and carriage
# return are there because some programs skip them first.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Text that a spreadsheet would run as a formula, made inert with a leading apostrophe.
    Anything else (numbers, dates, None) is returned as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeWriter:
    """A csv.writer whose every text cell is neutralised first."""

    def __init__(self, file, **kwargs):
        self._writer = csv.writer(file, **kwargs)

    def writerow(self, row: Iterable):
        return self._writer.writerow([neutralise(value) for value in row])

    def writerows(self, rows: Iterable[Iterable]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(file, **kwargs) -> SafeWriter:
    """A formula-safe CSV writer on `file` (anything with write(), an HttpResponse too)."""
    return SafeWriter(file, **kwargs)


def csv_lines(rows: Iterable[Iterable]) -> str:
    """Rows as formula-safe CSV text, for a streamed response to yield a chunk at a time."""
    buffer = io.StringIO()
    csv_writer(buffer).writerows(rows)
    return buffer.getvalue()


def csv_line(row: Iterable) -> str:
    """One row as a formula-safe CSV line, its line ending included."""
    return csv_lines([row])
