"""A board member's journey in a real browser: the dashboard, the overdue list, the export."""

import csv
import io
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from .helpers import make_items

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_board_member_follows_the_overdue_count_and_exports_it(
    page, live_server, log_in, board_member, organisations
):
    make_items(12, organisation=organisations["devon-and-cornwall"], today=timezone.localdate())
    log_in(page, board_member)
    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", name="Deadline dashboard")).to_be_visible()
    expect(page.locator("canvas[data-chart='chart-timeline']")).to_be_visible()

    overdue = page.get_by_role("link", name=re.compile(r"^\d+ overdue$"))
    count = int(overdue.inner_text().split()[0])
    overdue.click()

    expect(page.get_by_role("heading", name="Tracked items", level=1)).to_be_visible()
    expect(page.locator("#result-count")).to_have_text(f"{count} tracked items")
    # The filter, not the "Deadline" column of the column chooser.
    filters = page.get_by_role("form", name="Filters")
    expect(filters.get_by_label("Deadline", exact=True)).to_have_value("overdue")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download CSV").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    with open(download.path(), encoding="utf-8") as exported:
        rows = list(csv.reader(io.StringIO(exported.read())))
    assert len(rows) == count + 1
    assert rows[0][0] == "Inspection"
