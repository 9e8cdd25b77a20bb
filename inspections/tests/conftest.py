"""The intake cast: inspection liaisons on both sides."""

import datetime

import pytest

from inspections.models import Inspection
from inspections.services import inspection_upsert
from organisations import services as organisation_services
from organisations.access import SYSTEM
from organisations.models import Membership


def _liaison(django_user_model, username, organisation):
    user = django_user_model.objects.create_user(username=username, password="pw")
    organisation_services.membership_grant(
        user=user, organisation=organisation, role=Membership.Role.INSPECTION_LIAISON, by=SYSTEM
    )
    return user


@pytest.fixture
def hmicfrs_liaison(django_user_model, organisations):
    """Harriet: enters HMICFRS's reports and publishes them to the trackers."""
    return _liaison(django_user_model, "harriet", organisations["hmicfrs"])


@pytest.fixture
def hmic_liaison(django_user_model, organisations):
    """Henry: enters the (2015) HMIC reports."""
    return _liaison(django_user_model, "henry", organisations["hmic"])


@pytest.fixture
def dc_liaison(django_user_model, organisations):
    """Lee: Devon and Cornwall Police's liaison, for the reports about the force."""
    return _liaison(django_user_model, "lee", organisations["devon-and-cornwall"])


@pytest.fixture
def liaison(hmicfrs_liaison):
    """The liaison the paste and import tests act as: HMICFRS's."""
    return hmicfrs_liaison


@pytest.fixture
def draft(organisations):
    """An HMICFRS report not yet published to the trackers."""
    return inspection_upsert(
        slug="hmicfrs-2026-test",
        inspectorate=organisations["hmicfrs"],
        type=Inspection.Type.THEMATIC,
        scope=Inspection.Scope.NATIONAL,
        title="A test inspection",
        published_on=datetime.date(2026, 3, 1),
        by=SYSTEM,
    )
