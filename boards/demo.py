"""The demo's South West ROCU executive board: a meeting a fortnight ago with its paper
issued (as the demo loads, so the paper shows the demo's history as it then stands). The
dates are the demo's own, relative to the day it is loaded: not the real board's."""

import datetime

from django.utils import timezone

from organisations.access import SYSTEM
from organisations.models import Organisation

from . import services
from .models import Board

SOUTH_WEST_BOARD = "South West ROCU executive board"


def south_west_board_load(*, today: datetime.date | None = None) -> Board | None:
    """The board with its previous meeting and issued paper; None if already there (or the
    reference data has no South West ROCU)."""
    today = today or timezone.localdate()
    region = Organisation.objects.filter(slug="swrocu").first()
    if region is None or Board.objects.filter(organisation=region, name=SOUTH_WEST_BOARD).exists():
        return None
    board = services.board_create(
        organisation=region, name=SOUTH_WEST_BOARD, scope=Board.Scope.REGION, by=SYSTEM
    )
    previous = services.meeting_schedule(
        board=board,
        held_on=today - datetime.timedelta(days=14),
        starts_at=datetime.time(10, 0),
        title="Executive board (demo meeting)",
        location="Demo: no real venue",
        by=SYSTEM,
    )
    services.paper_issue(meeting=previous, by=SYSTEM)
    return board
