"""The dashboard's counts read from the tallies (recommendations.models.TrackedItemTally and
InspectionTally) rather than from every item: dashboard_for takes this path when `answers`
says the tallies can (no filter by kind of finding, capability or inspection, which they do
not hold, and on PostgreSQL, where they are kept); otherwise it counts the items live. In a
scope narrower than the nation (a region, a force, the organisation or region filter) the
counts by inspection come from OrganisationInspectionTally, the scope's organisations' rows.

Nationally each question reads the narrowest tally that answers it (hundreds to a few
thousand rows, not TrackedItemTally's 28,000 at 250,000 items): OrganisationStatusTally for
the totals and statuses, OrganisationMonthTally for overdue by organisation,
NationalMonthTally and NationalDayTally for the headline's deadline and RAG counts and the
timeline, InspectionOpenTally and InspectionTally's months ahead for the inspections.

The tallies keep the month of each open item's deadline, not the day (NationalDayTally
excepted), so that they never go stale as days pass. What depends on the day (overdue, due
within 30/60/90 days, RAG) is exact from the tally for every month wholly before this one
(overdue) or after the month the longest window ends in (neither); inside that window the
national counts read NationalDayTally's days, and a scope's counts its open items one by one,
through the deadline index, in the same query.
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
    InspectionOpenTally,
    InspectionTally,
    NationalDayTally,
    NationalMonthTally,
    OrganisationInspectionTally,
    OrganisationMonthTally,
    OrganisationStatusTally,
    TrackedItem,
    TrackedItemTally,
)
from recommendations.tally import CLOSED
from rocu_tracker import deadlines

UNANSWERED_FILTERS = ("kind", "capability", "inspection")


def answers(filters: Mapping[str, Any]) -> bool:
    """Whether the tallies can count the dashboard with these filters: not by kind of
    finding, capability or inspection (the tallies hold none of them), and only on
    PostgreSQL, where the tallies are kept."""
    from . import filter_given

    return connection.vendor == "postgresql" and not any(
        filter_given(filters.get(name)) for name in UNANSWERED_FILTERS
    )


def _pk(value) -> Any:
    return getattr(value, "pk", value)


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def scope_organisation_ids(*, user, filters: Mapping[str, Any], today: datetime.date, visible):
    """The organisations counted: those the user may see (`visible`, if the caller has
    them), narrowed by the organisation and region filters (a region: its member forces on
    `today` and itself); None for all."""
    from . import ASK, region_organisation_ids

    ids = visible_organisation_ids(user, day=today) if visible is ASK else visible
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


def _windows() -> list[int]:
    from . import DUE_WINDOWS

    return sorted({*DUE_WINDOWS, deadlines.DUE_SOON_DAYS})


def _counts_query(*, scoped: bool) -> str:
    """Rows per organisation and status, and per deadline month and RAG: the tally's rows
    for every month outside the near window, grouped as they are stored (their overdue and
    RAG follow from the month, blocked and slipped), and the open items inside it, one by
    one (the index tracked_item_deadline is on this COALESCE, recommendations.models). A
    key may come in more than one row; the caller adds them up."""

    def in_scope(alias: str) -> str:
        return f" AND {alias}.organisation_id = ANY(%(organisations)s)" if scoped else ""

    tally = TrackedItemTally._meta.db_table
    items = TrackedItem._meta.db_table
    findings = Finding._meta.db_table
    windows = _windows()
    soon = deadlines.DUE_SOON_DAYS
    # Closed rows are never blocked, slipped or given a month (their key), so green.
    past = "COALESCE(deadline_month < %(first)s, false)"
    kept_sums = ", ".join(
        [
            f"COALESCE(SUM(count) FILTER (WHERE {past}), 0) AS overdue",
            *(f"0 AS due_{days}" for days in windows),
            f"COALESCE(SUM(count) FILTER (WHERE blocked OR {past}), 0) AS rag_red",
            f"COALESCE(SUM(count) FILTER (WHERE slipped AND NOT blocked AND NOT {past}), 0)"
            " AS rag_amber",
            f"COALESCE(SUM(count) FILTER (WHERE NOT (slipped OR blocked OR {past})), 0)"
            " AS rag_green",
        ]
    )
    near_sums = ", ".join(
        [
            "count(*) FILTER (WHERE overdue)",
            *(f"count(*) FILTER (WHERE due_{days})" for days in windows),
            *(f"count(*) FILTER (WHERE rag = '{rag}')" for rag in deadlines.Rag),
        ]
    )
    due = ", ".join(
        f"i.effective_deadline BETWEEN %(today)s AND %(due_{days})s AS due_{days}"
        for days in windows
    )
    return f"""
    SELECT c.*, o.name AS organisation__name FROM (
        SELECT GROUPING(organisation_id, status) = 0 AS by_organisation,
               organisation_id, status, deadline_month AS month,
               CASE WHEN blocked OR {past} THEN 'red' WHEN slipped THEN 'amber'
                    ELSE 'green' END AS rag,
               SUM(count) AS n, {kept_sums}
        FROM {tally}
        WHERE (deadline_month IS NULL OR deadline_month < %(first)s
               OR deadline_month > %(last_month)s){in_scope(tally)}
        GROUP BY GROUPING SETS ((organisation_id, status), (deadline_month, blocked, slipped))
        UNION ALL
        SELECT GROUPING(organisation_id, status) = 0, organisation_id, status, month, rag,
               count(*), {near_sums}
        FROM (
            SELECT *, CASE WHEN blocked OR overdue THEN 'red'
                           WHEN slipped OR due_{soon} THEN 'amber' ELSE 'green' END AS rag
            FROM (SELECT i.organisation_id, i.status,
                         date_trunc('month', i.effective_deadline)::date AS month,
                         i.effective_deadline < %(today)s AS overdue, {due},
                         i.blocked_by <> '' AS blocked,
                         -- the finding read only for the few items with a target date
                         COALESCE(i.target_date IS NOT NULL AND i.target_date >
                             (SELECT f.deadline FROM {findings} f WHERE f.id = i.finding_id),
                             false) AS slipped
                  FROM {items} i
                  WHERE COALESCE(i.effective_deadline, %(no_deadline)s)
                        BETWEEN %(first)s AND %(last_day)s
                    AND i.status NOT IN ({CLOSED}){in_scope("i")}) AS near_items
        ) AS near
        GROUP BY GROUPING SETS ((organisation_id, status), (month, rag))
    ) AS c LEFT JOIN {Organisation._meta.db_table} o ON o.id = c.organisation_id
    """


def _national_counts_query() -> str:
    """The national dashboard's counts, each from the narrowest tally that answers it, in
    rows of three kinds: "status" (organisation, status, n: OrganisationStatusTally),
    "overdue" (organisation, overdue: OrganisationMonthTally's months before this one, and
    this month's open items due before today, read by an index-only scan of
    tracked_item_open_deadline) and "month" (month, RAG, n and the headline's deadline and
    RAG counts: NationalMonthTally outside the near window, NationalDayTally's days inside it;
    the row with no month holds closed items and open ones without a deadline)."""
    windows = _windows()
    soon = deadlines.DUE_SOON_DAYS
    past = "COALESCE(deadline_month < %(first)s, false)"
    nulls = ", ".join(["NULL::date AS month", "NULL AS rag", "0::bigint AS overdue"])
    no_due = ", ".join(f"0::bigint AS due_{days}" for days in windows)
    due_sums = ", ".join(
        f"SUM(count) FILTER (WHERE deadline BETWEEN %(today)s AND %(due_{days})s)"
        for days in windows
    )
    return f"""
    SELECT 'status' AS kind, t.organisation_id, o.name AS organisation__name, t.status,
           t.count::bigint AS n, {nulls}, {no_due}
    FROM {OrganisationStatusTally._meta.db_table} t
    JOIN {Organisation._meta.db_table} o ON o.id = t.organisation_id
    WHERE t.count <> 0
    UNION ALL
    SELECT 'overdue', organisation_id, NULL, NULL, 0, NULL, NULL, SUM(n), {no_due}
    FROM (SELECT organisation_id, count AS n FROM {OrganisationMonthTally._meta.db_table}
          WHERE deadline_month < %(first)s
          UNION ALL
          SELECT i.organisation_id, 1 FROM {TrackedItem._meta.db_table} i
          WHERE i.effective_deadline >= %(first)s AND i.effective_deadline < %(today)s
            AND i.status NOT IN ({CLOSED})) AS overdue
    GROUP BY organisation_id
    UNION ALL
    SELECT 'month', NULL, NULL, NULL, SUM(count), deadline_month,
           CASE WHEN blocked OR {past} THEN 'red' WHEN slipped THEN 'amber'
                ELSE 'green' END,
           SUM(count) FILTER (WHERE {past}), {no_due}
    FROM {NationalMonthTally._meta.db_table}
    WHERE deadline_month IS NULL OR deadline_month < %(first)s
          OR deadline_month > %(last_month)s
    GROUP BY 6, 7
    UNION ALL
    SELECT 'month', NULL, NULL, NULL, SUM(count), date_trunc('month', deadline)::date,
           CASE WHEN blocked OR deadline < %(today)s THEN 'red'
                WHEN slipped OR deadline BETWEEN %(today)s AND %(due_{soon})s THEN 'amber'
                ELSE 'green' END,
           SUM(count) FILTER (WHERE deadline < %(today)s), {due_sums}
    FROM {NationalDayTally._meta.db_table}
    WHERE deadline BETWEEN %(first)s AND %(last_day)s
    GROUP BY 6, 7
    """


def _national_counts(params: dict) -> dict:
    """counts()'s "organisation", "month" and "headline" for the whole nation."""
    from . import RAG_CHOICES

    keys = ["overdue", *(f"due_{days}" for days in _windows())]
    headline = dict.fromkeys(keys + [f"rag_{value}" for value, _ in RAG_CHOICES], 0)
    grouped: dict[str, Any] = {"organisation": [], "month": [], "headline": headline}
    overdue = []  # after the status rows, which name the organisations
    for row in _rows(_national_counts_query(), params):
        kind = row.pop("kind")
        if kind == "status":
            grouped["organisation"].append(row)
        elif kind == "overdue":
            if row["overdue"]:
                overdue.append(row)
        elif row["n"]:
            for key in keys:
                headline[key] += row[key] or 0
            headline[f"rag_{row['rag']}"] += row["n"]
            if row["month"] is not None:
                grouped["month"].append(row)
    grouped["organisation"] += overdue
    return grouped


