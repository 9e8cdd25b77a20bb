"""Every write to action plans and actions.

Edits carry the version the user saw; if someone else saved in between, StaleEditError
lists what the saved record now says where it differs, and nothing is written.
"""

import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import models, transaction

from inspections.models import Inspection
from organisations.models import Organisation
from rocu_tracker import deadlines
from rocu_tracker.versioning import StaleEditError

from .access import require_edit_plans_of
from .models import Action, ActionPlan


def _check_dates(fields: dict) -> None:
    for value in fields.values():
        if isinstance(value, datetime.date):
            deadlines.require_plausible_date(value)


def _display(record: models.Model, name: str) -> str:
    value = getattr(record, name)
    return "—" if value in (None, "") else str(value)


def _update_versioned(record, *, model, expected_version: int, fields: dict) -> models.Model:
    current = model.objects.select_for_update().get(pk=record.pk)
    if current.version != expected_version:
        raise StaleEditError(
            "Someone else saved this after you opened it. Your text is kept below; "
            "check what the saved version says, then save again.",
            changes=[
                (model._meta.get_field(name).verbose_name.capitalize(), _display(current, name))
                for name, value in fields.items()
                if getattr(current, name) != value
            ],
            current_version=current.version,
        )
    for name, value in fields.items():
        setattr(current, name, value)
    current.version += 1
    current.save()
    return current


def action_plan_create(
    *,
    organisation: Organisation,
    inspection: Inspection,
    title: str,
    by: AbstractBaseUser,
    **fields,
) -> ActionPlan:
    require_edit_plans_of(by, organisation)
    _check_dates(fields)
    if ActionPlan.objects.filter(organisation=organisation, inspection=inspection).exists():
        raise ValidationError(f"{organisation.short_name} already has a plan for this report.")
    return ActionPlan.objects.create(
        organisation=organisation, inspection=inspection, title=title, **fields
    )


@transaction.atomic
def action_plan_update(
    *, plan: ActionPlan, by: AbstractBaseUser, expected_version: int, **fields
) -> ActionPlan:
    require_edit_plans_of(by, plan.organisation)
    _check_dates(fields)
    return _update_versioned(
        plan, model=ActionPlan, expected_version=expected_version, fields=fields
    )


def _check_serves(plan: ActionPlan, serves) -> None:
    if any(item.organisation_id != plan.organisation_id for item in serves):
        raise ValidationError("An action can only serve its own organisation's tracked items.")


@transaction.atomic
def action_add(
    *, plan: ActionPlan, title: str, serves=(), by: AbstractBaseUser, **fields
) -> Action:
    require_edit_plans_of(by, plan.organisation)
    _check_dates(fields)
    _check_serves(plan, serves)
    action = Action.objects.create(plan=plan, title=title, **fields)
    action.serves.set(serves)
    return action


@transaction.atomic
def action_update(
    *, action: Action, by: AbstractBaseUser, expected_version: int, serves, **fields
) -> Action:
    require_edit_plans_of(by, action.plan.organisation)
    _check_dates(fields)
    _check_serves(action.plan, serves)
    action = _update_versioned(
        action, model=Action, expected_version=expected_version, fields=fields
    )
    action.serves.set(serves)
    return action
