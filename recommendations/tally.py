"""The SQL that keeps TrackedItemTally and InspectionTally (see their docstrings): each
tally's key of an item row, the rebuild from the items, and the check that they agree. The
triggers that keep them are in migration 0008, which holds its own copy of the keys, as a
migration must not change when this module does."""

from django.db import connection, transaction

from .models import Finding, InspectionTally, TrackedItem, TrackedItemTally

CLOSED = ", ".join(f"'{status}'" for status in TrackedItem.CLOSED_STATUSES)
IS_OPEN = f"i.status NOT IN ({CLOSED})"
MONTH = f"CASE WHEN {IS_OPEN} THEN date_trunc('month', i.effective_deadline)::date END"

# (table, its key columns, their values for an item row `i` joined to its finding `f`)
TALLIES = [
    (
        TrackedItemTally._meta.db_table,
        "organisation_id, status, deadline_month, blocked, slipped",
        f"i.organisation_id, i.status, {MONTH}, ({IS_OPEN} AND i.blocked_by <> ''), "
        f"({IS_OPEN} AND COALESCE(i.target_date > f.deadline, false))",
    ),
    (
        InspectionTally._meta.db_table,
        "inspection_id, is_open, deadline_month",
        f"f.inspection_id, {IS_OPEN}, {MONTH}",
    ),
]
ITEMS_AND_FINDINGS = (
    f"{TrackedItem._meta.db_table} i JOIN {Finding._meta.db_table} f ON f.id = i.finding_id"
)


def _positions(columns: str) -> str:
    return ", ".join(str(n) for n in range(1, columns.count(",") + 2))


@transaction.atomic
def tally_rebuild() -> int:
    """Make the tallies again from the items (the rows they hold now are replaced); the
    number of rows made. The items table is locked against writes meanwhile."""
    made = 0
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {TrackedItem._meta.db_table} IN SHARE MODE")
        for table, columns, key in TALLIES:
            cursor.execute(f"DELETE FROM {table}")
            cursor.execute(
                f"INSERT INTO {table} ({columns}, count) SELECT {key}, count(*) "
                f"FROM {ITEMS_AND_FINDINGS} GROUP BY {_positions(columns)}"
            )
            made += cursor.rowcount
    return made


def tally_differences() -> list[tuple]:
    """Where a tally and a count of the items disagree: (table, key..., items, tally) per
    key; empty when both tallies are right (the tests', and `tally_rebuild --check`'s,
    question)."""
    differences = []
    with connection.cursor() as cursor:
        for table, columns, key in TALLIES:
            cursor.execute(
                f"SELECT {columns}, sum(live), sum(kept) FROM ("
                f"SELECT {key}, 1, 0 FROM {ITEMS_AND_FINDINGS} "
                f"UNION ALL SELECT {columns}, 0, count FROM {table}"
                f") AS both_counts ({columns}, live, kept) "
                f"GROUP BY {columns} HAVING sum(live) <> sum(kept) ORDER BY {columns}"
            )
            differences += [(table, *row) for row in cursor.fetchall()]
    return differences
