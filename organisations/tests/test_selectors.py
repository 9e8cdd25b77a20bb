import pytest

from organisations.access import SYSTEM
from organisations.services import membership_grant
from recommendations.models import TrackedItem

pytestmark = pytest.mark.django_db


def _visible_forces(user):
    items = TrackedItem.objects.visible_to(user).filter(finding__audience="all_forces")
    return set(items.values_list("organisation__slug", flat=True))


def test_a_force_editor_sees_only_their_force(dc_editor):
    assert _visible_forces(dc_editor) == {"devon-and-cornwall"}


def test_pcc_staff_see_the_force_their_body_oversees(dc_pcc_staff):
    assert _visible_forces(dc_pcc_staff) == {"devon-and-cornwall"}


def test_a_rocu_board_member_sees_the_regions_forces(board_member):
    assert _visible_forces(board_member) == {
        "avon-and-somerset",
        "devon-and-cornwall",
        "dorset",
        "gloucestershire",
        "wiltshire",
    }


def test_an_administrator_sees_every_force(django_user_model, organisations):
    admin = django_user_model.objects.create_user("admin")
    membership_grant(
        user=admin, organisation=organisations["hmicfrs"], role="administrator", by=SYSTEM
    )
    assert len(_visible_forces(admin)) == 43


def test_only_editors_and_leads_may_edit(dc_editor, dc_lead, dc_pcc_staff, board_member):
    for user in (dc_editor, dc_lead):
        assert set(
            TrackedItem.objects.editable_by(user).values_list("organisation__slug", flat=True)
        ) == {"devon-and-cornwall"}
    for user in (dc_pcc_staff, board_member):
        assert not TrackedItem.objects.editable_by(user).exists()
