import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# Indexes on other apps' tables, for reads that only the dashboards make. PostgreSQL only:
# SQLite (`make run`) has no GIN or text search, and its small data needs no sort indexes.
#
# The keyset sorts of the drill-down list (dashboards/listing.py): (column, id), nationally
# and within an organisation, for sort=status and sort=updated (either direction: a B-tree
# reads backwards as well). The organisation and reference sorts join: organisation
# (name, id) and finding (reference, id) let the planner walk the joined table in order, and
# read each one's items by (organisation, id) or the (finding, organisation) unique index.
#
# The search (dashboards/search.py): GIN indexes on exactly the expressions its
# SearchVector(..., config="english") writes (search.DOCUMENTS); a test asserts the planner
# uses them.
INDEXES = {
    "list_item_status": "recommendations_trackeditem (status, id)",
    "list_item_org_status": "recommendations_trackeditem (organisation_id, status, id)",
    "list_item_updated": "recommendations_trackeditem (updated_at, id)",
    "list_item_org_updated": "recommendations_trackeditem (organisation_id, updated_at, id)",
    "list_finding_reference": "recommendations_finding (reference, id)",
    "list_item_org_id": "recommendations_trackeditem (organisation_id, id)",
    "list_organisation_name": "organisations_organisation (name, id)",
    "search_finding": (
        "recommendations_finding USING gin (to_tsvector('english'::regconfig, "
        "COALESCE(reference, '') || ' ' || COALESCE(text, '') || ' ' || COALESCE(summary, '')))"
    ),
    "search_action": (
        "actionplans_action USING gin (to_tsvector('english'::regconfig, "
        "COALESCE(title, '') || ' ' || COALESCE(description, '')))"
    ),
    "search_narrative": (
        "recommendations_trackeditemevent USING gin "
        "(to_tsvector('english'::regconfig, COALESCE(narrative, ''))) WHERE narrative <> ''"
    ),
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {definition}")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("dashboards", "0002_downloads"),
        ("recommendations", "0007_stored_effective_deadline"),
        ("actionplans", "0002_reminder_scan_index"),
        ("organisations", "0004_people_administration"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="SavedView",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=80)),
                ("query", models.TextField(blank=True)),
                ("created_at", models.DateTimeField()),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="saved_views",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["name", "id"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("user", "name"), name="saved_view_unique_name"
                    )
                ],
            },
        ),
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
