"""The analyst's list and the search in a real browser (Debian's Chromium): by labels and
keyboard, and axe-core at a laptop's 1366 px and a phone's 390 px."""

import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from recommendations import services as item_services
from recommendations.models import TrackedItem

from .helpers import make_items

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(__file__).resolve().parents[2] / "rocu_tracker" / "tests" / "vendor" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_RUN = """async (tags) => (await axe.run(document, {
  runOnly: {type: 'tag', values: tags}, resultTypes: ['violations'],
})).violations.map(v => v.id + ': ' + v.help + ' ' + v.nodes.slice(0, 3).map(
  n => n.target.join(' ')).join(', '))"""
COMPACT = (
    "/dashboards/items/?density=compact&sort=-status&columns=finding&columns=organisation"
    "&columns=status&columns=deadline&columns=rag&columns=owner&columns=updated"
)


@pytest.fixture
def devon_items(organisations, dc_editor):
    devon = organisations["devon-and-cornwall"]
    items = make_items(60, organisation=devon, today=timezone.localdate())
    item = TrackedItem.objects.get(pk=items[0].pk)
    item_services.progress_update_add(
        item=item,
        by=dc_editor,
        expected_version=item.version,
        status=TrackedItem.Status.BEING_PROGRESSED,
        narrative="The regional tasking cell reviews every referral.",
    )
    return items


@pytest.mark.parametrize("width, height", [(1366, 768), (390, 844)])
def test_the_compact_list_search_and_saved_views_pass_axe(
    browser, live_server, log_in, dc_editor, devon_items, width, height
):
    context = browser.new_context(
        viewport={"width": width, "height": height}, bypass_csp=True, base_url=live_server.url
    )
    page = context.new_page()
    log_in(page, dc_editor)
    problems = {}
    for path in [
        COMPACT,
        "/dashboards/items/",
        "/dashboards/search/?q=tasking",
        "/dashboards/search/?q=text&kind=items",
        "/dashboards/items/views/",
    ]:
        page.goto(path)
        page.add_script_tag(path=str(AXE))
        if violations := page.evaluate(AXE_RUN, TAGS):
            problems[path] = violations
    context.close()
    assert not problems


def test_an_analyst_sorts_chooses_columns_saves_a_view_and_searches_by_keyboard(
    page, live_server, log_in, dc_editor, devon_items
):
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(page, dc_editor)
    page.goto(f"{live_server.url}/dashboards/items/")
    status = page.get_by_role("link", name=re.compile(r"^Status\W+sort by status, ascending$"))
    status.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("columnheader", name="Status").first).to_have_attribute(
        "aria-sort", "ascending"
    )

    page.get_by_label("Compact rows").check()
    page.get_by_label("Finding text").uncheck()
    page.get_by_label("Owner").check()
    page.get_by_role("button", name="Apply display").click()
    expect(page.locator("table.table-compact")).to_be_visible()
    expect(page.get_by_role("columnheader", name="Owner")).to_be_visible()
    expect(page.get_by_role("columnheader", name="Finding text")).to_have_count(0)
    assert "sort=status" in page.url and "density=compact" in page.url
    # The point of compact rows: a screenful of them at 1366 x 768, not three.
    rows = page.locator("table tbody tr")
    assert rows.count() == 50
    bottoms = [rows.nth(n).bounding_box() for n in range(50)]
    on_first_screen = [box for box in bottoms if box["y"] + box["height"] <= 768]
    assert len(on_first_screen) >= 12, [box["height"] for box in bottoms[:5]]
    page.get_by_text("Saved views and display").click()

    page.get_by_label("Save this view as").fill("My compact list")
    page.get_by_role("button", name="Save view").click()
    expect(page.get_by_text("Saved the view")).to_be_visible()
    page.get_by_text("Saved views and display").click()  # folded away in compact
    saved = page.get_by_role("link", name="My compact list")
    expect(saved).to_be_visible()
    saved.click()
    expect(page.locator("table.table-compact")).to_be_visible()

    page.get_by_role("link", name="Search", exact=True).click()
    page.get_by_label("Search for").fill("tasking")
    page.get_by_label("Search for").press("Enter")
    result = page.get_by_role("region", name="Progress narratives").get_by_role("link").first
    expect(result).to_be_visible()
    result.click()
    expect(page).to_have_url(f"{live_server.url}/items/{devon_items[0].pk}/")
