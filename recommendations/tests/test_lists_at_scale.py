"""My work and the admin's list of tracked items at national scale (issue 11): pages by
keyset with no row lost or repeated, queries constant at 1 and 50 rows, the inspection
filter written without a template per option."""

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dashboards.tests.helpers import make_items

pytestmark = pytest.mark.django_db

MY_WORK = reverse("recommendations:my_work")
CHANGELIST = reverse("admin:recommendations_trackeditem_changelist")


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def _next_link(page_html: str) -> str | None:
    found = re.search(r'href="(\?[^"]*)">Next page', page_html)
    return MY_WORK + html.unescape(found.group(1)) if found else None


def test_my_work_pages_every_open_item_once_in_deadline_order(client, dc_editor, organisations):
    make_items(130, organisation=organisations["devon-and-cornwall"], today=timezone.localdate())
    client.force_login(dc_editor)
    listed, url, numbers = [], MY_WORK, []
    while url:
        response = client.get(url)
        page = response.context["page"]
        numbers.append(page.number)
        listed += [item.pk for item in page.object_list]
        url = _next_link(response.content.decode())
    expected = response.context["filter"].qs.in_deadline_order().values_list("pk", flat=True)
    assert listed == list(expected)
    assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) >= 3


def test_my_work_and_its_next_page_cost_the_same_at_1_and_50_items(
    client, dc_editor, organisations
):
    client.force_login(dc_editor)
    today = timezone.localdate()
    make_items(1, organisation=organisations["devon-and-cornwall"], today=today)
    few = _queries(client, MY_WORK)
    make_items(80, organisation=organisations["devon-and-cornwall"], today=today)
    assert _queries(client, MY_WORK) == few
    second = _next_link(client.get(MY_WORK).content.decode())
    assert _queries(client, second) == few


def test_my_work_lists_its_inspections_as_plain_options(client, dc_editor, organisations):
    client.force_login(dc_editor)
    page = client.get(MY_WORK).content.decode()
    select = re.search(r'<select name="inspection"[^>]*>(.*?)</select>', page, re.S)
    assert select and 'id="id_inspection"' in select.group(0)
    assert '<option value="" selected>Any</option>' in select.group(1)
    assert "Regional Organised Crime Units" in select.group(1)


def test_the_admin_list_costs_the_same_at_1_and_50_items(admin_client, organisations):
    today = timezone.localdate()
    make_items(1, organisation=organisations["kent"], today=today)
    few = _queries(admin_client, CHANGELIST)
    make_items(50, organisation=organisations["kent"], today=today)
    assert _queries(admin_client, CHANGELIST) == few
    listed = admin_client.get(CHANGELIST).context["cl"].result_list
    assert [item.pk for item in listed] == sorted((item.pk for item in listed), reverse=True)
