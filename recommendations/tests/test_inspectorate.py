"""Issue 13, point 8: the inspectorate, not the force, closes its recommendations."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from dashboards.selectors import board_paper_for, dashboard_for
from organisations.access import SYSTEM
from organisations.models import Membership
from organisations.services import membership_grant
from recommendations import services
from recommendations.models import Finding, TrackedItem
from recommendations.tests.factories import FindingFactory, TrackedItemFactory
from reminders.services import _tracked_items
from rocu_tracker.versioning import StaleEditError

Status = TrackedItem.Status
pytestmark = pytest.mark.django_db


def _member(django_user_model, username, organisation, role):
    user = django_user_model.objects.create_user(username=username, password="pw")
    membership_grant(user=user, organisation=organisation, role=role, by=SYSTEM)
    return user


@pytest.fixture
def liaison(django_user_model, organisations):
    """Hana: an inspection liaison at HMICFRS."""
    return _member(
        django_user_model, "hana", organisations["hmicfrs"], Membership.Role.INSPECTION_LIAISON
    )


@pytest.fixture
def sw_editor(django_user_model, organisations):
    return _member(django_user_model, "sam", organisations["swrocu"], Membership.Role.EDITOR)


@pytest.fixture
def sw_lead(django_user_model, organisations):
    return _member(django_user_model, "tess", organisations["swrocu"], Membership.Role.LEAD)


@pytest.fixture
def item(reference_data):
    """South West ROCU's item of a 2021 HMICFRS recommendation."""
    return TrackedItem.objects.get(organisation__slug="swrocu", finding__key="sio-lro-systems")


def _propose(item, by):
    item.refresh_from_db()
    services.progress_update_add(
        item=item,
        by=by,
        expected_version=item.version,
        status=Status.PROPOSED_COMPLETE,
        narrative="Systems in place for SIOs and LROs.",
        evidence_files=[SimpleUploadedFile("systems.pdf", b"%PDF-1.4", "application/pdf")],
    )
    item.refresh_from_db()


def _signed_off(item, editor, lead):
    _propose(item, editor)
    services.tracked_item_accept(item=item, by=lead, expected_version=item.version)
    item.refresh_from_db()
    return item


def test_it_sends_a_signed_off_recommendation_to_the_inspectorate(item, sw_editor, sw_lead):
    _signed_off(item, sw_editor, sw_lead)
    assert item.status == Status.AWAITING_INSPECTORATE
    assert not item.is_closed
    event = item.events.first()
    assert (event.from_status, event.to_status) == (Status.PROPOSED_COMPLETE, item.status)


def test_it_closes_an_area_for_improvement_on_the_forces_own_sign_off(item, sw_editor, sw_lead):
    finding = FindingFactory(
        inspection=item.finding.inspection, kind=Finding.Kind.AREA_FOR_IMPROVEMENT
    )
    afi = TrackedItemFactory(finding=finding, organisation=item.organisation)
    _signed_off(afi, sw_editor, sw_lead)
    assert afi.status == Status.COMPLETE


def test_it_lets_the_liaison_confirm_it_complete(item, sw_editor, sw_lead, liaison):
    _signed_off(item, sw_editor, sw_lead)
    services.tracked_item_inspectorate_confirm(item=item, by=liaison, expected_version=item.version)
    assert item.status == Status.COMPLETE
    event = item.events.first()
    assert event.actor == liaison
    assert event.narrative == "Confirmed as discharged by HMICFRS."


def test_it_lets_the_liaison_return_it_with_a_reason(item, sw_editor, sw_lead, liaison):
    _signed_off(item, sw_editor, sw_lead)
    with pytest.raises(ValidationError, match="Say why"):
        services.tracked_item_inspectorate_return(
            item=item, by=liaison, expected_version=item.version, reason="  "
        )
    services.tracked_item_inspectorate_return(
        item=item, by=liaison, expected_version=item.version, reason="No evidence of LRO work."
    )
    assert item.status == Status.BEING_PROGRESSED
    event = item.events.first()
    assert (event.from_status, event.to_status) == (Status.AWAITING_INSPECTORATE, item.status)
    assert event.narrative == "No evidence of LRO work."


@pytest.mark.parametrize("outsider", ["cambs_editor", "dc_editor", "board_member"])
def test_it_refuses_anyone_but_the_inspectorates_liaison(
    request, item, sw_editor, sw_lead, outsider
):
    _signed_off(item, sw_editor, sw_lead)
    for user in (request.getfixturevalue(outsider), sw_lead):
        with pytest.raises(PermissionDenied):
            services.tracked_item_inspectorate_confirm(
                item=item, by=user, expected_version=item.version
            )
        with pytest.raises(PermissionDenied):
            services.tracked_item_inspectorate_return(
                item=item, by=user, expected_version=item.version, reason="No."
            )
    item.refresh_from_db()
    assert item.status == Status.AWAITING_INSPECTORATE


