"""The acceptance journey in a real browser: the Devon and Cornwall PCC's office answers the
2021 ROCU inspection, and an anonymous visitor reads the published response."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from actionplans.demo_data import (
    DEVON_CHIEF_CONSTABLE_COMMENTS,
    DEVON_CHIEF_CONSTABLE_ON_RECOMMENDATION_1,
    DEVON_PCC_COMMENTS,
)

from .conftest import PUBLIC_2021

pytestmark = pytest.mark.django_db(transaction=True)

EXPLANATIONS = {
    "Recommendation 1": (
        "No action, with reason",
        "The Commissioner shares the Chief Constable's concern: no new legislation is sought.",
    ),
    "Recommendation [2]": (
        "Action taken",
        "SIOs and LROs in the South West ROCU work to one regional tasking process.",
    ),
    "Recommendation [3]": (
        "Action taken",
        "The South West ROCU's lead already works autonomously of force responsibilities.",
    ),
    "Recommendation [4]": (
        "Action proposed",
        "The Commissioner will press the Home Office, through the APCC, for a funding model.",
    ),
}


def _recommendation(page, label):
    heading = page.get_by_role("heading", name=re.compile(rf"^{re.escape(label)}(\s|$)"))
    return page.locator("article").filter(has=heading)


def _set_position(page, label):
    position, explanation = EXPLANATIONS[label]
    card = _recommendation(page, label)
    card.get_by_label(position).check()
    card.get_by_label("Explanation").fill(explanation)
    card.get_by_role("button", name=re.compile("Save the position")).click()
    expect(page.get_by_text("The position is saved.")).to_be_visible()


def test_the_office_publishes_its_response_and_the_public_reads_it(
    page, browser, live_server, log_in, dc_pcc_staff
):
    visitor = browser.new_context().new_page()
    assert visitor.goto(f"{live_server.url}{PUBLIC_2021}").status == 404

    log_in(page, dc_pcc_staff)
    page.get_by_role("link", name="Section 55", exact=True).click()
    expect(page.get_by_role("heading", name="Section 55 responses")).to_be_visible()
    page.get_by_role("link", name=re.compile("An inspection of the effectiveness")).click()
    expect(page.get_by_text("6 April 2021")).to_be_visible()
    page.get_by_role("button", name="Start the response").click()

    # Invite the chief constable's comments.
    today = timezone.localdate()
    page.get_by_label("Comments due by").fill((today + datetime.timedelta(days=14)).isoformat())
    page.get_by_role("button", name="Invite the chief officer's comments").click()
    expect(page.get_by_text("The chief officer's comments are invited.")).to_be_visible()

    # Record them on the chief constable's behalf, disagreeing with recommendation 1.
    page.get_by_role("link", name="Enter the chief officer's comments on their behalf").click()
    page.get_by_label("The chief officer's comments").fill(DEVON_CHIEF_CONSTABLE_COMMENTS)
    page.get_by_label("Recommendation 1: does the chief officer agree?").select_option(
        label="Disagrees"
    )
    page.get_by_label("Recommendation 1: the chief officer's note").fill(
        DEVON_CHIEF_CONSTABLE_ON_RECOMMENDATION_1
    )
    page.get_by_role("button", name="Record the chief officer's comments").click()
    expect(page.get_by_text("The chief officer's comments are recorded.")).to_be_visible()
    expect(page.locator("#chief-officer")).to_contain_text(
        "Received: entered by the office on the chief officer's behalf"
    )
    expect(_recommendation(page, "Recommendation 1")).to_contain_text("disagrees")

    # The office's comments, and a position on all but one recommendation.
    page.get_by_role("textbox", name="The office's comments").fill(DEVON_PCC_COMMENTS)
    page.get_by_role("button", name="Save the office's comments").click()
    for label in ["Recommendation 1", "Recommendation [2]", "Recommendation [3]"]:
        _set_position(page, label)

    page.get_by_role("button", name="Publish the response").click()
    refusal = page.get_by_role("alert")
    expect(refusal).to_contain_text("The response cannot be published yet")
    expect(refusal).to_contain_text("Recommendation [4] has no position.")
    assert visitor.goto(f"{live_server.url}{PUBLIC_2021}").status == 404

    _set_position(page, "Recommendation [4]")
    # The report makes six recommendations and four are recorded: the office acknowledges it.
    expect(page.locator("#publish-warnings")).to_contain_text("only 4 are recorded here")
    page.get_by_label("I have read the warnings above").check()
    page.get_by_role("button", name="Publish the response").click()
    expect(page.get_by_text("Version 1 is published.")).to_be_visible()
    expect(page.locator("dd", has_text="Published").first).to_be_visible()

    # An anonymous visitor reads it.
    assert visitor.goto(f"{live_server.url}{PUBLIC_2021}").status == 200
    expect(visitor.get_by_role("heading", level=1)).to_contain_text(
        "Devon and Cornwall Police and Crime Commissioner"
    )
    expect(visitor.get_by_text("corporation sole").first).to_be_visible()
    positions = visitor.locator("#positions tbody tr")
    expect(positions).to_have_count(4)
    for label, (position, explanation) in EXPLANATIONS.items():
        row = positions.filter(
            has=visitor.get_by_role("rowheader", name=re.compile(re.escape(label)))
        )
        expect(row).to_contain_text(position)
        expect(row).to_contain_text(explanation)
    expect(positions.first).to_contain_text("Disagrees")
