"""The dashboard's counts read from the tallies (recommendations.models.TrackedItemTally and
InspectionTally) rather than from every item: dashboard_for takes this path when `answers`
says the tallies can (no filter by kind of finding, capability or inspection, which they do
not hold, and on PostgreSQL, where they are kept); otherwise it counts the items live. In a
scope narrower than the nation (a region, a force, the organisation or region filter) the
counts by inspection are live too, over that scope's items only: InspectionTally has no
organisation.

The tallies keep the month of each open item's deadline, not the day, so that they never go
stale as days pass. What depends on the day (overdue, due within 30/60/90 days, RAG) is exact
from the tally for every month wholly before this one (overdue) or after the month the
longest window ends in (neither); the open items whose deadline falls from the first of this
month to the end of that month are counted one by one, through the deadline index, in the
same query.
"""

import datetime
from collections.abc import Mapping
from typing import Any

from django.db import connection

from inspections.models import Inspection
from organisations.models import Organisation
from organisations.selectors import visible_organisation_ids
from recommendations.models import (
    LAST_DAY,
    Finding,
    InspectionTally,
    TrackedItem,
    TrackedItemTally,
)
from rocu_tracker import deadlines

UNANSWERED_FILTERS = ("kind", "capability", "inspection")


def answers(filters: Mapping[str, Any]) -> bool:
    """Whether the tallies can count the dashboard with these filters: not by kind of
    finding, capability or inspection (the tallies hold none of them), and only on
    PostgreSQL, where the tallies are kept."""
    return connection.vendor == "postgresql" and not any(
        filters.get(name) not in (None, "", [], ()) for name in UNANSWERED_FILTERS
    )


def _pk(value) -> Any:
    return getattr(value, "pk", value)


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def scope_organisation_ids(*, user, filters: Mapping[str, Any], today: datetime.date):
    """The organisations counted: those the user may see, narrowed by the organisation and
    region filters (a region: its member forces on `today` and itself); None for all."""
    from . import region_organisation_ids

    ids = visible_organisation_ids(user, day=today)
    ids = None if ids is None else set(ids)
    if filters.get("organisation"):
        chosen = {_pk(filters["organisation"])}
        ids = chosen if ids is None else ids & chosen
    if filters.get("region"):
        region = _pk(filters["region"])
        members = set(region_organisation_ids(region, today).values_list("force_id", flat=True))
        members.add(region)
        ids = members if ids is None else ids & members
    return ids


CLOSED = ", ".join(f"'{status}'" for status in TrackedItem.CLOSED_STATUSES)


def _windows() -> list[int]:
    from . import DUE_WINDOWS

    return sorted({*DUE_WINDOWS, deadlines.DUE_SOON_DAYS})


def _sum_columns() -> list[tuple[str, str]]:
    """Each count but the total: its name and which rows it sums."""
    return [
        ("open", "is_open"),
        ("overdue", "overdue"),
        *((f"due_{days}", f"due_{days}") for days in _windows()),
        *((f"rag_{rag}", f"rag = '{rag}'") for rag in deadlines.Rag),
    ]


def _counts_query(*, scoped: bool) -> str:
    """Rows per organisation and status, and per deadline month and RAG: the tally's rows
    for every month outside the near window (their overdue and RAG follow from the month),
    and the open items inside it, one by one (the index tracked_item_deadline is on this
    COALESCE, recommendations.models)."""

    def in_scope(alias: str) -> str:
        return f" AND {alias}.organisation_id = ANY(%(organisations)s)" if scoped else ""

    tally = TrackedItemTally._meta.db_table
    items = TrackedItem._meta.db_table
    findings = Finding._meta.db_table
    soon = deadlines.DUE_SOON_DAYS
    no_due = ", ".join(f"false AS due_{days}" for days in _windows())
    due = ", ".join(
        f"i.effective_deadline BETWEEN %(today)s AND %(due_{days})s AS due_{days}"
        for days in _windows()
    )
    sums = ", ".join(
        f"COALESCE(SUM(n) FILTER (WHERE {condition}), 0) AS {name}"
        for name, condition in _sum_columns()
    )
    return f"""
    WITH counted AS (
        SELECT organisation_id, status, month, n, is_open, overdue, {no_due},
               CASE WHEN NOT is_open THEN 'green' WHEN blocked OR overdue THEN 'red'
                    WHEN slipped THEN 'amber' ELSE 'green' END AS rag
        FROM (SELECT t.organisation_id, t.status, t.deadline_month AS month, t.count AS n,
                     t.status NOT IN ({CLOSED}) AS is_open,
                     COALESCE(t.deadline_month < %(first)s, false) AS overdue,
                     t.blocked, t.slipped
              FROM {tally} t
              WHERE (t.deadline_month IS NULL OR t.deadline_month < %(first)s
                     OR t.deadline_month > %(last_month)s){in_scope("t")}) AS kept
        UNION ALL
        SELECT organisation_id, status, month, 1, true, overdue, {
        ", ".join(f"due_{days}" for days in _windows())
    },
               CASE WHEN blocked OR overdue THEN 'red'
                    WHEN slipped OR due_{soon} THEN 'amber' ELSE 'green' END
        FROM (SELECT i.organisation_id, i.status,
                     date_trunc('month', i.effective_deadline)::date AS month,
                     i.effective_deadline < %(today)s AS overdue, {due},
                     i.blocked_by <> '' AS blocked,
                     -- the finding read only for the few items with a target date of their own
                     COALESCE(i.target_date IS NOT NULL AND i.target_date >
                         (SELECT f.deadline FROM {findings} f WHERE f.id = i.finding_id), false)
                         AS slipped
              FROM {items} i
              WHERE COALESCE(i.effective_deadline, %(no_deadline)s)
                    BETWEEN %(first)s AND %(last_day)s
                AND i.status NOT IN ({CLOSED}){in_scope("i")}) AS near
    )
    SELECT GROUPING(organisation_id, status) = 0 AS by_organisation,
           organisation_id, status, month, rag, SUM(n) AS n, {sums}
    FROM counted
    GROUP BY GROUPING SETS ((organisation_id, status), (month, rag))
    """


