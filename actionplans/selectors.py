"""Reads of action plans and actions, scoped to the user's organisations."""

from django.core.paginator import Page, Paginator
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


# How many my_work_actions there are, for recommendations.selectors.my_work_scope to read
# with the rest of My work's scope (one query for all), with my_work_open_actions_params.
MY_WORK_OPEN_ACTIONS_SQL = f"""
    SELECT count(*) FROM {Action._meta.db_table} AS a
    JOIN {ActionPlan._meta.db_table} AS p ON p.id = a.plan_id
    WHERE p.organisation_id = ANY(%s) AND NOT (a.status = %s)
"""


def my_work_open_actions_params(*, organisation_ids) -> list:
    return [sorted(organisation_ids), Action.Status.DONE]


def my_work_actions_page(*, user, number, size: int, count: int | None = None) -> Page:
    """The page of my_work_actions numbered `number` (a Paginator's get_page). `count`: how
    many there are, if the caller read it already (my_work_scope): no count query then, and
    none at all when there are none (not even the empty page's query compiled)."""
    paginator = Paginator([] if count == 0 else my_work_actions(user=user), size)
    if count is not None:
        paginator.count = count  # a cached_property: known already
    return paginator.get_page(number)
