"""The one query behind every dashboard count, drill-down list, export, board paper, calendar
feed and digest: `items_for_dashboard`. A count and the list it links to are the same
queryset, so they always agree.

Usage (the digest emails count with it too)::

    items = items_for_dashboard(user=user, filters={"due": "overdue"}, today=today)
    items.count()

`filters` keys (all optional; a missing, None or empty value means "any"):

- ``inspection``, ``organisation``, ``region``, ``capability``: a model instance or its id.
  ``region`` means the region's member forces on ``today`` and the region itself.
- ``status``, ``rag``, ``kind``: a list of values of TrackedItem.Status, deadlines.Rag and
  Finding.Kind (any of them).
- ``state``: ``"open"`` or ``"closed"``.
- ``due``: ``"overdue"`` or a number of days as a string (``"30"``, ``"60"``, ``"90"``): open
  and the effective deadline within that many days from today (TrackedItem.due_soon).
- ``deadline_after`` / ``deadline_before``: dates; the effective deadline on or after / on or
  before them.
- ``age``: a key of AGE_BUCKETS: open for that long, counted from the report's publication.
"""

import dataclasses
import datetime
import functools
import hashlib
from collections.abc import Mapping
from typing import Any, NamedTuple

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncMonth

from dashboards import dashboard_page
from organisations.access import has_national_view, remember_roles, roles_of
from organisations.models import Membership, Organisation, RegionMembership
from organisations.selectors import visible_organisation_ids
from recommendations.models import (
    TrackedItem,
    due_soon_condition,
    open_condition,
    overdue_condition,
)
from recommendations.selectors import tracking_scope_version
from rocu_tracker import deadlines

DUE_WINDOWS = (30, 60, 90)
DUE_CHOICES = [("overdue", "Overdue")] + [
    (str(days), f"Due within {days} days") for days in DUE_WINDOWS
]


@dataclasses.dataclass(frozen=True)
class AgeBucket:
    key: str
    label: str
    min_days: int
    max_days: int | None  # exclusive; None means no upper limit


AGE_BUCKETS = (
    AgeBucket("under-1-year", "Under a year", 0, 365),
    AgeBucket("1-to-2-years", "1 to 2 years", 365, 730),
    AgeBucket("2-to-5-years", "2 to 5 years", 730, 1826),
    AgeBucket("over-5-years", "Over 5 years", 1826, None),
)
AGE_BY_KEY = {bucket.key: bucket for bucket in AGE_BUCKETS}


def _pk(value) -> Any:
    return getattr(value, "pk", value)


def _published_range(bucket: AgeBucket, today: datetime.date) -> Q:
    """The reports published `bucket` ago: age in days = today - published_on."""
    condition = Q(
        finding__inspection__published_on__lte=today - datetime.timedelta(bucket.min_days)
    )
    if bucket.max_days is not None:
        latest = today - datetime.timedelta(bucket.max_days)
        condition &= Q(finding__inspection__published_on__gt=latest)
    return condition


def region_organisation_ids(region, today: datetime.date):
    """A subquery of the region's member forces on `today`; the region itself is added by
    the caller."""
    return RegionMembership.objects.on(today).filter(region_id=_pk(region)).values("force_id")


def items_for_dashboard(
    *,
    user,
    filters: Mapping[str, Any] | None = None,
    today: datetime.date,
    rag: bool = True,
) -> QuerySet[TrackedItem]:
    """The tracked items `user` may see, filtered, annotated with `rag` (as on `today`),
    soonest deadline first. See the module docstring for `filters`. `rag=False` leaves the
    annotation off, for a reader of plain rows that works it out itself (building it costs
    more than a page of the API's query)."""
    items = TrackedItem.objects.visible_to(user, day=today)
    items = _apply_filters(items, filters or {}, today)
    if rag:
        items = items.with_rag(today)
    return items.select_related("finding__inspection", "organisation", "owner").order_by(
        F("effective_deadline").asc(nulls_last=True), "id"
    )


def filter_given(value) -> bool:
    """Whether a filter's value asks for something (a missing, None or empty value means
    "any", as the module docstring says)."""
    return value not in (None, "", [], ())


