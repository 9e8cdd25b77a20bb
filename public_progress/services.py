"""Every write of the public progress tracker."""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone

from organisations.access import as_recorded
from recommendations.models import TrackedItem

from .access import require_publish_progress, require_write_public_update
from .models import PUBLIC_UPDATE_MAX_LENGTH, ProgressPublication, PublicUpdate


def progress_publication_set(
    *, organisation, inspection, published: bool, by, now: datetime.datetime | None = None
) -> ProgressPublication:
    """Opt the organisation's items on `inspection` in to the public tracker, or out."""
    require_publish_progress(by, organisation)
    if published and not (
        inspection.is_published_to_trackers
        and TrackedItem.objects.filter(
            organisation=organisation, finding__inspection=inspection
        ).exists()
    ):
        raise ValidationError(f"{organisation.name} has no published items on this inspection.")
    publication, _ = ProgressPublication.objects.update_or_create(
        organisation=organisation,
        inspection=inspection,
        defaults={
            "is_published": published,
            "changed_at": now or timezone.now(),
            "changed_by": as_recorded(by),
        },
    )
    return publication


def public_update_add(
    *, item: TrackedItem, text: str, by, now: datetime.datetime | None = None
) -> PublicUpdate:
    """A short update on `item` for the public, dated today."""
    require_write_public_update(by, item.organisation)
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Write the update the public will read."})
    if len(text) > PUBLIC_UPDATE_MAX_LENGTH:
        raise ValidationError(
            {"text": f"Keep it to {PUBLIC_UPDATE_MAX_LENGTH} characters (it has {len(text)})."}
        )
    now = now or timezone.now()
    return PublicUpdate.objects.create(
        item=item,
        text=text,
        written_on=timezone.localdate(now),
        written_by=as_recorded(by),
        created_at=now,
    )
