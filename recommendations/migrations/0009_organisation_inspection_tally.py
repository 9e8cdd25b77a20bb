# OrganisationInspectionTally: InspectionTally per organisation, so that a region's or a
# force's dashboard counts by inspection from a tally; and five narrower tallies for the
# national dashboard (OrganisationStatusTally, OrganisationMonthTally, NationalMonthTally,
# NationalDayTally, InspectionOpenTally), with a partial index of open items by deadline for
# the few counted one by one. The trigger functions of 0008 are replaced by ones that keep
# all eight tallies (and put back as they were on the way down).

import django.db.models.deletion
from django.db import migrations, models

# The tallies' keys of an item row `i` joined to its finding `f`, frozen with the migration
# (recommendations/tally.py has the live copy).
CLOSED = "'complete', 'no_further_action', 'superseded', 'withdrawn'"
IS_OPEN = f"i.status NOT IN ({CLOSED})"
MONTH = f"CASE WHEN {IS_OPEN} THEN date_trunc('month', i.effective_deadline)::date END"
ITEMS = "recommendations_trackeditem"
FINDINGS = "recommendations_finding"
TALLY = "recommendations_organisationinspectiontally"
TALLY_COLUMNS = "organisation_id, inspection_id, is_open, deadline_month"
TALLY_KEY = f"i.organisation_id, f.inspection_id, {IS_OPEN}, {MONTH}"
# (table, columns, key) of 0008's two tallies, then of this one.
BEFORE = [
    (
        "recommendations_trackeditemtally",
        "organisation_id, status, deadline_month, blocked, slipped",
        f"i.organisation_id, i.status, {MONTH}, ({IS_OPEN} AND i.blocked_by <> ''), "
        f"({IS_OPEN} AND COALESCE(i.target_date > f.deadline, false))",
    ),
    (
        "recommendations_inspectiontally",
        "inspection_id, is_open, deadline_month",
        f"f.inspection_id, {IS_OPEN}, {MONTH}",
    ),
]
BLOCKED = f"({IS_OPEN} AND i.blocked_by <> '')"
SLIPPED = f"({IS_OPEN} AND COALESCE(i.target_date > f.deadline, false))"
NARROW = [
    (
        "recommendations_organisationstatustally",
        "organisation_id, status",
        "i.organisation_id, i.status",
    ),
    (
        "recommendations_organisationmonthtally",
        "organisation_id, deadline_month",
        f"i.organisation_id, {MONTH}",
    ),
    (
        "recommendations_nationalmonthtally",
        "deadline_month, blocked, slipped",
        f"{MONTH}, {BLOCKED}, {SLIPPED}",
    ),
    (
        "recommendations_inspectionopentally",
        "inspection_id, is_open",
        f"f.inspection_id, {IS_OPEN}",
    ),
    (
        "recommendations_nationaldaytally",
        "deadline, blocked, slipped",
        f"CASE WHEN {IS_OPEN} THEN i.effective_deadline END, {BLOCKED}, {SLIPPED}",
    ),
]
AFTER = [*BEFORE, (TALLY, TALLY_COLUMNS, TALLY_KEY), *NARROW]


def _apply(table: str, columns: str, changes: str) -> str:
    """As 0008's: add the summed +1/-1 of `changes` to `table`, in key order."""
    return (
        f"INSERT INTO {table} AS t ({columns}, count) "
        f"SELECT {columns}, sum(delta) FROM ({changes}) AS d ({columns}, delta) "
        f"GROUP BY {columns} HAVING sum(delta) <> 0 ORDER BY {columns} "
        f"ON CONFLICT ({columns}) DO UPDATE SET count = t.count + EXCLUDED.count;"
    )


def _all(tallies, added: str | None, removed: str | None) -> str:
    statements = []
    for table, columns, key in tallies:
        parts = []
        if added:
            parts.append(f"SELECT {key}, 1 {added}")
        if removed:
            parts.append(f"SELECT {key}, -1 {removed}")
        statements.append(_apply(table, columns, " UNION ALL ".join(parts)))
    return "\n        ".join(statements)