def _apply_filters(items: QuerySet, filters: Mapping[str, Any], today: datetime.date):
    def given(key):
        return filter_given(filters.get(key))

    due = filters.get("due")
    if due == "overdue":
        items = items.overdue(today)
    elif due:
        items = items.due_soon(today, int(due))
    if filters.get("state") == "open":
        items = items.open()
    elif filters.get("state") == "closed":
        items = items.filter(status__in=TrackedItem.CLOSED_STATUSES)
    if given("age"):
        items = items.open().filter(_published_range(AGE_BY_KEY[filters["age"]], today))
    for key, lookup in (
        ("inspection", "finding__inspection_id"),
        ("organisation", "organisation_id"),
        ("capability", "finding__capabilities"),
    ):
        if given(key):
            items = items.filter(**{lookup: _pk(filters[key])})
    if given("region"):
        region_id = _pk(filters["region"])
        items = items.filter(
            Q(organisation_id__in=region_organisation_ids(region_id, today))
            | Q(organisation_id=region_id)
        )
    if given("status"):
        items = items.filter(status__in=filters["status"])
    if given("kind"):
        items = items.filter(finding__kind__in=filters["kind"])
    if given("deadline_after") or given("deadline_before") or given("rag"):
        items = items.with_rag(today)
        if given("deadline_after"):
            items = items.filter(effective_deadline__gte=filters["deadline_after"])
        if given("deadline_before"):
            items = items.filter(effective_deadline__lte=filters["deadline_before"])
        if given("rag"):
            items = items.filter(rag__in=filters["rag"])
    return items


# --- the dashboard's counts: aggregates over items_for_dashboard(...) -------------------


@dataclasses.dataclass
class Dashboard:
    total: int
    open: int
    due: list[tuple[str, str, int]]  # (filter value, label, count)
    by_status: list[tuple[str, str, int]]
    by_rag: list[tuple[str, str, int]]
    inspection_count: int  # inspections with items counted
    top_inspections: list[dict]
    by_organisation: list[dict]
    by_region: list[dict]
    timeline: list[dict]
    ageing: list[dict]
    statuses: list[tuple[str, str]]
    rags: list[tuple[str, str]]


TOP_INSPECTIONS = 10

RAG_CHOICES = [
    (deadlines.Rag.RED.value, "Red"),
    (deadlines.Rag.AMBER.value, "Amber"),
    (deadlines.Rag.GREEN.value, "Green"),
]


# A safety net only: the key changes with the data (see dashboard_for).
DASHBOARD_CACHE_SECONDS = 5 * 60


# "Not given": the caller has not looked up what the user may see (None means everything).
ASK = object()


def dashboard_for(
    *,
    user,
    filters: Mapping[str, Any] | None = None,
    today: datetime.date,
    cache_key: str | None = None,
    visible=ASK,
    version: tuple | None = None,
) -> Dashboard:
    """Every count on the dashboard. Counting a region's or the nation's items takes far
    longer than a page should, so the result is cached under a key made of what the user may
    see, the filters, the day and the version of the data in the user's scope: any write
    there that may change a count, or any saved finding or inspection, gives a new key, so a
    cached count never disagrees with its list (dashboard_cache_key; a caller that has the
    key already passes it, and `visible`, visible_organisation_ids(user), and `version`,
    dashboard_scope's, if it has looked). Without filters, on PostgreSQL, the counts are
    instead the scope's figures of the day brought up to date by the writes since
    (figures.py): a write is not a reason to count again."""
    if visible is ASK:
        visible, version = dashboard_scope(user=user, today=today)
    if not _given(filters) and tally.answers({}):
        if version is None:
            version = tracking_scope_version(organisation_ids=visible)
        return figures.dashboard(visible=visible, today=today, version=version)
    cache_key = cache_key or dashboard_cache_key(
        user=user, filters=filters, today=today, visible=visible, version=version
    )
    key = "dashboard:" + cache_key
    board = cache.get(key)
    if board is None:
        board = _dashboard_compute(user=user, filters=filters, today=today, visible=visible)
        cache.set(key, board, DASHBOARD_CACHE_SECONDS)
    return board


def _given(filters: Mapping[str, Any] | None) -> bool:
    """Whether any filter is given (a missing, None or empty value means "any")."""
    return any(filter_given(value) for value in (filters or {}).values())


