"""The counts a report states become one row per kind of finding (a new kind is one more row,
not a new column), and an inspection records when it was published to the trackers. Existing
inspections were fanned out as they were loaded, so they count as published."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

# The old columns and the kind of finding each counted.
COLUMNS = {
    "stated_recommendations": "recommendation",
    "stated_causes_of_concern": "cause_of_concern",
    "stated_areas_for_improvement": "area_for_improvement",
}


def forwards(apps, schema_editor):
    Inspection = apps.get_model("inspections", "Inspection")
    InspectionStatedCount = apps.get_model("inspections", "InspectionStatedCount")
    rows = []
    for inspection in Inspection.objects.all():
        for column, kind in COLUMNS.items():
            count = getattr(inspection, column)
            if count is not None:
                rows.append(InspectionStatedCount(inspection=inspection, kind=kind, count=count))
    InspectionStatedCount.objects.bulk_create(rows)
    Inspection.objects.filter(published_to_trackers_at__isnull=True).update(
        published_to_trackers_at=timezone.now()
    )


def backwards(apps, schema_editor):
    Inspection = apps.get_model("inspections", "Inspection")
    InspectionStatedCount = apps.get_model("inspections", "InspectionStatedCount")
    for column, kind in COLUMNS.items():
        for row in InspectionStatedCount.objects.filter(kind=kind):
            Inspection.objects.filter(pk=row.inspection_id).update(**{column: row.count})


class Migration(migrations.Migration):
    dependencies = [
        ("inspections", "0002_data_version"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="inspection",
            name="section55_applies",
            field=models.BooleanField(
                default=True,
                help_text="Whether the local policing bodies of the forces it concerns must "
                "publish a response under section 55 of the Police Act 1996.",
                verbose_name="Section 55 applies",
            ),
        ),
        migrations.AddField(
            model_name="inspection",
            name="published_to_trackers_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="inspection",
            name="published_to_trackers_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.CreateModel(
            name="InspectionStatedCount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("recommendation", "Recommendation"),
                            ("cause_of_concern", "Cause of concern"),
                            ("accelerated_cause_of_concern", "Accelerated cause of concern"),
                            ("area_for_improvement", "Area for improvement"),
                            ("innovative_practice", "Innovative practice"),
                            ("informational", "Informational"),
                        ],
                        max_length=40,
                    ),
                ),
                ("count", models.PositiveSmallIntegerField()),
                (
                    "inspection",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="stated_counts",
                        to="inspections.inspection",
                    ),
                ),
            ],
            options={
                "ordering": ["inspection", "kind"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("inspection", "kind"), name="inspection_stated_count_one_per_kind"
                    )
                ],
            },
        ),
        migrations.RunPython(forwards, backwards),
        migrations.RemoveField(model_name="inspection", name="stated_areas_for_improvement"),
        migrations.RemoveField(model_name="inspection", name="stated_causes_of_concern"),
        migrations.RemoveField(model_name="inspection", name="stated_recommendations"),
    ]
