"""Reads of tracked items that cross relations: one place for My work and the item page."""

import dataclasses
import datetime
import functools
import operator

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import (
    F,
    Prefetch,
    Q,
    QuerySet,
)
from django.db.models.expressions import RawSQL
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan

from actionplans.selectors import MY_WORK_OPEN_ACTIONS_SQL, my_work_open_actions_params
from inspections.models import Inspection
from organisations.access import has_national_view, organisation_ids_with
from organisations.models import Membership, Organisation, RegionMembership
from organisations.selectors import regions_of_forces
from rocu_tracker import keyset

from . import access
from .models import (
    DEADLINE_ORDER_KEY,
    LAST_DAY,
    CountedVersion,
    Evidence,
    Finding,
    OrganisationStatusTally,
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
    regions = regions_of_forces(own, day=today)
    return _parts(own, regions, _findings_shared_with_the_forces() if regions else [])


def _parts(own, regions, joint) -> list[Q]:
    # One part per organisation (people belong to one or two); a long list, as one.
    if len(own) <= 5:
        parts = [Q(organisation_id=pk) for pk in sorted(own)]
    else:
        parts = [Q(organisation_id__in=own)]
    if regions:
        parts.append(Q(organisation_id__in=regions, finding_id__in=joint))
    return parts


@dataclasses.dataclass(frozen=True)
class MyWorkScope:
    """What My work reads before its page: the parts of its list (my_work_parts), the
    inspection filter's choices (the reports the user's organisations have items of,
    newest first, as "title (year)") and how many open items the parts hold (from the
    tallies; None when not known without counting the items)."""

    parts: list[Q]
    inspection_choices: list[tuple[str, str]]
    open_count: int | None
    # The people of the user's organisations, the owner filter's choices (id, username),
    # by name; and the open actions of their plans (actionplans.selectors.my_work_actions).
    owner_choices: list[tuple[str, str]]
    open_actions: int | None = None
    # The parts as SQL conditions on an item with their parameters, for the keys of a page
    # that no filter narrows (my_work_page's `plain_parts`); None: only through the ORM.
    plain_parts: list[tuple[str, list]] | None = None
    # The short names of the organisations listed (the user's and their regions), by id.
    organisation_names: dict[int, str] | None = None


def my_work_scope(*, user, today: datetime.date) -> MyWorkScope:
    """My work's scope in one query on PostgreSQL: the regions of the user's forces, the
    findings shared with the forces, the inspection and owner choices, the open count and
    the number of open actions. The findings and the inspection choices are kept per
    process until what they are read from moves (_joint_findings, _inspection_choices);
    the count comes from OrganisationStatusTally (kept by triggers in every write's
    transaction) plus the few shared items. On SQLite (make run), the same read by the
    ORM, query by query, and no counts (my_work_page and the actions' page count)."""
    own = organisation_ids_with(user)
    if connection.vendor != "postgresql":
        return MyWorkScope(
            parts=my_work_parts(user=user, today=today),
            inspection_choices=_inspection_choices_read(own),
            open_count=None,
            owner_choices=_owner_choices_read(own),
        )
    ids = frozenset(own)
    (findings_changed, findings_last), joint_known = _joint_findings[0]
    reports_read, choices_known = _inspection_choices.get(ids, ((None, None, None), []))
    closed = list(TrackedItem.CLOSED_STATUSES)
    with connection.cursor() as cursor:
        cursor.execute(
            _SCOPE_SQL,
            [
                *(sorted(ids), Organisation.Kind.FORCE, today, today),
                *(findings_changed, findings_last, joint_known),
                *(Finding.Audience.EACH_REGION, f"%{JOINTLY_WITH_FORCES}%"),
                *(sorted(ids), sorted(ids)),
                *(*reports_read, sorted(ids)),
                *(sorted(ids), closed, sorted(ids), closed),
                sorted(ids),
                *my_work_open_actions_params(organisation_ids=ids),
                sorted(ids),
            ],
        )
        (regions, findings_changed, findings_last, joint, *reports) = cursor.fetchone()
    *reports, rows, open_count, owners, actions, names = reports
    if (findings_changed, findings_last) != _joint_findings[0][0]:
        _joint_findings[0] = ((findings_changed, findings_last), list(joint))
    choices = choices_known
    if rows is not None:  # they moved (or this process never read them)
        choices = [(pk, f"{title} ({published_on[:4]})") for pk, title, published_on in rows]
        if len(_inspection_choices) > 1000:
            _inspection_choices.clear()
        _inspection_choices[ids] = (tuple(reports), choices)
    return MyWorkScope(
        parts=_parts(own, set(regions), list(joint)),
        inspection_choices=choices,
        open_count=open_count,
        owner_choices=[(str(pk), username) for pk, username in owners],
        open_actions=actions,
        plain_parts=_plain_parts(own, regions, joint),
        organisation_names=dict(names),
    )


def _plain_parts(own, regions, joint) -> list[tuple[str, list]]:
    """_parts as SQL conditions (PostgreSQL)."""
    if len(own) <= 5:
        parts = [("organisation_id = %s", [pk]) for pk in sorted(own)]
    else:
        parts = [("organisation_id = ANY(%s)", [sorted(own)])]
    if regions:
        parts.append(
            ("organisation_id = ANY(%s) AND finding_id = ANY(%s)", [sorted(regions), list(joint)])
        )
    return parts


def my_work_items(
    *, user, today: datetime.date, parts: list[Q] | None = None, unscoped=None
) -> QuerySet[TrackedItem]:
    """The open tracked items of the user's own organisations and those their region's ROCU
    shares with its forces (`parts`, from my_work_parts), soonest deadline first, not
    annotated (my_work_page reads what the page's rows show). `unscoped`: my_work_unscoped's
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


# What a row of My work shows (templatetags/my_work_rows.py), by model: read, not every
# column of the four tables, whose long texts and timestamps cost more to fetch than the
# rows' query.
_ROW_COLUMNS = (
    (
        TrackedItem,
        "i",
        (
            *("id", "finding_id", "organisation_id", "owner_id", "status", "target_date"),
            *("effective_deadline", "blocked_by"),
        ),
    ),
    (
        Finding,
        "f",
        (
            *("id", "inspection_id", "kind", "reference", "text", "summary", "deadline"),
            "deadline_precision",
        ),
    ),
    (Inspection, "n", ("id", "title", "published_on")),
    (get_user_model(), "u", ("id", "username", "first_name", "last_name", "is_active")),
)

# Model.from_db takes a model's values in the order of its fields.
_ROW_COLUMNS = tuple(
    (model, alias, sorted(names, key=[f.attname for f in model._meta.concrete_fields].index))
    for model, alias, names in _ROW_COLUMNS
)
_ITEM, _FINDING, _INSPECTION, _OWNER = (names for _, _, names in _ROW_COLUMNS)

# The rows of the page's keys (`{keys}`: their SQL), with TrackedItem.with_needs_owner's
# `needs_owner` (open, with an owner who is inactive or no longer a member of the item's
# organisation) written here: as one string, not compiled by the ORM on every page, and
# turned into model instances (Model.from_db) without the ORM's populators per relation,
# which cost more than the query. PostgreSQL; tests hold it to with_needs_owner.
_ROWS_SQL = """
    SELECT {columns},
           coalesce(NOT (i.status IN ({closed})) AND i.owner_id IS NOT NULL
                    AND (NOT u.is_active OR NOT EXISTS (
                        SELECT 1 FROM {membership} AS m
                        WHERE m.organisation_id = i.organisation_id AND m.user_id = i.owner_id
                    )), false)
    FROM {item} AS i
    JOIN {finding} AS f ON f.id = i.finding_id
    JOIN {inspection} AS n ON n.id = f.inspection_id
    LEFT JOIN {user} AS u ON u.id = i.owner_id
    WHERE i.id IN (SELECT id FROM ({{keys}}) AS page)
""".format_map(
    {
        "columns": ", ".join(
            f"{alias}.{model._meta.get_field(name).column}"
            for model, alias, names in _ROW_COLUMNS
            for name in names
        ),
        "closed": ", ".join(["%s"] * len(TrackedItem.CLOSED_STATUSES)),
        "membership": Membership._meta.db_table,
        "item": TrackedItem._meta.db_table,
        "finding": Finding._meta.db_table,
        "inspection": Inspection._meta.db_table,
        "user": get_user_model()._meta.db_table,
    }
)


def _my_work_rows_read(keys_sql: str, keys_params, organisation_names) -> list[TrackedItem]:
    """The rows of the page's keys, each with its finding, inspection, organisation (its
    short name from `organisation_names`, my_work_scope's, on PostgreSQL: joined in, the
    organisations took more planning than their reading) and owner (`needs_owner`
    annotated)."""
    if connection.vendor != "postgresql":  # SQLite (make run): through the ORM
        return list(
            TrackedItem.objects.with_needs_owner()
            .select_related("finding__inspection", "organisation", "owner")
            .filter(pk__in=RawSQL(f"SELECT id FROM ({keys_sql}) AS page", keys_params))
        )
    with connection.cursor() as cursor:
        cursor.execute(
            _ROWS_SQL.replace("{keys}", keys_sql), [*TrackedItem.CLOSED_STATUSES, *keys_params]
        )
        rows = cursor.fetchall()
    shared = {}
    return [_row_item(row, connection.alias, shared, organisation_names or {}) for row in rows]


def _row_item(row: tuple, db: str, shared: dict, organisation_names: dict) -> TrackedItem:
    """The item of a row of _ROWS_SQL. The rows of a page share a few inspections, the
    organisation and its people: one instance each (`shared`, by their values)."""
    values = iter(row)

    def take(model, names, share=False):
        taken = tuple(next(values) for _ in names)
        if not share:
            return model.from_db(db, names, taken)
        if (model, taken) not in shared:
            shared[model, taken] = model.from_db(db, names, taken)
        return shared[model, taken]

    item, finding = take(TrackedItem, _ITEM), take(Finding, _FINDING)
    finding.inspection = take(Inspection, _INSPECTION, share=True)
    item.finding = finding
    if item.organisation_id in organisation_names:  # else read when asked for
        key = (Organisation, item.organisation_id)
        if key not in shared:
            shared[key] = Organisation.from_db(
                db, ["id", "short_name"], [item.organisation_id, organisation_names[key[1]]]
            )
        item.organisation = shared[key]
    owner = take(get_user_model(), _OWNER, share=True)
    item.owner = owner if owner.pk is not None else None
    item.needs_owner = next(values)
    return item


def my_work_page(
    *,
    items: QuerySet | None,
    parts: list[QuerySet],
    user,
    query,
    size: int,
    count: int | None = None,
    plain_parts: list[tuple[str, list]] | None = None,
    organisation_names: dict[int, str] | None = None,
) -> keyset.Page:
    """keyset.page_of for My work's `items`, which are the union of `parts` (each one part
    of my_work_parts, with the same filters). The page's keys are read from each part in
    deadline order and merged (a few index entries per part), not from the parts' OR,
    which PostgreSQL can only read by walking the national deadline index past other
    forces' items or by sorting every open item of the organisations; the page's rows by
    those ids in the same query (the keys already passed the filters, so the rows need
    not repeat them). A row shows `needs_owner`, `can_edit` (whether the user may change
    it; the others are read only) and the finding, its inspection, the organisation and
    the owner; its RAG is worked out in Python (TrackedItem.rag), not compiled and
    planned as with_rag's CASE. Two queries whatever the page and the data (the rows and
    a capped count), one with `count`, the number of `items` if the caller knows it
    (my_work_scope's; `items` is then not needed). `plain_parts`: the parts as SQL
    (my_work_scope's), when no filter narrows them: their keys' SQL is then written here,
    not compiled by the ORM. `organisation_names`: my_work_scope's."""
    after, before = keyset.parse_key(query.get("after")), keyset.parse_key(query.get("before"))
    number = _page_number(query.get("page")) if (after or before) else 1
    if plain_parts is not None:
        keys = _plain_keys(plain_parts, after=after, before=before, size=size)
    else:
        keys = _my_work_keys(parts, after=after, before=before, size=size)
    rows = _my_work_rows_read(*keys, organisation_names) if keys else []
    rows.sort(key=_deadline_order, reverse=bool(before))
    editable = access.organisation_ids_user_changes(user)
    for row in rows:
        row.can_edit = row.organisation_id in editable
    if before:
        has_previous, has_next = len(rows) > size, True
        shown = rows[:size][::-1]
        if not has_previous:
            number = 1
    else:
        has_previous, has_next = after is not None, len(rows) > size
        shown = rows[:size]
    if count is None:
        count = items.order_by().values("pk")[: keyset.COUNT_LIMIT + 1].count()
    return keyset.Page(
        object_list=shown,
        number=number,
        has_previous=has_previous,
        has_next=has_next,
        previous_key=keyset.key_of(shown[0]) if shown and has_previous else None,
        next_key=keyset.key_of(shown[-1]) if shown and has_next else None,
        count=count if count <= keyset.COUNT_LIMIT else None,
    )


def _deadline_order(item: TrackedItem) -> tuple:
    """DEADLINE_ORDER_KEY and the id, in Python: the order of the keys' query."""
    return (item.effective_deadline or LAST_DAY, item.pk)


def _my_work_keys(parts, *, after, before, size) -> tuple[str, tuple] | None:
    """The SQL of the page's keys (and the one after them): `size` + 1 from each part in
    deadline order after (or before) the key, merged; None without parts (the user is at
    no organisation)."""
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
    return keys[0].query.sql_with_params() if keys else None


_KEYS_OF_PART_SQL = f"""
    (SELECT COALESCE(effective_deadline, %s) AS order_key, id
     FROM {TrackedItem._meta.db_table}
     WHERE NOT (status IN ({", ".join(["%s"] * len(TrackedItem.CLOSED_STATUSES))}))
       AND {{condition}}{{position}}
     ORDER BY 1 {{direction}}, 2 {{direction}} LIMIT {{limit}})
"""


def _plain_keys(parts, *, after, before, size) -> tuple[str, list] | None:
    """_my_work_keys for parts that no filter narrows, from their SQL conditions: each
    part's keys in DEADLINE_ORDER_KEY order (the (organisation, deadline, id) index's),
    after (or before) the key, merged."""
    direction, position = ("DESC", before) if before else ("ASC", after)
    where = ""
    if position:
        where = f" AND (COALESCE(effective_deadline, %s), id) {'<' if before else '>'} (%s, %s)"
    selects, params = [], []
    for condition, condition_params in parts:
        selects.append(
            _KEYS_OF_PART_SQL.format(
                condition=condition, position=where, direction=direction, limit=size + 1
            )
        )
        params += [LAST_DAY, *TrackedItem.CLOSED_STATUSES, *condition_params]
        if position:
            params += [LAST_DAY, *position]
    if not selects:
        return None
    sql = " UNION ".join(selects)
    if len(selects) > 1:
        order = f"ORDER BY 1 {direction}, 2 {direction} LIMIT {size + 1}"
        sql = f"SELECT * FROM ({sql}) AS parts {order}"
    return sql, params


def _page_number(value: str | None) -> int:
    try:
        return max(1, int(value or 1))
    except ValueError:
        return 1


# {organisation ids: (what the choices were read from, the choices)}, per process.
_inspection_choices: dict[frozenset, tuple[tuple, list[tuple[str, str]]]] = {}

# The joint findings are read (by every finding's words) only when the findings' latest
# change or highest id moved; the inspection choices (joining every item's finding) only
# when the organisations' highest item id, their number of items or the latest change to
# an inspection moved: otherwise each is a few index reads (PostgreSQL reads a CASE's
# other branch only when it is taken), and the query count stays the same either way. The
# open count: the tallies' open statuses of the user's organisations, plus their regions'
# shared items (not theirs already).
_SCOPE_SQL = """
    WITH regions AS MATERIALIZED (
        -- organisations.selectors.regions_of_forces: the forces' regions on the day
        SELECT coalesce(array_agg(DISTINCT membership.region_id), '{{}}') AS ids
        FROM {region_membership} AS membership
        JOIN {organisation} AS force ON force.id = membership.force_id
        WHERE membership.force_id = ANY(%s) AND force.kind = %s
          AND (membership.valid_from IS NULL OR membership.valid_from <= %s)
          AND (membership.valid_to IS NULL OR membership.valid_to >= %s)
    ), findings AS MATERIALIZED (
        SELECT (SELECT max(updated_at) FROM {finding}) AS changed,
               (SELECT max(id) FROM {finding}) AS last_id
    ), joint AS MATERIALIZED (
        SELECT CASE WHEN (changed, last_id) IS NOT DISTINCT FROM (%s::timestamptz, %s::bigint)
                    THEN %s::bigint[]
                    ELSE ARRAY(SELECT id FROM {finding} WHERE audience = %s
                               AND upper(addressees_as_written) LIKE upper(%s))
               END AS ids
        FROM findings
    ), reports AS MATERIALIZED (
        SELECT (SELECT max(id) FROM {item} WHERE organisation_id = ANY(%s)) AS last_id,
               (SELECT coalesce(sum(count), 0) FROM {status_tally}
                WHERE organisation_id = ANY(%s)) AS items,
               (SELECT max(updated_at) FROM {inspection}) AS changed
    )
    SELECT regions.ids, findings.changed, findings.last_id, joint.ids,
           reports.last_id, reports.items, reports.changed,
           CASE WHEN (reports.last_id, reports.items, reports.changed) IS NOT DISTINCT FROM
                     (%s::bigint, %s::bigint, %s::timestamptz)
                THEN NULL
                ELSE (SELECT coalesce(json_agg(json_build_array(id::text, title, published_on)
                                               ORDER BY published_on DESC, title), '[]')
                      FROM {inspection}
                      WHERE id IN (SELECT finding.inspection_id FROM {item} AS item
                                   JOIN {finding} AS finding ON finding.id = item.finding_id
                                   WHERE item.organisation_id = ANY(%s)))
           END,
           (SELECT coalesce(sum(count), 0) FROM {status_tally}
            WHERE organisation_id = ANY(%s) AND NOT (status = ANY(%s)))
           + (SELECT count(*) FROM {item}
              WHERE organisation_id = ANY(regions.ids) AND NOT (organisation_id = ANY(%s))
                AND finding_id = ANY(joint.ids) AND NOT (status = ANY(%s))),
           (SELECT coalesce(json_agg(json_build_array(id, username)
                                     ORDER BY first_name, last_name, username), '[]')
            FROM {user} WHERE id IN (SELECT user_id FROM {membership}
                                     WHERE organisation_id = ANY(%s))),
           ({open_actions}),
           (SELECT coalesce(json_agg(json_build_array(id, short_name)), '[]')
            FROM {organisation} WHERE id = ANY(%s) OR id = ANY(regions.ids))
    FROM regions, findings, joint, reports
""".format_map(
    {
        "user": get_user_model()._meta.db_table,
        "membership": Membership._meta.db_table,
        "open_actions": MY_WORK_OPEN_ACTIONS_SQL,
        "finding": Finding._meta.db_table,
        "item": TrackedItem._meta.db_table,
        "inspection": Inspection._meta.db_table,
        "status_tally": OrganisationStatusTally._meta.db_table,
        "region_membership": RegionMembership._meta.db_table,
        "organisation": Organisation._meta.db_table,
    }
)


def _owner_choices_read(organisation_ids) -> list[tuple[str, str]]:
    people = (
        get_user_model()
        .objects.filter(memberships__organisation_id__in=organisation_ids)
        .distinct()
        .order_by("first_name", "last_name", "username")
        .values_list("id", "username")
    )
    return [(str(pk), username) for pk, username in people]


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