def dashboard_cache_key(
    *,
    user,
    filters: Mapping[str, Any] | None = None,
    today: datetime.date,
    visible=ASK,
    version=None,
) -> str:
    """What a dashboard's counts depend on: who may see what, the filters, the day and the
    version of the data in the user's scope (a write that may change a count of an item of
    one of its organisations, or to any finding or inspection, changes it; a write elsewhere
    does not). `visible` as for dashboard_for; a caller that has both from dashboard_scope
    passes them, `version` too."""
    if visible is ASK:
        visible, version = dashboard_scope(user=user, today=today)
    elif version is None:
        version = tracking_scope_version(organisation_ids=visible)
    return hashlib.sha256(
        repr(
            (
                sorted(visible) if visible is not None else "national",
                sorted((name, str(_pk(value))) for name, value in (filters or {}).items()),
                today.isoformat(),
                version,
            )
        ).encode()
    ).hexdigest()


class ScopeVersion(NamedTuple):
    """dashboard_scope's version on PostgreSQL: tracking_scope_version's three parts, then
    what else the page depends on."""

    items: int  # the scope's organisations' CountedVersion, summed
    findings: Any  # the latest finding saved
    inspections: Any  # the latest inspection saved
    relationships: str  # a digest of the dated oversight and region memberships
    organisations: tuple[tuple[int, int], ...]  # (id, CountedVersion) of each in the scope
    options: str  # dashboard_page.filter_form_version, read in the same query


def dashboard_scope(*, user, today: datetime.date) -> tuple[set[int] | None, tuple]:
    """visible_organisation_ids(user) and tracking_scope_version of those organisations, in
    one query on PostgreSQL: every organisation's CountedVersion, summed here over the
    scope, and a digest of the dated relationships what a user may see depends on, under
    which (with the user's roles and the day: every input of visible_organisation_ids) the
    visible organisations are kept in the cache, as they change only when those do. The
    same query reads the user's roles (for roles_of). On PostgreSQL the version is a
    ScopeVersion, which carries more."""
    if connection.vendor != "postgresql":
        visible = visible_organisation_ids(user, day=today)
        return visible, tracking_scope_version(organisation_ids=visible)
    with connection.cursor() as cursor:
        cursor.execute(_scope_query(), [user.pk])
        relationships, versions, findings, inspections, roles, *options = cursor.fetchone()
    remember_roles(user, roles or ())
    if has_national_view(user):
        visible = None
    else:
        key = (
            "dashboard-visible:"
            + hashlib.sha256(
                repr(
                    (sorted(roles_of(user).items()), user.is_superuser, today, relationships)
                ).encode()
            ).hexdigest()
        )
        visible = cache.get(key)
        if visible is None:
            visible = visible_organisation_ids(user, day=today)
            cache.set(key, visible, DASHBOARD_CACHE_SECONDS)
    scope_versions = tuple(
        sorted(
            (organisation_id, version)
            for organisation_id, version in versions or ()
            if _within(organisation_id, visible)
        )
    )
    items = sum(version for _, version in scope_versions)
    return visible, ScopeVersion(
        items,
        findings,
        inspections,
        relationships,
        scope_versions,
        dashboard_page.filter_options_digest(options),
    )


def _within(organisation_id: int, visible) -> bool:
    return visible is None or organisation_id in visible


@functools.cache
def _scope_query() -> str:
    from inspections.models import Inspection
    from organisations.models import Oversight
    from recommendations.models import CountedVersion, Finding

    def digest(model, other: str) -> str:
        # A row's text form tells a missing start from a missing end.
        return (
            f"SELECT md5(COALESCE(string_agg((force_id, {other}, valid_from, valid_to)::text, "
            f"';' ORDER BY id), '')) FROM {model._meta.db_table}"
        )

    def latest(model) -> str:
        return f"SELECT updated_at FROM {model._meta.db_table} ORDER BY updated_at DESC LIMIT 1"

    return (
        f"SELECT ({digest(Oversight, 'body_id')}) || ({digest(RegionMembership, 'region_id')}), "
        "(SELECT array_agg(ARRAY[organisation_id, version]) "
        f"FROM {CountedVersion._meta.db_table}), "
        f"({latest(Finding)}), ({latest(Inspection)}), "
        # the user's roles, which roles_of would read next
        "(SELECT array_agg(ARRAY[organisation_id::text, role]) "
        f"FROM {Membership._meta.db_table} WHERE user_id = %s), "
        + dashboard_page.filter_options_columns()
    )


