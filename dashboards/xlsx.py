"""A one-sheet XLSX workbook written as it streams: the SpreadsheetML parts in a ZIP that the
standard library's zipfile writes to a sink with no seek (local headers followed by data
descriptors), so the first bytes go out before the first row is read and memory stays
constant however many rows follow.

openpyxl's write-only mode and XlsxWriter's constant_memory mode both write rows as they
come too, but only into a file that is zipped when the workbook closes: the first byte waits
for the last row. Cells are written as inline strings, numbers and dates (a day serial with a
date format); the caller makes text formula-safe first (rocu_tracker.spreadsheets)."""

import datetime
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from xml.sax.saxutils import escape

# Excel keeps at most this many characters in a cell; longer text is cut, not refused.
CELL_MAX_CHARS = 32_767
MAX_ROWS = 1_048_576
# Deflate's fastest level: a national sheet is hundreds of megabytes of repetitive XML, and
# level 1 writes it several times faster than the default for a file about a third larger.
COMPRESS_LEVEL = 1
# Day 0 of Excel's 1900 date system, as it counts after February 1900.
EXCEL_EPOCH = datetime.date(1899, 12, 30)
# XML 1.0 allows no other control characters (and openpyxl, Excel refuse them).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
_OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"

CONTENT_TYPES = (
    f'{_XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{_TYPE}.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_TYPE}.worksheet+xml"/>'
    f'<Override PartName="/xl/styles.xml" ContentType="{_TYPE}.styles+xml"/></Types>'
)
PACKAGE_RELATIONSHIPS = (
    f'{_XML}<Relationships xmlns="{_RELATIONSHIPS}"><Relationship Id="rId1" '
    f'Type="{_OFFICE}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK_RELATIONSHIPS = (
    f'{_XML}<Relationships xmlns="{_RELATIONSHIPS}">'
    f'<Relationship Id="rId1" Type="{_OFFICE}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_OFFICE}/styles" Target="styles.xml"/></Relationships>'
)
# Style 0: plain; 1: a date (yyyy-mm-dd, as the CSV writes it); 2: bold (the header row).
STYLES = (
    f'{_XML}<styleSheet xmlns="{_MAIN}">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
DATE_STYLE, HEADER_STYLE = 1, 2


def _workbook(sheet_name: str) -> str:
    return (
        f'{_XML}<workbook xmlns="{_MAIN}" xmlns:r="{_OFFICE}"><sheets>'
        f'<sheet name="{escape(sheet_name, {chr(34): "&quot;"})}" sheetId="1" r:id="rId1"/>'
        "</sheets></workbook>"
    )


# The header row stays in view while scrolling.
_SHEET_START = (
    f'{_XML}<worksheet xmlns="{_MAIN}"><sheetViews><sheetView workbookViewId="0">'
    '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
    "</sheetView></sheetViews><sheetData>"
)
_SHEET_END = "</sheetData></worksheet>"


def column_letters(index: int) -> str:
    """'A' for 0, 'Z' for 25, 'AA' for 26."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _text(value: str) -> str:
    value = _NOT_XML.sub("", value)[:CELL_MAX_CHARS]
    space = ' xml:space="preserve"' if value != value.strip() else ""
    return f"<is><t{space}>{escape(value)}</t></is>"


def _cell(reference: str, value, style: int = 0) -> str:
    styled = f' s="{style}"' if style else ""
    if value is None or value == "":
        return ""  # an empty cell
    if isinstance(value, str):
        return f'<c r="{reference}" t="inlineStr"{styled}>{_text(value)}</c>'
    if isinstance(value, bool):
        return f'<c r="{reference}" t="b"{styled}><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{reference}"{styled}><v>{value}</v></c>'
    if isinstance(value, datetime.datetime):
        raise TypeError("Write a datetime as text or a date: Excel has no time zones.")
    if isinstance(value, datetime.date):
        days = (value - EXCEL_EPOCH).days
        return f'<c r="{reference}" s="{style or DATE_STYLE}"><v>{days}</v></c>'
    return f'<c r="{reference}" t="inlineStr"{styled}>{_text(str(value))}</c>'


def _row(number: int, values: Sequence, columns: list[str], style: int = 0) -> str:
    cells = "".join(
        _cell(f"{column}{number}", value, style)
        for column, value in zip(columns, values, strict=False)
    )
    return f'<row r="{number}">{cells}</row>'


class _Sink:
    """Where the ZIP is written: it keeps what has been written until it is taken."""

    def __init__(self):
        self._parts: list[bytes] = []

    def write(self, data) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


def workbook_stream(
    sheet_name: str, headers: Sequence[str], rows: Iterable[Sequence], *, flush_rows: int = 2000
) -> Iterator[bytes]:
    """The workbook's bytes, yielded every `flush_rows` rows. At most MAX_ROWS - 1 rows."""
    columns = [column_letters(index) for index in range(len(headers))]
    sink = _Sink()
    with zipfile.ZipFile(
        sink, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL
    ) as archive:
        for name, body in (
            ("[Content_Types].xml", CONTENT_TYPES),
            ("_rels/.rels", PACKAGE_RELATIONSHIPS),
            ("xl/workbook.xml", _workbook(sheet_name)),
            ("xl/_rels/workbook.xml.rels", WORKBOOK_RELATIONSHIPS),
            ("xl/styles.xml", STYLES),
        ):
            archive.writestr(name, body)
        yield sink.take()
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write((_SHEET_START + _row(1, headers, columns, HEADER_STYLE)).encode())
            pending: list[str] = []
            for number, values in enumerate(rows, 2):
                if number > MAX_ROWS:
                    raise ValueError(f"An XLSX sheet holds at most {MAX_ROWS:,} rows.")
                pending.append(_row(number, values, columns))
                if len(pending) == flush_rows:
                    sheet.write("".join(pending).encode())
                    pending.clear()
                    yield sink.take()
            sheet.write(("".join(pending) + _SHEET_END).encode())
    yield sink.take()
