# CountedVersion: a counter per organisation raised by triggers whenever a write changes what
# the dashboards count of its items, so that their cache key changes with the counts and not
# with every write (an owner or a narrative saved leaves it as it was). Statement-level
# triggers on the items (insert, update, delete) and on the findings (update of the deadline,
# inspection or kind), named to fire after the tallies' own (0008) on the same statement.
# No backfill: an organisation without a row counts as version 0.

import django.db.models.deletion
from django.db import migrations, models

ITEMS = "recommendations_trackeditem"
FINDINGS = "recommendations_finding"
VERSIONS = "recommendations_countedversion"
# What the dashboards count of an item row (the tallies' keys and the live path's filters
# follow from these; a target date stands in for "slipped", which compares it to the
# finding's deadline, the findings' trigger covering the other side).
COUNTED = (
    "id, organisation_id, finding_id, status, effective_deadline, target_date, blocked_by <> ''"
)


def _raise(organisations: str) -> str:
    """Raise the version of each organisation `organisations` (a query of organisation_id,
    one row or more each) names, in id order (two writes never wait on each other's rows in
    opposite orders)."""
    return (
        f"INSERT INTO {VERSIONS} AS v (organisation_id, version) "
        f"SELECT organisation_id, 1 FROM ({organisations}) AS changed (organisation_id) "
        "GROUP BY organisation_id ORDER BY organisation_id "
        "ON CONFLICT (organisation_id) DO UPDATE SET version = v.version + 1;"
    )


CHANGED_ITEMS = (
    f"SELECT organisation_id FROM (SELECT {COUNTED} FROM new_rows "
    f"EXCEPT SELECT {COUNTED} FROM old_rows) AS added "
    f"UNION ALL SELECT organisation_id FROM (SELECT {COUNTED} FROM old_rows "
    f"EXCEPT SELECT {COUNTED} FROM new_rows) AS removed"
)
CHANGED_FINDINGS = (
    f"SELECT i.organisation_id FROM {ITEMS} i JOIN new_rows n ON n.id = i.finding_id "
    "JOIN old_rows o ON o.id = n.id "
    "WHERE o.deadline IS DISTINCT FROM n.deadline OR o.inspection_id <> n.inspection_id "
    "OR o.kind <> n.kind"
)

CREATE_TRIGGERS = f"""
CREATE FUNCTION recommendations_counted_version_items() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {_raise("SELECT organisation_id FROM new_rows")}
    ELSIF TG_OP = 'UPDATE' THEN
        {_raise(CHANGED_ITEMS)}
    ELSE
        {_raise("SELECT organisation_id FROM old_rows")}
    END IF;
    RETURN NULL;
END $$;
CREATE FUNCTION recommendations_counted_version_findings() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    {_raise(CHANGED_FINDINGS)}
    RETURN NULL;
END $$;
CREATE TRIGGER tally_version_items_inserted AFTER INSERT ON {ITEMS}
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION recommendations_counted_version_items();
CREATE TRIGGER tally_version_items_updated AFTER UPDATE ON {ITEMS}
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION recommendations_counted_version_items();
CREATE TRIGGER tally_version_items_deleted AFTER DELETE ON {ITEMS}
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION recommendations_counted_version_items();
CREATE TRIGGER tally_version_findings_updated AFTER UPDATE ON {FINDINGS}
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION recommendations_counted_version_findings();
"""
DROP_TRIGGERS = f"""
DROP TRIGGER tally_version_items_inserted ON {ITEMS};
DROP TRIGGER tally_version_items_updated ON {ITEMS};
DROP TRIGGER tally_version_items_deleted ON {ITEMS};
DROP TRIGGER tally_version_findings_updated ON {FINDINGS};
DROP FUNCTION recommendations_counted_version_items();
DROP FUNCTION recommendations_counted_version_findings();
"""


def _on_postgresql(sql: str):
    """Run `sql` on PostgreSQL only (as 0008: SQLite keeps no tallies)."""

    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("organisations", "0005_capability_delivery"),
        ("recommendations", "0009_organisation_inspection_tally"),
    ]

    operations = [
        migrations.CreateModel(
            name="CountedVersion",
            fields=[
                (
                    "organisation",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="organisations.organisation",
                    ),
                ),
                ("version", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.RunPython(_on_postgresql(CREATE_TRIGGERS), _on_postgresql(DROP_TRIGGERS)),
    ]
