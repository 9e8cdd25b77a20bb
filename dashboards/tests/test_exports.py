"""The one formula-safe CSV writer (rocu_tracker.spreadsheets) that every export uses, and
the streamed exports written through it from value tuples."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from dashboards import exports, selectors
from recommendations.models import Finding, TrackedItem
from recommendations.tests.factories import InspectionFactory
from rocu_tracker import spreadsheets
from rocu_tracker.people import display_name

from .helpers import make_items


def test_it_writes_every_formula_start_inert_and_leaves_other_values_alone():
    row = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx", "plain", 7, datetime.date(2021, 2, 10)]
    [written] = list(csv.reader(io.StringIO(spreadsheets.csv_line(row))))
    assert written == [
        "'=1+1",
        "'+SUM(A1)",
        "'-2+3",
        "'@cmd",
        "'\tx",
        "'\rx",
        "plain",
        "7",
        "2021-02-10",
    ]
    assert spreadsheets.neutralise(None) is None
    assert spreadsheets.neutralise("'=already inert") == "'=already inert"


def test_it_neutralises_through_the_writer_whatever_the_caller_passes():
    buffer = io.StringIO()
    spreadsheets.csv_writer(buffer).writerows([["=a", "b"], ["c", "@d"]])
    assert buffer.getvalue() == "'=a,b\r\nc,'@d\r\n"


def test_it_has_one_home_for_the_rule():
    assert exports.neutralise is spreadsheets.neutralise
    assert not hasattr(exports, "FORMULA_STARTS")


# --- the streamed exports, through the views -----------------------------------------------

EXPORTS = {"csv": reverse("dashboards:export_csv"), "xlsx": reverse("dashboards:export_xlsx")}


def _rows(response, format: str) -> list[list]:
    body = response.getvalue()
    if format == "csv":
        return [row for row in csv.reader(io.StringIO(body.decode()))][1:]
    sheet = load_workbook(io.BytesIO(body)).active
    return [list(row) for row in sheet.iter_rows(min_row=2, values_only=True)]


def _as_on_the_page(item, today) -> list:
    """What the list shows of an item, from the model instance (the page's way)."""
    finding = item.finding
    return [
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
        None if item.effective_deadline is None else (item.effective_deadline - today).days,
        item.rag.title(),
        display_name(item.owner),
    ]


def _as_csv(cells: list) -> list[str]:
    return ["" if value is None else str(value) for value in cells]


def _as_xlsx(cells: list) -> list:
    def value(cell):
        if cell == "":
            return None
        if isinstance(cell, datetime.date):
            return datetime.datetime.combine(cell, datetime.time())
        return cell

    return [value(cell) for cell in cells]


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def varied_items(organisations, today, dc_editor, dc_lead):
    """Items with every shape of cell: owners with and without a full name, a finding
    known by its summary only, a month deadline, a formula in the text, none at all."""
    dc_editor.first_name, dc_editor.last_name = "Alice", "Ashworth"
    dc_editor.save()
    items = make_items(
        12, organisation=organisations["devon-and-cornwall"], today=today, text="=HYPERLINK(1)"
    )
    TrackedItem.objects.filter(pk=items[1].pk).update(owner=dc_editor)
    TrackedItem.objects.filter(pk=items[2].pk).update(owner=dc_lead)
    Finding.objects.filter(pk=items[3].finding_id).update(text="", summary="A summary")
    Finding.objects.filter(pk=items[4].finding_id).update(text="", summary="")
    Finding.objects.filter(pk=items[5].finding_id).update(deadline_precision="month")
    return items


@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_it_exports_exactly_what_the_list_shows(
    client, board_member, varied_items, organisations, today, format
):
    client.force_login(board_member)
    query = {"organisation": organisations["devon-and-cornwall"].id}
    items = selectors.items_for_dashboard(user=board_member, filters=query, today=today)
    expected = [spreadsheets_row(_as_on_the_page(item, today)) for item in items]
    assert len(expected) > 12
    response = client.get(EXPORTS[format], query)
    assert response.streaming
    assert response["Content-Type"] == exports.FORMATS[format]
    shape = _as_csv if format == "csv" else _as_xlsx
    written = _rows(response, format)
    assert len(written) == len(expected)
    for row, wanted in zip(written, expected, strict=True):
        assert dict(enumerate(row)) == dict(enumerate(shape(wanted)))
    names = {row[13] for row in expected}
    assert {"Alice Ashworth", "bob", ""} <= names


def spreadsheets_row(cells: list) -> list:
    return [spreadsheets.neutralise(cell) for cell in cells]


@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_it_sends_the_first_bytes_before_reading_a_row(
    client, board_member, organisations, today, format
):
    make_items(30, organisation=organisations["devon-and-cornwall"], today=today)
    client.force_login(board_member)
    response = client.get(EXPORTS[format])
    chunks = iter(response.streaming_content)
    with CaptureQueriesContext(connection) as before_first_chunk:
        first = next(chunks)
    assert first
    assert not before_first_chunk.captured_queries
    with CaptureQueriesContext(connection) as rest:
        b"".join(chunks)
    assert len(rest.captured_queries) == 1  # the rows, in one query read in chunks


def _export_queries(client, url) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
        body = response.getvalue()
    assert response.status_code == 200
    return len(context.captured_queries), len(body)


@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_it_runs_the_same_queries_for_1_row_as_for_50(
    client, board_member, organisations, today, format, django_assert_max_num_queries
):
    client.force_login(board_member)
    inspection = InspectionFactory(published_on=today - datetime.timedelta(400))
    url = f"{EXPORTS[format]}?inspection={inspection.pk}"
    make_items(
        1, organisation=organisations["devon-and-cornwall"], today=today, inspection=inspection
    )
    one, small = _export_queries(client, url)
    make_items(
        49, organisation=organisations["devon-and-cornwall"], today=today, inspection=inspection
    )
    fifty, large = _export_queries(client, url)
    assert large > small
    assert one == fifty
    with django_assert_max_num_queries(one):
        client.get(url).getvalue()
