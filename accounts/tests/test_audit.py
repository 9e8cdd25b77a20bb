"""The audit trail: who changed what and when, in the pages and in the admin."""

import pytest
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.apps import apps
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from actionplans import services as actionplan_services
from actionplans.demo_data import demo_data_load
from actionplans.models import ActionPlan
from inspections.reference_data import reference_data_load
from organisations.access import SYSTEM
from organisations.models import Organisation
from recommendations.models import TrackedItem
from recommendations.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

AUDITED = [
    "organisations.Organisation",
    "organisations.Oversight",
    "organisations.RegionMembership",
    "organisations.Membership",
    "inspections.Inspection",
    "recommendations.Finding",
    "recommendations.Capability",
    "recommendations.TrackedItem",
    "recommendations.TargetDateRevision",
    "recommendations.Evidence",
    "actionplans.ActionPlan",
    "actionplans.Action",
    "section55.Section55Response",
    "section55.Section55Position",
    "auth.User",
]


@pytest.fixture(autouse=True)
def audit_trail_off():
    """The trail stays on here: the project's conftest.py turns it off for other tests."""
    yield


@pytest.fixture
def plan(reference_data):
    item = TrackedItem.objects.get(
        organisation__slug="devon-and-cornwall", finding__audience="all_forces"
    )
    return actionplan_services.action_plan_create(
        organisation=item.organisation,
        inspection=item.finding.inspection,
        title="D&C plan",
        by=SYSTEM,
    )


def test_every_model_a_person_changes_is_audited():
    assert [label for label in AUDITED if not auditlog.contains(apps.get_model(label))] == []


def test_it_records_who_changed_an_action_plan_and_how(client, dc_editor, plan):
    client.force_login(dc_editor)

    response = client.post(
        reverse("actionplans:edit", args=[plan.pk]),
        {"title": "Making the most of SWROCU", "version": plan.version},
        REMOTE_ADDR="10.0.0.7",
    )

    assert response.status_code == 302
    entry = LogEntry.objects.get_for_object(plan).get(action=LogEntry.Action.UPDATE)
    assert entry.actor == dc_editor
    assert entry.remote_addr == "10.0.0.7"
    assert entry.changes_dict["title"] == ["D&C plan", "Making the most of SWROCU"]
    assert ActionPlan.objects.get().title == "Making the most of SWROCU"


def test_it_records_an_admin_edit_of_an_organisation(admin_client, admin_user):
    force = OrganisationFactory(name="Test Force")
    data = {
        "slug": force.slug,
        "kind": force.kind,
        "name": force.name,
        "short_name": force.short_name,
        "two_factor_required": "on",
    }
    for prefix in ("oversight_periods", "region_memberships"):
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}

    response = admin_client.post(
        reverse("admin:organisations_organisation_change", args=[force.pk]), data
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert Organisation.objects.get(pk=force.pk).two_factor_required
    entry = LogEntry.objects.get_for_object(force).get(action=LogEntry.Action.UPDATE)
    assert entry.actor == admin_user
    assert entry.changes_dict["two_factor_required"] == ["False", "True"]


def test_an_administrator_reads_the_trail_and_others_cannot(admin_client, client, dc_editor, plan):
    list_url = reverse("admin:auditlog_logentry_changelist")

    page = admin_client.get(list_url)

    assert page.status_code == 200 and "D&amp;C plan" in page.content.decode()
    client.force_login(dc_editor)
    assert client.get(list_url).status_code == 302  # to the admin's login


def test_it_never_records_passwords_or_logins(dc_editor):
    dc_editor.set_password("a much longer password")
    dc_editor.save()
    Client().post(reverse("login"), {"username": "alice", "password": "a much longer password"})
    dc_editor.first_name = "Alice"
    dc_editor.save()

    entries = LogEntry.objects.get_for_object(dc_editor).filter(action=LogEntry.Action.UPDATE)
    assert [sorted(entry.changes_dict) for entry in entries] == [["first_name"]]


def test_a_new_user_is_recorded_without_the_password_hash():
    user = get_user_model().objects.create_user("frank", password="another long password")

    entry = LogEntry.objects.get_for_object(user).get(action=LogEntry.Action.CREATE)
    assert "password" not in entry.changes_dict and "last_login" not in entry.changes_dict


def test_it_records_the_reference_and_demo_data_as_they_are_created(empty_database, settings):
    settings.DEMO_MODE = True
    reference_data_load()
    demo_data_load()

    audited = {
        entry.content_type.model_class()._meta.label
        for entry in LogEntry.objects.select_related("content_type")
    }
    # Tracked items are made in bulk by the fan-out (no per-row signal); their changes, such
    # as the demo's assignments, are recorded, and TrackedItemEvent is their own history.
    assert audited >= {
        "organisations.Organisation",
        "organisations.Oversight",
        "organisations.RegionMembership",
        "organisations.Membership",
        "inspections.Inspection",
        "recommendations.Finding",
        "recommendations.TrackedItem",
        "actionplans.ActionPlan",
        "actionplans.Action",
        "section55.Section55Response",
        "auth.User",
    }
