"""Importing an inspection's findings from a CSV or XLSX file, all or nothing.

`import_check` reads the whole file and says, for every row, what is wrong with it (row,
column, plain words) or what importing it would do (new, changed, unchanged); it writes
nothing. `findings_import` writes a clean check in one transaction and fans each tracked
finding out when the inspection is already published to the trackers. Each row's finding is
found again by its key (the Key column, else the finding of the same kind and reference, else
one made from its kind and reference: paste.finding_key), so importing the same file twice
changes nothing, and the template, which is also the export of the inspection's findings,
imports back unchanged.

Modelled on inspections/reference_data.py's _Reader: every error says where.
"""

import codecs
import csv
import dataclasses
import datetime
import io
import re
import zipfile
from collections.abc import Iterator

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from organisations.models import Organisation
from recommendations import services as finding_services
from recommendations.models import Finding
from rocu_tracker import deadlines
from rocu_tracker.spreadsheets import FORMULA_STARTS, csv_lines, neutralise

from . import access
from .paste import DeadlineError, deadline_from_words, finding_key

# The columns, in order. Those the dashboards' export also has (dashboards/exports.py
# HEADERS) are named as it names them.
INSPECTION = "Inspection"
KIND = "Kind of finding"
REFERENCE = "Reference"
KEY = "Key"
TEXT = "Finding"
ADDRESSEES_AS_WRITTEN = "Addressees as written"
AUDIENCE = "Audience"
ORGANISATIONS = "Organisations (slugs)"
DEADLINE = "Inspectorate deadline"
PRECISION = "Deadline precision"
COLUMNS = [
    INSPECTION,
    KIND,
    REFERENCE,
    KEY,
    TEXT,
    ADDRESSEES_AS_WRITTEN,
    AUDIENCE,
    ORGANISATIONS,
    DEADLINE,
    PRECISION,
]
REQUIRED = [KIND, REFERENCE, TEXT, DEADLINE]
# What one import takes; a larger file is refused with its size, not read to the end.
MAX_ROWS = 5000
NEW, CHANGED, UNCHANGED = "new", "changed", "unchanged"
COMPARED = [
    "kind",
    "reference",
    "text",
    "addressees_as_written",
    "audience",
    "deadline",
    "deadline_precision",
]


@dataclasses.dataclass(frozen=True)
class Problem:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        if self.column:
            return f"Row {self.row}, column '{self.column}': {self.message}"
        return f"Row {self.row}: {self.message}"


@dataclasses.dataclass
class RowPlan:
    row: int
    key: str
    fields: dict
    addressee_ids: list[int]
    action: str = NEW
    finding_id: int | None = None


@dataclasses.dataclass
class ImportCheck:
    rows: list[RowPlan] = dataclasses.field(default_factory=list)
    problems: list[Problem] = dataclasses.field(default_factory=list)
    ignored_columns: list[str] = dataclasses.field(default_factory=list)

    @property
    def is_clean(self) -> bool:
        return not self.problems

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def new_count(self) -> int:
        return self.count(NEW)

    @property
    def changed_count(self) -> int:
        return self.count(CHANGED)

    @property
    def unchanged_count(self) -> int:
        return self.count(UNCHANGED)


class FileProblem(Exception):
    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


# --- reading the file -------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    """The CSV's text: UTF-8, with or without a byte-order mark; anything else is refused
    with the line and column of the first byte that is not UTF-8."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise FileProblem(
            Problem(1, "", "the file is UTF-16 text; save it as 'CSV UTF-8 (comma delimited)'.")
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line_start = data.rfind(b"\n", 0, error.start) + 1
        row = data.count(b"\n", 0, error.start) + 1
        header = next(csv.reader([data.split(b"\n", 1)[0].decode("utf-8-sig", "replace")]), [])
        before = data[line_start : error.start].decode("utf-8", "replace")
        index = len(next(csv.reader([before]), [""])) - 1 if before else 0
        column = header[index].strip() if index < len(header) else f"number {index + 1}"
        byte = data[error.start]
        raise FileProblem(
            Problem(
                row,
                column,
                f"the file is not UTF-8 text (byte 0x{byte:02x} cannot be read); save it as "
                "'CSV UTF-8 (comma delimited)' and import it again.",
            )
        ) from None


def _csv_rows(data: bytes) -> Iterator[list]:
    yield from csv.reader(io.StringIO(_decode(data), newline=""))


FORMULA = object()  # an XLSX cell holding a formula


