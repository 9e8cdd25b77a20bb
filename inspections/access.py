"""Who may enter and publish inspections: the inspection liaisons.

A liaison at an inspectorate enters that inspectorate's reports; a liaison at a force enters
the reports about their force (the inspection's subjects include it). Superusers may do
anything. Every intake service calls require_* first; the pages use can_*."""

from django.core.exceptions import PermissionDenied

from organisations.access import is_superuser, organisation_ids_with
from organisations.models import Membership, Organisation

from .models import Inspection

LIAISON = (Membership.Role.INSPECTION_LIAISON,)


def liaison_organisations(user):
    """The organisations where the user is an inspection liaison."""
    return Organisation.objects.filter(id__in=liaison_organisation_ids(user))


def liaison_organisation_ids(user) -> set[int]:
    return organisation_ids_with(user, LIAISON)


def can_read_every_draft(user) -> bool:
    return is_superuser(user)


def can_create_inspection(user) -> bool:
    return is_superuser(user) or bool(liaison_organisation_ids(user))


def require_create_inspection(user) -> None:
    if not can_create_inspection(user):
        raise PermissionDenied("Only an inspection liaison enters inspections.")


def can_enter_inspection_as(user, *, inspectorate: Organisation, subject_ids) -> bool:
    """Whether the user may hold an inspection of `inspectorate` about `subject_ids`: a
    liaison of that inspectorate, or of one of the subject forces."""
    if is_superuser(user):
        return True
    mine = liaison_organisation_ids(user)
    return inspectorate.id in mine or bool(mine & set(subject_ids))


def can_edit_inspection(user, inspection: Inspection) -> bool:
    if is_superuser(user):
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
