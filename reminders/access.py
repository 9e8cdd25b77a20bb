"""Who is reminded of what: the role behind each audience of the ladder (ladder.Owner).

An item's owner is reminded whatever their role; an item nobody owns goes to the editors of
its organisation; escalations go to its leads, and the Section 55 clock to the staff of the
PCC office that responds. The scan needs every organisation's people at once, so they are
read here in one query rather than person by person through organisations.access.roles_of
(which memoises one person's roles for a request)."""

from collections import defaultdict

from organisations.models import Membership

from . import ladder

# Who gets an item's reminders when nobody owns it.
UNOWNED_ITEM_ROLE = Membership.Role.EDITOR
ROLE_OF_AUDIENCE = {
    ladder.Owner.OWNER: UNOWNED_ITEM_ROLE,
    ladder.Owner.LEAD: Membership.Role.LEAD,
    ladder.Owner.PCC_STAFF: Membership.Role.PCC_STAFF,
}


def reminded_members(*, user_ids: set[int] | None = None) -> dict[str, dict[int, list[int]]]:
    """{audience: {organisation id: [user ids]}} of the active people each audience of
    the ladder reaches in each organisation; only `user_ids` when given (at send time)."""
    audience_of_role = {role: audience for audience, role in ROLE_OF_AUDIENCE.items()}
    memberships = Membership.objects.filter(
        user__is_active=True, role__in=list(audience_of_role)
    ).order_by()
    if user_ids is not None:
        memberships = memberships.filter(user_id__in=user_ids)
    members: dict[str, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for organisation_id, user_id, role in memberships.values_list(
        "organisation_id", "user_id", "role"
    ):
        members[audience_of_role[role]][organisation_id].append(user_id)
    return members
