import pytest
from django.urls import reverse
from django.utils import timezone

from dashboards.models import CapabilityDelivery
from recommendations.models import Capability

from .helpers import make_items

pytestmark = pytest.mark.django_db

MATRIX = reverse("dashboards:capability_matrix")


def test_it_shows_regions_by_capability_with_recorded_delivery_only(
    client, board_member, organisations
):
    capability = Capability.objects.get(slug="rart")
    CapabilityDelivery.objects.create(
        region=organisations["swrocu"],
        capability=capability,
        status=CapabilityDelivery.Status.DELIVERED,
        source="A test source",
    )
    make_items(
        3,
        organisation=organisations["devon-and-cornwall"],
        today=timezone.localdate(),
        capabilities=[capability],
    )
    client.force_login(board_member)
    response = client.get(MATRIX)
    rows = {row["region"].slug: row for row in response.context["matrix"]["rows"]}
    cell = next(c for c in rows["swrocu"]["cells"] if c["capability"] == capability)
    assert cell["delivery"].status == "delivered"
    other = next(c for c in rows["ersou"]["cells"] if c["capability"] == capability)
    assert other["delivery"] is None
    html = response.content.decode()
    assert "Delivery not yet recorded" in html
    link = f"?region={organisations['swrocu'].id}&amp;capability={capability.id}&amp;state=open"
    assert link in html
    listed = client.get(
        reverse("dashboards:items"),
        {"region": organisations["swrocu"].id, "capability": capability.id, "state": "open"},
    )
    assert listed.context["page_obj"].count == cell["open_items"] > 0


def test_it_counts_for_the_outsider_none_of_another_forces_items(
    client, cambs_editor, organisations
):
    capability = Capability.objects.get(slug="rart")
    make_items(
        3,
        organisation=organisations["devon-and-cornwall"],
        today=timezone.localdate(),
        capabilities=[capability],
    )
    client.force_login(cambs_editor)
    rows = client.get(MATRIX).context["matrix"]["rows"]
    sw = next(row for row in rows if row["region"].slug == "swrocu")
    assert all(cell["open_items"] == 0 for cell in sw["cells"])
