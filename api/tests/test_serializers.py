"""The item list's row rendering says exactly what the item serializer's declared fields
say (the schema is made from those)."""

import datetime

from django.utils import timezone

from api.serializers import (
    ITEM_ROW_FIELDS,
    TrackedItemSerializer,
    tracked_item_row_representation,
)
from organisations.access import SYSTEM
from recommendations.models import TrackedItem
from recommendations.services import tracked_item_assign


def test_the_item_lists_row_rendering_equals_the_serializers(dc_editor):
    today = timezone.localdate()
    items = [
        TrackedItem.objects.filter(organisation__slug="devon-and-cornwall").first(),
        *TrackedItem.objects.exclude(organisation__slug="devon-and-cornwall")[:5],
    ]
    tracked_item_assign(item=items[0], owner=dc_editor, by=SYSTEM)
    TrackedItem.objects.filter(pk=items[1].pk).update(blocked_by="Waiting on the Home Office")
    TrackedItem.objects.filter(pk=items[2].pk).update(
        target_date=today - datetime.timedelta(days=3)
    )
    TrackedItem.objects.filter(pk=items[3].pk).update(status=TrackedItem.Status.COMPLETE)
    ids = [item.pk for item in items]
    serializer = TrackedItemSerializer(context={"today": today})
    rows = TrackedItem.objects.filter(pk__in=ids).values_list(*ITEM_ROW_FIELDS, named=True)
    rendered = {row.pk: tracked_item_row_representation(row, today) for row in rows}
    expected = {
        item.pk: serializer.to_representation(item)
        for item in TrackedItem.objects.filter(pk__in=ids)
    }
    assert rendered == expected
    assert {entry["rag"] for entry in rendered.values()} >= {"red", "green"}
    assert rendered[items[0].pk]["owner"]["id"] == dc_editor.pk
