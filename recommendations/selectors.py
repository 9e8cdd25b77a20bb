"""Reads of tracked items that cross relations: one place for My work and the item page."""

import dataclasses
import datetime
import functools
import operator

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    F,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan

from inspections.models import Inspection
from organisations.access import has_national_view, organisation_ids_with
from organisations.selectors import regions_of_forces
from rocu_tracker import keyset

from . import access
from .models import (
    DEADLINE_ORDER_KEY,
    CountedVersion,
    Evidence,
    Finding,
    ScopeDataVersion,
    TrackedItem,
    TrackedItemEvent,
)

# Two of the 2021 report's recommendations are addressed to the chief officer(s) with the
# lead for serious and organised crime "in each region, with the chief officers of the
# affected forces" (their addressees as written, in the reference data). Each is tracked once,
# by the region's ROCU; the region's forces share the work, so their My work lists it too.
JOINTLY_WITH_FORCES = "with the chief officers of the affected forces"


def _shared_with_the_forces(user, *, today: datetime.date) -> Q | None:
    """The region items addressed jointly with the forces, of the regions that the user's
    forces belong to on `today`; None if the user is at no force in a region."""
    regions = regions_of_forces(organisation_ids_with(user), day=today)
    if not regions:
        return None
    return Q(organisation_id__in=regions, finding_id__in=_findings_shared_with_the_forces())


# ((latest change, highest id) of the findings when read, the ids of those addressed
# jointly), replaced whole so that a thread never reads one without the other.
_joint_findings: list[tuple] = [((None, None), [])]

_JOINT_FINDINGS_SQL = """
    SELECT (SELECT max(updated_at) FROM {table}), (SELECT max(id) FROM {table}),
           CASE WHEN (SELECT max(updated_at) FROM {table}) IS NOT DISTINCT FROM %s
                 AND (SELECT max(id) FROM {table}) IS NOT DISTINCT FROM %s
                THEN NULL
                ELSE ARRAY(SELECT id FROM {table} WHERE audience = %s
                           AND upper(addressees_as_written) LIKE upper(%s))
           END
"""


def _findings_shared_with_the_forces() -> list[int]:
    """The ids of the findings addressed to each region jointly with its forces. Finding the
    words means reading every finding, and findings change only at intake: the ids are
    kept (per process) until a finding is saved or added. One query either way (PostgreSQL
    reads the findings only in the CASE's other branch), two indexed reads when nothing
    changed. As ids, the condition lets My work read its items by organisation."""
    if connection.vendor != "postgresql":  # SQLite (make run): read them each time
        return list(_jointly_addressed_findings().values_list("id", flat=True))
    (changed, last_id), known = _joint_findings[0]
    with connection.cursor() as cursor:
        cursor.execute(
            _JOINT_FINDINGS_SQL.format(table=Finding._meta.db_table),
            [changed, last_id, Finding.Audience.EACH_REGION, f"%{JOINTLY_WITH_FORCES}%"],
        )
        changed, last_id, ids = cursor.fetchone()
    if ids is None:
        return known
    _joint_findings[0] = ((changed, last_id), list(ids))
    return list(ids)


def _jointly_addressed_findings() -> QuerySet[Finding]:
    return Finding.objects.filter(
        audience=Finding.Audience.EACH_REGION,
        addressees_as_written__icontains=JOINTLY_WITH_FORCES,
    )


def my_work_parts(*, user, today: datetime.date) -> list[Q]:
    """What My work lists, in parts that PostgreSQL reads each in deadline order straight
    from the (organisation, deadline, id) index: each of the user's own organisations'
    items, and the items their forces' regions share with the forces."""
    own = set(organisation_ids_with(user))
    # One part per organisation (people belong to one or two); a long list, as one.
    if len(own) <= 5:
        parts = [Q(organisation_id=pk) for pk in sorted(own)]
    else:
        parts = [Q(organisation_id__in=own)]
    if regions := regions_of_forces(own, day=today):
        joint = _findings_shared_with_the_forces()
        parts.append(Q(organisation_id__in=regions, finding_id__in=joint))
    return parts


