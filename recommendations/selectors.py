"""Reads of tracked items that cross relations: one place for My work and the item page."""

import datetime

from django.db import connection
from django.db.models import F, Prefetch, QuerySet

from inspections.models import Inspection
from organisations.selectors import organisation_ids_where

from .models import Evidence, Finding, TrackedItem, TrackedItemEvent


def my_work_items(*, user, today: datetime.date) -> QuerySet[TrackedItem]:
    """The open tracked items of the user's own organisations, soonest deadline first."""
    return (
        TrackedItem.objects.open()
        .filter(organisation_id__in=organisation_ids_where(user))
        .with_rag(today)
        .select_related("finding__inspection", "organisation", "owner")
        .order_by(F("effective_deadline").asc(nulls_last=True), "id")
    )


def item_for_page(*, user, pk: int, today: datetime.date) -> TrackedItem:
    """The item if the user may see it; TrackedItem.DoesNotExist otherwise (a 404)."""
    return (
        TrackedItem.objects.visible_to(user, day=today)
        .with_rag(today)
        .select_related("finding__inspection__inspectorate", "organisation", "owner")
        .get(pk=pk)
    )


def item_history(item: TrackedItem) -> QuerySet[TrackedItemEvent]:
    """Every event, newest first, with who did it and the evidence attached."""
    return item.events.select_related("actor").prefetch_related(
        Prefetch(
            "evidence", queryset=Evidence.objects.only("id", "event_id", "original_name", "size")
        )
    )


def evidence_for_user(*, user, pk: int, today: datetime.date) -> Evidence:
    """Evidence of an item the user may see; Evidence.DoesNotExist otherwise (a 404)."""
    visible = TrackedItem.objects.visible_to(user, day=today)
    return Evidence.objects.get(pk=pk, item__in=visible)


def tracking_data_version() -> tuple:
    """Changes whenever a tracked item, finding or inspection is added or saved: a key for
    anything cached from them (the dashboards). Indexed maxima, read in one quick query.
    Deleting rows changes no maximum; caches keyed on this expire on their own as well."""
    items, findings, inspections = (
        model._meta.db_table for model in (TrackedItem, Finding, Inspection)
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT max(updated_at) FROM {items}), (SELECT max(id) FROM {items}), "
            f"(SELECT max(updated_at) FROM {findings}), "
            f"(SELECT max(updated_at) FROM {inspections})"
        )
        return cursor.fetchone()
