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
    changes_since: datetime.date | None = None
    status_changes: list = dataclasses.field(default_factory=list)
    status_changes_more: int = 0


def board_paper_for(
    *,
    user,
    organisation: Organisation,
    meeting_on: datetime.date,
    next_meeting_on: datetime.date,
    today: datetime.date,
    changes_since: datetime.date | None = None,
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
        **_status_changes(user, scope, today, changes_since, meeting_on),
    )


# A board paper lists this many status changes at most, and says how many more there were.
STATUS_CHANGES_SHOWN = 100


def _status_changes(user, scope, today, since, meeting_on) -> dict:
    """Status changes that happened after `since` up to the meeting, by the day they
    happened (occurred_on): work back-filled today about 2016 is listed as of 2016."""
    if since is None:
        return {}
    changes = TrackedItemEvent.objects.filter(
        kind=TrackedItemEvent.Kind.STATUS_CHANGE,
        item__in=items_for_dashboard(user=user, filters=scope, today=today).values("id"),
        occurred_on__gt=since,
        occurred_on__lte=meeting_on,
    )
    ordered = changes.select_related("item__finding__inspection", "actor")
    shown = list(ordered.order_by("occurred_on", "id")[: STATUS_CHANGES_SHOWN + 1])
    more = changes.count() - STATUS_CHANGES_SHOWN if len(shown) > STATUS_CHANGES_SHOWN else 0
    return {
        "changes_since": since,
        "status_changes": shown[:STATUS_CHANGES_SHOWN],
        "status_changes_more": more,
    }


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