def _dashboard_compute(
    *, user, filters: Mapping[str, Any] | None, today: datetime.date, visible=ASK
) -> Dashboard:
    """Every count on the dashboard, in a constant number of queries whatever the data size:
    from the tally where it can answer the filters (tally.answers), else from the items."""
    if tally.answers(filters or {}):
        if visible is ASK:
            visible = visible_organisation_ids(user, day=today)
        grouped = tally.counts(user=user, filters=filters or {}, today=today, visible=visible)
        summary, organisation_rows = _fold_by_organisation(grouped["organisation"])
        summary.update(grouped.get("headline", {}))
        inspections = grouped["inspections"]
        timeline = _timeline_rows(grouped["month"], today)
    else:
        items = items_for_dashboard(user=user, filters=filters, today=today).order_by()
        summary, organisation_rows = _summary_by_organisation(items, today)
        inspections = inspection_summary(_by_inspection(items, today), today)
        timeline = _timeline(items, today)
    return board_of(summary, organisation_rows, inspections, timeline, today)


def board_of(
    summary: dict, organisation_rows: list[dict], inspections: dict, timeline, today, members=None
) -> Dashboard:
    """The Dashboard of the headline counts, the organisations' rows, the inspections'
    summary (inspection_summary's) and the timeline's rows (`members`: the regions' as
    _regions_and_members(today), if the caller has them)."""
    return Dashboard(
        total=summary["total"],
        open=summary["open"],
        due=[("overdue", "Overdue", summary["overdue"])]
        + [(str(days), f"Due within {days} days", summary[f"due_{days}"]) for days in DUE_WINDOWS],
        by_status=[(value, label, summary[f"status_{value}"]) for value, label in _statuses()],
        by_rag=[(value, label, summary[f"rag_{value}"]) for value, label in RAG_CHOICES],
        inspection_count=inspections["count"],
        top_inspections=inspections["top"],
        by_organisation=organisation_rows,
        by_region=_by_region(organisation_rows, today, members),
        timeline=timeline,
        ageing=[
            {"key": bucket.key, "label": bucket.label, "count": count}
            for bucket, count in zip(AGE_BUCKETS, inspections["ageing"], strict=True)
        ],
        statuses=_statuses(),
        rags=RAG_CHOICES,
    )


def _statuses() -> list[tuple[str, str]]:
    return [(status.value, status.label) for status in TrackedItem.Status]


def _summary(items: QuerySet, today: datetime.date) -> dict[str, int]:
    """The headline counts alone (the board paper's)."""
    return _summary_by_organisation(items, today)[0]


def _summary_by_organisation(items: QuerySet, today: datetime.date) -> tuple[dict, list[dict]]:
    """The headline counts and one row per organisation (name, total, open, overdue, a count
    per status), from one pass: the items grouped by organisation and status, each group
    counted by deadline window and RAG."""
    counts = {"n": Count("id"), "overdue": Count("id", filter=overdue_condition(today))}
    for days in DUE_WINDOWS:
        counts[f"due_{days}"] = Count("id", filter=due_soon_condition(today, days))
    for value, _ in RAG_CHOICES:
        counts[f"rag_{value}"] = Count("id", filter=Q(rag=value))
    grouped = items.values("organisation_id", "organisation__name", "status").annotate(**counts)
    return _fold_by_organisation(grouped)


def _count_keys() -> list[str]:
    return [
        "overdue",
        *(f"due_{days}" for days in DUE_WINDOWS),
        *(f"rag_{value}" for value, _ in RAG_CHOICES),
    ]


