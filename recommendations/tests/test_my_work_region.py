"""The 2021 report's recommendations "in each region, with the chief officers of the
affected forces": tracked by each ROCU, listed (read only) in its forces' My work."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from organisations import services as organisation_services
from organisations.access import SYSTEM
from organisations.models import Membership
from recommendations.models import Finding, TrackedItem
from recommendations.tests.factories import FindingFactory, OrganisationFactory, TrackedItemFactory

pytestmark = pytest.mark.django_db

INSPECTION_2021 = "hmicfrs-2021-rocu-inspection"


def _region_items(slug: str):
    return TrackedItem.objects.filter(
        organisation__slug=slug, finding__inspection__slug=INSPECTION_2021
    )


def _listed(client, user) -> list[TrackedItem]:
    client.force_login(user)
    return list(client.get(reverse("recommendations:my_work")).context["page"].object_list)


def test_the_2021_recommendations_are_addressed_jointly_with_the_forces(reference_data):
    addressed = Finding.objects.filter(
        inspection__slug=INSPECTION_2021, audience=Finding.Audience.EACH_REGION
    )
    assert addressed.count() == 2
    assert all(
        "with the chief officers of the affected forces" in f.addressees_as_written
        for f in addressed
    )


def test_a_force_user_sees_their_region_s_shared_items_read_only(client, dc_editor):
    shared = set(_region_items("swrocu"))

    listed = _listed(client, dc_editor)

    assert len(shared) == 2
    assert shared <= set(listed)
    assert {item.organisation.slug for item in listed} == {"devon-and-cornwall", "swrocu"}
    assert all(not item.can_edit for item in listed if item in shared)
    page = client.get(reverse("recommendations:my_work")).content.decode()
    assert "South West ROCU" in page or "SWROCU" in page
    assert page.count("read only") == 2


def test_a_force_user_reads_a_shared_item_but_cannot_change_it(client, dc_editor):
    item = _region_items("swrocu").first()
    client.force_login(dc_editor)

    page = client.get(reverse("recommendations:item", args=[item.pk]))
    update = client.post(
        reverse("recommendations:item_progress", args=[item.pk]),
        {"version": item.version, "status": item.status, "narrative": "Done."},
    )

    assert page.status_code == 200
    assert reverse("recommendations:item_progress", args=[item.pk]) not in page.content.decode()
    assert update.status_code == 403


def test_another_region_s_force_sees_its_own_rocu_not_the_south_west(client, cambs_editor):
    listed = _listed(client, cambs_editor)

    assert {item.organisation.slug for item in listed} == {"cambridgeshire", "ersou"}
    south_west = _region_items("swrocu").first()
    assert client.get(reverse("recommendations:item", args=[south_west.pk])).status_code == 404


def test_the_rocu_s_own_editor_may_edit_them(client, django_user_model, organisations):
    editor = django_user_model.objects.create_user("rocu-editor")
    organisation_services.membership_grant(
        user=editor, organisation=organisations["swrocu"], role=Membership.Role.EDITOR, by=SYSTEM
    )

    listed = _listed(client, editor)

    assert set(listed) == set(_region_items("swrocu"))
    assert all(item.can_edit for item in listed)


def test_a_closed_or_not_jointly_addressed_region_item_is_not_shared(
    client, dc_editor, organisations
):
    closed, still_open = _region_items("swrocu")
    TrackedItem.objects.filter(pk=closed.pk).update(status=TrackedItem.Status.COMPLETE)
    TrackedItemFactory(
        organisation=organisations["swrocu"],
        finding=FindingFactory(
            audience=Finding.Audience.EACH_REGION, addressees_as_written="each region"
        ),
    )

    shared = [item for item in _listed(client, dc_editor) if item.organisation.slug == "swrocu"]

    assert shared == [still_open]


def test_a_force_no_longer_in_the_region_does_not_see_its_items(
    client, django_user_model, organisations
):
    force = OrganisationFactory()
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    organisation_services.region_membership_record(
        force=force, region=organisations["swrocu"], valid_from=None, valid_to=yesterday, by=SYSTEM
    )
    editor = django_user_model.objects.create_user("former-member")
    organisation_services.membership_grant(
        user=editor, organisation=force, role=Membership.Role.EDITOR, by=SYSTEM
    )

    assert _listed(client, editor) == []
