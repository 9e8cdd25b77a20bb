"""The ROCU capability matrix: regions x specialist capabilities, and each cell's history."""

import datetime

from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery

from organisations.models import CapabilityDeliveryRecord, Organisation, RegionMembership
from recommendations.models import Capability, Finding

from . import items_for_dashboard

# A cell's records, newest first: the latest "from" day, then the latest recorded.
NEWEST_FIRST = ("-valid_from", "-recorded_at", "-id")


def capability_deliveries_current() -> QuerySet[CapabilityDeliveryRecord]:
    """The current record of every region and capability that has one."""
    latest = (
        CapabilityDeliveryRecord.objects.filter(
            region_id=OuterRef("region_id"), capability_id=OuterRef("capability_id")
        )
        .order_by(*NEWEST_FIRST)
        .values("id")[:1]
    )
    return CapabilityDeliveryRecord.objects.filter(id=Subquery(latest)).select_related(
        "through_region"
    )


def capability_delivery_history(*, region, capability) -> QuerySet[CapabilityDeliveryRecord]:
    """Every record of one cell, newest first, with who recorded it."""
    return (
        CapabilityDeliveryRecord.objects.filter(region=region, capability=capability)
        .select_related("through_region", "recorded_by")
        .order_by(*NEWEST_FIRST)
    )


def _open_item_counts(*, user, today: datetime.date, regions) -> dict[tuple[int, int], int]:
    """(region id, capability id): open items visible to the user of the region's forces on
    `today` and of the region itself."""
    region_of: dict[int, set[int]] = {region.id: {region.id} for region in regions}
    for region_id, force_id in RegionMembership.objects.on(today).values_list(
        "region_id", "force_id"
    ):
        region_of.setdefault(force_id, set()).add(region_id)
    counts: dict[tuple[int, int], int] = {}
    grouped = (
        items_for_dashboard(user=user, filters={"state": "open"}, today=today)
        .order_by()
        .values("organisation_id", "finding__capabilities")
        .annotate(n=Count("id"))
    )
    for row in grouped:
        if row["finding__capabilities"] is None:
            continue
        for region_id in region_of.get(row["organisation_id"], ()):
            key = (region_id, row["finding__capabilities"])
            counts[key] = counts.get(key, 0) + row["n"]
    return counts


def capability_matrix(*, user, today: datetime.date) -> dict:
    """Regions x capabilities: each cell's current recorded delivery (or none) and how many
    open items visible to the user concern that capability in that region; each
    capability's findings."""
    regions = list(
        Organisation.objects.filter(kind=Organisation.Kind.REGION)
        .order_by("name")
        .only("id", "name", "short_name", "slug", "kind")
    )
    capabilities = list(
        Capability.objects.prefetch_related(
            Prefetch("findings", queryset=Finding.objects.select_related("inspection"))
        )
    )
    counts = _open_item_counts(user=user, today=today, regions=regions)
    deliveries = {
        (delivery.region_id, delivery.capability_id): delivery
        for delivery in capability_deliveries_current()
    }
    rows = [
        {
            "region": region,
            "cells": [
                {
                    "capability": capability,
                    "delivery": deliveries.get((region.id, capability.id)),
                    "open_items": counts.get((region.id, capability.id), 0),
                }
                for capability in capabilities
            ],
        }
        for region in regions
    ]
    return {"capabilities": capabilities, "rows": rows}
