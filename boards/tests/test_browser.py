"""The South West board secretary's journey in a real browser, by labels: schedule the next
meeting, open the region's paper, find what changed since the last one, and see that the
paper issued for the last meeting still shows what it showed."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from boards import services
from recommendations.models import TrackedItem

from .helpers import propose_complete

pytestmark = pytest.mark.django_db(transaction=True)

SOUTH_WEST = [
    "Avon and Somerset Constabulary",
    "Devon and Cornwall Police",
    "Dorset Police",
    "Gloucestershire Constabulary",
    "Wiltshire Police",
    # the local policing bodies overseeing them (the demo's PCC office is Devon and
    # Cornwall's; the reference data has all five)
    "Avon and Somerset Police and Crime Commissioner",
    "Devon and Cornwall Police and Crime Commissioner",
    "Dorset Police and Crime Commissioner",
    "Gloucestershire Police and Crime Commissioner",
    "Wiltshire Police and Crime Commissioner (Wiltshire and Swindon)",
    "South West Regional Organised Crime Unit",
]
PROPOSED = "Proposed complete (awaiting sign-off)"


def _stage_count(page, stage: str) -> str:
    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=stage, exact=True))
    return row.get_by_role("cell").inner_text().strip()


def test_the_secretary_schedules_a_meeting_and_reads_what_changed_since_the_last(
    page, live_server, log_in, sw_secretary, dc_editor, previous_meeting, organisations, today
):
    services.paper_issue(meeting=previous_meeting, by=sw_secretary)
    proposed_before = TrackedItem.objects.filter(
        organisation__in=[organisations["devon-and-cornwall"], organisations["swrocu"]],
        status=TrackedItem.Status.PROPOSED_COMPLETE,
    ).count()
    item = TrackedItem.objects.filter(
        organisation=organisations["devon-and-cornwall"], status="awaiting_review"
    ).first()
    propose_complete(item, by=dc_editor, narrative="Published with the PCC after the board")

    log_in(page, sw_secretary)
    page.goto(f"{live_server.url}/boards/")
    page.get_by_role("link", name="South West ROCU executive board").click()
    page.get_by_role("link", name="Schedule a meeting").click()
    next_day = today + datetime.timedelta(days=42)
    page.get_by_label("Title").fill("Winter meeting")
    page.get_by_label("Date").fill(next_day.isoformat())
    page.get_by_label("Time").fill("10:30")
    page.get_by_label("Location").fill("Exeter")
    page.get_by_role("button", name="Schedule the meeting").click()
    expect(page.get_by_text("Winter meeting is scheduled for")).to_be_visible()

    page.get_by_role("link", name="Paper as it stands for Winter meeting").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("South West ROCU executive board")
    bodies = page.get_by_role("table").filter(
        has=page.get_by_role("columnheader", name="Body", exact=True)
    )
    for body in SOUTH_WEST:
        expect(bodies.get_by_role("rowheader", name=body, exact=True)).to_be_visible()
    since = page.get_by_role("region", name=re.compile("What changed since the last meeting"))
    expect(since).to_contain_text("Published with the PCC after the board")
    expect(since).to_contain_text("Devon and Cornwall Police")

    page.get_by_role("link", name="South West ROCU executive board").first.click()
    page.get_by_role("link", name="Issued paper for Spring meeting").click()
    expect(page.get_by_role("status")).to_contain_text("Issued on")
    assert _stage_count(page, PROPOSED) == str(proposed_before)
    expect(page.get_by_text("Published with the PCC after the board")).to_have_count(0)
