"""What the dashboard page renders that is costly at national scale, made cheaply.

The filter form lists every inspection and organisation: its fragment is cached under
`filter_form_version` and the query string, so a write to an item does not render it again.

The two big tables (status by organisation, the deadline timeline) with each
cell written here, its link to its list included, not by a `{% url %}`, `{% querystring %}`
and `{% if %}` per cell in the template: nationally that is some 700 cells, and the template
tags cost more than the counting. Each link is the drill-down list with the page's own query
string (its filters) and the cell's, as `{% querystring %}` makes it; a count of 0 is not a
link."""

import hashlib

from django.db import connection
from django.http import QueryDict
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString


def cells(counts_and_links) -> SafeString:
    """`<td>` cells of (count, link or None)."""
    return format_html_join(
        "",
        "{}",
        (
            (
                format_html('<td class="text-end"><a href="{}">{}</a></td>', href, count)
                if href
                else format_html('<td class="text-end">{}</td>', count),
            )
            for count, href in counts_and_links
        ),
    )


class _Linker:
    def __init__(self, query: QueryDict):
        self.base = reverse("dashboards:items")
        self.query = query

    def __call__(self, **params) -> str:
        query = self.query.copy()
        for name, value in params.items():
            query[name] = value
        return f"{self.base}?{query.urlencode()}"


def organisation_table(board, query: QueryDict) -> list[dict]:
    """Per organisation: its name, and its cells: per status, overdue and all."""
    link = _Linker(query)
    return [
        {
            "name": row["name"],
            "cells": cells(
                [
                    *(
                        (count, link(organisation=row["id"], status=value) if count else None)
                        for value, count in row["status_cells"]
                    ),
                    (
                        row["overdue"],
                        link(organisation=row["id"], due="overdue") if row["overdue"] else None,
                    ),
                    (row["total"], link(organisation=row["id"])),
                ]
            ),
        }
        for row in board.by_organisation
    ]


def timeline_table(board, query: QueryDict) -> list[dict]:
    """Per month of the timeline: its label, and its cells, one per RAG."""
    link = _Linker(query)

    def day(value) -> str:
        return value.isoformat() if value else ""

    return [
        {
            "label": row["label"],
            "cells": cells(
                (
                    count,
                    link(
                        state="open",
                        rag=value,
                        deadline_after=day(row["after"]),
                        deadline_before=day(row["before"]),
                    )
                    if count
                    else None,
                )
                for value, count in row["cells"]
            ),
        }
        for row in board.timeline
    ]


def filter_form_version() -> str:
    """Changes whenever an option of the dashboard's filter form may have (an inspection,
    organisation or capability added, removed or renamed): one query."""
    from inspections.models import Inspection
    from organisations.models import Organisation
    from recommendations.models import Capability

    inspections = Inspection._meta.db_table
    # SQLite (the embedded default) names PostgreSQL's string_agg group_concat.
    names = "string_agg(name, ',')" if connection.vendor == "postgresql" else "group_concat(name)"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT count(*) FROM {inspections}), "
            f"(SELECT max(updated_at) FROM {inspections}), "
            f"(SELECT count(*) FROM {Organisation._meta.db_table}), "
            f"(SELECT {names} FROM {Organisation._meta.db_table}), "
            f"(SELECT {names} FROM {Capability._meta.db_table})"
        )
        row = cursor.fetchone()
    return hashlib.sha256(repr(row).encode()).hexdigest()
