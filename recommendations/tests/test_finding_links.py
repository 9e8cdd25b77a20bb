"""Issue 13, point 5: a later report repeats or supersedes an earlier one's finding."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from inspections.models import Inspection
from organisations.access import SYSTEM
from organisations.models import Membership
from organisations.services import membership_grant
from recommendations import services
from recommendations.models import Finding, TrackedItem, TrackedItemEvent
from recommendations.tests.factories import FindingFactory

Status = TrackedItem.Status
pytestmark = pytest.mark.django_db


@pytest.fixture
def liaison(django_user_model, organisations):
    user = django_user_model.objects.create_user(username="hana", password="pw")
    membership_grant(
        user=user,
        organisation=organisations["hmicfrs"],
        role=Membership.Role.INSPECTION_LIAISON,
        by=SYSTEM,
    )
    return user


@pytest.fixture
def findings(reference_data):
    """The 2021 funding cause of concern, and a 2015 point it could repeat (made up: the
    reference data records only one of the 2015 report's eleven recommendations)."""
    later = Finding.objects.get(key="funding")
    earlier = Finding.objects.get(key="force-action-plan")
    return later, earlier


def test_it_links_a_finding_to_the_earlier_one_it_repeats(findings, liaison):
    later, earlier = findings
    services.finding_link_repeat(finding=later, earlier=earlier, by=liaison)
    later.refresh_from_db()
    assert later.repeats == earlier
    assert list(earlier.repeated_by.all()) == [later]
    assert not earlier.tracked_items.filter(status=Status.SUPERSEDED).exists()


def test_it_shows_raised_before_on_both_findings(client, findings, liaison, dc_editor):
    later, earlier = findings
    services.finding_link_repeat(finding=later, earlier=earlier, by=liaison)
    client.force_login(dc_editor)
    for inspection in (later.inspection, earlier.inspection):
        page = client.get(inspection.get_absolute_url()).content.decode()
        assert "Raised before in 2015" in page, inspection
    item = earlier.tracked_items.get(organisation__slug="devon-and-cornwall")
    page = client.get(reverse("recommendations:item", args=[item.pk])).content.decode()
    assert "Raised before in 2015, and again in 2021" in page


def test_it_closes_the_earlier_findings_open_items_as_superseded(findings, liaison):
    later, earlier = findings
    open_before = earlier.tracked_items.exclude(status__in=TrackedItem.CLOSED_STATUSES).count()
    closed = earlier.tracked_items.first()
    TrackedItem.objects.filter(pk=closed.pk).update(status=Status.NO_FURTHER_ACTION)
    events = services.finding_supersede(finding=later, earlier=earlier, by=liaison)
    assert len(events) == open_before - 1
    assert set(earlier.tracked_items.values_list("status", flat=True)) == {
        Status.SUPERSEDED,
        Status.NO_FURTHER_ACTION,
    }
    event = TrackedItemEvent.objects.get(pk=events[0].pk)
    assert event.to_status == Status.SUPERSEDED
    assert event.occurred_on == later.inspection.published_on
    assert "Cause of concern of the 2021 HMICFRS report" in event.narrative
    later.refresh_from_db()
    assert later.supersedes == earlier


def test_it_refuses_a_link_to_a_finding_that_is_not_earlier(findings, liaison):
    later, earlier = findings
    with pytest.raises(ValidationError, match="published before"):
        services.finding_link_repeat(finding=earlier, earlier=later, by=SYSTEM)
    with pytest.raises(ValidationError, match="itself"):
        services.finding_supersede(finding=later, earlier=later, by=liaison)


@pytest.mark.parametrize("outsider", ["cambs_editor", "dc_editor", "board_member"])
def test_it_refuses_anyone_who_may_not_enter_the_inspection(request, findings, outsider):
    later, earlier = findings
    user = request.getfixturevalue(outsider)
    with pytest.raises(PermissionDenied):
        services.finding_link_repeat(finding=later, earlier=earlier, by=user)
    with pytest.raises(PermissionDenied):
        services.finding_supersede(finding=later, earlier=earlier, by=user)
    assert not earlier.tracked_items.filter(status=Status.SUPERSEDED).exists()


def test_the_liaison_links_them_on_a_page_of_its_own(client, findings, liaison):
    later, earlier = findings
    client.force_login(liaison)
    url = reverse("recommendations:finding_link", args=[later.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"link": "repeats", "earlier": earlier.pk})
    assert response.status_code == 302
    later.refresh_from_db()
    assert later.repeats == earlier


def test_it_keeps_the_inspection_page_to_a_constant_number_of_queries(
    client, findings, liaison, dc_editor, django_assert_max_num_queries
):
    later, earlier = findings
    inspection = later.inspection
    client.force_login(dc_editor)
    counts = []
    for n in (1, 20):
        for _ in range(n):
            FindingFactory(inspection=inspection).repeated_by.add(
                FindingFactory(
                    inspection=Inspection.objects.create(
                        slug=f"later-{Finding.objects.count()}",
                        inspectorate=inspection.inspectorate,
                        type=inspection.type,
                        scope=inspection.scope,
                        title="A later report",
                        published_on=datetime.date(2024, 1, 1),
                    )
                )
            )
        with django_assert_max_num_queries(40) as captured:
            assert client.get(inspection.get_absolute_url()).status_code == 200
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]