def my_work_items(
    *, user, today: datetime.date, parts: list[Q] | None = None, unscoped=None
) -> QuerySet[TrackedItem]:
    """The open tracked items of the user's own organisations and those their region's ROCU
    shares with its forces (`parts`, from my_work_parts), soonest deadline first, not
    annotated (my_work_rows annotates the page's rows). `unscoped`: my_work_unscoped's
    queryset, if the caller has it already."""
    if parts is None:
        parts = my_work_parts(user=user, today=today)
    if unscoped is None:
        unscoped = my_work_unscoped()
    return unscoped.filter(functools.reduce(operator.or_, parts, Q(pk__in=[])))


def my_work_unscoped() -> QuerySet[TrackedItem]:
    """My work's open items of every organisation, in deadline order: only for
    my_work_page's parts, each filtered by one of my_work_parts, and its count. Not
    annotated: the annotations join the findings, owners and memberships, which the
    keys and the count do not need (PostgreSQL planned those joins on every query)."""
    return TrackedItem.objects.open().in_deadline_order()


def my_work_rows(*, user) -> QuerySet[TrackedItem]:
    """What a row of My work shows, for the page's rows read by id: `needs_owner`,
    `can_edit` (which the user may change; the others are read only) and the finding,
    its inspection, the organisation and the owner. The RAG of 25 rows is worked out in
    Python (TrackedItem.rag), not compiled and planned as with_rag's CASE."""
    editable = access.organisation_ids_user_changes(user)
    return (
        TrackedItem.objects.with_needs_owner()
        .annotate(
            can_edit=Case(
                When(organisation_id__in=editable, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .select_related("finding__inspection", "organisation", "owner")
    )


def my_work_page(
    *, items: QuerySet, parts: list[QuerySet], rows: QuerySet, query, size: int
) -> keyset.Page:
    """keyset.page_of for My work's `items`, which are the union of `parts` (each one part
    of my_work_parts, with the same filters). The page's keys are read from each part in
    deadline order and merged (a few index entries per part), not from the parts' OR,
    which PostgreSQL can only read by walking the national deadline index past other
    forces' items or by sorting every open item of the organisations; then the page's
    rows by id from `rows` (my_work_rows: the keys already passed the filters, so the
    rows query need not repeat them). Three queries, whatever the page and the data."""
    after, before = keyset.parse_key(query.get("after")), keyset.parse_key(query.get("before"))
    number = _page_number(query.get("page")) if (after or before) else 1
    keys = _my_work_keys(parts, after=after, before=before, size=size)
    if before:
        has_previous, has_next = len(keys) > size, True
        keys = keys[:size][::-1]
        if not has_previous:
            number = 1
    else:
        has_previous, has_next = after is not None, len(keys) > size
        keys = keys[:size]
    by_id = {item.pk: item for item in rows.filter(pk__in=keys).order_by()} if keys else {}
    shown = [by_id[pk] for pk in keys if pk in by_id]
    counted = items.order_by().values("pk")[: keyset.COUNT_LIMIT + 1].count()
    return keyset.Page(
        object_list=shown,
        number=number,
        has_previous=has_previous,
        has_next=has_next,
        previous_key=keyset.key_of(shown[0]) if shown and has_previous else None,
        next_key=keyset.key_of(shown[-1]) if shown and has_next else None,
        count=counted if counted <= keyset.COUNT_LIMIT else None,
    )


def _my_work_keys(parts, *, after, before, size) -> list[int]:
    position = Tuple(DEADLINE_ORDER_KEY, F("id"))
    order = ("-order_key", "-id") if before else ("order_key", "id")
    keys = []
    for part in parts:
        rows = part.annotate(order_key=DEADLINE_ORDER_KEY)
        if before:
            rows = rows.filter(TupleLessThan(position, before))
        elif after:
            rows = rows.filter(TupleGreaterThan(position, after))
        keys.append(rows.order_by(*order).values_list("order_key", "id")[: size + 1])
    if len(keys) > 1:
        keys = [keys[0].union(*keys[1:]).order_by(*order)[: size + 1]]
    return [pk for rows in keys for _key, pk in rows]


def _page_number(value: str | None) -> int:
    try:
        return max(1, int(value or 1))
    except ValueError:
        return 1


# {organisation ids: (what the choices were read from, the choices)}, per process.
_inspection_choices: dict[frozenset, tuple[tuple, list[tuple[str, str]]]] = {}

_INSPECTION_CHOICES_SQL = """
    WITH now AS MATERIALIZED (
        SELECT (SELECT max(id) FROM {item} WHERE organisation_id = ANY(%(ids)s)) AS last_id,
               (SELECT count(*) FROM {item} WHERE organisation_id = ANY(%(ids)s)) AS items,
               (SELECT max(updated_at) FROM {inspection}) AS changed
    )
    SELECT last_id, items, changed,
           CASE WHEN (last_id, items, changed) IS NOT DISTINCT FROM
                     (%(last_id)s::bigint, %(items)s::bigint, %(changed)s::timestamptz)
                THEN NULL
                ELSE (SELECT coalesce(json_agg(json_build_array(id::text, title, published_on)
                                               ORDER BY published_on DESC, title), '[]')
                      FROM {inspection}
                      WHERE id IN (SELECT finding.inspection_id FROM {item} AS item
                                   JOIN {finding} AS finding ON finding.id = item.finding_id
                                   WHERE item.organisation_id = ANY(%(ids)s)))
           END
    FROM now
"""


def _inspection_choices_read(organisation_ids) -> list[tuple[str, str]]:
    reports = (
        Inspection.objects.filter(
            id__in=TrackedItem.objects.filter(organisation_id__in=organisation_ids).values(
                "finding__inspection_id"
            )
        )
        .order_by("-published_on", "title")
        .values_list("id", "title", "published_on")
    )
    return [(str(pk), f"{title} ({published_on.year})") for pk, title, published_on in reports]


def my_work_inspection_choices(*, organisation_ids) -> list[tuple[str, str]]:
    """The reports that the organisations have tracked items of, newest first, as choices
    ("title (year)"). Reading them joins every finding; they change only when an item is
    added or removed or an inspection is saved, so they are kept (per process) until the
    organisations' last item id, their count of items or the latest inspection change
    moves: one query either way (the CASE's other branch is read only then), two index
    reads when nothing moved. A write to an item changes none of it."""
    if connection.vendor != "postgresql":  # SQLite (make run): read them each time
        return _inspection_choices_read(organisation_ids)
    ids = frozenset(organisation_ids)
    (last_id, items, changed), known = _inspection_choices.get(ids, ((None, None, None), []))
    with connection.cursor() as cursor:
        cursor.execute(
            _INSPECTION_CHOICES_SQL.format(
                item=TrackedItem._meta.db_table,
                finding=Finding._meta.db_table,
                inspection=Inspection._meta.db_table,
            ),
            {"ids": sorted(ids), "last_id": last_id, "items": items, "changed": changed},
        )
        last_id, items, changed, rows = cursor.fetchone()
    if rows is None:  # nothing moved
        return known
    choices = [(pk, f"{title} ({published_on[:4]})") for pk, title, published_on in rows]
    if len(_inspection_choices) > 1000:
        _inspection_choices.clear()
    _inspection_choices[ids] = ((last_id, items, changed), choices)
    return choices


def _readable_items(user, *, today: datetime.date) -> QuerySet[TrackedItem]:
    """What the user may read: what they may see, what My work shares with them, and, for
    an inspectorate's liaison, the items of that inspectorate's reports."""
    visible = TrackedItem.objects.visible_to(user, day=today)
    if shared := _shared_with_the_forces(user, today=today):
        visible = visible | TrackedItem.objects.filter(shared)
    if access.inspectorate_ids_of_liaison(user):
        visible = visible | access.items_for_the_inspectorate(user)
    return visible


def item_for_page(*, user, pk: int, today: datetime.date) -> TrackedItem:
    """The item if the user may read it; TrackedItem.DoesNotExist otherwise (a 404). What its
    finding repeats or supersedes comes in a second query, only if it has either: joined in,
    those six tables took PostgreSQL longer to plan than the whole page's other queries."""
    item = (
        TrackedItem.objects.with_rag(today)
        .with_needs_owner()
        .select_related("finding__inspection__inspectorate", "organisation", "owner")
        .get(pk=pk)
    )
    # Everyone may read their own organisations' items, and the nation's readers all: only
    # the others (oversight, a region's forces, what My work shares, an inspectorate's
    # liaison) need the four queries that say what else the user may read.
    own = has_national_view(user) or item.organisation_id in organisation_ids_with(user)
    if not own and not _readable_items(user, today=today).filter(pk=pk).exists():
        raise TrackedItem.DoesNotExist("No such tracked item that the user may read.")
    finding = item.finding
    linked_ids = {finding.repeats_id, finding.supersedes_id} - {None}
    if linked_ids:
        linked = Finding.objects.select_related("inspection__inspectorate").in_bulk(linked_ids)
        finding.repeats = linked.get(finding.repeats_id)
        finding.supersedes = linked.get(finding.supersedes_id)
    else:
        finding.repeats = finding.supersedes = None
    return item


HISTORY_PAGE = 50


@dataclasses.dataclass
class HistoryPage:
    events: list[TrackedItemEvent]
    # The key of the last event shown when there are earlier ones (for "Show earlier events").
    earlier_key: str | None
    is_latest: bool


def item_history(
    item: TrackedItem, *, before: str | None = None, size: int = HISTORY_PAGE
) -> HistoryPage:
    """The item's latest `size` events, newest first, or the `size` before the event whose
    key (``<occurred_on>.<id>``) is `before`, with who did it and the evidence attached: two
    queries, however long the history (through the (item, -occurred_on, -id) index)."""
    events = item.events.select_related("actor").prefetch_related(
        Prefetch(
            "evidence", queryset=Evidence.objects.only("id", "event_id", "original_name", "size")
        )
    )
    position = _history_position(before)
    if position is not None:
        events = events.filter(TupleLessThan(Tuple(F("occurred_on"), F("id")), position))
    rows = list(events.order_by("-occurred_on", "-id")[: size + 1])
    earlier = rows[size - 1] if len(rows) > size else None
    return HistoryPage(
        events=rows[:size],
        earlier_key=f"{earlier.occurred_on.isoformat()}.{earlier.pk}" if earlier else None,
        is_latest=position is None,
    )


def _history_position(key: str | None) -> tuple[datetime.date, int] | None:
    day, _, pk = (key or "").partition(".")
    try:
        return datetime.date.fromisoformat(day), int(pk)
    except ValueError:
        return None


def evidence_for_user(*, user, pk: int, today: datetime.date) -> Evidence:
    """Evidence of an item the user may see; Evidence.DoesNotExist otherwise (a 404)."""
    return Evidence.objects.get(pk=pk, item__in=_readable_items(user, today=today))


def tracking_scope_version(*, organisation_ids) -> tuple:
    """Changes whenever a tracked item of one of `organisation_ids` (None: any) is added or
    changed in what the dashboards count (on PostgreSQL their CountedVersion rows, raised by
    triggers in the write's own transaction, whatever makes it; an owner or a narrative
    saved leaves them as they were), or on SQLite, which has no triggers, changed at all
    through the services (ScopeDataVersion); and whenever any finding or inspection is saved
    (rarely; the latest of each read through its updated_at index). A write in one force
    leaves the version of every scope without that force as it was. One query."""
    model = CountedVersion if connection.vendor == "postgresql" else ScopeDataVersion
    items = f"SELECT COALESCE(SUM(version), 0) FROM {model._meta.db_table}"
    ids = [] if organisation_ids is None else sorted(organisation_ids)
    if organisation_ids is not None:
        items += f" WHERE organisation_id IN ({', '.join(['%s'] * len(ids)) or 'NULL'})"
    latest = "SELECT updated_at FROM {} ORDER BY updated_at DESC LIMIT 1"
    with connection.cursor() as cursor:
        # Plain SQL: the ORM's aggregate cost more to build than to run.
        cursor.execute(
            f"SELECT ({items}), ({latest.format(Finding._meta.db_table)}), "
            f"({latest.format(Inspection._meta.db_table)})",
            ids,
        )
        items, findings, inspections = cursor.fetchone()
    return int(items), findings, inspections


def items_awaiting_the_inspectorate(*, user, today: datetime.date) -> QuerySet[TrackedItem]:
    """The items signed off by their organisations and waiting for the user's inspectorate
    to confirm or return them, longest waiting first (by the last change)."""
    return (
        access.items_for_the_inspectorate(user)
        .filter(status=TrackedItem.Status.AWAITING_INSPECTORATE)
        .with_rag(today)
        .select_related("finding__inspection__inspectorate", "organisation")
        .order_by("updated_at", "id")
    )


def finding_links(finding: Finding) -> dict[str, list[Finding]]:
    """The later findings that repeat or supersede `finding` (one query); what it repeats
    or supersedes itself is on the finding (select_related by the caller)."""
    later = list(
        Finding.objects.filter(Q(repeats=finding) | Q(supersedes=finding)).select_related(
            "inspection__inspectorate"
        )
    )
    return {
        "repeated_by": [other for other in later if other.repeats_id == finding.pk],
        "superseded_by": [other for other in later if other.supersedes_id == finding.pk],
    }
