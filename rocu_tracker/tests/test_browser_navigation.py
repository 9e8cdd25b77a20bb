"""The top navigation and the focus after an htmx save, in Debian's Chromium."""

import re

import pytest
from playwright.sync_api import expect

from rocu_tracker.tests import site_map

pytestmark = pytest.mark.django_db(transaction=True)

# What the top bar shows: the brand, each top-level link or menu, and the account part; one
# line when each of them overlaps every other vertically, and all of it inside the bar (a
# label that cannot wrap could run off the side instead).
NAV_LINE = """() => {
  const nav = document.querySelector('nav[aria-label="Main"]');
  const parts = [...nav.querySelectorAll(
    '.navbar-brand, .navbar-nav > .nav-item, .navbar-account > *'
  )].filter(el => el.offsetParent !== null);
  const boxes = parts.map(el => el.getBoundingClientRect());
  const bar = nav.querySelector('.container').getBoundingClientRect();
  return {
    parts: parts.map(el => el.textContent.trim().replace(/\\s+/g, ' ').slice(0, 40)),
    oneLine: boxes.every(a => boxes.every(b => a.top < b.bottom && b.top < a.bottom)),
    inside: boxes.every(box => box.left >= bar.left - 1 && box.right <= bar.right + 1),
    height: Math.round(nav.getBoundingClientRect().height),
  };
}"""
# The one-line bar of Bootstrap's navbar: 56 px (two lines take 80 or more).
ONE_LINE_HEIGHT = 60


def test_it_keeps_the_top_navigation_on_one_line_at_1366_pixels(
    page, live_server, log_in, dc_editor, dc_lead, dc_pcc_staff, dc_org_admin, organisations
):
    # Alice (dc_editor) then has unread notifications: their count widens the bar.
    site_map.world_build(dc_editor=dc_editor, dc_lead=dc_lead, dc_pcc_staff=dc_pcc_staff)
    admin = site_map.administrator(type(dc_editor), organisations)
    page.set_viewport_size({"width": 1366, "height": 768})
    lines = {}
    for user in (dc_editor, dc_pcc_staff, dc_org_admin, admin):
        # the longest name of the demo (actionplans/demo_data.py)
        user.first_name, user.last_name = "Devon and Cornwall OPCC", "Staff"
        user.save()
        page.context.clear_cookies()
        log_in(page, user)
        lines[user.username] = page.evaluate(NAV_LINE)

    for line in lines.values():
        assert line["oneLine"] and line["inside"], lines
        assert line["height"] <= ONE_LINE_HEIGHT, lines
        assert len(line["parts"]) >= 8, lines
    assert "unread" in " ".join(lines[dc_editor.username]["parts"]), lines


def test_it_opens_the_more_menu_and_the_account_menu_by_keyboard(
    page, live_server, log_in, dc_editor
):
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(page, dc_editor)
    nav = page.get_by_role("navigation", name="Main")

    more = nav.get_by_role("button", name="More")
    more.focus()
    page.keyboard.press("Enter")
    expect(more).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("ArrowDown")
    expect(nav.get_by_role("link", name="Inspections")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Inspections", level=1)).to_be_visible()

    account = nav.get_by_role("button", name=re.compile("Signed in as alice"))
    account.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("ArrowDown")
    expect(nav.get_by_role("link", name="Security")).to_be_focused()
    page.keyboard.press("Escape")
    expect(account).to_have_attribute("aria-expanded", "false")
    expect(account).to_be_focused()


def test_it_moves_the_focus_to_the_message_after_an_htmx_save(
    page, live_server, log_in, dc_editor, dc_lead, dc_pcc_staff
):
    world = site_map.world_build(dc_editor=dc_editor, dc_lead=dc_lead, dc_pcc_staff=dc_pcc_staff)
    log_in(page, dc_editor)
    page.goto(f"{live_server.url}/items/{world.item}/")
    update = page.get_by_label("Update", exact=True)
    save = page.get_by_role("button", name="Save update")

    # refused: the focus goes to the first error, with what was typed kept
    percent = page.get_by_label("Per cent complete")
    percent.evaluate("el => { el.removeAttribute('max'); el.removeAttribute('min'); }")
    percent.fill("150")
    update.fill("Agreed with the ROCU executive board.")
    save.click()
    expect(page.get_by_label("Per cent complete")).to_be_focused()
    expect(update).to_have_value("Agreed with the ROCU executive board.")

    # saved: the focus goes to the message, not the top of the document
    page.get_by_label("Per cent complete").fill("60")
    save.click()
    message = page.locator("#item-live .alert-success")
    expect(message).to_have_text("Your update is recorded.")
    expect(message).to_be_focused()
    assert page.evaluate("document.activeElement.textContent") == "Your update is recorded."
