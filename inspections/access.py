"""Who may enter and publish inspections: the inspection liaisons.

A liaison at an inspectorate enters that inspectorate's reports; a liaison at a force enters
the reports about their force (the inspection's subjects include it). Superusers may do
anything. Every intake service calls require_* first; the pages use can_*."""

from django.core.exceptions import PermissionDenied

from organisations.models import Membership, Organisation
from organisations.selectors import organisation_ids_where

from .models import Inspection

LIAISON = (Membership.Role.INSPECTION_LIAISON,)


def liaison_organisations(user):
    """The organisations where the user is an inspection liaison."""
    return Organisation.objects.filter(id__in=organisation_ids_where(user, roles=LIAISON))


def can_create_inspection(user) -> bool:
    if not user.is_authenticated:
        return False
    return user.is_superuser or bool(organisation_ids_where(user, roles=LIAISON))


def require_create_inspection(user) -> None:
    if not can_create_inspection(user):
        raise PermissionDenied("Only an inspection liaison enters inspections.")


def can_enter_inspection_as(user, *, inspectorate: Organisation, subject_ids) -> bool:
    """Whether the user may hold an inspection of `inspectorate` about `subject_ids`: a
    liaison of that inspectorate, or of one of the subject forces."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    mine = organisation_ids_where(user, roles=LIAISON)
    return inspectorate.id in mine or bool(mine & set(subject_ids))


def can_edit_inspection(user, inspection: Inspection) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return can_enter_inspection_as(
        user,
        inspectorate=inspection.inspectorate,
        subject_ids=inspection.subjects.values_list("id", flat=True),
    )


def require_edit_inspection(user, inspection: Inspection) -> None:
    if not can_edit_inspection(user, inspection):
        raise PermissionDenied(
            "Only a liaison of its inspectorate, or of a force it is about, edits this inspection."
        )
