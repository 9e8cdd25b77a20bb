"""Every write to action plans and actions."""

from django.core.exceptions import ValidationError
from django.db import transaction

from inspections.models import Inspection
from organisations.models import Organisation

from .models import Action, ActionPlan


def action_plan_create(
    *, organisation: Organisation, inspection: Inspection, title: str, **fields
) -> ActionPlan:
    return ActionPlan.objects.create(
        organisation=organisation, inspection=inspection, title=title, **fields
    )


@transaction.atomic
def action_add(*, plan: ActionPlan, title: str, serves=(), **fields) -> Action:
    foreign = [item for item in serves if item.organisation_id != plan.organisation_id]
    if foreign:
        raise ValidationError("An action can only serve its own organisation's tracked items.")
    action = Action.objects.create(plan=plan, title=title, **fields)
    action.serves.set(serves)
    return action
