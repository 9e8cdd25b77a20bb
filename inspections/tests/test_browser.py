"""The first journey in a real browser: a board member signs in and reads an inspection."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_board_member_reads_the_2021_inspection(page, live_server, log_in, board_member):
    log_in(page, board_member)
    expect(page.get_by_role("heading", name="Inspections")).to_be_visible()

    page.get_by_role("link", name="An inspection of the effectiveness").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Regional Organised Crime Units")
    section55_last_day = page.locator("dt", has_text="Section 55 last day").locator("+ dd")
    expect(section55_last_day).to_contain_text("6 April 2021")
    expect(page.get_by_text("4 of 6 recommendations recorded")).to_be_visible()


def test_the_skip_link_takes_keyboard_users_to_the_content(page, live_server, log_in, board_member):
    log_in(page, board_member)
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
