"""Who may do what to findings and tracked items, where the inspectorate decides.

HMICFRS, not the force, discharges a recommendation or cause of concern: after the force's
lead signs one off, only an inspection liaison at the inspectorate that made it confirms it
(complete) or returns it. Superusers may do anything. Every service calls require_* first;
the pages use can_*. (The force-side roles are checked in services.py, on role_at.)"""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from organisations.models import Membership
from organisations.selectors import organisation_ids_where

from .models import Finding, TrackedItem

LIAISON = (Membership.Role.INSPECTION_LIAISON,)


def inspectorate_ids_of_liaison(user) -> set[int]:
    """The organisations where the user is an inspection liaison (the inspectorates among
    them are the ones whose findings the user speaks for)."""
    return organisation_ids_where(user, roles=LIAISON)


def can_confirm_for_inspectorate(user, item: TrackedItem) -> bool:
    """Whether the user speaks for the inspectorate that made the item's finding."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return item.finding.inspection.inspectorate_id in inspectorate_ids_of_liaison(user)


def require_confirm_for_inspectorate(user, item: TrackedItem) -> None:
    if not can_confirm_for_inspectorate(user, item):
        inspectorate = item.finding.inspection.inspectorate.short_name
        raise PermissionDenied(
            f"Only an inspection liaison at {inspectorate} confirms or returns this item."
        )


def can_link_findings_of(user, inspection) -> bool:
    """Whether the user may say that the inspection's findings repeat or supersede earlier
    ones: whoever may enter the inspection (inspections.access)."""
    from inspections.access import can_edit_inspection

    return can_edit_inspection(user, inspection)


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