def _fold_by_organisation(grouped) -> tuple[dict, list[dict]]:
    """The headline counts and the organisations' rows from rows per organisation and
    status (each with its name, `n` and the _count_keys; a row may lack some of them, and
    a row with no status adds only its counts)."""
    count_keys = _count_keys()
    statuses = [value for value, _ in _statuses()]
    closed = set(TrackedItem.CLOSED_STATUSES)
    summary = dict.fromkeys(
        ["total", "open", *count_keys] + [f"status_{value}" for value in statuses], 0
    )
    rows: dict[int, dict] = {}
    for row in grouped:
        for key in count_keys:
            summary[key] += row.get(key, 0)
        organisation = rows.get(row["organisation_id"])
        if organisation is None:
            organisation = rows[row["organisation_id"]] = {
                "id": row["organisation_id"],
                "name": row["organisation__name"],
                "total": 0,
                "open": 0,
                "overdue": 0,
                "by_status": dict.fromkeys(statuses, 0),
            }
        organisation["overdue"] += row.get("overdue", 0)
        status, n = row["status"], row["n"]
        if status is None:
            continue
        summary["total"] += n
        summary[f"status_{status}"] += n
        organisation["total"] += n
        organisation["by_status"][status] += n
        if status not in closed:
            summary["open"] += n
            organisation["open"] += n
    for organisation in rows.values():
        organisation["status_cells"] = [
            (value, organisation["by_status"][value]) for value in statuses
        ]
    return summary, sorted(rows.values(), key=lambda row: row["name"])


def _by_region(organisation_rows: list[dict], today: datetime.date, members=None) -> list[dict]:
    """Regions on `today`, each counting its member forces' items and its own, the same set
    that the `region` filter selects (`members`: _regions_and_members(today), if given)."""
    by_organisation = {row["id"]: row for row in organisation_rows}
    regions: dict[int, dict] = {}

    def add(region_id, region_name, organisation_id):
        organisation = by_organisation.get(organisation_id)
        region = regions.setdefault(
            region_id, {"id": region_id, "name": region_name, "total": 0, "open": 0, "overdue": 0}
        )
        region.setdefault("_seen", set())
        if organisation and organisation_id not in region["_seen"]:
            region["_seen"].add(organisation_id)
            for key in ("total", "open", "overdue"):
                region[key] += organisation[key]

    for region_id, region_name, organisation_id in members or _regions_and_members(today):
        add(region_id, region_name, organisation_id)
    for region in regions.values():
        region.pop("_seen")
    return sorted((r for r in regions.values() if r["total"]), key=lambda row: row["name"])


def _regions_and_members(today: datetime.date) -> list[tuple[int, str, int]]:
    """(region id, region name, organisation id) for each force in a region on `today` (as
    RegionMembership.objects.on) and each region itself: one query."""
    organisations = Organisation._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT m.region_id, r.name, m.force_id FROM {RegionMembership._meta.db_table} m "
            f"JOIN {organisations} r ON r.id = m.region_id "
            "WHERE (m.valid_from IS NULL OR m.valid_from <= %s) "
            "AND (m.valid_to IS NULL OR m.valid_to >= %s) "
            f"UNION ALL SELECT id, name, id FROM {organisations} WHERE kind = %s",
            [today, today, Organisation.Kind.REGION.value],
        )
        return cursor.fetchall()


def _by_inspection(items: QuerySet, today: datetime.date) -> list[dict]:
    rows = items.values(
        "finding__inspection_id",
        "finding__inspection__title",
        "finding__inspection__published_on",
    ).annotate(
        total=Count("id"),
        open=Count("id", filter=open_condition()),
        overdue=Count("id", filter=overdue_condition(today)),
    )
    return _inspection_rows(rows)


def inspection_summary(inspection_rows: list[dict], today: datetime.date) -> dict:
    """From every inspection's row: how many there are, the TOP_INSPECTIONS with the most
    overdue items (then open, then by title), and the open items by their report's age."""
    return {
        "count": len(inspection_rows),
        "top": sorted(
            inspection_rows, key=lambda row: (-row["overdue"], -row["open"], row["title"])
        )[:TOP_INSPECTIONS],
        "ageing": [row["count"] for row in _ageing(inspection_rows, today)],
    }


