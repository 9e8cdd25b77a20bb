"""Importing findings from CSV and XLSX: every bad file says where and writes nothing; a clean
one is written all at once; the same file twice, or an export, changes nothing."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import Workbook

from inspections import spreadsheet_import as importer
from inspections.models import Inspection
from recommendations.models import Finding, TrackedItem

HEADER = (
    "Kind of finding,Reference,Finding,Addressees as written,Organisations (slugs),"
    "Inspectorate deadline\n"
)
INSPECTION_2021 = "hmicfrs-2021-rocu-inspection"


def _counts():
    return Finding.objects.count(), TrackedItem.objects.count()


def _check(inspection, text: str | bytes, filename="findings.csv"):
    data = text.encode() if isinstance(text, str) else text
    before = _counts()
    check = importer.import_check(inspection=inspection, data=data, filename=filename)
    assert _counts() == before
    return check


def _problems(check):
    return [str(problem) for problem in check.problems]


def test_it_imports_a_clean_file_into_a_draft(draft, liaison):
    text = HEADER + (
        'Recommendation,1,"By 30 June 2026, every police force should act.",'
        "every police force,,30 June 2026\n"
        "Recommendation,2,The Home Office should fund ROCUs.,the Home Office,home-office,"
        "By February 2027\n"
        "Cause of concern,,Funding is not sustainable.,,,\n"
    )
    check = _check(draft, text)
    assert check.is_clean, _problems(check)
    counts = importer.findings_import(inspection=draft, check=check, by=liaison)
    assert counts == {"new": 3, "changed": 0, "unchanged": 0}
    findings = list(draft.findings.order_by("position"))
    assert [f.key for f in findings] == [
        "recommendation-1",
        "recommendation-2",
        "cause-of-concern-funding-is-not-sustainable",
    ]
    assert findings[1].deadline == datetime.date(2027, 2, 28)
    assert findings[1].deadline_precision == "month"
    assert list(findings[1].addressees.values_list("slug", flat=True)) == ["home-office"]
    assert TrackedItem.objects.filter(finding__inspection=draft).count() == 0  # a draft


def test_it_refuses_a_file_with_a_missing_column(draft):
    check = _check(draft, "Kind of finding,Finding,Inspectorate deadline\nRecommendation,x,\n")
    assert _problems(check) == [
        "Row 1, column 'Reference': this column is missing from the first row (the column "
        "headings); the template has every column."
    ]


def test_it_refuses_an_unknown_organisation(draft):
    check = _check(draft, HEADER + "Recommendation,1,Act.,,home-office; kent-pollice,\n")
    assert _problems(check) == [
        "Row 2, column 'Organisations (slugs)': there is no organisation 'kent-pollice' (use the "
        "organisations' slugs, such as home-office or nca, separated by semicolons)."
    ]


def test_it_refuses_31_february(draft):
    check = _check(
        draft, HEADER + "Recommendation,1,Act.,,,\nRecommendation,2,Act.,,,31 February 2022\n"
    )
    assert _problems(check) == [
        "Row 3, column 'Inspectorate deadline': 31 February 2022 is not a date."
    ]
    assert check.rows == []


def test_it_refuses_a_duplicate_reference(draft):
    check = _check(draft, HEADER + "Recommendation,1,Act.,,,\nRecommendation,1,Act again.,,,\n")
    assert _problems(check) == [
        "Row 3, column 'Reference': the same finding as row 2 (Recommendation 1); each finding "
        "may be in the file once."
    ]


def test_it_refuses_10000_rows_without_reading_them(draft):
    rows = "".join(f"Recommendation,{n},Act.,,,\n" for n in range(1, 10_001))
    check = _check(draft, HEADER + rows)
    assert _problems(check) == [
        "Row 5002: the file has 10,000 rows of findings; import at most 5,000 at a time (split "
        "the file into smaller ones)."
    ]


def test_it_refuses_a_formula_in_a_csv(draft):
    check = _check(draft, HEADER + 'Recommendation,1,"=HYPERLINK(""http://x"")",,,\n')
    (problem,) = check.problems
    assert (problem.row, problem.column) == (2, "Finding")
    assert "begins with '=', which a spreadsheet runs as a formula" in problem.message


def test_it_refuses_a_formula_in_an_xlsx(draft):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.strip().split(","))
    sheet.append(["Recommendation", "1", "Act.", "", "", ""])
    sheet.append(["Recommendation", "2", "=A1&B1", "", "", ""])
    output = io.BytesIO()
    workbook.save(output)
    check = _check(draft, output.getvalue(), filename="findings.xlsx")
    assert _problems(check) == [
        "Row 3, column 'Finding': this cell holds a formula; type its value in instead."
    ]


def test_it_refuses_a_csv_that_is_not_utf8(draft):
    data = (HEADER + "Recommendation,1,Caf\u00e9 policing,,,\n").encode("cp1252")
    check = _check(draft, data)
    (problem,) = check.problems
    assert (problem.row, problem.column) == (2, "Finding")
    assert "not UTF-8 text (byte 0xe9" in problem.message
    assert "CSV UTF-8" in problem.message


def test_it_reads_a_utf8_csv_with_a_byte_order_mark(draft):
    data = b"\xef\xbb\xbf" + (HEADER + "Recommendation,1,Caf\u00e9 policing,,,\n").encode()
    check = _check(draft, data)
    assert check.is_clean, _problems(check)
    assert check.rows[0].fields["text"] == "Caf\u00e9 policing"


def test_it_lists_every_problem_of_every_row(draft):
    check = _check(
        draft,
        HEADER + "Recomendation,1,Act.,,,\n" + "Recommendation,2,Act.,,nowhere,By spring 2022\n",
    )
    assert [(p.row, p.column) for p in check.problems] == [
        (2, "Kind of finding"),
        (3, "Inspectorate deadline"),
        (3, "Organisations (slugs)"),
    ]


def test_it_writes_nothing_from_a_file_with_problems(draft, liaison):
    check = _check(draft, HEADER + "Recommendation,1,Act.,,,\nRecommendation,2,Act.,,,31/02/2022\n")
    before = _counts()
    with pytest.raises(ValidationError):
        importer.findings_import(inspection=draft, check=check, by=liaison)
    assert _counts() == before


def test_it_refuses_an_import_by_someone_who_is_not_a_liaison(draft, cambs_editor):
    check = _check(draft, HEADER + "Recommendation,1,Act.,,,\n")
    with pytest.raises(PermissionDenied):
        importer.findings_import(inspection=draft, check=check, by=cambs_editor)
    assert not draft.findings.exists()


def test_it_changes_nothing_when_the_same_file_is_imported_again(draft, liaison):
    text = (
        HEADER
        + "Recommendation,1,Act.,,home-office,By February 2027\nCause of concern,,Money.,,,\n"
    )
    importer.findings_import(inspection=draft, check=_check(draft, text), by=liaison)
    stamps = list(draft.findings.values_list("id", "updated_at"))
    again = _check(draft, text)
    assert (again.new_count, again.changed_count, again.unchanged_count) == (0, 0, 2)
    counts = importer.findings_import(inspection=draft, check=again, by=liaison)
    assert counts == {"new": 0, "changed": 0, "unchanged": 2}
    assert list(draft.findings.values_list("id", "updated_at")) == stamps


def test_it_updates_a_changed_row_in_place(draft, liaison):
    importer.findings_import(
        inspection=draft, check=_check(draft, HEADER + "Recommendation,1,Act.,,,\n"), by=liaison
    )
    check = _check(draft, HEADER + "Recommendation,1,Act now.,,,Immediately\n")
    assert check.changed_count == 1
    importer.findings_import(inspection=draft, check=check, by=liaison)
    finding = draft.findings.get()
    assert (finding.text, finding.deadline, finding.deadline_precision) == (
        "Act now.",
        draft.published_on,
        "immediately",
    )


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_it_imports_an_export_back_unchanged(reference_data, liaison, extension):
    inspection = Inspection.objects.get(slug=INSPECTION_2021)
    data = (
        importer.export_csv(inspection).encode()
        if extension == "csv"
        else importer.export_xlsx(inspection)
    )
    check = _check(inspection, data, filename=f"export.{extension}")
    assert check.is_clean, _problems(check)
    assert check.unchanged_count == inspection.findings.count()
    assert check.new_count == check.changed_count == 0
    stamps = list(inspection.findings.values_list("id", "updated_at"))
    before = _counts()
    importer.findings_import(inspection=inspection, check=check, by=liaison)
    assert _counts() == before
    assert list(inspection.findings.values_list("id", "updated_at")) == stamps


def test_it_keeps_text_an_export_made_inert(draft, liaison):
    finding_text = "-5% funding: forces should plan for it."
    importer.findings_import(
        inspection=draft,
        check=_check(draft, HEADER + f'Recommendation,1,"{finding_text}",,,\n'),
        by=liaison,
    )
    export = importer.export_csv(draft)
    assert f"'{finding_text}" in export
    check = _check(draft, export)
    assert check.unchanged_count == 1, _problems(check)


def test_it_fans_out_to_every_force_on_a_published_inspection(reference_data, liaison):
    inspection = Inspection.objects.get(slug=INSPECTION_2021)
    text = HEADER.replace("Organisations (slugs)", "Audience") + (
        "Recommendation,9,Every force should act.,every force,Every force,By February 2022\n"
    )
    check = _check(inspection, text)
    assert check.is_clean, _problems(check)
    importer.findings_import(inspection=inspection, check=check, by=liaison)
    finding = inspection.findings.get(key="recommendation-9")
    assert finding.tracked_items.count() == 43
