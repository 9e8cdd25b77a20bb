"""Editing a plan and an action in Debian's Chromium keeps every date the user did not touch
(the date input reads only ISO dates: a date rendered any other way came back empty)."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from actionplans import services
from actionplans.models import Action, ActionPlan
from recommendations.models import TrackedItem

pytestmark = pytest.mark.django_db(transaction=True)
TITLE = re.compile(r"^\s*Title\*?\s*$")  # crispy marks a required field with an asterisk


@pytest.fixture
def plan_with_action(dc_editor):
    item = TrackedItem.objects.get(
        organisation__slug="devon-and-cornwall", finding__audience="all_forces"
    )
    plan = services.action_plan_create(
        organisation=item.organisation,
        inspection=item.finding.inspection,
        title="Making the most of SWROCU",
        by=dc_editor,
        consulted_pcc_on=datetime.date(2016, 3, 1),
        consulted_rocu_on=datetime.date(2016, 3, 15),
        consulted_rocu_board_on=datetime.date(2016, 4, 20),
        published_on=datetime.date(2016, 6, 30),
        published_url="https://example.police.uk/plan",
    )
    action = services.action_add(
        plan=plan,
        title="Agree the tasking protocol",
        by=dc_editor,
        due_on=datetime.date(2026, 6, 30),
        serves=[item],
    )
    return plan, action


def test_it_keeps_every_date_when_a_plan_and_an_action_are_edited(
    page, live_server, log_in, dc_editor, plan_with_action
):
    plan, action = plan_with_action
    log_in(page, dc_editor)

    page.goto(f"{live_server.url}/plans/{plan.pk}/edit/")
    expect(page.get_by_label("Consulted the PCC on")).to_have_value("2016-03-01")
    page.get_by_label(TITLE).fill("Making the most of SWROCU (revised)")
    page.get_by_role("button", name="Save the plan").click()
    expect(page.locator(".alert-success")).to_contain_text("Plan saved.")

    page.goto(f"{live_server.url}/plans/actions/{action.pk}/edit/")
    expect(page.get_by_label("Due on")).to_have_value("2026-06-30")
    page.get_by_label(TITLE).fill("Agree the tasking protocol with SWROCU")
    page.get_by_role("button", name="Save the action").click()
    expect(page.locator(".alert-success")).to_contain_text("Action saved.")

    plan = ActionPlan.objects.get(pk=plan.pk)
    assert plan.title == "Making the most of SWROCU (revised)"
    assert (
        plan.consulted_pcc_on,
        plan.consulted_rocu_on,
        plan.consulted_rocu_board_on,
        plan.published_on,
    ) == (
        datetime.date(2016, 3, 1),
        datetime.date(2016, 3, 15),
        datetime.date(2016, 4, 20),
        datetime.date(2016, 6, 30),
    )
    action = Action.objects.get(pk=action.pk)
    assert action.title == "Agree the tasking protocol with SWROCU"
    assert action.due_on == datetime.date(2026, 6, 30)
