"""The shape of a drill-down list, kept in its URL beside the filters: the sort (``sort``),
the columns shown (``columns``) and the density (``density=compact``). The page, its CSV and
XLSX exports and the export job read the same shape, so an export has exactly the rows,
order and columns that the page shows.

Sorting pages by keyset in every order, so page 1,000 costs what page 1 costs:

- ``deadline`` ascending (the default) is rocu_tracker.keyset's deadline order;
- every other sort is a keyset on (the sort value, id), ascending or descending
  (``sort=-status``). On the item's own columns (deadline, status, last update) it reads the
  (column, id) indexes of migration dashboards 0003, nationally and per organisation. On a
  joined table's column (organisation name, finding reference) it reads the rows of one
  value at a time (the planner's nested loop and incremental sort): a page costs at most one
  group of equal values (one organisation's items, one reference's), never the rows before.
"""

import dataclasses
import datetime
import functools
import html
from collections.abc import Iterable

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import F, QuerySet
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan
from django.http import QueryDict
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from inspections.models import Inspection
from organisations.models import Organisation
from recommendations.models import DEADLINE_ORDER_KEY, Capability, Finding, TrackedItem
from rocu_tracker import deadlines, keyset
from rocu_tracker.people import display_name_of

from . import wording

# Parameters that say where in the list a page is, rather than what the list is.
PLACE_PARAMETERS = ("page", "after", "before")
SHAPE_PARAMETERS = ("sort", "columns", "density")


@dataclasses.dataclass(frozen=True)
class Sort:
    key: str
    label: str
    expression: object
    parse: object  # str -> the sort value as the database compares it


