"""Who may publish an organisation's progress and write its public updates.

Opting an inspection in or out is a decision for the organisation: its leads and its
organisation administrators (and superusers). Public updates are written like progress, by
the organisation's editors and leads. The loaders act as SYSTEM."""

from django.core.exceptions import PermissionDenied

from organisations.access import (
    EDITING_ROLES,
    ORGANISATION_ADMINISTRATOR,
    is_superuser,
    is_system,
    organisation_ids_with,
    role_at,
)
from organisations.models import Membership

PUBLISHING_ROLES = (Membership.Role.LEAD, ORGANISATION_ADMINISTRATOR)


def _name(organisation) -> str:
    return organisation.short_name or organisation.name


def can_publish_progress(user, organisation) -> bool:
    if is_system(user) or is_superuser(user):
        return True
    return role_at(user, organisation.pk) in PUBLISHING_ROLES


def require_publish_progress(user, organisation) -> None:
    if not can_publish_progress(user, organisation):
        raise PermissionDenied(
            f"Only {_name(organisation)}'s leads and organisation administrators choose what "
            "it publishes."
        )


def can_write_public_update(user, organisation) -> bool:
    return is_system(user) or role_at(user, organisation.pk) in EDITING_ROLES


def require_write_public_update(user, organisation) -> None:
    if not can_write_public_update(user, organisation):
        raise PermissionDenied(f"Only {_name(organisation)}'s editors and leads write these.")


def can_manage_public_progress(user, organisation) -> bool:
    """Whether the organisation's page of what it publishes opens for the person."""
    return can_publish_progress(user, organisation) or can_write_public_update(user, organisation)


def organisation_ids_managing_public_progress(user) -> set[int]:
    """The organisations whose page of what they publish the person may open (the public
    index links to them); superusers open any by its address."""
    return organisation_ids_with(user, (*EDITING_ROLES, ORGANISATION_ADMINISTRATOR))
