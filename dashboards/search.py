"""One search box over findings, tracked items, actions and progress narratives, within what
the user may see: the same scoped querysets as the lists (TrackedItem.visible_to, the
inspections the user may read, actionplans.selectors.plans_visible_to), so another force's
items, plans and narratives, and drafts of reports the user may not edit, are never found.

On PostgreSQL: full-text search in English (websearch syntax: "quoted phrases", or, -not),
ranked, read through the GIN expression indexes of migration dashboards 0003, whose
expressions are DOCUMENTS' exactly (a test holds the two together). On SQLite (`make run`): a
plain case-insensitive match of every word.

Each kind is one query for its page of results and one for its count (exact up to
RANK_LIMIT), whatever the data's size: a page of all kinds costs eight queries, a page of one
kind two.
"""

import dataclasses
import datetime
from collections.abc import Callable

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Q, QuerySet

from actionplans.models import Action
from actionplans.selectors import plans_visible_to
from inspections.models import Inspection
from recommendations.models import Finding, TrackedItem, TrackedItemEvent

CONFIG = "english"
QUERY_MAX_CHARS = 200
# On the page of every kind, the best few of each; a kind's own page has PAGE_SIZE.
PREVIEW_SIZE = 5
PAGE_SIZE = 20
# Matches ranked (and counted exactly) per kind; past it a kind says "more than".
RANK_LIMIT = 500


def _vector(*fields: str) -> SearchVector:
    return SearchVector(*fields, config=CONFIG)


# What each kind's words are: the columns of its GIN index (migration dashboards 0003).
DOCUMENTS = {
    "finding": ("reference", "text", "summary"),
    "action": ("title", "description"),
    "narrative": ("narrative",),
}


@dataclasses.dataclass(frozen=True)
class Kind:
    key: str
    label: str  # plural, as a heading
    singular: str


KINDS = (
    Kind("findings", "Findings", "finding"),
    Kind("items", "Tracked items", "tracked item"),
    Kind("actions", "Actions", "action"),
    Kind("narratives", "Progress narratives", "progress narrative"),
)
KIND_KEYS = {kind.key: kind for kind in KINDS}


def is_full_text() -> bool:
    return connection.vendor == "postgresql"


def _words_match(fields: tuple[str, ...], text: str) -> Q:
    """SQLite's plain match: every word appears in one of the fields."""
    condition = Q()
    for word in text.split():
        any_field = Q()
        for field in fields:
            any_field |= Q(**{f"{field}__icontains": word})
        condition &= any_field
    return condition


def _matches(queryset: QuerySet, fields: tuple[str, ...], text: str) -> QuerySet:
    """`queryset` narrowed to the rows whose document (`fields`) matches `text`."""
    if not is_full_text():
        return queryset.filter(_words_match(fields, text))
    return queryset.annotate(document=_vector(*fields)).filter(document=_query(text))


def _ranked(matches: QuerySet, fields: tuple[str, ...], text: str) -> QuerySet:
    """The first RANK_LIMIT + 1 of `matches` as the index finds them, best first (ties by
    id; on SQLite newest first). Ranking reads each row's words, so a word that half the
    country's findings hold is ranked among the first few hundred, not all of them: the page
    costs the same whatever the data's size, and says "more than" past the limit."""
    capped = matches.order_by().values("id")[: RANK_LIMIT + 1]
    rows = matches.model.objects.filter(id__in=capped)
    if not is_full_text():
        return rows.order_by("-id")
    return rows.annotate(rank=SearchRank(_vector(*fields), _query(text))).order_by("-rank", "id")


def _query(text: str) -> SearchQuery:
    return SearchQuery(text, search_type="websearch", config=CONFIG)


def _findings(user, text: str) -> QuerySet[Finding]:
    readable = Finding.objects.filter(inspection__in=Inspection.objects.visible_to(user))
    fields = DOCUMENTS["finding"]
    matches = _matches(readable, fields, text)
    return _ranked(matches, fields, text).select_related("inspection")


def _items(user, text: str, today: datetime.date) -> QuerySet[TrackedItem]:
    """The user's visible items whose finding matches: an item's words are its finding's."""
    findings = _matches(Finding.objects.all(), DOCUMENTS["finding"], text)
    matches = TrackedItem.objects.visible_to(user, day=today).filter(
        finding_id__in=findings.order_by().values("id")
    )
    fields = tuple(f"finding__{field}" for field in DOCUMENTS["finding"])
    return _ranked(matches, fields, text).select_related("finding__inspection", "organisation")


def _actions(user, text: str, today: datetime.date) -> QuerySet[Action]:
    actions = Action.objects.filter(plan__in=plans_visible_to(user, day=today).order_by())
    fields = DOCUMENTS["action"]
    return _ranked(_matches(actions, fields, text), fields, text).select_related(
        "plan__organisation", "plan__inspection"
    )


def _narratives(user, text: str, today: datetime.date) -> QuerySet[TrackedItemEvent]:
    events = TrackedItemEvent.objects.exclude(narrative="").filter(
        item__in=TrackedItem.objects.visible_to(user, day=today).order_by().values("id")
    )
    fields = DOCUMENTS["narrative"]
    return _ranked(_matches(events, fields, text), fields, text).select_related(
        "item__finding__inspection", "item__organisation"
    )


def results_of(kind: str, *, user, text: str, today: datetime.date) -> QuerySet:
    """The rows of one kind that match `text` and the user may see, best first."""
    readers: dict[str, Callable[[], QuerySet]] = {
        "findings": lambda: _findings(user, text),
        "items": lambda: _items(user, text, today),
        "actions": lambda: _actions(user, text, today),
        "narratives": lambda: _narratives(user, text, today),
    }
    return readers[kind]()


@dataclasses.dataclass
class Group:
    kind: Kind
    rows: list
    count: int
    page_number: int = 1
    has_next: bool = False

    @property
    def has_previous(self) -> bool:
        return self.page_number > 1

    @property
    def more(self) -> int:
        return max(0, self.count - len(self.rows))

    @property
    def count_is_exact(self) -> bool:
        return self.count <= RANK_LIMIT

    @property
    def count_text(self) -> str:
        return str(self.count) if self.count_is_exact else f"more than {RANK_LIMIT}"


def search(
    *, user, text: str, today: datetime.date, kind: str | None = None, page: int = 1
) -> list[Group]:
    """Every kind's best PREVIEW_SIZE matches with its count, or one kind's `page`."""
    text = text.strip()[:QUERY_MAX_CHARS]
    if not text:
        return []
    if kind not in KIND_KEYS:
        return [
            _group(key, user=user, text=text, today=today, size=PREVIEW_SIZE) for key in KIND_KEYS
        ]
    return [_group(kind, user=user, text=text, today=today, size=PAGE_SIZE, page=page)]


def _group(kind: str, *, user, text: str, today: datetime.date, size: int, page: int = 1) -> Group:
    results = results_of(kind, user=user, text=text, today=today)
    start = (max(1, page) - 1) * size
    rows = list(results[start : start + size])
    count = results.order_by().count()
    return Group(
        kind=KIND_KEYS[kind],
        rows=rows,
        count=count,
        page_number=max(1, page),
        has_next=start + len(rows) < count,
    )
