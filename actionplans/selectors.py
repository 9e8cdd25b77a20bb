"""Reads of action plans and actions, scoped to the user's organisations."""

from django.db.models import F, QuerySet

from organisations.access import organisation_ids_with
from organisations.selectors import visible_organisation_ids

from .models import Action, ActionPlan


def plans_visible_to(user, *, day) -> QuerySet[ActionPlan]:
    ids = visible_organisation_ids(user, day=day)
    plans = ActionPlan.objects.select_related("organisation", "inspection", "owner")
    return plans if ids is None else plans.filter(organisation_id__in=ids)


def my_work_actions(*, user) -> QuerySet[Action]:
    """Open actions in the plans of the user's own organisations, soonest due first."""
    return (
        Action.objects.exclude(status=Action.Status.DONE)
        .filter(plan__organisation_id__in=organisation_ids_with(user))
        .select_related("plan__inspection", "owner")
        .order_by(F("due_on").asc(nulls_last=True), "id")
    )
