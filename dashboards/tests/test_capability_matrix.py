"""The capability matrix and each cell's delivery history, recorded by the region's ROCU
staff (organisations.services.capability_delivery_record)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import _member
from organisations import services as organisation_services
from organisations.access import SYSTEM
from organisations.models import CapabilityDeliveryRecord, Membership
from recommendations.models import Capability

from .helpers import make_items

pytestmark = pytest.mark.django_db

MATRIX = reverse("dashboards:capability_matrix")
Delivery = CapabilityDeliveryRecord.Delivery


@pytest.fixture
def sw_rocu_editor(django_user_model, organisations):
    """Sam: an editor at the South West region (ROCU staff)."""
    return _member(django_user_model, "sam", organisations["swrocu"], Membership.Role.EDITOR)


@pytest.fixture
def eastern_rocu_editor(django_user_model, organisations):
    return _member(django_user_model, "ellis", organisations["ersou"], Membership.Role.EDITOR)


@pytest.fixture
def rart(reference_data):
    return Capability.objects.get(slug="rart")


def _history(region="swrocu", capability="rart"):
    return reverse("dashboards:capability_history", args=[region, capability])


def _record_url(region="swrocu", capability="rart"):
    return reverse("dashboards:capability_delivery_record", args=[region, capability])


def _cell(response, region_slug, capability):
    rows = {row["region"].slug: row for row in response.context["matrix"]["rows"]}
    return next(c for c in rows[region_slug]["cells"] if c["capability"] == capability)


def test_it_lets_the_regions_editor_record_delivery_and_keeps_its_history(
    client, sw_rocu_editor, rart, organisations
):
    client.force_login(sw_rocu_editor)
    first = client.post(
        _record_url(),
        {"delivery": "partly", "valid_from": "2025-04-01", "note": "Two of three teams."},
    )
    assert first.status_code == 302
    second = client.post(
        _record_url(),
        {
            "delivery": "through_another_region",
            "through_region": organisations["ersou"].pk,
            "valid_from": "2026-01-05",
            "source": "https://example.org/board-paper.pdf",
        },
    )
    assert second.status_code == 302
    records = list(CapabilityDeliveryRecord.objects.filter(region=organisations["swrocu"]))
    assert [r.delivery for r in records] == ["through_another_region", "partly"]
    assert all(r.recorded_by == sw_rocu_editor for r in records)

    history = client.get(_history()).content.decode()
    assert history.index("Delivered through another region") < history.index("Delivered partly")
    assert "Two of three teams." in history
    assert 'href="https://example.org/board-paper.pdf"' in history

    matrix = client.get(MATRIX)
    cell = _cell(matrix, "swrocu", rart)
    assert cell["delivery"].delivery_label == (
        "Delivered through another region: " + organisations["ersou"].name
    )
    assert _history() in matrix.content.decode()


def test_a_backdated_record_does_not_replace_the_current_state(sw_rocu_editor, rart, organisations):
    record = organisation_services.capability_delivery_record
    region = organisations["swrocu"]
    record(
        region=region,
        capability=rart,
        delivery=Delivery.FULLY,
        valid_from=datetime.date(2026, 3, 1),
        by=sw_rocu_editor,
    )
    record(
        region=region,
        capability=rart,
        delivery=Delivery.NOT_YET,
        valid_from=datetime.date(2024, 3, 1),
        note="A correction of 2024",
        by=sw_rocu_editor,
    )
    from dashboards.selectors.capabilities import capability_deliveries_current

    (current,) = capability_deliveries_current()
    assert current.delivery == Delivery.FULLY
    assert CapabilityDeliveryRecord.objects.count() == 2


@pytest.mark.parametrize("outsider", ["eastern_rocu_editor", "dc_editor", "board_member"])
def test_it_refuses_anyone_but_the_regions_staff(client, request, outsider, rart, organisations):
    user = request.getfixturevalue(outsider)
    client.force_login(user)
    posted = client.post(_record_url(), {"delivery": "fully", "valid_from": "2026-01-01"})
    assert posted.status_code == 403
    assert "Record how it is delivered" not in client.get(_history()).content.decode()
    with pytest.raises(PermissionDenied):
        organisation_services.capability_delivery_record(
            region=organisations["swrocu"],
            capability=rart,
            delivery=Delivery.FULLY,
            valid_from=datetime.date(2026, 1, 1),
            by=user,
        )
    assert not CapabilityDeliveryRecord.objects.exists()


def test_a_force_cannot_be_given_a_delivery(rart, organisations):
    with pytest.raises(PermissionDenied):
        organisation_services.capability_delivery_record(
            region=organisations["devon-and-cornwall"],
            capability=rart,
            delivery=Delivery.FULLY,
            valid_from=datetime.date(2026, 1, 1),
            by=SYSTEM,
        )


def test_it_shows_what_was_wrong_and_keeps_what_was_typed(client, sw_rocu_editor):
    client.force_login(sw_rocu_editor)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    refused = client.post(
        _record_url(),
        {
            "delivery": "through_another_region",
            "valid_from": tomorrow.isoformat(),
            "note": "A note worth keeping",
        },
    )
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "There is a problem" in html
    assert "Choose the region that delivers it." in html
    assert "once it is so" in html
    assert "A note worth keeping" in html
    assert f'value="{tomorrow.isoformat()}"' in html
    assert not CapabilityDeliveryRecord.objects.exists()


def test_it_shows_only_recorded_delivery_and_the_open_items(
    client, board_member, organisations, rart
):
    organisation_services.capability_delivery_record(
        region=organisations["swrocu"],
        capability=rart,
        delivery=Delivery.FULLY,
        valid_from=datetime.date(2026, 1, 1),
        source="A test source",
        by=SYSTEM,
    )
    make_items(
        3,
        organisation=organisations["devon-and-cornwall"],
        today=timezone.localdate(),
        capabilities=[rart],
    )
    client.force_login(board_member)
    response = client.get(MATRIX)
    cell = _cell(response, "swrocu", rart)
    assert cell["delivery"].delivery == Delivery.FULLY
    assert _cell(response, "ersou", rart)["delivery"] is None
    html = response.content.decode()
    assert "Delivered fully" in html
    cells = sum(len(row["cells"]) for row in response.context["matrix"]["rows"])
    assert html.count("Delivery not yet recorded") == cells - 1
    link = f"?region={organisations['swrocu'].id}&amp;capability={rart.id}&amp;state=open"
    assert link in html
    listed = client.get(
        reverse("dashboards:items"),
        {"region": organisations["swrocu"].id, "capability": rart.id, "state": "open"},
    )
    assert listed.context["page_obj"].count == cell["open_items"] > 0


def test_it_counts_for_the_outsider_none_of_another_forces_items(
    client, cambs_editor, organisations, rart
):
    make_items(
        3,
        organisation=organisations["devon-and-cornwall"],
        today=timezone.localdate(),
        capabilities=[rart],
    )
    client.force_login(cambs_editor)
    rows = client.get(MATRIX).context["matrix"]["rows"]
    sw = next(row for row in rows if row["region"].slug == "swrocu")
    assert all(cell["open_items"] == 0 for cell in sw["cells"])


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def _records(count, *, region, capabilities):
    for i in range(count):
        for capability in capabilities:
            organisation_services.capability_delivery_record(
                region=region,
                capability=capability,
                delivery=Delivery.PARTLY if i % 2 else Delivery.FULLY,
                valid_from=datetime.date(2020, 1, 1) + datetime.timedelta(days=i),
                by=SYSTEM,
            )


def test_its_queries_do_not_grow_with_records_or_items(client, sw_rocu_editor, organisations, rart):
    client.force_login(sw_rocu_editor)
    region, today = organisations["swrocu"], timezone.localdate()
    capabilities = list(Capability.objects.all())
    _records(1, region=region, capabilities=capabilities)
    make_items(
        1, organisation=organisations["devon-and-cornwall"], today=today, capabilities=[rart]
    )
    few = _queries(client, MATRIX), _queries(client, _history())
    _records(49, region=region, capabilities=capabilities)
    make_items(
        49, organisation=organisations["devon-and-cornwall"], today=today, capabilities=[rart]
    )
    many = _queries(client, MATRIX), _queries(client, _history())
    assert few == many
    assert CapabilityDeliveryRecord.objects.filter(capability=rart).count() == 50