NEW_ITEMS = f"FROM new_rows i JOIN {FINDINGS} f ON f.id = i.finding_id"
OLD_ITEMS = f"FROM old_rows i JOIN {FINDINGS} f ON f.id = i.finding_id"
CHANGED = "(o.deadline IS DISTINCT FROM n.deadline OR o.inspection_id <> n.inspection_id)"
FINDING_NEW = (
    f"FROM {ITEMS} i JOIN new_rows f ON f.id = i.finding_id "
    f"JOIN old_rows o ON o.id = f.id JOIN new_rows n ON n.id = f.id WHERE {CHANGED}"
)
FINDING_OLD = (
    f"FROM {ITEMS} i JOIN old_rows f ON f.id = i.finding_id "
    f"JOIN old_rows o ON o.id = f.id JOIN new_rows n ON n.id = f.id WHERE {CHANGED}"
)


def _functions(tallies) -> str:
    """The two trigger functions of 0008 (same names, so its triggers call them), keeping
    `tallies`."""
    return f"""
CREATE OR REPLACE FUNCTION recommendations_tally_items() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {_all(tallies, NEW_ITEMS, None)}
    ELSIF TG_OP = 'UPDATE' THEN
        {_all(tallies, NEW_ITEMS, OLD_ITEMS)}
    ELSE
        {_all(tallies, None, OLD_ITEMS)}
    END IF;
    RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION recommendations_tally_findings() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    {_all(tallies, FINDING_NEW, FINDING_OLD)}
    RETURN NULL;
END $$;
"""


FORWARD = _functions(AFTER) + "".join(
    f"INSERT INTO {table} ({columns}, count) SELECT {key}, count(*) "
    f"FROM {ITEMS} i JOIN {FINDINGS} f ON f.id = i.finding_id "
    f"GROUP BY {', '.join(str(n) for n in range(1, columns.count(',') + 2))};"
    for table, columns, key in [(TALLY, TALLY_COLUMNS, TALLY_KEY), *NARROW]
)
BACKWARD = _functions(BEFORE)


def _on_postgresql(sql: str):
    """Run `sql` on PostgreSQL only (as 0008: SQLite keeps no tallies)."""

    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("inspections", "0003_stated_counts_and_publishing"),
        ("organisations", "0005_capability_delivery"),
        ("recommendations", "0008_tracked_item_tally"),
    ]

    operations = [
        migrations.CreateModel(
            name="OrganisationInspectionTally",
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
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="inspections.inspection",
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="organisations.organisation",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("organisation", "inspection", "is_open", "deadline_month"),
                        name="organisation_inspection_tally_key",
                        include=("count",),
                        nulls_distinct=False,
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="NationalMonthTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("deadline_month", models.DateField(null=True)),
                ("blocked", models.BooleanField()),
                ("slipped", models.BooleanField()),
                ("count", models.IntegerField()),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("deadline_month", "blocked", "slipped"),
                        name="national_month_tally_key",
                        nulls_distinct=False,
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="NationalDayTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("deadline", models.DateField(null=True)),
                ("blocked", models.BooleanField()),
                ("slipped", models.BooleanField()),
                ("count", models.IntegerField()),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("deadline", "blocked", "slipped"),
                        name="national_day_tally_key",
                        nulls_distinct=False,
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="OrganisationMonthTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("deadline_month", models.DateField(null=True)),
                ("count", models.IntegerField()),
                (
                    "organisation",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="organisations.organisation",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("organisation", "deadline_month"),
                        name="organisation_month_tally_key",
                        nulls_distinct=False,
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="OrganisationStatusTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("status", models.CharField(max_length=30)),
                ("count", models.IntegerField()),
                (
                    "organisation",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="organisations.organisation",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("organisation", "status"), name="organisation_status_tally_key"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="InspectionOpenTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("is_open", models.BooleanField()),
                ("count", models.IntegerField()),
                (
                    "inspection",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="inspections.inspection",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("inspection", "is_open"), name="inspection_open_tally_key"
                    )
                ],
            },
        ),
        migrations.AddIndex(
            model_name="inspectiontally",
            index=models.Index(fields=["deadline_month"], name="inspection_tally_month"),
        ),
        migrations.AddIndex(
            model_name="trackeditem",
            index=models.Index(
                condition=models.Q(
                    ("status__in", ["complete", "no_further_action", "superseded", "withdrawn"]),
                    _negated=True,
                ),
                fields=["effective_deadline"],
                include=("organisation", "finding"),
                name="tracked_item_open_deadline",
            ),
        ),
        # The functions first, then the fill, in one transaction: no write falls between.
        migrations.RunPython(_on_postgresql(FORWARD), _on_postgresql(BACKWARD)),
    ]