def _inspection_rows(rows, *, latest_first: bool = True) -> list[dict]:
    """The rows as the dashboard keeps them, the latest report first (or as they come)."""
    if latest_first:
        rows = sorted(
            rows,
            key=lambda row: (
                row["finding__inspection__published_on"],
                row["finding__inspection_id"],
            ),
            reverse=True,
        )
    return [
        {
            "id": row["finding__inspection_id"],
            "title": row["finding__inspection__title"],
            "published_on": row["finding__inspection__published_on"],
            "total": row["total"],
            "open": row["open"],
            "overdue": row["overdue"],
        }
        for row in rows
    ]


def _ageing(inspection_rows: list[dict], today: datetime.date) -> list[dict]:
    """Open items by how long ago their report was published (the day their history opens)."""
    rows = []
    for bucket in AGE_BUCKETS:
        count = 0
        for inspection in inspection_rows:
            age = (today - inspection["published_on"]).days
            if age >= bucket.min_days and (bucket.max_days is None or age < bucket.max_days):
                count += inspection["open"]
        rows.append({"key": bucket.key, "label": bucket.label, "count": count})
    return rows


TIMELINE_MONTHS_BEFORE = 12
TIMELINE_MONTHS_AFTER = 12


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def _timeline(items: QuerySet, today: datetime.date) -> list[dict]:
    """Open items by month of their effective deadline, split by RAG; months before and after
    the two-year window are gathered in an "Earlier" and a "Later" row."""
    grouped = (
        items.filter(open_condition(), effective_deadline__isnull=False)
        .annotate(month=TruncMonth("effective_deadline"))
        .values("month", "rag")
        .annotate(n=Count("id"))
    )
    return _timeline_rows(grouped, today)


def _timeline_rows(grouped, today: datetime.date) -> list[dict]:
    """The timeline from open items with a deadline counted per month and RAG."""
    first, after_last, frame = _timeline_frame(today.replace(day=1))
    rags = [value for value, _ in RAG_CHOICES]
    rows = [
        {"label": label, "after": after, "before": before, "counts": dict.fromkeys(rags, 0)}
        for label, after, before in frame
    ]
    earlier, months, later = rows[0], rows[1:-1], rows[-1]
    for row in grouped:
        month = row["month"]
        month = month.date() if isinstance(month, datetime.datetime) else month
        if month < first:
            target = earlier
        elif month >= after_last:
            target = later
        else:
            target = months[(month.year - first.year) * 12 + month.month - first.month]
        target["counts"][row["rag"]] += row["n"]
    for row in rows:
        row["cells"] = list(row["counts"].items())
        row["total"] = sum(row["counts"].values())
    return rows


@functools.lru_cache(maxsize=4)
def _timeline_frame(this_month: datetime.date) -> tuple:
    """The timeline's first month, the month after its last, and its rows' (label, first
    day, last day): "Earlier", the months either side of `this_month`, "Later"."""
    first = _add_months(this_month, -TIMELINE_MONTHS_BEFORE)
    after_last = _add_months(this_month, TIMELINE_MONTHS_AFTER + 1)
    frame = [("Earlier", None, first - datetime.timedelta(days=1))]
    month = first
    while month < after_last:
        next_month = _add_months(month, 1)
        frame.append((f"{month:%b %Y}", month, next_month - datetime.timedelta(days=1)))
        month = next_month
    frame.append(("Later", after_last, None))
    return first, after_last, tuple(frame)


def calendar_items(*, user, today: datetime.date) -> QuerySet[TrackedItem]:
    """The deadlines in a user's calendar feed: open items with an effective deadline."""
    return items_for_dashboard(user=user, filters={"state": "open"}, today=today).filter(
        effective_deadline__isnull=False
    )


# Imported last: these modules build on the names above.
from . import figures, tally  # noqa: E402
from .board_paper import BoardPaper, PaperScope, Since, board_paper_for, red_reason  # noqa: E402
from .capabilities import capability_matrix  # noqa: E402

__all__ = [
    "AGE_BUCKETS",
    "DUE_CHOICES",
    "DUE_WINDOWS",
    "RAG_CHOICES",
    "BoardPaper",
    "Dashboard",
    "PaperScope",
    "Since",
    "board_paper_for",
    "calendar_items",
    "capability_matrix",
    "ASK",
    "dashboard_cache_key",
    "dashboard_for",
    "dashboard_scope",
    "items_for_dashboard",
    "red_reason",
]
