"""The board paper: what a board receives for a meeting."""

import dataclasses
import datetime

from organisations.models import Organisation
from recommendations.models import TrackedItem, TrackedItemEvent
from rocu_tracker import deadlines

from . import _statuses, _summary, items_for_dashboard


@dataclasses.dataclass
class BoardPaper:
    organisation: Organisation
    meeting_on: datetime.date
    next_meeting_on: datetime.date
    as_at: datetime.date
    total: int
    by_status: list[tuple[str, str, int]]
    overdue: int
    red_items: list[TrackedItem]
    revisions: list
    due_before_next_meeting: list[TrackedItem]


def board_paper_for(
    *,
    user,
    organisation: Organisation,
    meeting_on: datetime.date,
    next_meeting_on: datetime.date,
    today: datetime.date,
) -> BoardPaper:
    """What a board receives: counts by stage, the red items with their reasons, revised
    target dates with theirs, and what falls due between today and the next meeting."""
    scope = {"organisation": organisation}
    summary = _summary(items_for_dashboard(user=user, filters=scope, today=today).order_by(), today)
    red_items = list(items_for_dashboard(user=user, filters={**scope, "rag": ["red"]}, today=today))
    for item in red_items:
        item.reason = red_reason(item, today)
    revisions = (
        TrackedItemEvent.objects.filter(
            kind=TrackedItemEvent.Kind.TARGET_DATE_REVISION,
            item__in=items_for_dashboard(user=user, filters=scope, today=today).values("id"),
            occurred_on__lte=meeting_on,
        )
        .select_related("item__finding__inspection", "actor")
        .order_by("-occurred_on", "-id")
    )
    due = items_for_dashboard(
        user=user,
        filters={
            **scope,
            "state": "open",
            "deadline_after": today,
            "deadline_before": next_meeting_on,
        },
        today=today,
    )
    return BoardPaper(
        organisation=organisation,
        meeting_on=meeting_on,
        next_meeting_on=next_meeting_on,
        as_at=today,
        total=summary["total"],
        by_status=[(value, label, summary[f"status_{value}"]) for value, label in _statuses()],
        overdue=summary["overdue"],
        red_items=red_items,
        revisions=list(revisions),
        due_before_next_meeting=list(due),
    )


def red_reason(item: TrackedItem, today: datetime.date) -> str:
    """Why an item is red, in the words of deadlines.rag(): blocked, or overdue."""
    reasons = []
    if item.blocked_by:
        reasons.append(f"Blocked by an external dependency: {item.blocked_by}")
    if deadlines.is_overdue(
        is_closed=item.is_closed, deadline=item.effective_deadline, today=today
    ):
        days = deadlines.count_of_days(deadlines.days_left(item.effective_deadline, today))
        due = deadlines.format_day(item.effective_deadline)
        reasons.append(f"Overdue: due {due}, {days} ago")
    return "; ".join(reasons)
