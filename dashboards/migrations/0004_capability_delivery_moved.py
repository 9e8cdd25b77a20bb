"""The capability delivery table of one row per region and capability (entered only in the
admin) becomes organisations.CapabilityDeliveryRecord's append-only history: each row is
carried over as a record from its "as of" day, then the old table goes."""

from django.db import migrations
from django.utils import timezone

DELIVERY = {"delivered": "fully", "partly_delivered": "partly", "not_delivered": "not_yet"}


def carry_over(apps, schema_editor):
    old = apps.get_model("dashboards", "CapabilityDelivery")
    record = apps.get_model("organisations", "CapabilityDeliveryRecord")
    now = timezone.now()
    record.objects.bulk_create(
        record(
            region_id=row.region_id,
            capability_id=row.capability_id,
            delivery=DELIVERY[row.status],
            valid_from=row.as_of or now.date(),
            note=row.note,
            source=row.source,
            recorded_by=None,
            recorded_at=now,
        )
        for row in old.objects.all()
    )


class Migration(migrations.Migration):
    dependencies = [
        ("dashboards", "0003_saved_views_and_search"),
        ("organisations", "0005_capability_delivery"),
    ]

    operations = [
        migrations.RunPython(carry_over, migrations.RunPython.noop),
        migrations.DeleteModel(name="CapabilityDelivery"),
    ]