def _inspections_query(*, scoped: bool) -> str:
    """Per inspection, its title and publication day, the items, the open ones and the
    overdue ones (this month's open items due before today read one by one, through
    tracked_item_open_deadline). Nationally: the items and the open ones from
    InspectionOpenTally, overdue as the open ones less InspectionTally's from this month
    on or without a deadline (the months ahead are fewer rows than the months behind). In a
    scope: the scope's rows of OrganisationInspectionTally in one pass, by an index-only
    scan of its key."""
    # Each item's finding looked up by its key (a join would hash every finding).
    this_month = f"""
            SELECT (SELECT f.inspection_id FROM {Finding._meta.db_table} f
                    WHERE f.id = i.finding_id), 0, 0, {{sign}}1
            FROM {TrackedItem._meta.db_table} i
            WHERE i.effective_deadline >= %(first)s AND i.effective_deadline < %(today)s
              AND i.status NOT IN ({CLOSED}){{scope}}"""
    if scoped:
        scope = " AND {}.organisation_id = ANY(%(organisations)s)"
        counted = f"""
            SELECT inspection_id, count, CASE WHEN is_open THEN count ELSE 0 END,
                   CASE WHEN deadline_month < %(first)s THEN count ELSE 0 END
            FROM {OrganisationInspectionTally._meta.db_table} t WHERE true{scope.format("t")}
            UNION ALL{this_month.format(sign="", scope=scope.format("i"))}"""
        overdue = "SUM(overdue)"
    else:
        counted = f"""
            SELECT inspection_id, count, CASE WHEN is_open THEN count ELSE 0 END, 0
            FROM {InspectionOpenTally._meta.db_table}
            UNION ALL
            SELECT inspection_id, 0, 0, count FROM {InspectionTally._meta.db_table}
            WHERE is_open AND (deadline_month >= %(first)s OR deadline_month IS NULL)
            UNION ALL{this_month.format(sign="-", scope="")}"""
        overdue = "SUM(open) - SUM(overdue)"  # `overdue` holds the open items not overdue
    return f"""
    SELECT c.inspection_id AS finding__inspection_id, c.total, c.open, c.overdue,
           ins.title AS finding__inspection__title,
           ins.published_on AS finding__inspection__published_on
    FROM (
        SELECT inspection_id, SUM(n) AS total, SUM(open) AS open, {overdue} AS overdue
        FROM ({counted}
        ) AS counted (inspection_id, n, open, overdue)
        GROUP BY inspection_id HAVING SUM(n) <> 0
    ) AS c JOIN {Inspection._meta.db_table} ins ON ins.id = c.inspection_id
    """


