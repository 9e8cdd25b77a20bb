import pytest
from django.db import IntegrityError

from actionplans.models import ActionPlan
from inspections.models import Inspection

pytestmark = pytest.mark.django_db


def test_it_refuses_a_second_action_plan_for_the_same_force_and_report(organisations):
    inspection = Inspection.objects.get(slug="hmic-2015-rocu-review")
    force = organisations["devon-and-cornwall"]
    ActionPlan.objects.create(organisation=force, inspection=inspection, title="Plan")
    with pytest.raises(IntegrityError):
        ActionPlan.objects.create(organisation=force, inspection=inspection, title="Again")
