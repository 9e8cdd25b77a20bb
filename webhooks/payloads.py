"""What a delivery says: identifiers, statuses, dates and links, never a narrative, a
comment or evidence (README "Webhooks" shows an example)."""

import json

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse

from recommendations.models import TrackedItem


def iso_day(day) -> str | None:
    return day.isoformat() if day else None


def item_data(item: TrackedItem, *, change: dict) -> dict:
    """The item as it is after the change (in the same transaction), and the change."""
    context = (
        TrackedItem.objects.filter(pk=item.pk)
        .values(
            "organisation__slug",
            "finding_id",
            "finding__key",
            "finding__kind",
            "finding__reference",
            "finding__deadline",
            "finding__inspection__slug",
        )
        .get()
    )
    return {
        "item": {
            "id": item.pk,
            "url": settings.SITE_URL + reverse("recommendations:item", args=[item.pk]),
            "organisation": context["organisation__slug"],
            "status": item.status,
            "status_label": TrackedItem.Status(item.status).label,
            "target_date": iso_day(item.target_date),
            "inspectorate_deadline": iso_day(context["finding__deadline"]),
            "effective_deadline": iso_day(item.effective_deadline),
            "version": item.version,
        },
        "finding": {
            "id": context["finding_id"],
            "key": context["finding__key"],
            "kind": context["finding__kind"],
            "reference": context["finding__reference"],
            "inspection": context["finding__inspection__slug"],
        },
        "change": change,
    }


def section55_data(publication) -> dict:
    response = publication.response
    office, inspection = response.body.slug, response.inspection.slug
    args = [office, inspection, publication.version]
    return {
        "response": {
            "id": response.pk,
            "office": office,
            "inspection": inspection,
            "version": publication.version,
            "published_on": iso_day(publication.published_on),
            "url": settings.SITE_URL + reverse("responses:detail_version", args=args),
            "json_url": settings.SITE_URL + reverse("responses:json_version", args=args),
        }
    }


def body_of(delivery) -> bytes:
    """The exact bytes POSTed (and signed): the same on every attempt."""
    document = {
        "id": str(delivery.id),
        "type": delivery.event,
        "occurred_at": delivery.occurred_at.isoformat(),
        "data": delivery.data,
    }
    return json.dumps(document, cls=DjangoJSONEncoder, sort_keys=True).encode()