def _inspection_summary_query(*, scoped: bool) -> str:
    """The inspections the dashboard shows (the most overdue first, as
    selectors.inspection_summary orders them), with how many there are and the open items by
    the age of their report, over all of them."""
    from . import AGE_BUCKETS, TOP_INSPECTIONS

    published = "finding__inspection__published_on"
    ages = ", ".join(
        f"COALESCE(SUM(open) FILTER (WHERE {published} <= %(age_{n}_from)s"
        + (f" AND {published} > %(age_{n}_to)s" if bucket.max_days is not None else "")
        + f") OVER (), 0)::bigint AS age_{n}"
        for n, bucket in enumerate(AGE_BUCKETS)
    )
    return f"""
    SELECT per.*, count(*) OVER () AS inspections, {ages}
    FROM ({_inspections_query(scoped=scoped)}) AS per
    ORDER BY overdue DESC, open DESC, finding__inspection__title COLLATE "C",
             {published} DESC, finding__inspection_id DESC
    LIMIT {TOP_INSPECTIONS}
    """


def counts(*, user, filters: Mapping[str, Any], today: datetime.date, visible) -> dict:
    """The dashboard's grouped counts, as the live path's queries give them: "organisation"
    (one row per organisation and status, with its name), "month" (open items with a
    deadline, per month and RAG) and "inspections" (inspection_summary's: how many, the top
    ones and the ageing). Two queries: the counts and the inspections'."""
    organisation_ids = scope_organisation_ids(
        user=user, filters=filters, today=today, visible=visible
    )
    params = _params(organisation_ids, today)
    scoped = organisation_ids is not None
    grouped = _scoped_counts(params) if scoped else _national_counts(params)
    grouped["inspections"] = _inspection_summary(scoped=scoped, params=params, today=today)
    return grouped


