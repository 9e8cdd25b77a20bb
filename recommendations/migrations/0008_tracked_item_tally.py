# The dashboards' tallies of tracked items (TrackedItemTally, InspectionTally), filled from
# the items and kept by triggers on PostgreSQL.

import django.db.models.deletion
from django.db import migrations, models

# The tallies' keys of an item row `i` joined to its finding `f` (recommendations/tally.py
# has the live copy; this one is frozen with the migration).
CLOSED = "'complete', 'no_further_action', 'superseded', 'withdrawn'"
IS_OPEN = f"i.status NOT IN ({CLOSED})"
MONTH = f"CASE WHEN {IS_OPEN} THEN date_trunc('month', i.effective_deadline)::date END"
ITEM_KEY = (
    f"i.organisation_id, i.status, {MONTH}, ({IS_OPEN} AND i.blocked_by <> ''), "
    f"({IS_OPEN} AND COALESCE(i.target_date > f.deadline, false))"
)
ITEM_COLUMNS = "organisation_id, status, deadline_month, blocked, slipped"
INSPECTION_KEY = f"f.inspection_id, {IS_OPEN}, {MONTH}"
INSPECTION_COLUMNS = "inspection_id, is_open, deadline_month"
ITEM_TALLY = "recommendations_trackeditemtally"
INSPECTION_TALLY = "recommendations_inspectiontally"
ITEMS = "recommendations_trackeditem"
FINDINGS = "recommendations_finding"


def _apply(table: str, columns: str, changes: str) -> str:
    """Add the summed +1/-1 of `changes` (rows of a key and a delta) to `table`, in key
    order so that two writes lock tally rows in the same order."""
    return (
        f"INSERT INTO {table} AS t ({columns}, count) "
        f"SELECT {columns}, sum(delta) FROM ({changes}) AS d ({columns}, delta) "
        f"GROUP BY {columns} HAVING sum(delta) <> 0 ORDER BY {columns} "
        f"ON CONFLICT ({columns}) DO UPDATE SET count = t.count + EXCLUDED.count;"
    )


def _both(added: str | None, removed: str | None) -> str:
    """Both tallies told of the rows `added` and `removed` (FROM clauses naming i and f)."""
    statements = []
    for table, columns, key in (
        (ITEM_TALLY, ITEM_COLUMNS, ITEM_KEY),
        (INSPECTION_TALLY, INSPECTION_COLUMNS, INSPECTION_KEY),
    ):
        parts = []
        if added:
            parts.append(f"SELECT {key}, 1 {added}")
        if removed:
            parts.append(f"SELECT {key}, -1 {removed}")
        statements.append(_apply(table, columns, " UNION ALL ".join(parts)))
    return "\n        ".join(statements)


NEW_ITEMS = f"FROM new_rows i JOIN {FINDINGS} f ON f.id = i.finding_id"
OLD_ITEMS = f"FROM old_rows i JOIN {FINDINGS} f ON f.id = i.finding_id"
# A finding whose deadline or inspection changed moves each of its items from the keys made
# with the old finding row to those made with the new one (`f` is the new row, then the old).
CHANGED = "(o.deadline IS DISTINCT FROM n.deadline OR o.inspection_id <> n.inspection_id)"
FINDING_NEW = (
    f"FROM {ITEMS} i JOIN new_rows f ON f.id = i.finding_id "
    f"JOIN old_rows o ON o.id = f.id JOIN new_rows n ON n.id = f.id WHERE {CHANGED}"
)
FINDING_OLD = (
    f"FROM {ITEMS} i JOIN old_rows f ON f.id = i.finding_id "
    f"JOIN old_rows o ON o.id = f.id JOIN new_rows n ON n.id = f.id WHERE {CHANGED}"
)

CREATE_TRIGGERS = f"""
CREATE FUNCTION recommendations_tally_items() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {_both(NEW_ITEMS, None)}
    ELSIF TG_OP = 'UPDATE' THEN
        {_both(NEW_ITEMS, OLD_ITEMS)}
    ELSE
        {_both(None, OLD_ITEMS)}
    END IF;
    RETURN NULL;
END $$;
CREATE FUNCTION recommendations_tally_findings() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {_both(FINDING_NEW, FINDING_OLD)}
    RETURN NULL;
END $$;
CREATE TRIGGER tally_items_inserted AFTER INSERT ON {ITEMS}
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION recommendations_tally_items();
CREATE TRIGGER tally_items_updated AFTER UPDATE ON {ITEMS}
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION recommendations_tally_items();
CREATE TRIGGER tally_items_deleted AFTER DELETE ON {ITEMS}
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION recommendations_tally_items();
CREATE TRIGGER tally_findings_updated AFTER UPDATE ON {FINDINGS}
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION recommendations_tally_findings();
INSERT INTO {ITEM_TALLY} ({ITEM_COLUMNS}, count)
    SELECT {ITEM_KEY}, count(*) {NEW_ITEMS.replace("new_rows", ITEMS)} GROUP BY 1, 2, 3, 4, 5;
INSERT INTO {INSPECTION_TALLY} ({INSPECTION_COLUMNS}, count)
    SELECT {INSPECTION_KEY}, count(*) {NEW_ITEMS.replace("new_rows", ITEMS)} GROUP BY 1, 2, 3;
"""

DROP_TRIGGERS = f"""
DROP TRIGGER tally_items_inserted ON {ITEMS};
DROP TRIGGER tally_items_updated ON {ITEMS};
DROP TRIGGER tally_items_deleted ON {ITEMS};
DROP TRIGGER tally_findings_updated ON {FINDINGS};
DROP FUNCTION recommendations_tally_items();
DROP FUNCTION recommendations_tally_findings();
"""


def _on_postgresql(sql: str):
    """Run `sql` on PostgreSQL only: elsewhere (SQLite in development) nothing keeps the
    tallies and the dashboards count live (dashboards.selectors.tally.answers)."""

    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("inspections", "0003_stated_counts_and_publishing"),
        ("organisations", "0005_capability_delivery"),
        ("recommendations", "0007_stored_effective_deadline"),
    ]

    operations = [
        migrations.CreateModel(
            name="TrackedItemTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("status", models.CharField(max_length=30)),
                ("deadline_month", models.DateField(null=True)),
                ("blocked", models.BooleanField()),
                ("slipped", models.BooleanField()),
                ("count", models.IntegerField()),
                (
                    "organisation",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="organisations.organisation",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("organisation", "status", "deadline_month", "blocked", "slipped"),
                        name="tracked_item_tally_key",
                        nulls_distinct=False,
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="InspectionTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("is_open", models.BooleanField()),
                ("deadline_month", models.DateField(null=True)),
                ("count", models.IntegerField()),
                (
                    "inspection",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="inspections.inspection",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("inspection", "is_open", "deadline_month"),
                        name="inspection_tally_key",
                        nulls_distinct=False,
                    )
                ],
            },
        ),
        migrations.RunPython(_on_postgresql(CREATE_TRIGGERS), _on_postgresql(DROP_TRIGGERS)),
    ]