def _xlsx_rows(data: bytes) -> Iterator[list]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise FileProblem(
            Problem(1, "", "the file is not an XLSX workbook; save it as .xlsx or as CSV UTF-8.")
        ) from None
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows():
            yield [
                FORMULA if getattr(cell, "data_type", None) == "f" else cell.value for cell in row
            ]
    finally:
        workbook.close()


def _rows(data: bytes, filename: str) -> Iterator[list]:
    if filename.lower().endswith(".xlsx") or data.startswith(b"PK\x03\x04"):
        return _xlsx_rows(data)
    return _csv_rows(data)


# --- one cell ---------------------------------------------------------------------------------


def _text(value, row: int, column: str, problems: list[Problem]) -> str:
    """A cell as text: a formula is refused; the apostrophe an export puts before text that
    a spreadsheet would run (rocu_tracker.spreadsheets) is taken off again."""
    if value is FORMULA:
        problems.append(
            Problem(row, column, "this cell holds a formula; type its value in instead.")
        )
        return ""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()[:10]
    text = str(value).strip()
    if text.startswith("="):
        problems.append(
            Problem(
                row,
                column,
                f"'{text[:40]}' begins with '=', which a spreadsheet runs as a formula; type "
                "its value in instead, or begin it with an apostrophe.",
            )
        )
        return ""
    if text.startswith("'") and text[1:2] and text[1] in FORMULA_STARTS:
        return text[1:]
    return text


def _labels(choices) -> dict[str, str]:
    table = {}
    for value, label in choices:
        table[value.lower()] = value
        table[str(label).lower()] = value
    return table


KINDS = _labels(Finding.Kind.choices)
AUDIENCES = _labels(Finding.Audience.choices)
PRECISIONS = _labels(Finding.DEADLINE_PRECISION_CHOICES)


class _Context:
    """What checking every row needs, read once: organisations, existing findings."""

    def __init__(self, inspection):
        self.inspection = inspection
        self.organisations: dict[str, int] = {}
        for organisation_id, slug, name, short_name in Organisation.objects.values_list(
            "id", "slug", "name", "short_name"
        ):
            for word in (slug, name, short_name):
                if word:
                    self.organisations.setdefault(word.lower(), organisation_id)
        findings = inspection.findings.prefetch_related("addressees")
        self.by_key = {finding.key: finding for finding in findings}
        self.by_reference = {
            (finding.kind, finding.reference): finding
            for finding in self.by_key.values()
            if finding.reference
        }


# --- checking ---------------------------------------------------------------------------------


def import_check(*, inspection, data: bytes, filename: str) -> ImportCheck:
    """Everything wrong with the file, or what importing it would do. Writes nothing."""
    check = ImportCheck()
    try:
        rows = _rows(data, filename)
        header = next(rows, None)
        if header is None:
            check.problems.append(Problem(1, "", "the file is empty."))
            return check
        columns = _columns(header, check)
        if check.problems:
            return check
        context = _Context(inspection)
        seen: dict[str, int] = {}
        count = 1
        for count, values in enumerate(rows, start=2):
            if count > MAX_ROWS + 1:
                continue  # counted, not read
            cells = {
                column: values[index] if index < len(values) else None
                for column, index in columns.items()
            }
            if all(value in (None, "") for value in cells.values()):
                continue
            plan = _row_check(count, cells, context, check.problems)
            if plan is None:
                continue
            if plan.key in seen:
                check.problems.append(
                    Problem(
                        count,
                        REFERENCE if not cells.get(KEY) else KEY,
                        f"the same finding as row {seen[plan.key]} ({_label(plan)}); each "
                        "finding may be in the file once.",
                    )
                )
                continue
            seen[plan.key] = count
            check.rows.append(plan)
        if count > MAX_ROWS + 1:
            check.problems.insert(
                0,
                Problem(
                    MAX_ROWS + 2,
                    "",
                    f"the file has {count - 1:,} rows of findings; import at most "
                    f"{MAX_ROWS:,} at a time (split the file into smaller ones).",
                ),
            )
    except FileProblem as error:
        check.problems.append(error.problem)
    if check.problems:
        check.rows = []
    return check


def _label(plan: RowPlan) -> str:
    return f"{Finding.Kind(plan.fields['kind']).label} {plan.fields['reference'] or plan.key}"


