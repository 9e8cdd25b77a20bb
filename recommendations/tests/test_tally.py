"""The tally the dashboards count from (TrackedItemTally) agrees with a count of the items
after every kind of write, and can be made again from scratch."""

import datetime
import io

import pytest
from django.core.management import call_command

from inspections import services as inspection_services
from organisations.models import Organisation
from recommendations import services
from recommendations.models import (
    Finding,
    InspectionOpenTally,
    InspectionTally,
    NationalDayTally,
    NationalMonthTally,
    OrganisationInspectionTally,
    OrganisationMonthTally,
    OrganisationStatusTally,
    TrackedItem,
    TrackedItemTally,
)
from recommendations.tally import tally_differences, tally_rebuild
from recommendations.tests.factories import TrackedItemFactory

pytestmark = pytest.mark.django_db

D = datetime.date
Status = TrackedItem.Status


def test_it_agrees_with_the_items_of_the_reference_data(reference_data):
    assert TrackedItemTally.objects.exists()
    assert tally_differences() == []


@pytest.fixture
def item(reference_data):
    return TrackedItem.objects.get(
        organisation__slug="devon-and-cornwall", finding__audience="all_forces"
    )


def _progress(item, by, status, narrative="Moved on."):
    item.refresh_from_db()
    services.progress_update_add(
        item=item, by=by, expected_version=item.version, status=status, narrative=narrative
    )


def test_it_follows_a_sequence_of_real_writes(item, dc_editor, dc_lead, admin_user):
    """Fan-out of a new finding, status moves, a target date revised past the deadline,
    a finding's deadline changed, an item blocked, addressees changed (an item withdrawn and
    one added), an item closed and one deleted: after each, the tally equals a count of the
    items."""
    finding = item.finding
    inspection_services.finding_create(
        inspection=finding.inspection,
        by=admin_user,
        kind=Finding.Kind.RECOMMENDATION,
        text="Forces should count what they have.",
        audience=Finding.Audience.NAMED,
        deadline=D(2027, 5, 31),
        deadline_precision="day",
        addressees=[item.organisation],
    )
    assert tally_differences() == []

    _progress(item, dc_editor, Status.BEING_PROGRESSED)
    assert tally_differences() == []

    revision = services.target_date_revision_request(
        item=item, by=dc_editor, proposed_date=D(2031, 1, 31), reason="A later plan."
    )
    services.target_date_revision_decide(revision=revision, by=dc_lead, approve=True)
    assert TrackedItemTally.objects.filter(slipped=True, organisation=item.organisation).exists()
    assert tally_differences() == []

    inspection_services.finding_update(
        finding=finding,
        by=admin_user,
        deadline=D(2031, 6, 30),
        deadline_precision="day",
        addressees=finding.addressees.all(),
    )
    assert tally_differences() == []  # its slip ended, the others' deadlines moved

    TrackedItem.objects.filter(pk=item.pk).update(blocked_by="Home Office funding")
    assert tally_differences() == []

    named = Finding.objects.get(key="funding-model")
    home_office = Organisation.objects.get(slug="home-office")
    inspection_services.finding_update(
        finding=named,
        by=admin_user,
        addressees=[*named.addressees.exclude(pk=home_office.pk), item.organisation],
    )
    assert named.tracked_items.get(organisation=home_office).status == Status.WITHDRAWN
    assert tally_differences() == []

    _progress(item, dc_lead, Status.NO_FURTHER_ACTION, narrative="Overtaken by events.")
    assert tally_differences() == []

    added = TrackedItemFactory(finding=finding, organisation=Organisation.objects.get(slug="npcc"))
    assert tally_differences() == []
    # A plain DELETE of the row, as the admin's cascade ends in (the item has no history).
    TrackedItem.objects.filter(pk=added.pk)._raw_delete(using="default")
    assert tally_differences() == []


def test_it_can_be_rebuilt_from_scratch(item):
    TrackedItemTally.objects.filter(organisation=item.organisation).update(count=0)
    InspectionTally.objects.filter(inspection=item.finding.inspection).delete()
    OrganisationInspectionTally.objects.filter(organisation=item.organisation).delete()
    assert tally_differences() != []

    rows = tally_rebuild()

    assert rows == sum(
        model.objects.count()
        for model in (
            TrackedItemTally,
            InspectionTally,
            OrganisationInspectionTally,
            InspectionOpenTally,
            OrganisationStatusTally,
            OrganisationMonthTally,
            NationalMonthTally,
            NationalDayTally,
        )
    )
    assert tally_differences() == []
    assert not TrackedItemTally.objects.filter(count=0).exists()


def test_the_command_checks_and_rebuilds(item):
    TrackedItemTally.objects.filter(organisation=item.organisation).delete()
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("tally_rebuild", "--check", stdout=out)
    assert "disagree" in out.getvalue()

    call_command("tally_rebuild", stdout=out)

    assert tally_differences() == []
    assert "rebuilt" in out.getvalue()


def test_a_rebuild_raises_every_counted_version(item):
    """What the dashboards cached from the tallies before a rebuild is counted again."""
    from recommendations.models import CountedVersion

    before = dict(CountedVersion.objects.values_list("organisation_id", "version"))

    tally_rebuild()

    after = dict(CountedVersion.objects.values_list("organisation_id", "version"))
    assert after[item.organisation_id] > before.get(item.organisation_id, 0)
    assert all(after[organisation] > version for organisation, version in before.items())
