"""Who may change action plans and actions: the editors and leads of the plan's
organisation (and the system actor of the loaders; superusers read them, as they read a
force's items, but do not act for the force). Everyone who may see a
plan reads it (selectors.plans_visible_to). Every service calls require_* first; the pages
use can_*."""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from organisations.access import EDITING_ROLES, has_role, is_system, organisation_ids_with
from organisations.models import Organisation


def can_edit_plans_of(user, organisation_id: int) -> bool:
    return is_system(user) or has_role(user, organisation_id, EDITING_ROLES)


def require_edit_plans_of(user, organisation: Organisation) -> None:
    if not can_edit_plans_of(user, organisation.pk):
        raise PermissionDenied(f"Only {organisation.short_name}'s editors and leads do this.")


def organisations_whose_plans_user_edits(user) -> QuerySet[Organisation]:
    """The forces whose plans the person may start (their own, as an editor or lead)."""
    return Organisation.objects.filter(
        id__in=organisation_ids_with(user, EDITING_ROLES), kind=Organisation.Kind.FORCE
    )
