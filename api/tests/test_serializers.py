"""The item serializer's hand-written rendering says exactly what its declared fields say
(the schema is made from those)."""

from django.utils import timezone

from api.serializers import TrackedItemSerializer
from organisations.access import SYSTEM
from recommendations.models import TrackedItem
from recommendations.services import tracked_item_assign


def test_the_fast_item_rendering_equals_drfs(dc_editor):
    items = list(TrackedItem.objects.filter(organisation__slug="devon-and-cornwall")[:5])
    tracked_item_assign(item=items[0], owner=dc_editor, by=SYSTEM)
    for item in TrackedItem.objects.filter(pk__in=[i.pk for i in items]):
        serializer = TrackedItemSerializer(context={"today": timezone.localdate()})
        assert serializer.to_representation(item) == serializer.to_representation_by_fields(item)
