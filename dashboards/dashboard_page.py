"""What the dashboard page renders that is costly at national scale, made cheaply.

The filter form lists every inspection and organisation: its fragment is cached under
`filter_form_version` and the query string, so a write to an item does not render it again.

Every count on the page links to the drill-down list with the page's own query string (its
filters) and the count's own parameters, as `{% url %}{% querystring %}` would make it; a
count of 0 is not a link. The links are made here, not by template tags per cell (nationally
some 800 of them cost more than the counting), and the rows of every table on the page and
the deadline cards are written here too, each table's in one piece: the template has no loop
over them. The rows of the four big tables are memoised per query string and values, so the
page after a write writes again only the rows whose counts changed.
"""

import functools
import hashlib
from urllib.parse import quote_plus

from django.db import connection
from django.http import QueryDict
from django.urls import reverse
from django.utils import dateformat
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


def cells(counts_and_links) -> str:
    """`<td>` cells of (count, link or None): the counts are numbers, the links already
    escaped (_Linker.html)."""
    return "".join(
        f'<td class="text-end"><a href="{href}">{count}</a></td>'
        if href
        else f'<td class="text-end">{count}</td>'
        for count, href in counts_and_links
    )


def rows(headers_and_cells) -> SafeString:
    """Table rows of (row header, cells' HTML): the header text is escaped here."""
    return mark_safe(
        "".join(
            f'<tr><th scope="row" class="fw-normal">{escape(header)}</th>{html}</tr>'
            for header, html in headers_and_cells
        )
    )


class _Linker:
    """The drill-down list's address with the page's query string and `params` in it, as
    `{% url 'dashboards:items' %}{% querystring **params %}` makes it: the page's query
    string is encoded once, and the cell's parameters appended (or, when the page's query
    already names one of them, put in its place, as querystring does)."""

    def __init__(self, query: QueryDict):
        self.base = reverse("dashboards:items")
        self.query = query
        encoded = query.urlencode()
        self.all = f"{self.base}?{encoded}"
        self.prefix = f"{self.base}?{encoded}&" if encoded else f"{self.base}?"
        self.html_prefix = escape(self.prefix)
        self.names = set(query)
        self.quoted: dict = {}

    def _quote(self, value) -> str:
        quoted = self.quoted.get(value)
        if quoted is None:
            quoted = self.quoted[value] = quote_plus(str(value))
        return quoted

    def _replaces(self, params) -> bool:
        return bool(self.names) and not self.names.isdisjoint(params)

    def __call__(self, **params) -> str:
        if self._replaces(params):
            query = self.query.copy()
            for name, value in params.items():
                query[name] = value
            return f"{self.base}?{query.urlencode()}"
        return self.prefix + "&".join([f"{name}={self._quote(v)}" for name, v in params.items()])

    def html(self, **params) -> str:
        """The same address, escaped for an attribute (quote_plus leaves nothing to escape)."""
        if self._replaces(params):
            return escape(self(**params))
        return self.html_prefix + "&amp;".join(
            [f"{name}={self._quote(v)}" for name, v in params.items()]
        )

    def cell(self, count, **params) -> tuple:
        """(count, its link, or None for 0)."""
        return count, self.html(**params) if count else None


def links(board, query: QueryDict) -> dict:
    """The small tables' rows and the deadline cards, with each count's link (none for a
    count of 0), the rows of the tables by region and by inspection, the column headings by
    status and by RAG, and the link to the whole list."""
    link = _Linker(query)
    counts = count_lists(board, link)
    encoded = query.urlencode()
    return {
        "all": link.all,
        "due_cards": due_cards(counts["due"]),
        "by_status": count_rows(counts["by_status"]),
        "by_rag": count_rows(counts["by_rag"], rag=True),
        "regions": mark_safe(
            "".join(
                _totals_row(encoded, "region", row["id"], row["name"], None, *_totals(row))
                for row in board.by_region
            )
        ),
        "inspections": mark_safe(
            "".join(
                _totals_row(encoded, "inspection", row["id"], row["title"], *_dated_totals(row))
                for row in board.top_inspections
            )
        ),
        "ageing": count_rows(counts["ageing"]),
        "status_headings": _headings(tuple(label for _, label in board.statuses)),
        "rag_headings": _headings(tuple(label for _, label in board.rags)),
    }


def count_lists(board, link: "_Linker") -> dict[str, list[dict]]:
    """The deadline cards' and the small tables' rows: value, label, count and the link
    (None for a count of 0)."""

    def by(name, counts):
        return [
            {"value": value, "label": label, "count": count, "href": link(**{name: value})}
            if count
            else {"value": value, "label": label, "count": count, "href": None}
            for value, label, count in counts
        ]

    return {
        "due": by("due", board.due),
        "by_status": by("status", board.by_status),
        "by_rag": by("rag", board.by_rag),
        "ageing": [
            {"value": row["key"], "label": row["label"], "count": row["count"], "href": None}
            | ({"href": link(state="open", age=row["key"])} if row["count"] else {})
            for row in board.ageing
        ],
    }


def due_cards(rows) -> SafeString:
    """A card per deadline count: the count as a link to its list, or 0."""
    cards = []
    for row in rows:
        border = " border-danger" if row["value"] == "overdue" and row["count"] else ""
        label = f"<span>{escape(str(row['label']).lower())}</span>"
        if row["href"]:
            body = (
                f'<a class="stretched-link text-decoration-none" href="{escape(row["href"])}">'
                f'<span class="d-block display-6 fw-bold">{row["count"]}</span> {label}</a>'
            )
        else:
            body = f'<span class="d-block display-6 fw-bold">0</span> {label}'
        cards.append(
            f'<li class="col"><div class="card h-100{border}"><div class="card-body">'
            f"{body}</div></div></li>"
        )
    return mark_safe("".join(cards))


