"""The journey of issue 3 in Debian's Chromium, finding things as a screen reader would."""

import re

import pytest
from playwright.sync_api import expect

from recommendations.models import TrackedItem

pytestmark = pytest.mark.django_db(transaction=True)

RECOMMENDATION = re.compile(
    r"every police force in England and Wales should publish an action plan"
)


def test_an_editor_proposes_completion_and_the_lead_signs_it_off(
    page, live_server, log_in, dc_editor, dc_lead, cambs_editor, tmp_path
):
    evidence = tmp_path / "action-plan.pdf"
    evidence.write_bytes(b"%PDF-1.4 Devon and Cornwall action plan")

    log_in(page, dc_editor)
    expect(page.get_by_role("heading", name="My work")).to_be_visible()
    page.get_by_role("link", name=RECOMMENDATION).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Devon and Cornwall Police")
    item_url = page.url

    page.get_by_role("combobox", name=re.compile(r"Status")).select_option(label="Being progressed")
    page.get_by_label("Update", exact=True).fill(
        "Drafted with the PCC, SWROCU and the ROCU executive board."
    )
    page.get_by_label("Per cent complete").fill("80")
    page.get_by_label("Evidence files").set_input_files(str(evidence))
    page.get_by_role("button", name="Save update").click()
    history = page.locator("#history")
    expect(history).to_contain_text("Drafted with the PCC, SWROCU")
    expect(history.get_by_role("link", name="action-plan.pdf")).to_be_visible()

    page.get_by_role("combobox", name=re.compile(r"Status")).select_option(
        label="Proposed complete (awaiting sign-off)"
    )
    page.get_by_label("Update", exact=True).fill("Plan published on the force website.")
    page.get_by_role("button", name="Save update").click()
    expect(page.locator("#item-status")).to_have_text("Proposed complete (awaiting sign-off)")

    page.get_by_role("button", name="Sign out").click()
    log_in(page, dc_lead)
    page.goto(item_url)
    page.get_by_role("button", name="Accept as complete").click()
    # a recommendation: HMIC(FRS), not the force, discharges it
    expect(page.locator("#item-status")).to_have_text("Complete, awaiting the inspectorate")
    for entry in (
        "Proposed complete (awaiting sign-off) → Complete, awaiting the inspectorate",
        "Being progressed → Proposed complete (awaiting sign-off)",
        "Awaiting review → Being progressed",
        "Plan published on the force website.",
        "80% complete",
    ):
        expect(history).to_contain_text(entry)

    page.get_by_role("button", name="Sign out").click()
    log_in(page, cambs_editor)
    response = page.goto(item_url)
    assert response.status == 404
    item = TrackedItem.objects.get(
        organisation__slug="devon-and-cornwall", finding__audience="all_forces"
    )
    assert item.status == TrackedItem.Status.AWAITING_INSPECTORATE


def test_the_update_works_without_javascript(browser, live_server, dc_editor):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(dc_editor.username)
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name=RECOMMENDATION).click()
    page.get_by_label("Update", exact=True).fill("Saved by a full-page form.")
    page.get_by_role("button", name="Save update").click()
    expect(page.get_by_role("alert").or_(page.locator(".alert-success"))).to_contain_text(
        "Your update is recorded."
    )
    expect(page.locator("#history")).to_contain_text("Saved by a full-page form.")
    context.close()
