"""The board paper: what a board receives for a meeting. Each list shows at most
settings.BOARD_PAPER_LIST_LIMIT rows and says how many more there are (the items in the
export with the same filters), so a force's paper stays a few pages long."""

import dataclasses
import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Q

from organisations.models import Organisation
from recommendations.models import TrackedItem, TrackedItemEvent
from rocu_tracker import deadlines

from . import _statuses, _summary_by_organisation, items_for_dashboard


@dataclasses.dataclass
class PaperScope:
    """What a paper covers: the filters of items_for_dashboard that select its items (one
    organisation, a region, or none for the nation), its title, and the bodies it names
    (heading, organisations), as on the paper's day."""

    title: str
    filters: dict
    label: str = ""
    bodies: list[tuple[str, list[Organisation]]] = dataclasses.field(default_factory=list)

    @classmethod
    def of_organisation(cls, organisation: Organisation) -> "PaperScope":
        return cls(title=organisation.name, filters={"organisation": organisation})


@dataclasses.dataclass(frozen=True)
class Since:
    """The last meeting the board had: its day, and when its paper was issued (if it was).
    A change is "since the last meeting" if it happened after that day, or was recorded
    after the paper was issued (work back-filled afterwards the board has not seen)."""

    day: datetime.date
    paper_issued_at: datetime.datetime | None = None

    def condition(self) -> Q:
        changed = Q(occurred_on__gt=self.day)
        if self.paper_issued_at is not None:
            changed |= Q(recorded_at__gt=self.paper_issued_at)
        return changed


@dataclasses.dataclass
class Changes:
    """What changed since the last meeting, from the items' history (each list capped, with
    how many more) and the items that fell overdue since it (a list with its filters)."""

    since: Since
    closed: list
    closed_more: int
    newly_overdue: list
    newly_overdue_count: int
    newly_overdue_more: int
    newly_overdue_query: str
    revised: list
    revised_more: int
    proposed: list
    proposed_more: int

    @property
    def listed_rows(self) -> int:
        return sum(map(len, (self.closed, self.newly_overdue, self.revised, self.proposed)))


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
    # The scope (a board's: an organisation, a region, the nation), the query strings of the
    # drill-down lists its counts link to, its bodies' counts, and what changed since the
    # last meeting.
    scope: PaperScope | None = None
    scope_query: str = ""
    overdue_query: str = ""
    status_queries: dict = dataclasses.field(default_factory=dict)
    by_organisation: list = dataclasses.field(default_factory=list)
    changes: Changes | None = None

    @property
    def listed_rows(self) -> int:
        """The rows of its tables: what rendering it costs."""
        lists = (self.red_items, self.revisions, self.due_before_next_meeting)
        changed = self.changes.listed_rows if self.changes else 0
        return sum(map(len, lists)) + len(self.status_changes) + changed + len(self.by_organisation)

    @property
    def stage_rows(self) -> list[tuple[str, int, str]]:
        """(stage, count, the query string of its list)."""
        return [
            (label, count, self.status_queries[value]) for value, label, count in self.by_status
        ]

    @property
    def title(self) -> str:
        return self.scope.title if self.scope else self.organisation.name


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
    scope: PaperScope | None = None,
    since: Since | None = None,
) -> BoardPaper:
    """What a board receives: counts by stage, the red items with their reasons, revised
    target dates with theirs, and what falls due between today and the next meeting; of
    `organisation`'s items, or of `scope`'s (a board's). With `since` (the last meeting),
    what changed since it. Every count is of the items `user` may see, so it equals the
    drill-down list it links to."""
    scoped = scope is not None
    scope = scope or PaperScope.of_organisation(organisation)
    filters = scope.filters
    items = items_for_dashboard(user=user, filters=filters, today=today)
    summary, organisation_rows = _summary_by_organisation(items.order_by(), today)
    red_filters = {**filters, "rag": ["red"]}
    red_items, red_more = _capped(
        items_for_dashboard(user=user, filters=red_filters, today=today),
        total=summary["rag_red"],
    )
    for item in red_items:
        item.reason = red_reason(item, today)
    revisions = (
        TrackedItemEvent.objects.filter(
            kind=TrackedItemEvent.Kind.TARGET_DATE_REVISION,
            item__in=items.values("id"),
            occurred_on__lte=meeting_on,
        )
        .select_related("item__finding__inspection", "item__organisation", "actor")
        .order_by("-occurred_on", "-id")
    )
    revisions, revisions_more = _capped(revisions)
    due_filters = {
        **filters,
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
        scope=scope if scoped else None,
        scope_query=_query(filters),
        overdue_query=_query({**filters, "due": "overdue"}),
        status_queries={value: _query({**filters, "status": [value]}) for value, _ in _statuses()},
        by_organisation=_body_rows(scope, organisation_rows) if scoped else [],
        changes=_changes(user, filters, today, since) if since else None,
        **_status_changes(user, filters, today, changes_since, meeting_on),
    )


