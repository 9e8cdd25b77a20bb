"""Reads of boards: the scope a board covers on a day, its meetings, and the paper for one."""

import datetime

from django.db.models import QuerySet
from django.http import Http404

from dashboards.selectors import PaperScope, Since, board_paper_for
from dashboards.selectors.board_paper import BoardPaper
from organisations.models import Organisation, Oversight, RegionMembership

from .access import boards_visible_to
from .models import Board, IssuedPaper, Meeting

# With no next meeting scheduled, "due before the next meeting" looks this far ahead.
DEFAULT_MEETING_INTERVAL = datetime.timedelta(days=91)

FORCES = "Force"
BODIES = "Local policing body"
ROCU = "Regional organised crime unit"


def board_for(user, pk: int, *, day: datetime.date) -> Board:
    """A board the person may read; any other is a 404."""
    try:
        return boards_visible_to(user, day=day).get(pk=pk)
    except Board.DoesNotExist:
        raise Http404("No such board.") from None


def meeting_for(user, pk: int, *, day: datetime.date) -> Meeting:
    """A meeting of a board the person may read, with its board and its issued paper."""
    boards = boards_visible_to(user, day=day)
    meeting = (
        Meeting.objects.select_related("board__organisation", "issued_paper__issued_by")
        .filter(board__in=boards, pk=pk)
        .first()
    )
    if meeting is None:
        raise Http404("No such meeting.")
    return meeting


def meetings_of(board: Board) -> QuerySet[Meeting]:
    return board.meetings.select_related("issued_paper").order_by("held_on", "starts_at", "id")


def next_meeting(board: Board, *, today: datetime.date) -> Meeting | None:
    """The board's next meeting after today: it drives "due before the next meeting"."""
    return board.meetings.filter(held_on__gt=today).order_by("held_on", "id").first()


def meeting_after(meeting: Meeting) -> Meeting | None:
    return (
        meeting.board.meetings.filter(held_on__gt=meeting.held_on).order_by("held_on", "id").first()
    )


def meeting_before(meeting: Meeting) -> Meeting | None:
    return (
        meeting.board.meetings.filter(held_on__lt=meeting.held_on)
        .select_related("issued_paper")
        .order_by("-held_on", "-id")
        .first()
    )


def scope_of(board: Board, *, day: datetime.date) -> PaperScope:
    """What the board's paper covers on `day`: the organisation's items, the region's (its
    member forces and the ROCU: the dashboards' region filter) or the nation's, and the
    bodies it names (a region's forces, the local policing bodies overseeing them, and the
    ROCU)."""
    organisation = board.organisation
    if board.scope == Board.Scope.NATIONAL:
        return PaperScope(title=board.name, filters={}, label="National")
    if board.scope == Board.Scope.ORGANISATION:
        return PaperScope(
            title=board.name,
            filters={"organisation": organisation},
            label=organisation.name,
            bodies=[(organisation.get_kind_display(), [organisation])],
        )
    force_ids = RegionMembership.objects.on(day).filter(region=organisation).values("force_id")
    forces = list(Organisation.objects.filter(id__in=force_ids).order_by("name"))
    bodies = list(
        Organisation.objects.filter(
            id__in=Oversight.objects.on(day).filter(force_id__in=force_ids).values("body_id")
        ).order_by("name")
    )
    return PaperScope(
        title=board.name,
        filters={"region": organisation},
        label=f"{organisation.name}: its forces, their local policing bodies and the ROCU",
        bodies=[(FORCES, forces), (BODIES, bodies), (ROCU, [organisation])],
    )


def since_last_meeting(meeting: Meeting) -> Since | None:
    previous = meeting_before(meeting)
    if previous is None:
        return None
    issued = getattr(previous, "issued_paper", None)
    return Since(day=previous.held_on, paper_issued_at=issued.issued_at if issued else None)


def meeting_paper(*, user, meeting: Meeting, today: datetime.date) -> BoardPaper:
    """The paper for the meeting as it stands today, of the items `user` may see in the
    board's scope: due before the meeting after it, changes since the one before it."""
    following = meeting_after(meeting)
    paper = board_paper_for(
        user=user,
        organisation=meeting.board.organisation,
        meeting_on=meeting.held_on,
        next_meeting_on=following.held_on
        if following
        else meeting.held_on + DEFAULT_MEETING_INTERVAL,
        today=today,
        scope=scope_of(meeting.board, day=today),
        since=since_last_meeting(meeting),
    )
    paper.meeting = meeting
    paper.next_meeting_scheduled = following is not None
    return paper


def issued_paper_of(meeting: Meeting) -> IssuedPaper | None:
    return getattr(meeting, "issued_paper", None)


def meetings_in_window(
    *, user, today: datetime.date, window: tuple[datetime.date, datetime.date]
) -> list[Meeting]:
    """The meetings between the window's first and last day of the boards the user may
    read: the calendar feed's."""
    first, last = window
    return list(
        Meeting.objects.filter(
            board__in=boards_visible_to(user, day=today), held_on__gte=first, held_on__lte=last
        )
        .select_related("board")
        .order_by("held_on", "id")
    )
