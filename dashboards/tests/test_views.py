import csv
import datetime
import html
import io
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from recommendations.models import TrackedItem

from .helpers import links_to, make_items, table_rows

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("dashboards:dashboard")
ITEMS = reverse("dashboards:items")


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def region_items(organisations, today):
    """Items at a South West force, the South West region itself, and an outsider force."""
    return {
        "dc": make_items(60, organisation=organisations["devon-and-cornwall"], today=today),
        "region": make_items(8, organisation=organisations["swrocu"], today=today),
        "cambs": make_items(9, organisation=organisations["cambridgeshire"], today=today),
    }


def _csv_rows(client, query: str) -> list[list[str]]:
    response = client.get(reverse("dashboards:export_csv") + query)
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))[1:]


def _number(text: str) -> int:
    return int(re.search(r"\d+", text).group())


@pytest.mark.parametrize("scope", ["", "?region={swrocu}", "?kind=recommendation"])
def test_it_links_every_count_to_a_list_of_exactly_that_many_rows(
    client, board_member, region_items, organisations, scope
):
    client.force_login(board_member)
    html = client.get(DASHBOARD + scope.format(swrocu=organisations["swrocu"].id)).content.decode()
    links = links_to(html, ITEMS + "?")
    assert len(links) > 30
    for href, text in links:
        count = _number(text)
        page = client.get(href)
        assert page.context["page_obj"].count == count, href
        assert table_rows(page.content.decode()) == min(count, 50), href
        assert len(_csv_rows(client, href[len(ITEMS) :])) == count, href


def test_it_counts_only_what_the_board_member_may_see(client, board_member, region_items):
    client.force_login(board_member)
    board = client.get(DASHBOARD).context["board"]
    visible = TrackedItem.objects.visible_to(board_member)
    assert board.total == visible.count()
    assert not visible.filter(organisation__slug="cambridgeshire").exists()
    names = {row["name"] for row in board.by_organisation}
    assert "Cambridgeshire Constabulary" not in names
    assert "Devon and Cornwall Police" in names


def test_it_shows_the_outsider_only_their_own_force(client, cambs_editor, region_items):
    client.force_login(cambs_editor)
    board = client.get(DASHBOARD).context["board"]
    assert {row["name"] for row in board.by_organisation} == {"Cambridgeshire Constabulary"}
    page = client.get(ITEMS, {"organisation": region_items["dc"][0].organisation_id})
    assert page.context["page_obj"].count == 0


