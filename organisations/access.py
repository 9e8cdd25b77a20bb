"""The one place that knows a person's roles: every app's access.py asks here.

`roles_of(user)` reads the person's memberships once and keeps them on the user object, so
a request (which has one user object) looks them up once however many checks it makes.
A service called for a fresh user object reads them again: memberships changed in between
are seen. The loaders and management commands act as SYSTEM, which may do anything and is
recorded as nobody."""

from types import MappingProxyType

from django.core.exceptions import PermissionDenied
from django.db import connection

from .models import Membership, Organisation

_MEMO = "_roles_by_organisation"

EDITING_ROLES = (Membership.Role.EDITOR, Membership.Role.LEAD)


class SystemActor:
    """The actor of the reference-data loaders, imports and management commands: allowed
    everything, and stored as no user in the records it writes."""

    is_authenticated = True
    is_active = True
    is_superuser = True
    is_staff = False
    pk = None
    id = None

    def __str__(self) -> str:
        return "the system"


SYSTEM = SystemActor()


def is_system(user) -> bool:
    return user is SYSTEM


def as_recorded(user):
    """The user to store as the author of a record: None for the system actor."""
    return None if user is SYSTEM else user


def roles_of(user) -> MappingProxyType:
    """{organisation id: role} for the person, read once per user object."""
    if not user.is_authenticated or user is SYSTEM:
        return MappingProxyType({})
    memo = getattr(user, _MEMO, None)
    if memo is None:
        with connection.cursor() as cursor:
            cursor.execute(_ROLES_SQL, [user.pk])
            memo = MappingProxyType(dict(cursor.fetchall()))
        setattr(user, _MEMO, memo)
    return memo


# Read on nearly every page, so written out, as accounts.selectors.two_factor_status is
# (issue 11: building the queryset cost four times running it). No ordering: a dict needs
# none, and Membership's default joins two tables.
_ROLES_SQL = f'SELECT organisation_id, role FROM "{Membership._meta.db_table}" WHERE user_id = %s'


def act_with_roles(user, roles: dict[int, str]) -> None:
    """Give this user object `roles` ({organisation id: role}) in place of its memberships,
    for as long as the object lives (a service token's account, for one request)."""
    setattr(user, _MEMO, MappingProxyType(dict(roles)))


def remember_roles(user, rows) -> None:
    """Remember the person's roles read with another query, as (organisation id, role) rows,
    unless this user object knows its roles already."""
    if user.is_authenticated and user is not SYSTEM and getattr(user, _MEMO, None) is None:
        act_with_roles(user, {int(pk): role for pk, role in rows})


def forget_roles(user) -> None:
    """Drop the memo after the person's memberships change in this process."""
    if hasattr(user, _MEMO):
        delattr(user, _MEMO)


def role_at(user, organisation_id: int) -> str | None:
    return roles_of(user).get(organisation_id)


def is_superuser(user) -> bool:
    return bool(user.is_authenticated and user.is_superuser)


def organisation_ids_with(user, roles=None) -> set[int]:
    """The organisations the person belongs to, optionally only those where their role is
    one of `roles`."""
    return {
        organisation_id
        for organisation_id, role in roles_of(user).items()
        if roles is None or role in roles
    }


def has_role(user, organisation_id: int, roles) -> bool:
    return role_at(user, organisation_id) in roles


