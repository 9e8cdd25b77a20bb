import pytest
from django.urls import reverse

from actionplans import services
from actionplans.models import Action, ActionPlan
from inspections.models import Inspection
from organisations.access import SYSTEM
from recommendations.models import TrackedItem
from rocu_tracker.tests.page_forms import version_in_form

pytestmark = pytest.mark.django_db

SLUG_2015 = "hmic-2015-rocu-review"


def _item(slug):
    return TrackedItem.objects.get(organisation__slug=slug, finding__audience="all_forces")


@pytest.fixture
def plan(reference_data):
    item = _item("devon-and-cornwall")
    return services.action_plan_create(
        organisation=item.organisation,
        inspection=item.finding.inspection,
        title="D&C plan",
        by=SYSTEM,
    )


def test_an_editor_creates_the_forces_plan_with_its_consultations(client, dc_editor):
    client.force_login(dc_editor)
    response = client.post(
        reverse("actionplans:create", args=[SLUG_2015]),
        {
            "title": "Making the most of SWROCU",
            "owner_title": "Head of Intelligence",
            "consulted_pcc_on": "2016-03-01",
            "consulted_rocu_on": "2016-03-15",
            "consulted_rocu_board_on": "2016-04-20",
        },
    )
    plan = ActionPlan.objects.get()
    assert response["Location"] == plan.get_absolute_url()
    assert plan.organisation.slug == "devon-and-cornwall"
    assert str(plan.consulted_rocu_board_on) == "2016-04-20"


def test_a_published_link_needs_its_date(client, dc_editor, reference_data):
    client.force_login(dc_editor)
    response = client.post(
        reverse("actionplans:create", args=[SLUG_2015]),
        {"title": "Plan", "published_url": "https://example.police.uk/plan"},
    )
    assert response.status_code == 400
    assert "Give the date the plan was published." in response.content.decode()
    assert not ActionPlan.objects.exists()


def test_an_action_serves_only_its_own_forces_items(client, dc_editor, plan):
    client.force_login(dc_editor)
    url = reverse("actionplans:action_create", args=[plan.pk])
    theirs = _item("cambridgeshire")
    refused = client.post(url, {"title": "Theirs", "status": "not_started", "serves": [theirs.pk]})
    assert refused.status_code == 400
    ours = _item("devon-and-cornwall")
    client.post(
        url,
        {
            "title": "Consult the board",
            "status": "not_started",
            "due_on": "2016-05-31",
            "serves": [ours.pk],
        },
    )
    assert list(Action.objects.get().serves.all()) == [ours]


def test_a_stale_action_edit_is_refused_and_the_text_kept(client, dc_editor, dc_lead, plan):
    action = services.action_add(plan=plan, title="Consult the board", by=SYSTEM)
    url = reverse("actionplans:action_edit", args=[action.pk])
    seen = action.version
    client.force_login(dc_lead)
    client.post(
        url, {"title": "Consult the board in April", "status": "in_progress", "version": seen}
    )
    client.force_login(dc_editor)
    response = client.post(
        url, {"title": "My own wording", "status": "not_started", "version": seen}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Someone else saved this" in page
    assert "Title is now: Consult the board in April" in page
    assert 'value="My own wording"' in page
    action.refresh_from_db()
    assert action.title == "Consult the board in April"


def test_my_work_lists_the_forces_open_actions(client, dc_editor, plan):
    services.action_add(plan=plan, title="Consult the board", by=SYSTEM)
    services.action_add(plan=plan, title="Already done", status=Action.Status.DONE, by=SYSTEM)
    client.force_login(dc_editor)
    page = client.get(reverse("recommendations:my_work")).content.decode()
    assert "Consult the board" in page
    assert "Already done" not in page
    assert Inspection.objects.filter(slug=SLUG_2015).exists()


def test_it_saves_a_stale_action_on_the_second_attempt(client, dc_editor, plan):
    item = _item("devon-and-cornwall")
    action = services.action_add(plan=plan, title="Agree the protocol", serves=[item], by=SYSTEM)
    url = reverse("actionplans:action_edit", args=[action.pk])
    fields = {"title": "Mine", "status": "not_started", "serves": [item.pk], "due_on": ""}
    services.action_update(
        action=action,
        by=dc_editor,
        expected_version=action.version,
        serves=[item],
        title="Someone else's",
    )
    client.force_login(dc_editor)

    refused = client.post(url, {**fields, "version": 1})
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "Someone else saved this" in page

    again = client.post(url, {**fields, "version": version_in_form(page)})
    assert again.status_code == 302
    action.refresh_from_db()
    assert (action.title, action.version) == ("Mine", 3)


def test_it_refuses_a_date_no_calendar_can_hold(client, dc_editor, plan):
    client.force_login(dc_editor)
    response = client.post(
        reverse("actionplans:action_create", args=[plan.pk]),
        {"title": "Far away", "status": "not_started", "due_on": "9999-12-31"},
    )
    assert response.status_code == 400
    assert "Enter a date between 1 January 1990 and 31 December 2100." in (
        response.content.decode()
    )
    assert not Action.objects.filter(title="Far away").exists()
