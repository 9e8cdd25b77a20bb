# CountedChange: the triggers that raise CountedVersion (0010) also write what the write
# changed in the dashboards' counts, under the version it raised: each changed item row as
# counted, taken away (-1) and added (+1), or one `recount` row for a change the rows cannot
# express (a finding's deadline, inspection or kind; an item whose finding is gone). The
# functions are replaced in place; the triggers stay as 0010 made them.

import importlib

import django.db.models.deletion
import django.db.models.functions.datetime
from django.db import migrations, models

counted_version = importlib.import_module("recommendations.migrations.0010_counted_version")
ITEMS, FINDINGS, VERSIONS = (
    counted_version.ITEMS,
    counted_version.FINDINGS,
    counted_version.VERSIONS,
)
CHANGES = "recommendations_countedchange"
# An item row as the dashboards count it (0010's COUNTED, the blocked flag named).
COUNTED = (
    "id, organisation_id, finding_id, status, effective_deadline, target_date, "
    "blocked_by <> '' AS blocked"
)
ADDED = f"SELECT {COUNTED} FROM new_rows"
REMOVED = f"SELECT {COUNTED} FROM old_rows"


def _log(rows: str) -> str:
    """Write each of `rows` (COUNTED and a sign) under its organisation's version, which this
    transaction has just raised and holds locked."""
    return (
        f"INSERT INTO {CHANGES} (organisation_id, version, recount, sign, status, deadline, "
        "blocked, slipped, inspection_id) "
        "SELECT r.organisation_id, v.version, f.id IS NULL, r.sign, r.status, "
        "r.effective_deadline, r.blocked, COALESCE(r.target_date > f.deadline, false), "
        f"f.inspection_id FROM ({rows}) AS r "
        f"JOIN {VERSIONS} v ON v.organisation_id = r.organisation_id "
        f"LEFT JOIN {FINDINGS} f ON f.id = r.finding_id;"
    )


def _signed(query: str, sign: int) -> str:
    return f"SELECT *, {sign} AS sign FROM ({query}) AS signed"


LOG_UPDATE = _log(
    _signed(f"{ADDED} EXCEPT {REMOVED}", 1) + " UNION ALL " + _signed(f"{REMOVED} EXCEPT {ADDED}", -1)
)
LOG_FINDINGS = (
    f"INSERT INTO {CHANGES} (organisation_id, version, recount, sign, status, blocked, slipped) "
    f"SELECT organisation_id, version, true, 0, '', false, false FROM {VERSIONS} "
    f"WHERE organisation_id IN ({counted_version.CHANGED_FINDINGS});"
)


def _functions(*, log: bool) -> str:
    def then(sql: str) -> str:
        return sql if log else ""

    raise_ = counted_version._raise
    return f"""
CREATE OR REPLACE FUNCTION recommendations_counted_version_items() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {raise_("SELECT organisation_id FROM new_rows")}
        {then(_log(_signed(ADDED, 1)))}
    ELSIF TG_OP = 'UPDATE' THEN
        {raise_(counted_version.CHANGED_ITEMS)}
        {then(LOG_UPDATE)}
    ELSE
        {raise_("SELECT organisation_id FROM old_rows")}
        {then(_log(_signed(REMOVED, -1)))}
    END IF;
    RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION recommendations_counted_version_findings() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    {raise_(counted_version.CHANGED_FINDINGS)}
    {then(LOG_FINDINGS)}
    RETURN NULL;
END $$;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("inspections", "0003_stated_counts_and_publishing"),
        ("organisations", "0005_capability_delivery"),
        ("recommendations", "0010_counted_version"),
    ]

    operations = [
        migrations.CreateModel(
            name="CountedChange",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("version", models.BigIntegerField()),
                ("recount", models.BooleanField(default=False)),
                ("sign", models.SmallIntegerField(default=0)),
                ("status", models.CharField(blank=True, max_length=30)),
                ("deadline", models.DateField(null=True)),
                ("blocked", models.BooleanField(default=False)),
                ("slipped", models.BooleanField(default=False)),
                (
                    "recorded_at",
                    models.DateTimeField(db_default=django.db.models.functions.datetime.Now()),
                ),
                (
                    "inspection",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        null=True,
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
                "indexes": [
                    models.Index(fields=["organisation", "version"], name="counted_change_version")
                ],
            },
        ),
        migrations.RunPython(
            counted_version._on_postgresql(_functions(log=True)),
            counted_version._on_postgresql(_functions(log=False)),
        ),
    ]
