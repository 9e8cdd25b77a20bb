import datetime

import pytest
from django.utils import timezone

from boards import services
from boards.models import Board
from organisations import services as organisation_services
from organisations.access import SYSTEM
from organisations.models import Membership


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def sw_secretary(django_user_model, organisations):
    """Sam: the South West ROCU executive board's secretary, an editor at the region."""
    user = django_user_model.objects.create_user(
        username="sam", password="pw", first_name="Sam", last_name="Secretary"
    )
    organisation_services.membership_grant(
        user=user, organisation=organisations["swrocu"], role=Membership.Role.EDITOR, by=SYSTEM
    )
    return user


@pytest.fixture
def sw_board(organisations):
    return services.board_create(
        organisation=organisations["swrocu"],
        name="South West ROCU executive board",
        scope=Board.Scope.REGION,
        by=SYSTEM,
    )


@pytest.fixture
def eastern_board(organisations):
    """Another region's board: the South West's people get a 404."""
    return services.board_create(
        organisation=organisations["ersou"],
        name="Eastern Region Special Operations Unit board",
        scope=Board.Scope.REGION,
        by=SYSTEM,
    )


@pytest.fixture
def previous_meeting(sw_board, today):
    return services.meeting_schedule(
        board=sw_board,
        held_on=today - datetime.timedelta(days=14),
        title="Spring meeting",
        by=SYSTEM,
    )


@pytest.fixture
def next_meeting(sw_board, today):
    return services.meeting_schedule(
        board=sw_board,
        held_on=today + datetime.timedelta(days=30),
        starts_at=datetime.time(10, 30),
        title="Summer meeting",
        location="Exeter",
        by=SYSTEM,
    )
