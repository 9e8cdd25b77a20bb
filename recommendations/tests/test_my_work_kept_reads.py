"""What My work keeps between requests (issue 11): the ids of the findings shared with the
forces and the inspection filter's options. Each must show a change at the next request."""

import pytest
from django.urls import reverse
from django.utils import timezone

from dashboards.tests.helpers import make_items
from recommendations.models import Finding
from recommendations.tests.factories import (
    FindingFactory,
    InspectionFactory,
    TrackedItemFactory,
)

pytestmark = pytest.mark.django_db

MY_WORK = reverse("recommendations:my_work")


def _listed_ids(client) -> set[int]:
    return {item.pk for item in client.get(MY_WORK).context["page"].object_list}


def _inspection_options(client) -> dict[str, str]:
    return dict(client.get(MY_WORK).context["filter"].form.fields["inspection"].choices)


def test_it_lists_a_region_item_shared_with_the_forces_once_its_finding_is(
    client, dc_editor, organisations
):
    client.force_login(dc_editor)
    finding = FindingFactory(audience=Finding.Audience.EACH_REGION, addressees_as_written="x")
    shared = TrackedItemFactory(organisation=organisations["swrocu"], finding=finding)
    assert shared.pk not in _listed_ids(client)

    finding.addressees_as_written = "ROCU leads, with the chief officers of the affected forces"
    finding.save()

    assert shared.pk in _listed_ids(client)


def test_its_inspection_filter_offers_a_report_as_soon_as_an_item_of_it_is_added(
    client, dc_editor, organisations
):
    client.force_login(dc_editor)
    today = timezone.localdate()
    before = _inspection_options(client)
    inspection = InspectionFactory(title="A new report")
    make_items(
        1, organisation=organisations["devon-and-cornwall"], today=today, inspection=inspection
    )

    after = _inspection_options(client)

    assert str(inspection.pk) not in before
    assert after[str(inspection.pk)] == f"A new report ({inspection.published_on.year})"


def test_its_inspection_filter_shows_a_report_s_new_title(client, dc_editor, organisations):
    client.force_login(dc_editor)
    inspection = InspectionFactory(title="Draft title")
    make_items(
        1,
        organisation=organisations["devon-and-cornwall"],
        today=timezone.localdate(),
        inspection=inspection,
    )
    assert _inspection_options(client)[str(inspection.pk)].startswith("Draft title")

    inspection.title = "Final title"
    inspection.save()

    assert _inspection_options(client)[str(inspection.pk)].startswith("Final title")
