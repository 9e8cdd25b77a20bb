"""Who may do what with a Section 55 response.

The office runs the response: the staff of the responding body (Membership.Role.PCC_STAFF
there) write every step; the force's editors and leads may enter their chief officer's
comments; the loaders act as organisations.access.SYSTEM. Every service calls require_*
first; the pages use can_* and office_access.

Who reads the draft:

The draft (the office's comments, its positions and their explanations, the chief officer's
comments and views before publication, the board paper while the response is open) belongs to
the office: the staff of the responding body (Membership.Role.PCC_STAFF there) read and
write it, and superusers read everything. The force's editors and leads enter the chief
officer's comments on their own page (can_enter_chief_officer_comments), which
shows them the recommendations and the chief officer's views, never the office's text.
Everybody else who may see the response (the region's board members, administrators who are
not superusers, the office's other members) sees its stage, its clock, the dates of each step
and its published versions."""

import dataclasses
import datetime

from django.core.exceptions import PermissionDenied

from inspections.models import Inspection
from organisations.access import (
    EDITING_ROLES,
    has_national_view,
    is_superuser,
    is_system,
    organisation_ids_with,
    role_at,
)
from organisations.models import Membership, Organisation, RegionMembership

from .models import Section55Response

PCC_STAFF = Membership.Role.PCC_STAFF


@dataclasses.dataclass(frozen=True)
class Access:
    can_read: bool = False
    can_edit: bool = False


def office_access(user, body: Organisation, inspection: Inspection) -> Access:
    """The office's own staff edit; its other members, administrators and board members
    whose organisations take in a force it oversaw read; anyone else gets nothing."""
    from .selectors import forces_overseen

    if not user.is_authenticated:
        return Access()
    role = role_at(user, body.pk)
    if role == PCC_STAFF:
        return Access(can_read=True, can_edit=True)
    if role is not None or has_national_view(user):
        return Access(can_read=True)
    forces = set(forces_overseen(body, inspection.published_on).values_list("id", flat=True))
    return Access(can_read=bool(forces & board_force_ids(user, inspection.published_on)))


def board_force_ids(user, day: datetime.date) -> set[int]:
    """Forces a board member (viewer) sees: their organisations and their regions' forces."""
    own = organisation_ids_with(user, [Membership.Role.VIEWER])
    members = RegionMembership.objects.on(day).filter(region_id__in=own)
    return own | set(members.values_list("force_id", flat=True))


def chief_officer_force_ids(user) -> set[int]:
    """The forces whose chief officer's comments the person may enter (as an editor or
    lead there)."""
    return organisation_ids_with(user, EDITING_ROLES)


def can_enter_chief_officer_comments(user, body: Organisation, inspection: Inspection) -> bool:
    """Editors and leads of a force the body oversaw when the report was published."""
    from .selectors import forces_overseen

    force_ids = chief_officer_force_ids(user)
    return forces_overseen(body, inspection.published_on).filter(id__in=force_ids).exists()


def can_run_response(user, body: Organisation) -> bool:
    return is_system(user) or role_at(user, body.pk) == PCC_STAFF


def require_run_response(user, body: Organisation) -> None:
    if not can_run_response(user, body):
        raise PermissionDenied(f"Only {body.short_name}'s staff change its response.")


def require_enter_chief_officer_comments(user, response: Section55Response) -> None:
    """The office, or the force's editors and leads, enter the chief officer's comments."""
    if can_run_response(user, response.body) or can_enter_chief_officer_comments(
        user, response.body, response.inspection
    ):
        return
    raise PermissionDenied("Only the office or the force's editors and leads enter these.")


def shows_section55_menu(user) -> bool:
    """PCC office staff run responses; force editors and leads enter their chief officer's
    comments; administrators see every office."""
    shown = shows_section55_menu_by_role(user)
    return shown if shown is not None else section55_menu_forces(user).exists()


def shows_section55_menu_by_role(user) -> bool | None:
    """The menu's answer from the roles alone; None when it depends on whether one of the
    person's organisations is a force (section55_menu_forces), which base.html's menu asks
    in the same query as the unread count (rocu_tracker/navigation.py)."""
    if is_superuser(user) or organisation_ids_with(
        user, [PCC_STAFF, Membership.Role.ADMINISTRATOR]
    ):
        return True
    return None if chief_officer_force_ids(user) else False


def section55_menu_forces(user):
    """The forces whose chief officer's comments the person enters: any shows the menu."""
    return Organisation.objects.filter(
        id__in=chief_officer_force_ids(user), kind=Organisation.Kind.FORCE
    )


def can_read_draft(user, response: Section55Response) -> bool:
    return is_superuser(user) or role_at(user, response.body_id) == PCC_STAFF


def can_read_document(user, response: Section55Response | None) -> bool:
    """The board paper reads the draft: anyone who may read the draft opens it, and so does
    any reader once the response is published and not being corrected (the draft is then
    the published version word for word). A response not started has no draft text yet."""
    return response is None or response.is_frozen or can_read_draft(user, response)


def require_read_draft(user, response: Section55Response) -> None:
    if not can_read_draft(user, response):
        raise PermissionDenied(
            f"The draft of this response belongs to {response.body.name}: only its staff read "
            "it until it is published. You can see its stage, its statutory clock and its "
            "published versions on the response page."
        )


def require_read_document(user, response: Section55Response | None) -> None:
    if not can_read_document(user, response):
        require_read_draft(user, response)