def counts_of_every_inspection(*, organisation_ids, today: datetime.date) -> dict:
    """counts() of the organisations `organisation_ids` (None: all) with no filter, but with
    every inspection's row ("inspection_rows": id, title, publication day, items, open,
    overdue) where counts() has only the top ones (the kept dashboard's, figures.py)."""
    params = _params(organisation_ids, today)
    scoped = organisation_ids is not None
    grouped = _scoped_counts(params) if scoped else _national_counts(params)
    grouped["inspection_rows"] = _rows(_inspections_query(scoped=scoped), params)
    return grouped


def _params(organisation_ids, today: datetime.date) -> dict:
    first = today.replace(day=1)
    last_month = (today + datetime.timedelta(days=max(_windows()))).replace(day=1)
    return {
        "today": today,
        "first": first,
        "last_month": last_month,
        "last_day": _add_months(last_month, 1) - datetime.timedelta(days=1),
        "no_deadline": LAST_DAY,
        "organisations": sorted(organisation_ids or ()),
        **{f"due_{days}": today + datetime.timedelta(days=days) for days in _windows()},
    }


def _scoped_counts(params: dict) -> dict:
    """counts()'s "organisation" and "month" for a region, a force or a filter's
    organisations, from their rows of TrackedItemTally and their near items."""
    grouped: dict[str, list[dict]] = {"organisation": [], "month": []}
    for row in _rows(_counts_query(scoped=True), params):
        if not row["n"]:  # a key whose items all moved on keeps its row at 0 until a rebuild
            continue
        if row.pop("by_organisation"):
            grouped["organisation"].append(row)
        elif row["month"] is not None:
            grouped["month"].append(row)
    return grouped


def _inspection_summary(*, scoped: bool, params: dict, today: datetime.date) -> dict:
    from . import AGE_BUCKETS, _inspection_rows

    for n, bucket in enumerate(AGE_BUCKETS):
        params[f"age_{n}_from"] = today - datetime.timedelta(bucket.min_days)
        if bucket.max_days is not None:
            params[f"age_{n}_to"] = today - datetime.timedelta(bucket.max_days)
    top = _rows(_inspection_summary_query(scoped=scoped), params)
    return {
        "count": top[0]["inspections"] if top else 0,
        "top": _inspection_rows(top, latest_first=False),
        "ageing": [top[0][f"age_{n}"] if top else 0 for n in range(len(AGE_BUCKETS))],
    }


def _rows(sql: str, params: dict) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column.name for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
