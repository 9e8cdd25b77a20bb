"""A dashboard's cache key follows the data of its own scope: a write in Cambridgeshire gives
the nation's and the Eastern region's dashboards new keys, and leaves Devon and Cornwall's
and the South West's as they were."""

import pytest
from django.utils import timezone

from dashboards.selectors import dashboard_cache_key, dashboard_for
from organisations.access import SYSTEM
from organisations.models import Membership, RegionMembership
from organisations.services import membership_grant
from recommendations import services
from recommendations.models import TrackedItem

pytestmark = pytest.mark.django_db


@pytest.fixture
def national(django_user_model):
    return django_user_model.objects.create_superuser(username="nadia", password="pw")


@pytest.fixture
def cambs_region_member(django_user_model, organisations):
    today = timezone.localdate()
    region = (
        RegionMembership.objects.on(today)
        .filter(force=organisations["cambridgeshire"])
        .get()
        .region
    )
    user = django_user_model.objects.create_user(username="ed", password="pw")
    membership_grant(user=user, organisation=region, role=Membership.Role.VIEWER, by=SYSTEM)
    return user


def _keys(users) -> list[str]:
    today = timezone.localdate()
    return [dashboard_cache_key(user=user, today=today) for user in users]


def test_a_write_in_one_force_changes_only_the_keys_of_scopes_holding_it(
    national, cambs_region_member, board_member, dc_editor, cambs_editor
):
    unaffected = [board_member, dc_editor]
    affected = [national, cambs_region_member, cambs_editor]
    before_unaffected, before_affected = _keys(unaffected), _keys(affected)
    item = TrackedItem.objects.filter(organisation__slug="cambridgeshire").first()

    services.tracked_item_assign(item=item, owner=cambs_editor, by=cambs_editor)

    assert _keys(unaffected) == before_unaffected
    after = _keys(affected)
    assert all(new != old for new, old in zip(after, before_affected, strict=True))


def test_a_cached_dashboard_counts_again_after_a_write_in_its_scope(dc_editor, dc_lead):
    today = timezone.localdate()
    item = TrackedItem.objects.filter(organisation__slug="devon-and-cornwall").first()
    before = dashboard_for(user=dc_editor, today=today)
    services.tracked_item_transition(
        item=item, to_status=TrackedItem.Status.NO_FURTHER_ACTION, by=SYSTEM
    )
    after = dashboard_for(user=dc_editor, today=today)
    assert after.open == before.open - 1