def count_rows(rows, *, rag: bool = False) -> SafeString:
    """A row per count: its label (after the RAG's swatch, for `rag`), and the count as a
    link to its list, or 0."""
    html = []
    for row in rows:
        swatch = f'<span class="rag rag-{escape(row["value"])}" aria-hidden="true"></span>'
        count = f'<a href="{escape(row["href"])}">{row["count"]}</a>' if row["href"] else "0"
        html.append(
            f'<tr><th scope="row" class="fw-normal">{swatch if rag else ""}'
            f'{escape(row["label"])}</th><td class="text-end">{count}</td></tr>'
        )
    return mark_safe("".join(html))


@functools.lru_cache(maxsize=16)
def _headings(labels: tuple) -> SafeString:
    return mark_safe(
        "".join(f'<th scope="col" class="text-end">{escape(label)}</th>' for label in labels)
    )


def _totals(row) -> tuple[int, int, int]:
    return row["total"], row["open"], row["overdue"]


def _dated_totals(row) -> tuple:
    return row["published_on"], *_totals(row)


# A table's row is written once per process for each query string and the values it shows
# (pure functions, memoised): after a write, a national page writes again only the rows
# whose counts changed, not its hundred or so rows with their 700 links.
ROWS_KEPT = 4096


@functools.lru_cache(maxsize=64)
def _linker(encoded: str) -> "_Linker":
    return _Linker(QueryDict(encoded))


@functools.lru_cache(maxsize=ROWS_KEPT)
def _totals_row(encoded: str, name: str, pk: int, header: str, published, total, open_, overdue):
    """A row of the table by region or by inspection (with its publication day): the
    items, the open ones and the overdue ones, each a link to its list."""
    link = _linker(encoded)
    day = f"<td>{dateformat.format(published, 'j M Y')}</td>" if published else ""
    return rows(
        [
            (
                header,
                day
                + cells(
                    [
                        link.cell(total, **{name: pk}),
                        link.cell(open_, **{name: pk}, state="open"),
                        link.cell(overdue, **{name: pk}, due="overdue"),
                    ]
                ),
            )
        ]
    )


def organisation_table(board, query: QueryDict) -> SafeString:
    """A row per organisation: its name, and its cells: per status, overdue and all."""
    encoded = query.urlencode()
    statuses = tuple(value for value, _ in board.statuses)
    return mark_safe(
        "".join(
            _organisation_row(
                encoded,
                statuses,
                row["id"],
                row["name"],
                tuple(count for _, count in row["status_cells"]),
                row["overdue"],
                row["total"],
            )
            for row in board.by_organisation
        )
    )


@functools.lru_cache(maxsize=ROWS_KEPT)
def _organisation_row(encoded, statuses, pk, name, status_counts, overdue, total) -> str:
    link = _linker(encoded)
    if link._replaces(("organisation", "status", "due")):
        counts_and_links = [
            *(
                link.cell(count, organisation=pk, status=value)
                for value, count in zip(statuses, status_counts, strict=True)
            ),
            link.cell(overdue, organisation=pk, due="overdue"),
            link.cell(total, organisation=pk),
        ]
    else:  # the usual case: the row's part of the links made once, not once per cell
        own = f"{link.html_prefix}organisation={link._quote(pk)}"
        counts_and_links = [
            *(
                (count, f"{own}&amp;status={link._quote(value)}" if count else None)
                for value, count in zip(statuses, status_counts, strict=True)
            ),
            (overdue, own + "&amp;due=overdue" if overdue else None),
            (total, own if total else None),
        ]
    return rows([(name, cells(counts_and_links))])


def timeline_table(board, query: QueryDict) -> SafeString:
    """A row per month of the timeline: its label, and its cells, one per RAG."""
    encoded = query.urlencode()
    return mark_safe(
        "".join(
            _timeline_row(encoded, row["label"], row["after"], row["before"], tuple(row["cells"]))
            for row in board.timeline
        )
    )


@functools.lru_cache(maxsize=ROWS_KEPT)
def _timeline_row(encoded: str, label: str, after, before, rag_counts: tuple) -> str:
    link = _linker(encoded)

    def day(value) -> str:
        return value.isoformat() if value else ""

    return rows(
        [
            (
                label,
                cells(
                    link.cell(
                        count,
                        state="open",
                        rag=value,
                        deadline_after=day(after),
                        deadline_before=day(before),
                    )
                    for value, count in rag_counts
                ),
            )
        ]
    )


def filter_form_version() -> str:
    """Changes whenever an option of the dashboard's filter form may have (an inspection,
    organisation or capability added, removed or renamed): one query (on PostgreSQL
    dashboard_scope reads it in its own, as ScopeVersion.options)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {filter_options_columns()}")
        return filter_options_digest(cursor.fetchone())


def filter_options_columns() -> str:
    """The columns filter_form_version is made of, for a SELECT."""
    from inspections.models import Inspection
    from organisations.models import Organisation
    from recommendations.models import Capability

    inspections = Inspection._meta.db_table
    # SQLite (the embedded default) names PostgreSQL's string_agg group_concat.
    names = "string_agg(name, ',')" if connection.vendor == "postgresql" else "group_concat(name)"
    return (
        f"(SELECT count(*) FROM {inspections}), "
        f"(SELECT max(updated_at) FROM {inspections}), "
        f"(SELECT count(*) FROM {Organisation._meta.db_table}), "
        f"(SELECT {names} FROM {Organisation._meta.db_table}), "
        f"(SELECT {names} FROM {Capability._meta.db_table})"
    )


def filter_options_digest(row) -> str:
    return hashlib.sha256(repr(tuple(row)).encode()).hexdigest()
