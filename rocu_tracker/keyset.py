"""Pages of a list of tracked items in deadline order, by keyset: a page starts after the
last row of the one before (its key in the URL), so page 1,000 reads what page 1 reads, not
the 49,950 rows before it. The order is TrackedItem's deadline order (soonest first, none
last, ties by id), which the (organisation, deadline, id) indexes hold.

In the URL: ``after=<key>`` (the page after that row), ``before=<key>`` (the page before
it), ``page=<n>`` (only the number the page says it is). A key is ``<YYYY-MM-DD>.<id>``, or
``none.<id>`` for a row without a deadline; a key that does not parse gives page 1.
"""

import dataclasses
import datetime

from django.db.models import F, QuerySet
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan

from recommendations.models import DEADLINE_ORDER_KEY, LAST_DAY

# Counted exactly up to here (reading at most this many rows and one more); past it a
# list says "more than".
COUNT_LIMIT = 1000


@dataclasses.dataclass
class Page:
    object_list: list
    number: int
    has_previous: bool
    has_next: bool
    previous_key: str | None
    next_key: str | None
    # Exact up to COUNT_LIMIT; None when there are more (count_limit says how many).
    count: int | None
    count_limit: int = COUNT_LIMIT

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def previous_number(self) -> int:
        return max(1, self.number - 1)

    @property
    def next_number(self) -> int:
        return self.number + 1


def key_of(item) -> str:
    deadline = item.effective_deadline
    return f"{deadline.isoformat() if deadline else 'none'}.{item.pk}"


def parse_key(key: str | None) -> tuple[datetime.date, int] | None:
    """(deadline as the order sorts it, id), or None if `key` is missing or malformed."""
    if not key:
        return None
    day, _, pk = key.partition(".")
    try:
        return (LAST_DAY if day == "none" else datetime.date.fromisoformat(day)), int(pk)
    except ValueError:
        return None


def _position():
    return Tuple(DEADLINE_ORDER_KEY, F("id"))


def rows_of(items: QuerySet, fields: tuple[str, ...], limit: int) -> list:
    """The first `limit` of `items`: model instances, or with `fields` named tuples of those
    fields only (which must hold what the keys read: "pk" and the sort value)."""
    if fields:
        return list(items.values_list(*fields, named=True)[:limit])
    return list(items[:limit])


def page_of(
    items: QuerySet,
    query,
    *,
    size: int,
    fields: tuple[str, ...] = (),
    counted: int | None = None,
) -> Page:
    """The page of `items` that the query string (`query`, a QueryDict) asks for: two
    queries (the rows, and a count read no further than COUNT_LIMIT), whatever the page;
    one if the caller `counted` already (count_query). With `fields`, its rows are named
    tuples of those (see rows_of), "pk" and "effective_deadline" among them."""
    after, before = parse_key(query.get("after")), parse_key(query.get("before"))
    number = _number(query.get("page")) if (after or before) else 1
    if before:
        rows = rows_of(
            items.filter(TupleLessThan(_position(), before)).order_by(
                DEADLINE_ORDER_KEY.desc(), "-id"
            ),
            fields,
            size + 1,
        )
        has_previous, has_next = len(rows) > size, True
        rows = rows[:size][::-1]
        if not has_previous:
            number = 1
    else:
        ordered = items.in_deadline_order()
        if after:
            ordered = ordered.filter(TupleGreaterThan(_position(), after))
        rows = rows_of(ordered, fields, size + 1)
        has_previous, has_next = after is not None, len(rows) > size
        rows = rows[:size]
    if counted is None:
        counted = count_query(items).count()
    return Page(
        object_list=rows,
        number=number,
        has_previous=has_previous,
        has_next=has_next,
        previous_key=key_of(rows[0]) if rows and has_previous else None,
        next_key=key_of(rows[-1]) if rows and has_next else None,
        count=counted if counted <= COUNT_LIMIT else None,
    )


def count_query(items: QuerySet) -> QuerySet:
    """What a page counts: `items` read no further than COUNT_LIMIT and one more."""
    return items.order_by().values("pk")[: COUNT_LIMIT + 1]


def _number(value: str | None) -> int:
    try:
        return max(1, int(value or 1))
    except ValueError:
        return 1