def _columns(header: list, check: ImportCheck) -> dict[str, int]:
    names = [str(name).strip() if name not in (None, FORMULA) else "" for name in header]
    columns = {name: index for index, name in reversed(list(enumerate(names))) if name in COLUMNS}
    for name in REQUIRED:
        if name not in columns:
            check.problems.append(
                Problem(
                    1,
                    name,
                    "this column is missing from the first row (the column headings); the "
                    "template has every column.",
                )
            )
    check.ignored_columns = [name for name in names if name and name not in COLUMNS]
    return columns


def _row_check(row: int, cells: dict, context: _Context, problems: list[Problem]):
    before = len(problems)
    value = {column: _text(cells.get(column), row, column, problems) for column in COLUMNS}
    inspection = context.inspection
    if value[INSPECTION] and value[INSPECTION] not in (inspection.title, inspection.slug):
        problems.append(
            Problem(
                row,
                INSPECTION,
                f"'{value[INSPECTION][:60]}' is another inspection; this file is imported "
                f"into '{inspection.title}' (leave the column blank or use its title).",
            )
        )
    kind = KINDS.get(value[KIND].lower())
    if kind is None:
        known = ", ".join(str(label) for _, label in Finding.Kind.choices)
        problems.append(
            Problem(row, KIND, f"'{value[KIND]}' is not a kind of finding (use one of: {known}).")
        )
    reference = value[REFERENCE]
    if len(reference) > 20:
        problems.append(Problem(row, REFERENCE, "is longer than 20 characters."))
    deadline, precision = _deadline(row, value, inspection, problems)
    audience, addressee_ids = _addressees(row, value, context, problems)
    key = value[KEY]
    if key and not re.fullmatch(r"[-a-zA-Z0-9_]{1,80}", key):
        problems.append(
            Problem(row, KEY, "use letters, digits and hyphens only, at most 80 characters.")
        )
    if len(problems) > before:
        return None
    existing = context.by_key.get(key) if key else context.by_reference.get((kind, reference))
    if not key:
        key = existing.key if existing else finding_key(kind, reference, value[TEXT])
    fields = {
        "kind": kind,
        "reference": reference,
        "text": value[TEXT],
        "addressees_as_written": value[ADDRESSEES_AS_WRITTEN],
        "audience": audience,
        "deadline": deadline,
        "deadline_precision": precision,
    }
    existing = existing or context.by_key.get(key)
    plan = RowPlan(row=row, key=key, fields=fields, addressee_ids=sorted(addressee_ids))
    if existing is not None:
        plan.finding_id = existing.id
        same = (
            all(getattr(existing, name) == fields[name] for name in COMPARED)
            and sorted(organisation.id for organisation in existing.addressees.all())
            == plan.addressee_ids
        )
        plan.action = UNCHANGED if same else CHANGED
    return plan


def _deadline(row, value, inspection, problems):
    try:
        due, precision = deadline_from_words(value[DEADLINE], published_on=inspection.published_on)
        if due is not None:
            deadlines.require_plausible_date(due)
    except DeadlineError as error:
        problems.append(Problem(row, DEADLINE, f"{error}."))
        return None, deadlines.Precision.NONE.value
    except ValidationError as error:
        problems.append(Problem(row, DEADLINE, " ".join(error.messages)))
        return None, deadlines.Precision.NONE.value
    stated = value[PRECISION]
    if stated:
        wanted = PRECISIONS.get(stated.lower())
        if wanted is None:
            problems.append(
                Problem(
                    row,
                    PRECISION,
                    f"'{stated}' is not a precision (use day, month, immediately or none).",
                )
            )
        elif wanted == deadlines.Precision.MONTH and precision == deadlines.Precision.DAY:
            due, precision = deadlines.month_end(due.year, due.month), wanted
        elif wanted != precision:
            problems.append(
                Problem(
                    row,
                    PRECISION,
                    f"says '{stated}' but the deadline '{value[DEADLINE]}' reads as '{precision}'.",
                )
            )
    return due, precision