def _body_rows(scope: PaperScope, organisation_rows: list[dict]) -> list[dict]:
    """One row per body the scope names (none counted: 0) and per other organisation with
    items in it, each with the query string of its own list."""
    counted = {row["id"]: row for row in organisation_rows}
    rows = []
    named = set()
    for heading, bodies in scope.bodies:
        for body in bodies:
            named.add(body.pk)
            row = counted.get(body.pk, {"total": 0, "open": 0, "overdue": 0})
            rows.append({"id": body.pk, "name": body.name, "kind": heading, **_counts(row)})
    for row in organisation_rows:
        if row["id"] not in named:
            rows.append({"id": row["id"], "name": row["name"], "kind": "", **_counts(row)})
    for row in rows:
        row["query"] = _query({"organisation": row["id"]})
        row["overdue_query"] = _query({"organisation": row["id"], "due": "overdue"})
        row["open_query"] = _query({"organisation": row["id"], "state": "open"})
    return rows


def _counts(row: dict) -> dict:
    return {"total": row["total"], "open": row["open"], "overdue": row["overdue"]}


def _changes(user, filters: dict, today: datetime.date, since: Since) -> Changes:
    """Closed, newly overdue, target dates revised and proposed for sign-off since the last
    meeting: the first three from the items' history, by the day each happened or was
    recorded (Since.condition)."""
    items = items_for_dashboard(user=user, filters=filters, today=today)
    events = (
        TrackedItemEvent.objects.filter(since.condition(), item__in=items.values("id"))
        .select_related("item__finding__inspection", "item__organisation", "actor")
        .order_by("occurred_on", "id")
    )
    status_change = TrackedItemEvent.Kind.STATUS_CHANGE
    closed, closed_more = _capped(
        events.filter(kind=status_change, to_status__in=TrackedItem.CLOSED_STATUSES)
    )
    proposed, proposed_more = _capped(
        events.filter(kind=status_change, to_status=TrackedItem.Status.PROPOSED_COMPLETE)
    )
    revised, revised_more = _capped(events.filter(kind=TrackedItemEvent.Kind.TARGET_DATE_REVISION))
    overdue_filters = {
        **filters,
        "due": "overdue",
        "deadline_after": since.day + datetime.timedelta(days=1),
    }
    overdue_items = items_for_dashboard(user=user, filters=overdue_filters, today=today)
    newly_overdue, newly_overdue_more = _capped(overdue_items)
    return Changes(
        since=since,
        closed=closed,
        closed_more=closed_more,
        newly_overdue=newly_overdue,
        newly_overdue_count=len(newly_overdue) + newly_overdue_more,
        newly_overdue_more=newly_overdue_more,
        newly_overdue_query=_query(overdue_filters),
        revised=revised,
        revised_more=revised_more,
        proposed=proposed,
        proposed_more=proposed_more,
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
