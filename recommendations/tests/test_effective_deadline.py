"""The stored effective deadline (the target date, else the finding's deadline) follows every
write that changes either date, and each write raises its organisation's data version."""

import datetime

import pytest

from inspections import services as inspection_services
from organisations.access import SYSTEM
from recommendations import services
from recommendations.models import ScopeDataVersion, TrackedItem
from rocu_tracker import deadlines

pytestmark = pytest.mark.django_db

D = datetime.date


def _stored_and_expected(items):
    return [
        (
            item.effective_deadline,
            deadlines.effective_deadline(item.finding.deadline, item.target_date),
        )
        for item in items.select_related("finding")
    ]


def test_it_is_stored_for_every_item_of_the_reference_data(reference_data):
    pairs = _stored_and_expected(TrackedItem.objects.all())
    assert pairs and all(stored == expected for stored, expected in pairs)


@pytest.fixture
def item(reference_data):
    return TrackedItem.objects.get(
        organisation__slug="devon-and-cornwall", finding__audience="all_forces"
    )


def _version(organisation_id) -> int:
    row = ScopeDataVersion.objects.filter(organisation_id=organisation_id).first()
    return row.version if row else 0


def test_it_follows_a_target_date_approved_by_a_lead(item, dc_editor, dc_lead):
    assert item.effective_deadline == item.finding.deadline
    new_date = D(2027, 3, 31)
    revision = services.target_date_revision_request(
        item=item, by=dc_editor, proposed_date=new_date, reason="Awaiting the regional review."
    )
    item.refresh_from_db()
    assert item.effective_deadline == item.finding.deadline  # requested, not yet approved
    before = _version(item.organisation_id)

    services.target_date_revision_decide(revision=revision, by=dc_lead, approve=True)

    item.refresh_from_db()
    assert item.target_date == item.effective_deadline == new_date
    assert _version(item.organisation_id) == before + 1


def test_it_follows_a_finding_deadline_changed_through_the_intake(item, dc_editor, dc_lead):
    finding = item.finding
    revision = services.target_date_revision_request(
        item=item, by=dc_editor, proposed_date=D(2027, 1, 31), reason="A later plan."
    )
    services.target_date_revision_decide(revision=revision, by=dc_lead, approve=True)
    organisations = finding.tracked_items.values_list("organisation_id", flat=True)
    versions = {pk: _version(pk) for pk in organisations}

    inspection_services.finding_update(
        finding=finding, by=SYSTEM, deadline=D(2026, 12, 31), deadline_precision="day"
    )

    stored = dict(finding.tracked_items.values_list("pk", "effective_deadline"))
    assert stored.pop(item.pk) == D(2027, 1, 31)  # its own target date still rules
    assert len(stored) > 40 and set(stored.values()) == {D(2026, 12, 31)}
    changed = {pk for pk in versions if _version(pk) > versions[pk]}
    assert changed == set(versions) - {item.organisation_id}

    inspection_services.finding_update(finding=finding, by=SYSTEM, deadline_precision="none")

    stored = dict(finding.tracked_items.values_list("pk", "effective_deadline"))
    assert stored.pop(item.pk) == D(2027, 1, 31)
    assert set(stored.values()) == {None}


def test_new_items_of_a_published_finding_take_its_deadline(item):
    finding = item.finding
    finding.tracked_items.filter(organisation__slug="kent").delete()

    added = services.finding_fan_out(finding=finding, by=SYSTEM)

    assert [each.organisation.slug for each in added] == ["kent"]
    added[0].refresh_from_db()
    assert added[0].effective_deadline == finding.deadline
