"""Reads of the public progress tracker. The public ones read only opted-in inspections
published to the trackers; each runs a constant number of queries whatever the data size."""

from django.db.models import Count, Exists, OuterRef, QuerySet, Subquery

from inspections.models import Inspection
from organisations.models import Oversight
from recommendations.models import TrackedItem
from section55 import selectors as section55_selectors
from section55.models import Section55Publication

from .models import ProgressPublication, PublicUpdate


def published() -> QuerySet[ProgressPublication]:
    """Every opted-in organisation and inspection, by organisation then newest report."""
    return (
        ProgressPublication.objects.filter(
            is_published=True, inspection__published_to_trackers_at__isnull=False
        )
        .select_related("organisation", "inspection__inspectorate")
        .order_by("organisation__name", "-inspection__published_on", "inspection__title")
    )


def publication(*, organisation_slug: str, inspection_slug: str) -> ProgressPublication | None:
    return (
        published()
        .filter(organisation__slug=organisation_slug, inspection__slug=inspection_slug)
        .first()
    )


def items_with_last_public_update(*, organisation, inspection) -> QuerySet[TrackedItem]:
    """The organisation's items on the inspection in the report's order, each with
    `last_update_text` and `last_update_on` (its latest public update, or None)."""
    latest = PublicUpdate.objects.filter(item_id=OuterRef("pk")).order_by(
        "-written_on", "-created_at", "-id"
    )
    return (
        TrackedItem.objects.filter(organisation=organisation, finding__inspection=inspection)
        .select_related("finding")
        .annotate(
            last_update_text=Subquery(latest.values("text")[:1]),
            last_update_on=Subquery(latest.values("written_on")[:1]),
        )
        .order_by("finding__position", "finding__id")
    )


def section55_publication(*, organisation, inspection) -> Section55Publication | None:
    """The newest published Section 55 response to the inspection by the body that oversaw
    the organisation when the report was published, if there is one."""
    bodies = Oversight.objects.on(inspection.published_on).filter(force=organisation)
    return (
        section55_selectors.latest_publications()
        .filter(response__inspection=inspection, response__body_id__in=bodies.values("body_id"))
        .first()
    )


def inspections_to_publish(organisation) -> QuerySet[Inspection]:
    """The inspections on which the organisation has items, newest first, each with its
    number of items (`item_count`) and whether it is published (`is_published`)."""
    return (
        Inspection.objects.published_to_trackers()
        .filter(findings__tracked_items__organisation=organisation)
        .annotate(
            item_count=Count("findings__tracked_items", distinct=True),
            is_published=Exists(
                ProgressPublication.objects.filter(
                    organisation=organisation, inspection=OuterRef("pk"), is_published=True
                )
            ),
        )
        .select_related("inspectorate")
        .order_by("-published_on", "title")
    )
