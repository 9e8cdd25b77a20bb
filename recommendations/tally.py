"""The SQL that keeps TrackedItemTally, InspectionTally, OrganisationInspectionTally and the
national dashboard's narrower InspectionOpenTally, OrganisationStatusTally,
OrganisationMonthTally, NationalMonthTally and NationalDayTally (see their docstrings): each
tally's key of an item row, the rebuild from the items, and the check that they agree. The
triggers that keep them are in migrations 0008 and 0009, which hold their own copy of the
keys, as a migration must not change when this module does."""

import datetime

from django.db import connection, transaction

from .models import (
    CountedChange,
    CountedVersion,
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

CLOSED = ", ".join(f"'{status}'" for status in TrackedItem.CLOSED_STATUSES)
IS_OPEN = f"i.status NOT IN ({CLOSED})"
MONTH = f"CASE WHEN {IS_OPEN} THEN date_trunc('month', i.effective_deadline)::date END"
BLOCKED = f"({IS_OPEN} AND i.blocked_by <> '')"
SLIPPED = f"({IS_OPEN} AND COALESCE(i.target_date > f.deadline, false))"

# (table, its key columns, their values for an item row `i` joined to its finding `f`)
TALLIES = [
    (
        TrackedItemTally._meta.db_table,
        "organisation_id, status, deadline_month, blocked, slipped",
        f"i.organisation_id, i.status, {MONTH}, {BLOCKED}, {SLIPPED}",
    ),
    (
        InspectionTally._meta.db_table,
        "inspection_id, is_open, deadline_month",
        f"f.inspection_id, {IS_OPEN}, {MONTH}",
    ),
    (
        OrganisationInspectionTally._meta.db_table,
        "organisation_id, inspection_id, is_open, deadline_month",
        f"i.organisation_id, f.inspection_id, {IS_OPEN}, {MONTH}",
    ),
    (
        OrganisationStatusTally._meta.db_table,
        "organisation_id, status",
        "i.organisation_id, i.status",
    ),
    (
        OrganisationMonthTally._meta.db_table,
        "organisation_id, deadline_month",
        f"i.organisation_id, {MONTH}",
    ),
    (
        NationalMonthTally._meta.db_table,
        "deadline_month, blocked, slipped",
        f"{MONTH}, {BLOCKED}, {SLIPPED}",
    ),
    (
        InspectionOpenTally._meta.db_table,
        "inspection_id, is_open",
        f"f.inspection_id, {IS_OPEN}",
    ),
    (
        NationalDayTally._meta.db_table,
        "deadline, blocked, slipped",
        f"CASE WHEN {IS_OPEN} THEN i.effective_deadline END, {BLOCKED}, {SLIPPED}",
    ),
]
# CountedChange rows are read only by dashboards counted today (their figures are of one day),
# so a row older than this is never read again; a dashboard that would need it counts again.
COUNTED_CHANGE_RETENTION = datetime.timedelta(days=2)
ITEMS_AND_FINDINGS = (
    f"{TrackedItem._meta.db_table} i JOIN {Finding._meta.db_table} f ON f.id = i.finding_id"
)


def _positions(columns: str) -> str:
    return ", ".join(str(n) for n in range(1, columns.count(",") + 2))


@transaction.atomic
def tally_rebuild() -> int:
    """Make the tallies again from the items (the rows they hold now are replaced); the
    number of rows made. The items table is locked against writes meanwhile. Every
    organisation's CountedVersion is raised, so no dashboard keeps counts cached from the
    tallies as they were."""
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
        # What was cached from the tallies as they were is counted again.
        versions = CountedVersion._meta.db_table
        cursor.execute(
            f"INSERT INTO {versions} AS v (organisation_id, version) "
            f"SELECT DISTINCT organisation_id, 1 FROM {TrackedItem._meta.db_table} "
            "ORDER BY organisation_id "
            "ON CONFLICT (organisation_id) DO UPDATE SET version = v.version + 1"
        )
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


def counted_changes_prune(*, now: datetime.datetime) -> int:
    """Delete the CountedChange rows written more than COUNTED_CHANGE_RETENTION before `now`;
    how many. The beat runs it daily."""
    deleted, _ = CountedChange.objects.filter(
        recorded_at__lt=now - COUNTED_CHANGE_RETENTION
    ).delete()
    return deleted
