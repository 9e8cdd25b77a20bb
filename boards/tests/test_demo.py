import io

import pytest
from django.core.management import call_command

from actionplans.demo_data import DEMO_USERS
from boards.demo import SOUTH_WEST_BOARD, south_west_board_load
from boards.models import Board, IssuedPaper

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_south_west_secretary_and_board_with_an_issued_paper(settings, today):
    settings.DEMO_MODE = True
    call_command("load_demo_data", stdout=io.StringIO())
    [secretary] = [demo for demo in DEMO_USERS if demo.username == "sw.secretary"]
    assert (secretary.organisation, secretary.role) == ("swrocu", "editor")
    board = Board.objects.get(name=SOUTH_WEST_BOARD)
    assert board.scope == Board.Scope.REGION
    [meeting] = board.meetings.all()
    assert meeting.held_on < today
    assert IssuedPaper.objects.get(meeting=meeting).html
    assert south_west_board_load() is None  # loading again adds nothing
