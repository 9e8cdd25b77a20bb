"""Issue 10's acceptance journey in Debian's Chromium, by labels and roles: the Devon and
Cornwall organisation administrator invites a new editor; the invitation email has a link;
the new editor sets a password, signs in and sees the force's My work; the administrator
changes the role to lead, then deactivates them; the audit trail shows each."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from organisations.models import Membership

from .conftest import LINK

pytestmark = pytest.mark.django_db(transaction=True)

NEW_EDITOR = "nia.pascoe@devon-cornwall.police.uk"
PASSWORD = "granite moorland lighthouse 47"


def _label(text: str) -> re.Pattern:
    """A field's label exactly, with or without the asterisk crispy puts on required ones."""
    return re.compile(rf"^\s*{re.escape(text)}\*?\s*$")


@pytest.fixture(autouse=True)
def audit_trail_off():
    """The trail stays on here: the journey ends by reading it."""
    yield


def _sign_out(page):
    page.get_by_role("button", name="Sign out").click()


def test_an_organisation_administrator_invites_promotes_and_deactivates_an_editor(
    page, live_server, log_in, dc_org_admin
):
    log_in(page, dc_org_admin)
    page.get_by_role("button", name="More").click()
    page.get_by_role("link", name="People").click()
    expect(page.get_by_role("heading", name="People of Devon and Cornwall Police")).to_be_visible()
    page.get_by_role("link", name="Invite someone").click()
    page.get_by_label(_label("Email address")).fill(NEW_EDITOR)
    page.get_by_label(_label("Role")).select_option(label="Editor")
    page.get_by_label(_label("Job title")).fill("Planning officer")
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_role("status")).to_contain_text(f"Invitation sent to {NEW_EDITOR}.")

    (email,) = mail.outbox
    assert email.to == [NEW_EDITOR]
    token = LINK.search(email.body)["token"]
    _sign_out(page)

    page.goto(f"{live_server.url}/invitations/{token}/")
    expect(page.get_by_role("heading", name="Join Devon and Cornwall Police")).to_be_visible()
    page.get_by_label(_label("First name")).fill("Nia")
    page.get_by_label(_label("Last name")).fill("Pascoe")
    page.get_by_label(_label("New password")).fill(PASSWORD)
    page.get_by_label(_label("Confirm the new password")).fill(PASSWORD)
    page.get_by_role("button", name="Set my password").click()
    expect(page.get_by_role("status")).to_contain_text("Your account is ready.")

    page.get_by_label("Username").fill(NEW_EDITOR)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="My work", level=1)).to_be_visible()
    items = page.get_by_role("table", name=re.compile("Open recommendations"))
    expect(items).to_contain_text("Devon and Cornwall")
    _sign_out(page)

    log_in(page, dc_org_admin)
    page.get_by_role("button", name="More").click()
    page.get_by_role("link", name="People").click()
    page.get_by_role("link", name="Nia Pascoe").click()
    page.get_by_label(_label("Role")).select_option(label="Lead (approver)")
    page.get_by_role("button", name="Save the role").click()
    expect(page.get_by_role("status")).to_contain_text("Nia Pascoe is now Lead (approver).")
    people = page.get_by_role("table", name="People of Devon and Cornwall Police")
    expect(people.get_by_role("row", name=re.compile("^Nia Pascoe"))).to_contain_text(
        "Lead (approver)"
    )

    page.get_by_role("link", name="Nia Pascoe").click()
    page.get_by_role("link", name="Deactivate Nia Pascoe").click()
    page.get_by_role("button", name="Yes, deactivate Nia Pascoe").click()
    expect(page.get_by_role("status")).to_contain_text("Nia Pascoe is deactivated.")
    expect(people.get_by_role("row", name=re.compile("^Nia Pascoe"))).to_contain_text("Deactivated")

    trail = page.get_by_role("table", name=re.compile("^Changes to the people"))
    for who, what in [
        ("Olive", f"Invited {NEW_EDITOR} as Editor"),
        ("Nia Pascoe", "Nia Pascoe joined as Editor"),
        ("Olive", "Changed the role of Nia Pascoe from Editor to Lead (approver)"),
        ("Olive", "Deactivated Nia Pascoe"),
    ]:
        expect(trail.get_by_role("row").filter(has_text=what)).to_contain_text(who)
    membership = Membership.objects.get(user__email=NEW_EDITOR)
    assert membership.role == Membership.Role.LEAD and not membership.user.is_active
