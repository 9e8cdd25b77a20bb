"""Who is reminded of what: each audience of the ladder and the role it reaches."""

import pytest

from organisations.models import Membership
from reminders import access, ladder

pytestmark = pytest.mark.django_db


def test_each_audience_of_the_ladder_reaches_one_role():
    assert access.ROLE_OF_AUDIENCE == {
        ladder.Owner.OWNER: Membership.Role.EDITOR,
        ladder.Owner.LEAD: Membership.Role.LEAD,
        ladder.Owner.PCC_STAFF: Membership.Role.PCC_STAFF,
    }


def test_it_lists_each_organisation_s_people_by_audience(cast, devon, organisations, board_member):
    members = access.reminded_members()

    assert members[ladder.Owner.OWNER][devon.id] == [cast["alice"].id]
    assert members[ladder.Owner.LEAD][devon.id] == [cast["bob"].id]
    assert members[ladder.Owner.OWNER][organisations["cambridgeshire"].id] == [cast["charlie"].id]
    pcc = organisations["devon-and-cornwall-pcc"]
    assert members[ladder.Owner.PCC_STAFF][pcc.id] == [cast["dana"].id]
    everyone = {user for audience in members.values() for ids in audience.values() for user in ids}
    assert board_member.id not in everyone  # a viewer is reminded of nothing


def test_it_leaves_out_inactive_people_and_those_not_asked_for(cast, devon):
    cast["bob"].is_active = False
    cast["bob"].save()

    members = access.reminded_members(user_ids={cast["bob"].id, cast["charlie"].id})

    assert members[ladder.Owner.LEAD].get(devon.id) is None
    assert members[ladder.Owner.OWNER].get(devon.id) is None  # alice was not asked for