def test_it_refuses_a_liaison_of_another_inspectorate(
    django_user_model, organisations, item, sw_editor, sw_lead
):
    hmic = _member(
        django_user_model, "ivy", organisations["hmic"], Membership.Role.INSPECTION_LIAISON
    )
    _signed_off(item, sw_editor, sw_lead)
    with pytest.raises(PermissionDenied, match="HMICFRS"):
        services.tracked_item_inspectorate_confirm(
            item=item, by=hmic, expected_version=item.version
        )


def test_it_confirms_only_what_awaits_the_inspectorate(item, sw_editor, liaison):
    _propose(item, sw_editor)
    with pytest.raises(ValidationError, match="awaiting the inspectorate"):
        services.tracked_item_inspectorate_confirm(
            item=item, by=liaison, expected_version=item.version
        )


def test_it_refuses_a_stale_confirmation(item, sw_editor, sw_lead, liaison):
    _signed_off(item, sw_editor, sw_lead)
    with pytest.raises(StaleEditError):
        services.tracked_item_inspectorate_confirm(
            item=item, by=liaison, expected_version=item.version - 1
        )


def test_it_counts_awaiting_the_inspectorate_apart_from_complete(
    item, sw_editor, sw_lead, liaison, board_member
):
    today = timezone.localdate()

    def counts():
        board = dashboard_for(user=board_member, today=today)
        by_status = {value: count for value, _, count in board.by_status}
        return by_status[Status.AWAITING_INSPECTORATE], by_status[Status.COMPLETE], board.open

    before_awaiting, before_complete, before_open = counts()
    _signed_off(item, sw_editor, sw_lead)
    assert counts() == (before_awaiting + 1, before_complete, before_open)
    paper = board_paper_for(
        user=board_member,
        organisation=item.organisation,
        meeting_on=today,
        next_meeting_on=today.replace(year=today.year + 1),
        today=today,
    )
    assert ("awaiting_inspectorate", "Complete, awaiting the inspectorate", 1) in paper.by_status
    services.tracked_item_inspectorate_confirm(item=item, by=liaison, expected_version=item.version)
    assert counts() == (before_awaiting, before_complete + 1, before_open - 1)


def test_it_reminds_nobody_of_an_item_awaiting_the_inspectorate(item, sw_editor, sw_lead):
    today = timezone.localdate()
    TrackedItem.objects.filter(pk=item.pk).update(target_date=today)
    assert item.pk in {row[0] for row in _tracked_items(today)}
    _signed_off(item, sw_editor, sw_lead)
    assert item.pk not in {row[0] for row in _tracked_items(today)}


# --- the pages -------------------------------------------------------------------------------


def test_it_shows_the_liaison_the_items_awaiting_and_the_forms(
    client, item, sw_editor, sw_lead, liaison, django_assert_max_num_queries
):
    _signed_off(item, sw_editor, sw_lead)
    client.force_login(liaison)
    response = client.get(reverse("recommendations:inspectorate_awaiting"))
    assert response.status_code == 200
    assert reverse("recommendations:item", args=[item.pk]) in response.content.decode()
    page = client.get(reverse("recommendations:item", args=[item.pk])).content.decode()
    assert "Confirm as complete" in page
    assert "Return to the organisation" in page
    assert "Add a progress update" not in page


def test_it_lists_what_awaits_in_a_constant_number_of_queries(
    client, item, liaison, django_assert_max_num_queries
):
    client.force_login(liaison)
    url = reverse("recommendations:inspectorate_awaiting")
    counts = []
    for n in (1, 50):
        while TrackedItem.objects.filter(status=Status.AWAITING_INSPECTORATE).count() < n:
            TrackedItemFactory(
                finding=FindingFactory(inspection=item.finding.inspection),
                status=Status.AWAITING_INSPECTORATE,
            )
        with django_assert_max_num_queries(12) as captured:
            assert client.get(url).status_code == 200
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]


def test_the_liaison_confirms_on_the_item_page(client, item, sw_editor, sw_lead, liaison):
    _signed_off(item, sw_editor, sw_lead)
    client.force_login(liaison)
    response = client.post(
        reverse("recommendations:item_inspectorate_return", args=[item.pk]),
        {"version": item.version, "reason": "Show us the joint working protocol."},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == Status.BEING_PROGRESSED


def test_it_answers_403_to_a_force_user_posting_the_inspectorates_decision(
    client, item, sw_editor, sw_lead
):
    _signed_off(item, sw_editor, sw_lead)
    client.force_login(sw_lead)
    response = client.post(
        reverse("recommendations:item_inspectorate_confirm", args=[item.pk]),
        {"version": item.version},
    )
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.status == Status.AWAITING_INSPECTORATE


def test_it_lists_nothing_for_someone_who_is_not_a_liaison(client, dc_editor):
    client.force_login(dc_editor)
    response = client.get(reverse("recommendations:inspectorate_awaiting"))
    assert "you are not one" in response.content.decode()
