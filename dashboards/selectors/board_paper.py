"""The board paper: what a board receives for a meeting. Each list shows at most
settings.BOARD_PAPER_LIST_LIMIT rows and says how many more there are (the items in the
export with the same filters), so a force's paper stays a few pages long."""

import dataclasses
import datetime
from urllib.parse import urlencode

from django.conf import settings

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
    # How many rows each list leaves out, and the query strings of the exports (the
    # drill-down list's filters) that hold all of the red items and the items due.
    red_items_more: int = 0
    revisions_more: int = 0
    due_more: int = 0
    red_query: str = ""
    due_query: str = ""

    @property
    def listed_rows(self) -> int:
        """The rows of its tables: what rendering it costs."""
        lists = (self.red_items, self.revisions, self.due_before_next_meeting)
        return sum(map(len, lists)) + len(self.status_changes)


def list_limit() -> int:
    return settings.BOARD_PAPER_LIST_LIMIT


def _capped(queryset, *, total: int | None = None) -> tuple[list, int]:
    """The first list_limit() rows, and how many more there are (counted only when there
    are more; `total` when the caller knows it)."""
    limit = list_limit()
    shown = list(queryset[: limit + 1])
    if len(shown) <= limit:
        return shown, 0
    more = (queryset.count() if total is None else total) - limit
    return shown[:limit], more


def _query(filters: dict) -> str:
    return urlencode(
        {name: getattr(value, "pk", value) for name, value in filters.items()}, doseq=True
    )


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
    red_filters = {**scope, "rag": ["red"]}
    red_items, red_more = _capped(
        items_for_dashboard(user=user, filters=red_filters, today=today),
        total=summary["rag_red"],
    )
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
    revisions, revisions_more = _capped(revisions)
    due_filters = {
        **scope,
        "state": "open",
        "deadline_after": today,
        "deadline_before": next_meeting_on,
    }
    due, due_more = _capped(items_for_dashboard(user=user, filters=due_filters, today=today))
    return BoardPaper(
        organisation=organisation,
        meeting_on=meeting_on,
        next_meeting_on=next_meeting_on,
        as_at=today,
        total=summary["total"],
        by_status=[(value, label, summary[f"status_{value}"]) for value, label in _statuses()],
        overdue=summary["overdue"],
        red_items=red_items,
        revisions=revisions,
        due_before_next_meeting=due,
        red_items_more=red_more,
        revisions_more=revisions_more,
        due_more=due_more,
        red_query=_query(red_filters),
        due_query=_query(due_filters),
        **_status_changes(user, scope, today, changes_since, meeting_on),
    )


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
    shown, more = _capped(
        changes.select_related("item__finding__inspection", "actor").order_by("occurred_on", "id")
    )
    return {"changes_since": since, "status_changes": shown, "status_changes_more": more}


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
