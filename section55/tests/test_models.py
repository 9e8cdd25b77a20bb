import pytest
from django.db import IntegrityError

from inspections.models import Inspection
from section55.models import Section55Response

pytestmark = pytest.mark.django_db


def test_it_refuses_a_second_section55_response_for_the_same_body_and_report(organisations):
    inspection = Inspection.objects.get(slug="hmicfrs-2021-rocu-inspection")
    body = organisations["devon-and-cornwall-pcc"]
    Section55Response.objects.create(inspection=inspection, body=body)
    with pytest.raises(IntegrityError):
        Section55Response.objects.create(inspection=inspection, body=body)