def _parse_date(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def _parse_datetime(text: str) -> datetime.datetime:
    moment = datetime.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError("a sort key's time must carry its offset")
    return moment


SORTS = {
    sort.key: sort
    for sort in (
        Sort("deadline", "deadline", DEADLINE_ORDER_KEY, _parse_date),
        Sort("status", "status", F("status"), str),
        Sort("organisation", "organisation", F("organisation__name"), str),
        Sort("reference", "reference", F("finding__reference"), str),
        Sort("updated", "last update", F("updated_at"), _parse_datetime),
    )
}
DEFAULT_SORT = "deadline"


@dataclasses.dataclass(frozen=True)
class Column:
    key: str
    label: str
    # The export's headers for this column (exports.HEADERS and exports.EXTRA_HEADERS).
    export_headers: tuple[str, ...]
    sort: str | None = None
    default: bool = True


# In the page's order. The finding (its kind and reference, linking to the item) is always
# shown: it names the row.
FINDING = Column("finding", "Finding", ("Kind of finding", "Reference"), sort="reference")
CHOOSABLE = (
    Column("inspection", "Inspection", ("Inspection", "Published")),
    Column("text", "Finding text", ("Finding",)),
    Column("organisation", "Organisation", ("Organisation",), sort="organisation"),
    Column("status", "Status", ("Status", "Blocked by"), sort="status"),
    Column(
        "deadline",
        "Deadline",
        ("Inspectorate deadline", "Target date", "Effective deadline", "Days left"),
        sort="deadline",
    ),
    Column("rag", "RAG", ("RAG",)),
    Column("owner", "Owner", ("Owner",), default=False),
    Column("updated", "Last update", ("Last update",), sort="updated", default=False),
)
COLUMNS = {column.key: column for column in (FINDING, *CHOOSABLE)}
DEFAULT_COLUMNS = tuple(column.key for column in CHOOSABLE if column.default)


@dataclasses.dataclass(frozen=True)
class Shape:
    sort: str = DEFAULT_SORT
    descending: bool = False
    # The chosen columns, or None when the URL chooses none (the page shows DEFAULT_COLUMNS,
    # the export every column, as before columns could be chosen).
    chosen: tuple[str, ...] | None = None
    compact: bool = False

    @property
    def columns(self) -> tuple[str, ...]:
        return self.chosen if self.chosen is not None else DEFAULT_COLUMNS

    @property
    def is_default_order(self) -> bool:
        return self.sort == DEFAULT_SORT and not self.descending

    @property
    def sort_parameter(self) -> str:
        return f"-{self.sort}" if self.descending else self.sort

    def export_headers(self, every_header: Iterable[str]) -> list[str]:
        """The export's headers: those of the chosen columns, or every one if none is
        chosen."""
        if self.chosen is None:
            return list(every_header)
        wanted = {
            header for key in ("finding", *self.chosen) for header in COLUMNS[key].export_headers
        }
        return [header for header in every_header if header in wanted]

    def order(self, items: QuerySet) -> QuerySet:
        """`items` in this shape's order, ties by id (the export's order)."""
        if self.is_default_order:
            return items.in_deadline_order()
        expression = SORTS[self.sort].expression
        if self.descending:
            return items.order_by(expression.desc(), "-id")
        return items.order_by(expression.asc(), "id")

    def page(
        self,
        items: QuerySet,
        query: QueryDict,
        *,
        size: int,
        fields: tuple[str, ...] = (),
        counted: int | None = None,
    ) -> keyset.Page:
        """The page `query` asks for; with `fields` (ROW_FIELDS), its rows are named tuples
        of those (keyset.rows_of), which table_rows reads. `counted`: keyset.count_query's
        count of `items`, if the caller has it (count_and_reference)."""
        if self.is_default_order:
            return keyset.page_of(items, query, size=size, fields=fields, counted=counted)
        return _sorted_page(
            items,
            query,
            sort=SORTS[self.sort],
            descending=self.descending,
            size=size,
            fields=fields + ("sort_value",) if fields else (),
            counted=counted,
        )

    def headers(self, query: QueryDict | None = None) -> list[dict]:
        """Each shown column's header: its label, and for a sortable one the sort its link
        asks for (the other direction when already sorted by it) and its aria-sort; given
        the list's query string (list_query), also that link's query string (`href`)."""
        headers = []
        for key in ("finding", *self.columns):
            column = COLUMNS[key]
            header = {"key": key, "label": column.label, "sort": None, "aria_sort": None}
            if column.sort:
                current = column.sort == self.sort
                direction = "descending" if (current and self.descending) else "ascending"
                header["aria_sort"] = direction if current else None
                flip = current and not self.descending
                header["sort"] = f"-{column.sort}" if flip else column.sort
                header["sort_label"] = SORTS[column.sort].label
                header["next_direction"] = "descending" if flip else "ascending"
                if query is not None:
                    sorted_by = query.copy()
                    sorted_by["sort"] = header["sort"]
                    header["href"] = f"?{sorted_by.urlencode()}"
            headers.append(header)
        return headers


def shape_from_query(query: QueryDict) -> Shape:
    """The shape the query string asks for; what does not parse is left at its default."""
    wanted = query.get("sort") or DEFAULT_SORT
    descending = wanted.startswith("-")
    sort = wanted.removeprefix("-")
    if sort not in SORTS:
        sort, descending = DEFAULT_SORT, False
    chosen = None
    if "columns" in query:
        keys = set(query.getlist("columns"))
        chosen = tuple(column.key for column in CHOOSABLE if column.key in keys)
    return Shape(
        sort=sort,
        descending=descending,
        chosen=chosen,
        compact=query.get("density") == "compact",
    )


def shape_from_query_string(query_string: str) -> Shape:
    return shape_from_query(QueryDict(query_string))


def list_query(query: QueryDict) -> QueryDict:
    """The query string without its place in the list: the filters and the shape."""
    query = query.copy()
    for place in PLACE_PARAMETERS:
        query.pop(place, None)
    return query


# --- keyset pages in any order ------------------------------------------------------------


def _key_of(item) -> str:
    value = item.sort_value
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return f"{text}.{item.pk}"


def _parse_key(key: str | None, sort: Sort):
    """(sort value, id) of `key` (`<value>.<id>`, the value itself may hold dots), or None
    if it is missing or malformed."""
    if not key:
        return None
    value, dot, pk = key.rpartition(".")
    if not dot:
        return None
    try:
        return sort.parse(value), int(pk)
    except ValueError:
        return None


def _sorted_page(
    items: QuerySet,
    query: QueryDict,
    *,
    sort: Sort,
    descending: bool,
    size: int,
    fields: tuple[str, ...],
    counted: int | None = None,
) -> keyset.Page:
    """Like keyset.page_of, on (sort value, id) in either direction: two queries (one if
    `counted`)."""
    if counted is None:
        counted = keyset.count_query(items).count()
    after, before = _parse_key(query.get("after"), sort), _parse_key(query.get("before"), sort)
    number = keyset._number(query.get("page")) if (after or before) else 1
    items = items.annotate(sort_value=sort.expression)
    position = Tuple(F("sort_value"), F("id"))
    forward = (F("sort_value").desc(), "-id") if descending else (F("sort_value").asc(), "id")
    backward = (F("sort_value").asc(), "id") if descending else (F("sort_value").desc(), "-id")
    beyond, behind = (
        (TupleLessThan, TupleGreaterThan) if descending else (TupleGreaterThan, TupleLessThan)
    )
    if before:
        rows = keyset.rows_of(
            items.filter(behind(position, before)).order_by(*backward), fields, size + 1
        )
        has_previous, has_next = len(rows) > size, True
        rows = rows[:size][::-1]
        if not has_previous:
            number = 1
    else:
        ordered = items.order_by(*forward)
        if after:
            ordered = ordered.filter(beyond(position, after))
        rows = keyset.rows_of(ordered, fields, size + 1)
        has_previous, has_next = after is not None, len(rows) > size
        rows = rows[:size]
    return keyset.Page(
        object_list=rows,
        number=number,
        has_previous=has_previous,
        has_next=has_next,
        previous_key=_key_of(rows[0]) if rows and has_previous else None,
        next_key=_key_of(rows[-1]) if rows and has_next else None,
        count=counted if counted <= keyset.COUNT_LIMIT else None,
    )


def hidden_fields(query: QueryDict, names: Iterable[str]) -> list[tuple[str, str]]:
    """(name, value) of each of `names` in the query string, for a form's hidden inputs:
    the filter form keeps the shape, the display form keeps the filters."""
    return [(name, value) for name in names for value in query.getlist(name)]


def filter_names(query: QueryDict) -> list[str]:
    """The query string's parameters that are neither the shape nor the place."""
    return [name for name in query if name not in SHAPE_PARAMETERS + PLACE_PARAMETERS]


# --- what the rows name, kept per process while it stays the same -------------------------


@dataclasses.dataclass
class Reference:
    """The organisations, inspections and capabilities, as lists name them: each list's
    filter options and its rows' organisation and inspection. Small tables, read once per
    change (kept_reference) rather than joined into every page's query: joining them made
    PostgreSQL plan for longer than it read the page."""

    version: tuple
    organisations: list[tuple]  # (id, name, short name, kind), by name
    inspections: list[tuple]  # (id, title, published on), newest first
    capabilities: list[tuple]  # (id, name), in the model's order
    # What readers make of these rows (the filters' options), kept with them.
    derived: dict = dataclasses.field(default_factory=dict)

    @functools.cached_property
    def organisation_labels(self) -> dict[int, str]:
        return {pk: short_name or name for pk, name, short_name, _ in self.organisations}

    @functools.cached_property
    def inspection_titles(self) -> dict[int, tuple[str, int]]:
        return {pk: (title, published_on.year) for pk, title, published_on in self.inspections}


# What Reference is read from, in one query: every inspection's count, highest id and
# latest change (auto_now), every organisation's and capability's id and words. Anything
# that changes what a list names changes this.
_REFERENCE_VERSION_SQL = """
    SELECT (SELECT count(*) FROM {inspection}), (SELECT max(id) FROM {inspection}),
           (SELECT max(updated_at) FROM {inspection}),
           (SELECT {aggregate}(id || ':' || kind || ':' || name || ':' || short_name{order})
              FROM {organisation}),
           (SELECT {aggregate}(id || ':' || name{order}) FROM {capability})
"""

# [Reference], replaced whole.
_kept_reference: list = [None]


def _reference_version_sql() -> str:
    postgresql = connection.vendor == "postgresql"
    return _REFERENCE_VERSION_SQL.format(
        inspection=Inspection._meta.db_table,
        organisation=Organisation._meta.db_table,
        capability=Capability._meta.db_table,
        # SQLite (the embedded default) names PostgreSQL's string_agg group_concat.
        aggregate="string_agg" if postgresql else "group_concat",
        order=", ',' ORDER BY id" if postgresql else "",
    )


def _reference_version() -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(_reference_version_sql())
        return tuple(cursor.fetchone())


def count_and_reference(items: QuerySet) -> tuple[int, Reference]:
    """keyset.count_query's count of `items` and the Reference as it is now, the count
    and the Reference's version in one query (a round trip fewer a page)."""
    counting = keyset.count_query(items).query
    try:
        sql, params = counting.get_compiler(using=items.db).as_sql()
    except EmptyResultSet:  # A filter that no row can match (an empty `__in`, none()).
        return 0, kept_reference()
    version_sql = _reference_version_sql().strip().removeprefix("SELECT")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT (SELECT count(*) FROM ({sql}) AS counted), {version_sql}", params)
        counted, *version = cursor.fetchone()
    return counted, kept_reference(tuple(version))


def kept_reference(version: tuple | None = None) -> Reference:
    """The Reference as it is now (`version`, _reference_version's, if the caller read
    it): one small query when nothing changed since this process read it, four when
    something did."""
    if version is None:
        version = _reference_version()
    kept = _kept_reference[0]
    if kept is not None and kept.version == version:
        return kept
    kept = Reference(
        version=version,
        organisations=list(
            Organisation.objects.order_by("name").values_list("id", "name", "short_name", "kind")
        ),
        inspections=list(
            Inspection.objects.order_by("-published_on").values_list("id", "title", "published_on")
        ),
        capabilities=list(Capability.objects.values_list("id", "name")),
    )
    _kept_reference[0] = kept
    return kept


# --- the table's rows, worded in Python ---------------------------------------------------


def _shortened(text: str, chars: int) -> str:
    """truncatechars' result for plain text, without its per-character Unicode scan."""
    return text if len(text) <= chars else text[: chars - 1].rstrip() + "…"


@functools.lru_cache(maxsize=8192)
def _day(day: datetime.date | None) -> str:
    # Kept: a list's rows share their days, and strftime per cell adds up.
    return f"{day.day} {day:%b %Y}" if day else ""


@dataclasses.dataclass(frozen=True)
class Row:
    """One item as the table shows it: every cell's words ready, so the template only
    writes them (a template tag or filter per cell and row cost more than the queries)."""

    url: str
    finding: str
    inspection: str
    text: str
    text_is_summary: bool
    organisation: str
    status: str
    blocked_by: str
    deadline: str
    target_note: str
    rag: str
    rag_label: str
    owner: str
    updated: str


# The fields table_rows reads, as the page's named tuples (keyset.rows_of): 51 rows of five
# model instances each cost more than the page's query. The organisation's and the
# inspection's words come from the kept Reference, and the RAG is worked out here
# (deadlines.rag): joined in and annotated, they took PostgreSQL longer to plan than to read.
ROW_FIELDS = (
    "pk",
    "organisation_id",
    "status",
    "target_date",
    "effective_deadline",
    "blocked_by",
    "updated_at",
    "owner_id",
    "finding__kind",
    "finding__reference",
    "finding__text",
    "finding__summary",
    "finding__deadline",
    "finding__deadline_precision",
    "finding__inspection_id",
    "owner__username",
    "owner__first_name",
    "owner__last_name",
)
_CLOSED = frozenset(TrackedItem.CLOSED_STATUSES)


def _owner_name(item) -> str:
    if item.owner_id is None:
        return ""
    return display_name_of(
        first_name=item.owner__first_name,
        last_name=item.owner__last_name,
        username=item.owner__username,
    )


def _names_all(items: list, reference: Reference) -> bool:
    organisations, inspections = reference.organisation_labels, reference.inspection_titles
    return all(
        item.organisation_id in organisations and item.finding__inspection_id in inspections
        for item in items
    )


def table_rows(
    items: Iterable,
    *,
    compact: bool,
    item_url: str,
    reference: Reference,
    today: datetime.date,
) -> list[Row]:
    """The rows of `items`, named tuples of ROW_FIELDS; `item_url` is the item page's
    address with ``{}`` for its id; `reference` names their organisations and inspections;
    their RAG is as on `today`."""
    chars, title_chars = (60, 40) if compact else (140, 70)
    items = list(items)
    if not _names_all(items, reference):  # One added since the version was read.
        reference = kept_reference()
    organisations, inspections = reference.organisation_labels, reference.inspection_titles
    zone = timezone.get_current_timezone()
    rows = []
    for item in items:
        text = item.finding__text or item.finding__summary
        target_note = ""
        if item.target_date and compact:
            target_note = "target date"
        elif item.target_date:
            inspectorates = deadlines.format_deadline(
                item.finding__deadline, item.finding__deadline_precision
            )
            target_note = f"Target date; inspectorate's: {inspectorates}"
        title, year = inspections[item.finding__inspection_id]
        rag = deadlines.rag(
            is_closed=item.status in _CLOSED,
            is_blocked=bool(item.blocked_by),
            inspectorate_deadline=item.finding__deadline,
            target_date=item.target_date,
            today=today,
        ).value
        rows.append(
            Row(
                url=item_url.format(item.pk),
                finding=wording.finding_label(item.finding__kind, item.finding__reference),
                inspection=f"{_shortened(title, title_chars)} ({year})",
                text=_shortened(text, chars) if text else "",
                text_is_summary=not item.finding__text and bool(item.finding__summary),
                organisation=organisations[item.organisation_id],
                status=wording.STATUS_LABELS.get(item.status, item.status),
                blocked_by=_shortened(item.blocked_by, 30) if compact else item.blocked_by,
                deadline=_day(item.effective_deadline) or "None recorded",
                target_note=target_note,
                rag=rag,
                rag_label=rag.capitalize(),
                owner=_owner_name(item),
                updated=_day(item.updated_at.astimezone(zone).date()),
            )
        )
    return rows


# --- the table's body, written in Python ---------------------------------------------------


def _text_cell(row: Row, escape) -> str:
    if row.text_is_summary:
        text = f'<span class="not-recorded">Summary:</span> {escape(row.text)}'
    elif row.text:
        text = escape(row.text)
    else:
        text = f'<span class="not-recorded">{escape(Finding.TEXT_NOT_RECORDED)}</span>'
    return f'<td class="small finding-cell">{text}</td>'


def _status_cell(row: Row, escape) -> str:
    blocked = (
        f'<span class="d-block small">Blocked by: {escape(row.blocked_by)}</span>'
        if row.blocked_by
        else ""
    )
    return f"<td>{escape(row.status)}{blocked}</td>"


def _deadline_cell(row: Row, escape) -> str:
    note = (
        f'<span class="d-block small text-body-secondary">{escape(row.target_note)}</span>'
        if row.target_note
        else ""
    )
    return f"<td>{escape(row.deadline)}{note}</td>"


def _owner_cell(row: Row, escape) -> str:
    owner = escape(row.owner) if row.owner else '<span class="not-recorded">Nobody</span>'
    return f"<td>{owner}</td>"


CELLS = {
    "inspection": lambda row, escape: f'<td class="small">{escape(row.inspection)}</td>',
    "text": _text_cell,
    "organisation": lambda row, escape: f"<td>{escape(row.organisation)}</td>",
    "status": _status_cell,
    "deadline": _deadline_cell,
    "rag": lambda row, escape: (
        f'<td><span class="rag rag-{escape(row.rag)}" aria-hidden="true"></span>'
        f"{escape(row.rag_label)}</td>"
    ),
    "owner": _owner_cell,
    "updated": lambda row, escape: f"<td>{escape(row.updated)}</td>",
}


def table_body(rows: Iterable[Row], columns: Iterable[str]) -> SafeString:
    """The table's rows as HTML, each shown column's cell in `columns`' order (the headers'
    order): the standard library's escape, not a template's nodes, filters and lookups for
    each of fifty rows' cells (they cost more than the page's queries)."""
    cells = [CELLS[key] for key in columns]
    escape = html.escape
    lines = []
    for row in rows:
        finding = (
            f'<th scope="row" class="fw-normal finding-summary">'
            f'<a href="{escape(row.url)}">{escape(row.finding)}</a></th>'
        )
        lines.append(f"<tr>{finding}{''.join(cell(row, escape) for cell in cells)}</tr>")
    return mark_safe("\n".join(lines))
