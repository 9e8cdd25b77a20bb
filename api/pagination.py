"""Keyset (cursor) pages: a page starts after the last row of the one before, so page 1,000
reads what page 1 reads. No count of the whole list is made: `next` and `previous` are links
(null at either end).

Tracked items page in their deadline order (rocu_tracker.keyset's key, ``<YYYY-MM-DD>.<id>``
or ``none.<id>``, on the stored effective deadline and its indexes); every other list by id.
"""

from django.conf import settings
from django.db.models import F
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from recommendations.models import DEADLINE_ORDER_KEY
from rocu_tracker import keyset


class _Keyset(BasePagination):
    description = ""

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.size = _page_size(request)
        after = self.parse(request.query_params.get("after"))
        before = None if after else self.parse(request.query_params.get("before"))
        if before is not None:
            rows = list(self.backwards(queryset, before)[: self.size + 1])
            self.has_previous, self.has_next = len(rows) > self.size, True
            rows = rows[: self.size][::-1]
        else:
            rows = list(self.forwards(queryset, after)[: self.size + 1])
            self.has_previous, self.has_next = after is not None, len(rows) > self.size
            rows = rows[: self.size]
        self.rows = rows
        return rows

    def _link(self, param: str, row) -> str | None:
        url = self.request.build_absolute_uri()
        url = remove_query_param(remove_query_param(url, "after"), "before")
        return replace_query_param(url, param, self.key(row))

    def get_paginated_response(self, data):
        rows = self.rows
        return Response(
            {
                "next": self._link("after", rows[-1]) if rows and self.has_next else None,
                "previous": self._link("before", rows[0]) if rows and self.has_previous else None,
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        link = {"type": "string", "format": "uri", "nullable": True}
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {"next": link, "previous": link, "results": schema},
        }

    def get_schema_operation_parameters(self, view):
        def parameter(name, description, schema):
            return {
                "name": name,
                "required": False,
                "in": "query",
                "description": description,
                "schema": schema,
            }

        return [
            parameter(
                "after", f"The page after this row's key ({self.description}).", {"type": "string"}
            ),
            parameter("before", "The page before this row's key.", {"type": "string"}),
            parameter(
                "page_size",
                f"Rows per page (default {settings.API_PAGE_SIZE}).",
                {"type": "integer", "minimum": 1, "maximum": settings.API_MAX_PAGE_SIZE},
            ),
        ]


def _page_size(request) -> int:
    try:
        size = int(request.query_params.get("page_size", settings.API_PAGE_SIZE))
    except ValueError:
        return settings.API_PAGE_SIZE
    return max(1, min(size, settings.API_MAX_PAGE_SIZE))


class IdKeysetPagination(_Keyset):
    description = "a row's id"

    def parse(self, value):
        try:
            return int(value) if value else None
        except ValueError:
            return None

    def key(self, row) -> str:
        return str(row.pk)

    def forwards(self, queryset, after):
        queryset = queryset.order_by("id")
        return queryset if after is None else queryset.filter(id__gt=after)

    def backwards(self, queryset, before):
        return queryset.filter(id__lt=before).order_by("-id")


def _position():
    return Tuple(DEADLINE_ORDER_KEY, F("id"))


class DeadlineKeysetPagination(_Keyset):
    """Soonest effective deadline first, none last, ties by id (TrackedItem.in_deadline_order)."""

    description = "<YYYY-MM-DD>.<id>, or none.<id> for a row without a deadline"

    def parse(self, value):
        return keyset.parse_key(value)

    def key(self, row) -> str:
        return keyset.key_of(row)

    def forwards(self, queryset, after):
        queryset = queryset.in_deadline_order()
        return queryset if after is None else queryset.filter(TupleGreaterThan(_position(), after))

    def backwards(self, queryset, before):
        return queryset.filter(TupleLessThan(_position(), before)).order_by(
            DEADLINE_ORDER_KEY.desc(), "-id"
        )
