"""The drill-down list's shape in its URL: sortable columns paged by keyset in every order,
a choice of columns, compact density, and exports of exactly what the page shows."""

import csv
import datetime
import html
import io
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dashboards import listing, tasks
from dashboards.models import ExportJob
from recommendations.models import TrackedItem

from .helpers import links_to, make_items

pytestmark = pytest.mark.django_db

ITEMS = reverse("dashboards:items")
CSV = reverse("dashboards:export_csv")


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def many_items(organisations, today):
    """170 items over three organisations, with ties on every sort column (statuses repeat,
    references repeat across organisations, deadlines repeat, some have none)."""
    items = make_items(90, organisation=organisations["devon-and-cornwall"], today=today)
    items += make_items(50, organisation=organisations["swrocu"], today=today)
    items += make_items(30, organisation=organisations["avon-and-somerset"], today=today)
    # Updated at a few distinct moments, many sharing one.
    moment = timezone.now() - datetime.timedelta(days=3)
    for number, item in enumerate(items):
        TrackedItem.objects.filter(pk=item.pk).update(
            updated_at=moment + datetime.timedelta(hours=number % 4)
        )
    return items


def _python_order(user, sort: str) -> list[int]:
    """The whole list's ids in the order `sort` asks for, sorted here rather than by SQL."""
    descending = sort.startswith("-")
    key = {
        "deadline": lambda i: i.effective_deadline or datetime.date.max,
        "status": lambda i: i.status,
        "organisation": lambda i: i.organisation.name,
        "reference": lambda i: i.finding.reference,
        "updated": lambda i: i.updated_at,
    }[sort.removeprefix("-")]
    items = TrackedItem.objects.visible_to(user).select_related("organisation", "finding")
    ordered = sorted(items, key=lambda i: (key(i), i.pk), reverse=descending)
    return [item.pk for item in ordered]


def _walk(client, url: str) -> list[list[int]]:
    """Every page of the list from `url`, following its "Next page" links."""
    pages = []
    while url:
        response = client.get(url)
        assert response.status_code == 200
        pages.append([item.pk for item in response.context["page_obj"].object_list])
        nexts = [h for h, text in links_to(response.content.decode(), "?") if "Next" in text]
        url = ITEMS + html.unescape(nexts[0]) if nexts else None
    return pages


@pytest.mark.parametrize(
    "sort",
    ["status", "-status", "organisation", "-organisation", "reference", "updated", "-updated"]
    + ["-deadline", "deadline"],
)
def test_it_pages_every_sort_by_keyset_without_losing_or_repeating_a_row(
    client, board_member, many_items, sort
):
    client.force_login(board_member)
    pages = _walk(client, f"{ITEMS}?sort={sort}")
    assert len(pages) >= 4
    assert [pk for page in pages for pk in page] == _python_order(board_member, sort)


def test_it_goes_back_a_page_to_the_same_rows_in_another_sort(client, board_member, many_items):
    client.force_login(board_member)
    first = client.get(ITEMS, {"sort": "-organisation"})
    [(href, _)] = [link for link in links_to(first.content.decode(), "?") if "Next" in link[1]]
    second = client.get(ITEMS + html.unescape(href))
    [(back, _)] = [link for link in links_to(second.content.decode(), "?") if "Previous" in link[1]]
    again = client.get(ITEMS + html.unescape(back))
    assert again.context["page_obj"].object_list == first.context["page_obj"].object_list
    assert "sort=-organisation" in back


def test_it_gives_page_one_for_a_sort_key_that_does_not_parse(client, board_member, many_items):
    client.force_login(board_member)
    response = client.get(ITEMS, {"sort": "updated", "after": "not-a-time.12", "page": "4"})
    assert response.context["page_obj"].number == 1
    response = client.get(ITEMS, {"sort": "nonsense"})
    assert response.context["shape"].sort == "deadline"


def test_it_marks_the_sorted_column_and_offers_the_other_direction(
    client, board_member, many_items
):
    client.force_login(board_member)
    page = client.get(ITEMS, {"sort": "status", "state": "open"}).content.decode()
    assert page.count("aria-sort=") == 1
    assert 'aria-sort="ascending"' in page
    status_links = [(h, t) for h, t in links_to(page, "?") if t.startswith("Status")]
    [(href, text)] = status_links
    assert "sort=-status" in html.unescape(href) and "state=open" in html.unescape(href)
    assert "sort by status, descending" in text
    page = client.get(ITEMS, {"sort": "-status"}).content.decode()
    assert 'aria-sort="descending"' in page