def _addressees(row, value, context, problems) -> tuple[str, list[int]]:
    ids = []
    for word in re.split(r"[;,\n]", value[ORGANISATIONS]):
        word = word.strip()
        if not word:
            continue
        organisation_id = context.organisations.get(word.lower())
        if organisation_id is None:
            problems.append(
                Problem(
                    row,
                    ORGANISATIONS,
                    f"there is no organisation '{word}' (use the organisations' slugs, such "
                    "as home-office or nca, separated by semicolons).",
                )
            )
        elif organisation_id not in ids:
            ids.append(organisation_id)
    stated = value[AUDIENCE]
    if not stated:
        return (Finding.Audience.NAMED if ids else Finding.Audience.NOT_RECORDED), ids
    audience = AUDIENCES.get(stated.lower())
    if audience is None:
        known = ", ".join(str(label) for _, label in Finding.Audience.choices)
        problems.append(
            Problem(row, AUDIENCE, f"'{stated}' is not an audience (use one of: {known}).")
        )
        return Finding.Audience.NOT_RECORDED, ids
    if audience == Finding.Audience.NAMED and not ids and value[ORGANISATIONS] == "":
        problems.append(
            Problem(
                row,
                ORGANISATIONS,
                "the audience is named bodies but no organisation is named.",
            )
        )
    return audience, ids


# --- writing ----------------------------------------------------------------------------------


@transaction.atomic
def findings_import(*, inspection, check: ImportCheck, by) -> dict[str, int]:
    """Write a clean check: new and changed findings saved, unchanged ones left alone, each
    tracked finding fanned out if the inspection is published. All or nothing."""
    access.require_edit_inspection(by, inspection)
    if not check.is_clean:
        raise ValidationError("The file has problems; nothing was imported.")
    capabilities = {
        finding.id: [capability.id for capability in finding.capabilities.all()]
        for finding in inspection.findings.prefetch_related("capabilities")
    }
    position = (inspection.findings.aggregate(last=Max("position"))["last"] or 0) + 1
    for plan in check.rows:
        if plan.action == UNCHANGED:
            continue
        fields = dict(plan.fields)
        if plan.finding_id is None:
            fields["position"] = position
            position += 1
        _finding_save(
            inspection,
            key=plan.key,
            addressees=plan.addressee_ids,
            capabilities=capabilities.get(plan.finding_id, ()),
            by=by,
            fields=fields,
        )
    return {action: check.count(action) for action in (NEW, CHANGED, UNCHANGED)}


def _finding_save(inspection, *, key, addressees, capabilities, by, fields) -> Finding:
    """Save through the one service; on an inspection published to the trackers it fans the
    finding out (and withdraws items of organisations no longer addressed) itself."""
    return finding_services.finding_upsert(
        inspection=inspection,
        key=key,
        addressees=addressees,
        capabilities=capabilities,
        by=by,
        **fields,
    )


@transaction.atomic
def findings_paste_save(*, inspection, findings: list[dict], by) -> list[Finding]:
    """Save the findings a liaison checked on the paste page (intake_forms.PastedFindingForm's
    cleaned data). A finding of the same kind and reference, or the same key, is updated, so
    saving the same text twice adds nothing; its capabilities and position are kept."""
    access.require_edit_inspection(by, inspection)
    context = _Context(inspection)
    position = (inspection.findings.aggregate(last=Max("position"))["last"] or 0) + 1
    saved = []
    for data in findings:
        fields = {name: data[name] for name in COMPARED}
        key = finding_key(fields["kind"], fields["reference"], fields["text"])
        existing = (
            context.by_reference.get((fields["kind"], fields["reference"]))
            if fields["reference"]
            else None
        ) or context.by_key.get(key)
        if existing is None:
            fields["position"] = position
            position += 1
        saved.append(
            _finding_save(
                inspection,
                key=existing.key if existing else key,
                addressees=[organisation.id for organisation in data["addressees"]],
                capabilities=list(existing.capabilities.all()) if existing else (),
                by=by,
                fields=fields,
            )
        )
    return saved


# --- the template, which is also the export ---------------------------------------------------


def export_rows(inspection) -> Iterator[list]:
    """The column headings, then one row per finding of the inspection: what the import reads
    back unchanged. Text a spreadsheet would run as a formula is made inert."""
    yield list(COLUMNS)
    findings = inspection.findings.order_by("position", "id").prefetch_related("addressees")
    for finding in findings:
        yield [
            neutralise(value)
            for value in (
                inspection.title,
                finding.get_kind_display(),
                finding.reference,
                finding.key,
                finding.text,
                finding.addressees_as_written,
                finding.get_audience_display(),
                "; ".join(sorted(organisation.slug for organisation in finding.addressees.all())),
                "" if finding.deadline is None else finding.deadline_display,
                finding.deadline_precision,
            )
        ]


def export_csv(inspection) -> str:
    return csv_lines(export_rows(inspection))


def export_xlsx(inspection) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Findings")
    for row in export_rows(inspection):
        sheet.append(row)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