def has_national_view(user) -> bool:
    """Superusers and administrators (the inspectorate side) see every organisation."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or Membership.Role.ADMINISTRATOR in roles_of(user).values()


def can_keep_reference_data(user) -> bool:
    """Organisations, their relationships, memberships given outside the People pages, the
    reference inspections and capabilities: the loaders (SYSTEM) and superusers."""
    return is_superuser(user)


def require_keep_reference_data(user) -> None:
    if not can_keep_reference_data(user):
        raise PermissionDenied("Only the reference-data loader or a superuser changes this.")


def is_editor_anywhere(user) -> bool:
    """Force-side editors and leads: they land on My work."""
    return bool(organisation_ids_with(user, EDITING_ROLES))


# --- People: who manages an organisation's people, and which roles they may give ---------
# (organisations/services.py invitation_* and person_*; the People pages.)

ORGANISATION_ADMINISTRATOR = Membership.Role.ORGANISATION_ADMINISTRATOR

# The roles that mean something at each kind of organisation. Forces, regions (ROCUs) and
# national bodies answer recommendations: editors keep their items and plans current, leads
# sign off, board members read. A force's liaison enters the reports about it (DESIGN.md);
# an inspectorate's liaisons enter and publish its reports. A local policing body runs
# Section 55 responses (PCC office staff) and has board members. Every kind has its own
# organisation administrators. ADMINISTRATOR is never given here: it is the inspectorate's
# national view of every organisation, given by a superuser in the Django admin.
ROLES_BY_KIND = {
    Organisation.Kind.FORCE: (
        Membership.Role.EDITOR,
        Membership.Role.LEAD,
        Membership.Role.INSPECTION_LIAISON,
        Membership.Role.VIEWER,
        ORGANISATION_ADMINISTRATOR,
    ),
    Organisation.Kind.LOCAL_POLICING_BODY: (
        Membership.Role.PCC_STAFF,
        Membership.Role.VIEWER,
        ORGANISATION_ADMINISTRATOR,
    ),
    Organisation.Kind.REGION: (
        Membership.Role.EDITOR,
        Membership.Role.LEAD,
        Membership.Role.VIEWER,
        ORGANISATION_ADMINISTRATOR,
    ),
    Organisation.Kind.NATIONAL_BODY: (
        Membership.Role.EDITOR,
        Membership.Role.LEAD,
        Membership.Role.VIEWER,
        ORGANISATION_ADMINISTRATOR,
    ),
    Organisation.Kind.INSPECTORATE: (
        Membership.Role.INSPECTION_LIAISON,
        Membership.Role.VIEWER,
        ORGANISATION_ADMINISTRATOR,
    ),
}

# How far each role reaches, to refuse giving or changing a role above one's own.
_RANK = {
    Membership.Role.VIEWER: 1,
    Membership.Role.EDITOR: 2,
    Membership.Role.PCC_STAFF: 2,
    Membership.Role.INSPECTION_LIAISON: 2,
    Membership.Role.LEAD: 3,
    ORGANISATION_ADMINISTRATOR: 4,
    Membership.Role.ADMINISTRATOR: 5,
}


def can_manage_people(user, organisation) -> bool:
    """Invite, change roles, deactivate: the organisation's administrators, and superusers."""
    if is_system(user) or is_superuser(user):
        return True
    return role_at(user, organisation.pk) == ORGANISATION_ADMINISTRATOR


def require_manage_people(user, organisation) -> None:
    if not can_manage_people(user, organisation):
        raise PermissionDenied(
            f"Only {organisation.short_name or organisation.name}'s organisation "
            "administrators manage its people."
        )


def can_manage_people_anywhere(user) -> bool:
    """Whether the People link shows: a superuser, or an administrator of some organisation."""
    return is_superuser(user) or bool(organisation_ids_with(user, [ORGANISATION_ADMINISTRATOR]))


def organisation_ids_managed_by(user) -> set[int] | None:
    """The organisations whose people the person manages; None means every one."""
    if is_system(user) or is_superuser(user):
        return None
    return organisation_ids_with(user, [ORGANISATION_ADMINISTRATOR])


def _granter_rank(user, organisation) -> int:
    if is_system(user) or is_superuser(user):
        return _RANK[ORGANISATION_ADMINISTRATOR]
    return _RANK.get(role_at(user, organisation.pk), 0)


def roles_grantable_by(user, organisation) -> tuple[str, ...]:
    """The roles the person may give at the organisation: those of its kind, none above
    their own there, never ADMINISTRATOR; none if they do not manage its people."""
    if not can_manage_people(user, organisation):
        return ()
    rank = _granter_rank(user, organisation)
    return tuple(role for role in ROLES_BY_KIND.get(organisation.kind, ()) if _RANK[role] <= rank)


def require_grant_role(user, organisation, role: str) -> None:
    require_manage_people(user, organisation)
    if role not in roles_grantable_by(user, organisation):
        label = Membership.Role(role).label if role in Membership.Role.values else role
        raise PermissionDenied(
            f"You cannot give the role “{label}” at {organisation.short_name or organisation.name}."
        )


def can_change_person(user, membership) -> bool:
    """Change the role of, deactivate or reactivate someone: a manager of the organisation's
    people, for someone other than themselves whose role is not above their own."""
    organisation = membership.organisation
    return (
        can_manage_people(user, organisation)
        and membership.user_id != user.pk
        and _RANK.get(membership.role, 99) <= _granter_rank(user, organisation)
    )


def require_change_person(user, membership) -> None:
    require_manage_people(user, membership.organisation)
    if membership.user_id == user.pk:
        raise PermissionDenied(
            "You cannot change your own role or deactivate yourself: ask another "
            "administrator of your organisation."
        )
    if not can_change_person(user, membership):
        raise PermissionDenied("You cannot change someone whose role is above your own.")


# --- Capability delivery: a ROCU's staff record how their region delivers each capability --
# (organisations/services.py capability_delivery_record; the capability matrix.)


def can_record_capability_delivery(user, region) -> bool:
    """The region's editors and leads (its ROCU staff), and superusers."""
    if region.kind != Organisation.Kind.REGION:
        return False
    if is_system(user) or is_superuser(user):
        return True
    return role_at(user, region.pk) in EDITING_ROLES


def require_record_capability_delivery(user, region) -> None:
    if not can_record_capability_delivery(user, region):
        raise PermissionDenied(
            f"Only {region.short_name or region.name}'s editors and leads record how it "
            "delivers its capabilities."
        )
