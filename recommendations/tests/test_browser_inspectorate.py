"""Issue 13's journey in Debian's Chromium: the inspectorate closes its recommendation, and
the board's counts follow each step. By labels and roles only."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from organisations.access import SYSTEM
from organisations.models import Membership, Organisation
from organisations.services import membership_grant
from recommendations import services
from recommendations.models import TrackedItem

pytestmark = pytest.mark.django_db(transaction=True)


def _member(django_user_model, username, slug, role):
    user = django_user_model.objects.create_user(username=username, password="pw")
    membership_grant(
        user=user, organisation=Organisation.objects.get(slug=slug), role=role, by=SYSTEM
    )
    return user


def _count_of(page, live_server, status: str) -> str:
    page.goto(f"{live_server.url}/dashboards/")
    table = page.get_by_role("table", name="Tracked items by status")
    return (
        table.get_by_role("row", name=re.compile(rf"^{re.escape(status)} "))
        .get_by_role("cell")
        .inner_text()
    )


def test_the_inspectorate_returns_then_confirms_a_signed_off_recommendation(
    page, live_server, log_in, django_user_model, board_member, reference_data
):
    editor = _member(django_user_model, "sam", "swrocu", Membership.Role.EDITOR)
    lead = _member(django_user_model, "tess", "swrocu", Membership.Role.LEAD)
    liaison = _member(django_user_model, "hana", "hmicfrs", Membership.Role.INSPECTION_LIAISON)
    item = TrackedItem.objects.get(organisation__slug="swrocu", finding__key="sio-lro-systems")
    services.progress_update_add(
        item=item,
        by=editor,
        expected_version=item.version,
        status=TrackedItem.Status.PROPOSED_COMPLETE,
        narrative="Joint working protocol for SIOs and LROs agreed.",
        evidence_files=[SimpleUploadedFile("protocol.pdf", b"%PDF-1.4", "application/pdf")],
    )
    item_url = f"{live_server.url}/items/{item.pk}/"
    awaiting, complete = "Complete, awaiting the inspectorate", "Complete"

    def board_counts():
        page.get_by_role("button", name="Sign out").click()
        log_in(page, board_member)
        counts = (_count_of(page, live_server, awaiting), _count_of(page, live_server, complete))
        page.get_by_role("button", name="Sign out").click()
        return counts

    log_in(page, board_member)
    assert (_count_of(page, live_server, awaiting), _count_of(page, live_server, complete)) == (
        "0",
        "0",
    )
    page.get_by_role("button", name="Sign out").click()

    # the lead signs it off: it waits for HMICFRS
    log_in(page, lead)
    page.goto(item_url)
    page.get_by_role("button", name="Accept as complete").click()
    expect(page.locator("#item-status")).to_have_text(awaiting)
    assert board_counts() == ("1", "0")

    # HMICFRS returns it, saying why
    log_in(page, liaison)
    page.goto(f"{live_server.url}/inspectorate/awaiting/")
    page.get_by_role(
        "link", name=re.compile("chief officers responsible for SOC in each region")
    ).click()
    page.get_by_label("Why the inspectorate returns it").fill("Show us the protocol in use.")
    page.get_by_role("button", name="Return to the organisation").click()
    expect(page.locator("#item-status")).to_have_text("Being progressed")
    expect(page.locator("#history")).to_contain_text("Show us the protocol in use.")
    assert board_counts() == ("0", "0")

    # the force proposes again and its lead signs off again
    log_in(page, editor)
    page.goto(item_url)
    page.get_by_role("combobox", name=re.compile(r"Status")).select_option(
        label="Proposed complete (awaiting sign-off)"
    )
    page.get_by_label("Update", exact=True).fill("Protocol used in three operations.")
    page.get_by_role("button", name="Save update").click()
    expect(page.locator("#item-status")).to_have_text("Proposed complete (awaiting sign-off)")
    page.get_by_role("button", name="Sign out").click()
    log_in(page, lead)
    page.goto(item_url)
    page.get_by_role("button", name="Accept as complete").click()
    expect(page.locator("#item-status")).to_have_text(awaiting)
    assert board_counts() == ("1", "0")

    # HMICFRS confirms it
    log_in(page, liaison)
    page.goto(item_url)
    page.get_by_role("button", name="Confirm as complete").click()
    expect(page.locator("#item-status")).to_have_text(complete)
    history = page.locator("#history")
    for entry in (
        f"{awaiting} → Complete",
        "Confirmed as discharged by HMICFRS.",
        f"{awaiting} → Being progressed",
    ):
        expect(history).to_contain_text(entry)
    assert board_counts() == ("0", "1")
