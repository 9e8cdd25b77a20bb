"""The journey in a real browser, by labels: Devon and Cornwall's editor writes a public
update, its lead publishes the inspection, and a visitor who is not signed in reads it; then
the South West ROCU's editor records how the region delivers a capability."""

import re

import pytest
from playwright.sync_api import expect

from conftest import _member
from organisations.models import Membership
from recommendations.models import Finding, TrackedItem

pytestmark = pytest.mark.django_db(transaction=True)

INSPECTION_2015 = "hmic-2015-rocu-review"


def test_the_force_publishes_its_progress_and_the_public_reads_it(
    page, browser, live_server, log_in, dc_editor, dc_lead
):
    item = TrackedItem.objects.get(
        finding__inspection__slug=INSPECTION_2015,
        finding__audience=Finding.Audience.ALL_FORCES,
        organisation__slug="devon-and-cornwall",
    )
    public_page = f"{live_server.url}/public/devon-and-cornwall/{INSPECTION_2015}/"
    visitor = browser.new_context().new_page()
    assert visitor.goto(public_page).status == 404

    log_in(page, dc_editor)
    page.goto(f"{live_server.url}/public/")
    page.get_by_role("link", name="Choose what Devon and Cornwall Police publishes").click()
    page.get_by_role("link", name=re.compile("A review of capability and effectiveness")).click()
    page.get_by_label("Public update on").fill("The action plan is published.")
    page.get_by_role("button", name=re.compile("Save the public update")).click()
    expect(page.get_by_text(re.compile("^Public update on .* saved."))).to_be_visible()
    expect(page.locator(f"#item-{item.pk}")).to_contain_text("The action plan is published.")

    page.context.clear_cookies()
    log_in(page, dc_lead)
    page.goto(f"{live_server.url}/public/manage/devon-and-cornwall/")
    page.get_by_role("button", name=re.compile("^Publish progress on")).click()
    expect(page.get_by_text(re.compile("is now published"))).to_be_visible()

    visitor.goto(public_page)
    table = visitor.get_by_role("table")
    expect(table).to_contain_text("The action plan is published.")
    expect(table).not_to_contain_text("Devon and Cornwall Editor")
    expect(visitor.get_by_role("link", name="CSV")).to_be_visible()


def test_the_regions_editor_records_a_capability_by_labels(
    page, live_server, log_in, django_user_model, organisations
):
    editor = _member(django_user_model, "sam", organisations["swrocu"], Membership.Role.EDITOR)
    log_in(page, editor)
    page.goto(f"{live_server.url}/dashboards/capabilities/")
    page.get_by_role("link", name=re.compile(r"^History of .* in South West")).first.click()
    page.get_by_label("Delivered through another region").check()
    page.get_by_label("Note").fill("Shared with the Eastern region.")
    page.get_by_role("button", name="Record the delivery").click()
    expect(page.get_by_text("Choose the region that delivers it.").first).to_be_visible()
    expect(page.get_by_label("Note")).to_have_value("Shared with the Eastern region.")
    page.get_by_label("Through which region").select_option(
        label="Eastern Region Special Operations Unit"
    )
    page.get_by_role("button", name="Record the delivery").click()
    expect(page.get_by_text(re.compile("^Delivery of .* recorded."))).to_be_visible()
    expect(page.get_by_role("table")).to_contain_text("Delivered through another region")