def test_it_sends_anonymous_visitors_to_sign_in(client):
    for name in ["dashboard", "items", "export_csv", "board_paper", "capability_matrix"]:
        response = client.get(reverse(f"dashboards:{name}"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def _queries(client, url) -> int:
    """The queries of a request from a cold cache (the dashboard keeps what it may)."""
    cache.clear()
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def test_it_runs_the_same_number_of_queries_for_10_items_as_for_5000(
    client, board_member, organisations, today
):
    """The acceptance's 10 against 5,000 items (the benchmark in bench/ runs 250,000)."""
    client.force_login(board_member)
    make_items(60, organisation=organisations["devon-and-cornwall"], today=today)
    few = _queries(client, DASHBOARD), _queries(client, ITEMS), _queries(client, _next(client))
    make_items(4_940, organisation=organisations["avon-and-somerset"], today=today)
    many = _queries(client, DASHBOARD), _queries(client, ITEMS), _queries(client, _next(client))
    assert few == many


def _next(client, url=ITEMS) -> str:
    """The address of the list's "Next page" link."""
    [(href, _)] = [
        link for link in links_to(client.get(url).content.decode(), "?") if "Next" in link[1]
    ]
    return url.split("?")[0] + html.unescape(href)


def _pages(client, url) -> list[list]:
    """Every page of the list, following its "Next page" links."""
    pages = []
    while url:
        response = client.get(url)
        pages.append(list(response.context["page_obj"].object_list))
        nexts = [h for h, text in links_to(response.content.decode(), "?") if "Next" in text]
        url = ITEMS + html.unescape(nexts[0]) if nexts else None
    return pages


def test_it_pages_by_keyset_without_losing_or_repeating_a_row(
    client, board_member, organisations, today
):
    """Many items share each deadline (ties broken by id), some have none (last): the
    pages hold every item once, in the order of the whole list."""
    client.force_login(board_member)
    make_items(130, organisation=organisations["devon-and-cornwall"], today=today)
    make_items(40, organisation=organisations["swrocu"], today=today)
    pages = _pages(client, ITEMS)
    whole = list(
        TrackedItem.objects.visible_to(board_member)
        .in_deadline_order()
        .values_list("pk", flat=True)
    )
    assert len(pages) == len(whole) // 50 + 1 >= 4
    assert all(len(page) == 50 for page in pages[:-1])
    assert [item.pk for page in pages for item in page] == whole
    second = pages[1]
    last_of_first = pages[0][-1]
    assert (second[0].effective_deadline or datetime.date.max, second[0].pk) > (
        last_of_first.effective_deadline or datetime.date.max,
        last_of_first.pk,
    )


def test_it_goes_back_a_page_to_the_same_rows(client, board_member, organisations, today):
    client.force_login(board_member)
    make_items(300, organisation=organisations["devon-and-cornwall"], today=today)
    first = client.get(ITEMS, {"state": "open"})
    second = client.get(_next(client, ITEMS + "?state=open"))
    third = client.get(_next(client, second.wsgi_request.get_full_path()))
    assert third.context["page_obj"].number == 3
    html_text = third.content.decode()
    [back] = [h for h, text in links_to(html_text, "?") if "Previous" in text]
    again = client.get(ITEMS + html.unescape(back))
    assert again.context["page_obj"].number == 2
    assert again.context["page_obj"].object_list == second.context["page_obj"].object_list
    [back] = [h for h, t in links_to(again.content.decode(), "?") if "Previous" in t]
    start = client.get(ITEMS + html.unescape(back))
    assert start.context["page_obj"].object_list == first.context["page_obj"].object_list
    assert not start.context["page_obj"].has_previous
    assert "state=open" in back


def test_it_gives_page_one_for_a_key_that_does_not_parse(client, board_member, region_items):
    client.force_login(board_member)
    response = client.get(ITEMS, {"after": "yesterday.x", "page": "7"})
    assert response.status_code == 200
    assert response.context["page_obj"].number == 1


def test_it_keeps_the_filters_in_the_address(client, board_member, region_items, organisations):
    client.force_login(board_member)
    dc = organisations["devon-and-cornwall"]
    response = client.get(ITEMS, {"organisation": dc.id, "status": ["complete"], "rag": "green"})
    assert response.context["filterset"].form.cleaned_data["organisation"] == dc
    items = response.context["page_obj"].object_list
    # The page's rows are named tuples of listing.ROW_FIELDS.
    assert items and all(
        item.status == "complete" and item.organisation_id == dc.id for item in items
    )
    html = response.content.decode()
    assert f"export.csv?organisation={dc.id}&amp;status=complete&amp;rag=green" in html


def test_it_says_when_the_filters_cannot_be_applied(client, board_member):
    client.force_login(board_member)
    response = client.get(ITEMS, {"deadline_after": "2026-02-01", "deadline_before": "2026-01-01"})
    assert response.context["page_obj"] is None
    assert "The end of the deadline range is before its start." in response.content.decode()
    assert client.get(reverse("dashboards:export_csv"), {"status": "nonsense"}).status_code == 400


def test_it_exports_the_same_rows_as_the_page_in_csv_and_xlsx(
    client, board_member, region_items, organisations
):
    client.force_login(board_member)
    query = {"organisation": organisations["devon-and-cornwall"].id, "state": "open"}
    page = client.get(ITEMS, query)
    on_page = [item.finding__text for item in page.context["page_obj"].object_list]
    csv_rows = _csv_rows(client, "?" + page.wsgi_request.GET.urlencode())
    assert [row[4] for row in csv_rows] == on_page
    response = client.get(reverse("dashboards:export_xlsx"), query)
    assert response["Content-Disposition"].startswith("attachment")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert [row[4] for row in sheet.iter_rows(min_row=2, values_only=True)] == on_page


def test_it_makes_formulas_inert_in_both_exports(client, board_member, organisations, today):
    client.force_login(board_member)
    [item] = make_items(
        1, organisation=organisations["devon-and-cornwall"], today=today, text="=1+1"
    )
    TrackedItem.objects.filter(pk=item.pk).update(blocked_by="@SUM(A1)")
    query = f"?inspection={item.finding.inspection_id}"
    [row] = _csv_rows(client, query)
    assert row[4] == "'=1+1 0"
    assert row[7] == "'@SUM(A1)"
    response = client.get(reverse("dashboards:export_xlsx") + query)
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    cells = next(workbook.active.iter_rows(min_row=2))
    assert cells[4].value == "'=1+1 0"
    assert cells[4].data_type == "s"
    assert cells[7].value == "'@SUM(A1)"


def test_it_draws_the_charts_from_json_with_no_inline_script(client, board_member, region_items):
    client.force_login(board_member)
    html = client.get(DASHBOARD).content.decode()
    for chart in ["chart-status-by-organisation", "chart-timeline", "chart-ageing"]:
        assert f'<script id="{chart}" type="application/json">' in html
        assert f'data-chart="{chart}"' in html
    scripts = re.findall(r"<script(?![^>]*(?:src=|application/json))[^>]*>", html)
    assert scripts == []
    assert "vendor/chart.js-4.6.1/chart.umd.min.js" in html


def test_it_shows_an_empty_dashboard_plainly(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("nobody"))
    html = client.get(DASHBOARD).content.decode()
    assert "0 tracked items you may see" in html
    assert "No tracked items to count." in html
    assert client.get(ITEMS).content.decode().count("No tracked items match these filters.") == 1
