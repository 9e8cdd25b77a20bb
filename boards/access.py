"""Who may do what with boards. A board's meetings are scheduled and its papers issued by
the editors, leads and organisation administrators of the board's organisation (and the
system actor of the loaders). Its meetings and papers are read by the people of the bodies
in its scope, as on the day: for a region's board, the region's own people, its forces'
and the local policing bodies that oversee them; for an organisation's board, whoever may
see that organisation; for a national board, anyone who belongs to an organisation; and by
the national view. Anyone else gets a 404, as for any other organisation's record."""

import datetime

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from organisations.access import (
    EDITING_ROLES,
    ORGANISATION_ADMINISTRATOR,
    has_national_view,
    has_role,
    is_superuser,
    is_system,
    organisation_ids_with,
)
from organisations.models import Oversight, RegionMembership

from .models import Board

MANAGING_ROLES = (*EDITING_ROLES, ORGANISATION_ADMINISTRATOR)


def boards_visible_to(user, *, day: datetime.date) -> QuerySet[Board]:
    """The boards the person may read, as one query (its relationships as subqueries, so
    the calendar feed pays one query for its meetings). "May see the organisation" is
    organisations.selectors.visible_organisation_ids, written here as subqueries."""
    boards = Board.objects.select_related("organisation")
    if is_system(user) or has_national_view(user):
        return boards
    own = organisation_ids_with(user)
    if not own:
        return boards.none()
    overseen = Oversight.objects.on(day).filter(body_id__in=own).values("force_id")
    members = RegionMembership.objects.on(day).filter(region_id__in=own).values("force_id")
    regions = RegionMembership.objects.on(day).filter(
        Q(force_id__in=own) | Q(force_id__in=overseen)
    )
    return boards.filter(
        Q(organisation_id__in=own)
        | Q(organisation_id__in=overseen)
        | Q(organisation_id__in=members)
        | Q(scope=Board.Scope.REGION, organisation_id__in=regions.values("region_id"))
        | Q(scope=Board.Scope.NATIONAL)
    )


def can_read_board(user, board: Board, *, day: datetime.date) -> bool:
    return boards_visible_to(user, day=day).filter(pk=board.pk).exists()


def require_read_board(user, board: Board, *, day: datetime.date) -> None:
    if not can_read_board(user, board, day=day):
        raise PermissionDenied(f"Only the people of {board.name}'s bodies read its papers.")


def can_manage_board(user, board: Board) -> bool:
    """Schedule meetings and issue papers."""
    return is_system(user) or has_role(user, board.organisation_id, MANAGING_ROLES)


def require_manage_board(user, board: Board) -> None:
    if not can_manage_board(user, board):
        organisation = board.organisation
        raise PermissionDenied(
            f"Only {organisation.short_name or organisation.name}'s editors, leads and "
            "organisation administrators schedule its board's meetings and issue its papers."
        )


def can_create_board(user, organisation) -> bool:
    """Set up a board: its organisation's managers, or a superuser in the admin."""
    return is_system(user) or is_superuser(user) or has_role(user, organisation.pk, MANAGING_ROLES)


def require_create_board(user, organisation) -> None:
    if not can_create_board(user, organisation):
        raise PermissionDenied(
            f"Only {organisation.short_name or organisation.name}'s editors, leads and "
            "organisation administrators set up its boards."
        )
