"""The admin is a client of the services: a finding saved there fans out (or withdraws) like
one saved on the intake pages, and a tracked item's owner, dates, status and organisation
cannot be changed there at all (the item page's services record every change)."""

import pytest
from django.urls import reverse

from inspections.models import Inspection
from recommendations.models import Finding, TrackedItem, TrackedItemEvent
from recommendations.tests.factories import FindingFactory, TrackedItemFactory

pytestmark = pytest.mark.django_db

FORCES = 43


def _finding_post(inspection, **overrides):
    return {
        "inspection": inspection.pk,
        "key": "admin-added",
        "kind": Finding.Kind.RECOMMENDATION,
        "reference": "9",
        "text": "A test recommendation added in the admin, not a real one.",
        "summary": "",
        "addressees_as_written": "every police force in England and Wales",
        "audience": Finding.Audience.ALL_FORCES,
        "deadline": "",
        "deadline_precision": "none",
        "position": "9",
        "source": "",
        "note": "",
        **overrides,
    }


def test_it_fans_out_a_finding_added_in_the_admin_to_a_published_inspection(
    admin_client, reference_data
):
    inspection = Inspection.objects.get(slug="hmicfrs-2021-rocu-inspection")
    response = admin_client.post(
        reverse("admin:recommendations_finding_add"), _finding_post(inspection)
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    finding = inspection.findings.get(key="admin-added")
    assert finding.tracked_items.count() == FORCES
    assert (
        TrackedItemEvent.objects.filter(
            item__finding=finding, kind=TrackedItemEvent.Kind.CREATED
        ).count()
        == FORCES
    )


def test_it_tracks_nothing_for_a_finding_added_in_the_admin_to_a_draft(admin_client):
    finding = FindingFactory(inspection__published_to_trackers_at=None)
    response = admin_client.post(
        reverse("admin:recommendations_finding_add"),
        _finding_post(finding.inspection, key="draft-added"),
    )
    assert response.status_code == 302
    assert not TrackedItem.objects.filter(finding__key="draft-added").exists()


def test_it_withdraws_the_items_of_an_addressee_removed_in_the_admin(admin_client, organisations):
    devon, kent = organisations["devon-and-cornwall"], organisations["kent"]
    finding = FindingFactory(audience=Finding.Audience.NAMED)
    finding.addressees.set([devon, kent])
    kent_item = TrackedItemFactory(finding=finding, organisation=kent)
    TrackedItemFactory(finding=finding, organisation=devon)
    data = _finding_post(finding.inspection, audience="named", addressees=[devon.pk])
    del data["inspection"], data["key"]  # read-only once made

    response = admin_client.post(
        reverse("admin:recommendations_finding_change", args=[finding.pk]), data
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    kent_item.refresh_from_db()
    assert kent_item.status == TrackedItem.Status.WITHDRAWN
    assert kent_item.events.filter(to_status=TrackedItem.Status.WITHDRAWN).exists()
    assert finding.tracked_items.count() == 2


def test_it_refuses_to_delete_a_finding_with_history_in_the_admin(admin_client):
    item = TrackedItemFactory()
    delete = reverse("admin:recommendations_finding_delete", args=[item.finding.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert TrackedItem.objects.filter(pk=item.pk).exists()


def test_it_shows_a_tracked_items_owner_target_date_and_status_read_only_in_the_admin(
    admin_client, dc_editor
):
    item = TrackedItemFactory()
    change = reverse("admin:recommendations_trackeditem_change", args=[item.pk])
    form = admin_client.get(change).context["adminform"].form
    assert not {"owner", "target_date", "status", "organisation", "finding"} & set(form.fields)

    admin_client.post(
        change,
        {
            "owner": dc_editor.pk,
            "target_date": "2030-01-01",
            "status": "complete",
            "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "0",
        },
    )

    item.refresh_from_db()
    assert (item.owner, item.target_date, item.status, item.version) == (
        None,
        None,
        TrackedItem.Status.AWAITING_REVIEW,
        1,
    )


def test_it_allows_neither_adding_nor_deleting_tracked_items_or_events_in_the_admin(
    admin_client,
):
    item = TrackedItemFactory()
    assert admin_client.get(reverse("admin:recommendations_trackeditem_add")).status_code == 403
    delete = reverse("admin:recommendations_trackeditem_delete", args=[item.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert (
        admin_client.get(reverse("admin:recommendations_trackeditemevent_add")).status_code == 403
    )


def test_it_shows_plans_and_actions_read_only_in_the_admin(admin_client):
    for name in ("actionplans_actionplan_add", "actionplans_action_add"):
        assert admin_client.get(reverse(f"admin:{name}")).status_code == 403
