"""Who may do what to findings and tracked items.

The force (or region) answers for its items: its editors and leads add progress, assign
owners and ask for a revised target date; only its leads sign off, decide revisions and pause
reminders (superusers are not members, so they read but do not act for a force).

HMICFRS, not the force, discharges a recommendation or cause of concern: after the force's
lead signs one off, only an inspection liaison at the inspectorate that made it confirms it
(complete) or returns it. Superusers may do anything there. The loaders act as
organisations.access.SYSTEM. Every service calls require_* first; the pages use can_*."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from organisations.access import (
    EDITING_ROLES,
    is_superuser,
    is_system,
    organisation_ids_with,
    role_at,
)
from organisations.models import Membership

from .models import Finding, TrackedItem

LIAISON = (Membership.Role.INSPECTION_LIAISON,)


LEAD = Membership.Role.LEAD


def _organisation_name(item: TrackedItem) -> str:
    return item.organisation.short_name


def can_change_item(user, item: TrackedItem) -> bool:
    """Progress updates, owners, revision requests: the organisation's editors and leads."""
    return is_system(user) or role_at(user, item.organisation_id) in EDITING_ROLES


def require_change_item(user, item: TrackedItem) -> None:
    if not can_change_item(user, item):
        raise PermissionDenied(f"Only {_organisation_name(item)}'s editors and leads do this.")


def can_lead_item(user, item: TrackedItem) -> bool:
    """Sign-off, revision decisions, pausing reminders: the organisation's leads."""
    return is_system(user) or role_at(user, item.organisation_id) == LEAD


def require_lead_item(user, item: TrackedItem) -> None:
    if not can_lead_item(user, item):
        raise PermissionDenied(f"Only {_organisation_name(item)}'s leads do this.")


def can_own_item(person, item: TrackedItem) -> bool:
    """An item's owner is one of its organisation's editors or leads."""
    return role_at(person, item.organisation_id) in EDITING_ROLES


def people_who_may_own(item: TrackedItem):
    """The active editors and leads of the item's organisation."""
    return get_user_model().objects.filter(
        is_active=True,
        memberships__organisation_id=item.organisation_id,
        memberships__role__in=EDITING_ROLES,
    )


def organisation_ids_user_changes(user) -> set[int]:
    """The organisations whose items the person changes (their editing memberships)."""
    return organisation_ids_with(user, EDITING_ROLES)


def can_record_for_the_inspectorate(user, item: TrackedItem) -> bool:
    """Status moves and comments recorded outside a person's update (imports, the intake's
    changes of addressees): the system, superusers, and whoever may edit the inspection."""
    return can_edit_findings_of(user, item.finding.inspection)


def require_record_for_the_inspectorate(user, item: TrackedItem) -> None:
    if not can_record_for_the_inspectorate(user, item):
        raise PermissionDenied("Only a liaison who may edit the inspection records this.")


def inspectorate_ids_of_liaison(user) -> set[int]:
    """The organisations where the user is an inspection liaison (the inspectorates among
    them are the ones whose findings the user speaks for)."""
    return organisation_ids_with(user, LIAISON)


def can_confirm_for_inspectorate(user, item: TrackedItem) -> bool:
    """Whether the user speaks for the inspectorate that made the item's finding."""
    if is_system(user) or is_superuser(user):
        return True
    return item.finding.inspection.inspectorate_id in inspectorate_ids_of_liaison(user)


def require_confirm_for_inspectorate(user, item: TrackedItem) -> None:
    if not can_confirm_for_inspectorate(user, item):
        inspectorate = item.finding.inspection.inspectorate.short_name
        raise PermissionDenied(
            f"Only an inspection liaison at {inspectorate} confirms or returns this item."
        )


def can_edit_findings_of(user, inspection) -> bool:
    """Whoever may enter the inspection (inspections.access) writes its findings."""
    from inspections.access import can_edit_inspection

    return can_edit_inspection(user, inspection)


def require_edit_findings_of(user, inspection) -> None:
    if not can_edit_findings_of(user, inspection):
        raise PermissionDenied(
            "Only a liaison of its inspectorate, or of a force it is about, edits its findings."
        )


def can_link_findings_of(user, inspection) -> bool:
    """Whether the user may say that the inspection's findings repeat or supersede earlier
    ones: whoever may enter the inspection."""
    return can_edit_findings_of(user, inspection)


def can_link_findings(user, finding: Finding) -> bool:
    return can_link_findings_of(user, finding.inspection)


def require_link_findings(user, finding: Finding) -> None:
    if not can_link_findings(user, finding):
        raise PermissionDenied(
            "Only a liaison who may enter this inspection links its findings to earlier ones."
        )


def items_for_the_inspectorate(user) -> QuerySet[TrackedItem]:
    """The items of the inspections of the inspectorates where the user is a liaison (what
    such a liaison may read and confirm); none for anyone else."""
    return TrackedItem.objects.filter(
        finding__inspection__inspectorate_id__in=inspectorate_ids_of_liaison(user)
    )
