"""Section 55 fixtures on the real reference data: the Devon and Cornwall PCC's response to the
2021 ROCU inspection, and the cast of the project conftest plus another office's staff."""

import datetime

import pytest

from inspections.models import Inspection
from organisations.access import SYSTEM
from organisations.models import Membership
from section55 import selectors, services
from section55.models import Agreement, Position

INSPECTION_2021 = "hmicfrs-2021-rocu-inspection"
INSPECTION_2015 = "hmic-2015-rocu-review"
DC_PCC = "devon-and-cornwall-pcc"
DETAIL_2021 = f"/section55/{DC_PCC}/{INSPECTION_2021}/"
PUBLIC_2021 = f"/responses/{DC_PCC}/{INSPECTION_2021}/"


@pytest.fixture
def inspection_2021(reference_data):
    return Inspection.objects.get(slug=INSPECTION_2021)


@pytest.fixture
def inspection_2015(reference_data):
    return Inspection.objects.get(slug=INSPECTION_2015)


@pytest.fixture
def dc_pcc(organisations):
    return organisations[DC_PCC]


@pytest.fixture
def cambs_pcc_staff(django_user_model, organisations):
    """Frank: staff at another office, who must get a 404 on Devon and Cornwall's pages."""
    from organisations.services import membership_grant

    user = django_user_model.objects.create_user(username="frank", password="pw")
    membership_grant(
        user=user,
        organisation=organisations["cambridgeshire-pcc"],
        role=Membership.Role.PCC_STAFF,
        by=SYSTEM,
    )
    return user


@pytest.fixture
def response(inspection_2021, dc_pcc):
    return services.section55_response_open(inspection=inspection_2021, body=dc_pcc, by=SYSTEM)


def recommendations_of(response):
    return list(selectors.recommendations(response.inspection))


def complete(response, *, by=SYSTEM, positions=True):
    """Everything publication needs: comments from both sides and every position."""
    rec_1, *others = recommendations_of(response)
    services.section55_chief_officer_invite(
        response=response,
        invited_on=datetime.date(2021, 2, 11),
        comments_due_on=datetime.date(2021, 3, 10),
        by=by,
    )
    services.section55_chief_officer_comments_record(
        response=response,
        comments="I welcome the report.",
        received_on=datetime.date(2021, 3, 9),
        views=[services.ChiefOfficerView(rec_1, Agreement.DISAGREES, "Not needed.")],
        by=by,
    )
    services.section55_office_comments_record(
        response=response, comments="I welcome this report.", by=by
    )
    if positions:
        for number, finding in enumerate([rec_1, *others], start=1):
            services.section55_position_set(
                response=response,
                finding=finding,
                position=Position.NO_ACTION if number == 1 else Position.ACTION_PROPOSED,
                explanation=f"Explanation {number}.",
                by=by,
            )
    return response