def _inspections_query() -> str:
    """Per inspection, the items, the open ones and the overdue ones, nationally: overdue
    from the tally for every month before this one, and this month's items one by one."""
    tally = InspectionTally._meta.db_table
    items = TrackedItem._meta.db_table
    findings = Finding._meta.db_table
    return f"""
    SELECT inspection_id, SUM(n) AS n, SUM(open) AS open, SUM(overdue) AS overdue FROM (
        SELECT inspection_id, count AS n, CASE WHEN is_open THEN count ELSE 0 END AS open,
               CASE WHEN deadline_month < %(first)s THEN count ELSE 0 END AS overdue
        FROM {tally}
        UNION ALL
        SELECT f.inspection_id, 0, 0, 1
        FROM {items} i JOIN {findings} f ON f.id = i.finding_id
        WHERE COALESCE(i.effective_deadline, %(no_deadline)s) >= %(first)s
          AND COALESCE(i.effective_deadline, %(no_deadline)s) < %(today)s
          AND i.status NOT IN ({CLOSED})
    ) AS counted
    GROUP BY inspection_id HAVING SUM(n) <> 0
    """


def counts(*, user, filters: Mapping[str, Any], today: datetime.date) -> dict:
    """The dashboard's grouped counts, as the live path's queries give them: "organisation"
    (one row per organisation and status, with its name), "month" (open items with a
    deadline, per month and RAG) and, nationally, "inspection" (per inspection, with title
    and publication day; None in a narrower scope, which the caller counts live). Four
    queries at most: the counts, the inspections' counts, and the names of both."""
    organisation_ids = scope_organisation_ids(user=user, filters=filters, today=today)
    first = today.replace(day=1)
    last_month = (today + datetime.timedelta(days=max(_windows()))).replace(day=1)
    params = {
        "today": today,
        "first": first,
        "last_month": last_month,
        "last_day": _add_months(last_month, 1) - datetime.timedelta(days=1),
        "no_deadline": LAST_DAY,
        "organisations": sorted(organisation_ids or ()),
        **{f"due_{days}": today + datetime.timedelta(days=days) for days in _windows()},
    }
    grouped: dict[str, list[dict] | None] = {"organisation": [], "month": [], "inspection": None}
    for row in _rows(_counts_query(scoped=organisation_ids is not None), params):
        if not row["n"]:  # a key whose items all moved on keeps its row at 0 until a rebuild
            continue
        if row.pop("by_organisation"):
            grouped["organisation"].append(row)
        elif row["month"] is not None:
            grouped["month"].append(row)
    _name_organisations(grouped["organisation"])
    if organisation_ids is None:
        grouped["inspection"] = _rows(_inspections_query(), params)
        _name_inspections(grouped["inspection"])
    return grouped


def _rows(sql: str, params: dict) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column.name for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _name_organisations(rows: list[dict]) -> None:
    names = dict(
        Organisation.objects.filter(pk__in={row["organisation_id"] for row in rows}).values_list(
            "id", "name"
        )
    )
    for row in rows:
        row["organisation__name"] = names[row["organisation_id"]]


def _name_inspections(rows: list[dict]) -> None:
    details = {
        pk: (title, published_on)
        for pk, title, published_on in Inspection.objects.filter(
            pk__in={row["inspection_id"] for row in rows}
        ).values_list("id", "title", "published_on")
    }
    for row in rows:
        row["total"] = row["n"]
        row["finding__inspection_id"] = row["inspection_id"]
        row["finding__inspection__title"], row["finding__inspection__published_on"] = details[
            row["inspection_id"]
        ]
