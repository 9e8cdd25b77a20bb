"""The ROCU capability matrix: regions x specialist capabilities."""

import datetime

from django.db.models import Count, Prefetch

from organisations.models import Organisation, RegionMembership
from recommendations.models import Capability, Finding

from ..models import CapabilityDelivery
from . import items_for_dashboard


def capability_matrix(*, user, today: datetime.date) -> dict:
    """Regions x capabilities: each cell's recorded delivery (or none) and how many open
    items visible to the user concern that capability in that region; each capability's
    findings."""
    regions = list(
        Organisation.objects.filter(kind=Organisation.Kind.REGION)
        .order_by("name")
        .only("id", "name", "short_name")
    )
    capabilities = list(
        Capability.objects.prefetch_related(
            Prefetch("findings", queryset=Finding.objects.select_related("inspection"))
        )
    )
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
    deliveries = {
        (delivery.region_id, delivery.capability_id): delivery
        for delivery in CapabilityDelivery.objects.all()
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