def test_it_shows_only_the_chosen_columns_and_remembers_them_in_the_url(
    client, board_member, many_items
):
    client.force_login(board_member)
    response = client.get(
        ITEMS, {"columns": ["finding", "owner", "status"], "sort": "-status", "state": "open"}
    )
    page = response.content.decode()
    headers = [header["label"] for header in response.context["headers"]]
    assert headers == ["Finding", "Status", "Owner"]
    assert '<th scope="col">RAG</th>' not in page
    assert 'value="owner" id="column-owner" checked' in page
    assert 'value="rag" id="column-rag">' in page
    # The sort links and the pages keep the columns and the filters.
    [(href, _)] = [link for link in links_to(page, "?") if "Next" in link[1]]
    assert {"columns=owner", "columns=status", "sort=-status", "state=open"} <= set(
        html.unescape(href).lstrip("?").split("&")
    )


def test_it_has_the_default_columns_without_a_choice(client, board_member, many_items):
    client.force_login(board_member)
    response = client.get(ITEMS)
    assert response.context["shape"].columns == listing.DEFAULT_COLUMNS
    assert [h["label"] for h in response.context["headers"]][:3] == [
        "Finding",
        "Inspection",
        "Finding text",
    ]


def test_it_makes_the_rows_compact_and_keeps_the_filter_form_shut(client, board_member, many_items):
    client.force_login(board_member)
    compact = client.get(ITEMS, {"density": "compact"}).content.decode()
    assert "table-compact" in compact
    assert '<details class="card card-body mb-3">' in compact
    assert 'id="density-compact" checked' in compact
    roomy = client.get(ITEMS).content.decode()
    assert "table-compact" not in roomy
    assert '<details class="card card-body mb-3" open>' in roomy


def test_it_writes_no_button_with_an_empty_name(client, board_member, many_items):
    client.force_login(board_member)
    assert 'name=""' not in client.get(ITEMS).content.decode()
    assert 'name=""' not in client.get(reverse("dashboards:dashboard")).content.decode()


def _csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.getvalue().decode())))


SHOWN = {"columns": ["finding", "organisation", "status", "updated"], "sort": "-organisation"}


def test_it_exports_the_rows_columns_and_order_the_page_shows(client, board_member, many_items):
    client.force_login(board_member)
    query = {**SHOWN, "state": "open"}
    shown = [pk for page in _walk(client, f"{ITEMS}?{_encode(query)}") for pk in page]
    header, *rows = _csv_rows(client.get(CSV, query))
    assert header == ["Kind of finding", "Reference", "Organisation", "Status", "Blocked by"] + [
        "Last update"
    ]
    items = TrackedItem.objects.in_bulk(shown)
    expected = [
        [
            items[pk].finding.get_kind_display(),
            items[pk].finding.reference,
            items[pk].organisation.name,
            items[pk].get_status_display(),
            items[pk].blocked_by,
            timezone.localtime(items[pk].updated_at).date().isoformat(),
        ]
        for pk in shown
    ]
    assert rows == expected


def test_it_exports_every_column_without_a_choice_as_before(client, board_member, many_items):
    client.force_login(board_member)
    header, *_ = _csv_rows(client.get(CSV))
    assert header[0] == "Inspection" and header[-1] == "Owner"
    assert "Last update" not in header


def test_an_export_job_writes_what_the_inline_export_writes(
    client, board_member, many_items, settings
):
    """Past the inline limit the job writes the same file: filters, sort and columns."""
    client.force_login(board_member)
    query = {**SHOWN, "state": "open"}
    inline = client.get(CSV, query).getvalue().decode()
    settings.EXPORT_INLINE_ROW_LIMIT = 10
    response = client.get(CSV, query)
    job = ExportJob.objects.get()
    assert response.url == reverse("dashboards:export_job", args=[job.pk])
    assert "sort=-organisation" in job.query
    assert tasks.run_export_job(str(job.pk)) is True
    job.refresh_from_db()
    assert job.file.open("rb").read().decode() == inline
    # Another shape of the same filters is another job, not the one under way.
    client.get(CSV, {**query, "sort": "status"})
    assert ExportJob.objects.count() == 2


def _encode(query: dict) -> str:
    return urlencode(query, doseq=True)


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize(
    "query",
    [
        "",
        "density=compact&sort=-organisation&columns=finding&"
        + "&".join(f"columns={column.key}" for column in listing.CHOOSABLE),
        "sort=updated&state=open",
    ],
)
def test_it_runs_as_many_queries_for_1_item_as_for_50(
    client, dc_editor, organisations, today, query
):
    client.force_login(dc_editor)
    devon = organisations["devon-and-cornwall"]
    [one] = make_items(1, organisation=devon, today=today)
    TrackedItem.objects.filter(pk=one.pk).update(owner=dc_editor, status="being_progressed")
    url = f"{ITEMS}?{query}"
    few = _queries(client, url)
    items = make_items(49, organisation=devon, today=today)
    TrackedItem.objects.filter(pk__in=[i.pk for i in items]).update(
        owner=dc_editor, status="being_progressed"
    )
    assert _queries(client, url) == few
