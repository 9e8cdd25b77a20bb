"""Reads of tracked items that cross relations: one place for My work and the item page."""

import dataclasses
import datetime

from django.db.models import (
    BooleanField,
    Case,
    F,
    Max,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.fields.tuple_lookups import Tuple, TupleLessThan
from django.db.models.functions import Coalesce

from inspections.models import Inspection
from organisations.access import organisation_ids_with
from organisations.selectors import regions_of_forces

from . import access
from .models import Evidence, Finding, ScopeDataVersion, TrackedItem, TrackedItemEvent

# Two of the 2021 report's recommendations are addressed to the chief officer(s) with the
# lead for serious and organised crime "in each region, with the chief officers of the
# affected forces" (their addressees as written, in the reference data). Each is tracked once,
# by the region's ROCU; the region's forces share the work, so their My work lists it too.
JOINTLY_WITH_FORCES = "with the chief officers of the affected forces"


def _shared_with_the_forces(user, *, today: datetime.date) -> Q | None:
    """The region items addressed jointly with the forces, of the regions that the user's
    forces belong to on `today`; None if the user is at no force in a region."""
    regions = regions_of_forces(organisation_ids_with(user), day=today)
    if not regions:
        return None
    return Q(
        organisation_id__in=regions,
        finding__audience=Finding.Audience.EACH_REGION,
        finding__addressees_as_written__icontains=JOINTLY_WITH_FORCES,
    )


def my_work_items(*, user, today: datetime.date) -> QuerySet[TrackedItem]:
    """The open tracked items of the user's own organisations and those their region's ROCU
    shares with its forces, soonest deadline first; `can_edit` says which the user may
    change (the others are read only)."""
    mine = Q(organisation_id__in=organisation_ids_with(user))
    if shared := _shared_with_the_forces(user, today=today):
        mine |= shared
    editable = access.organisation_ids_user_changes(user)
    return (
        TrackedItem.objects.open()
        .filter(mine)
        .with_rag(today)
        .with_needs_owner()
        .annotate(
            can_edit=Case(
                When(organisation_id__in=editable, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .select_related("finding__inspection", "organisation", "owner")
        .in_deadline_order()
    )


def _readable_items(user, *, today: datetime.date) -> QuerySet[TrackedItem]:
    """What the user may read: what they may see, what My work shares with them, and, for
    an inspectorate's liaison, the items of that inspectorate's reports."""
    visible = TrackedItem.objects.visible_to(user, day=today)
    if shared := _shared_with_the_forces(user, today=today):
        visible = visible | TrackedItem.objects.filter(shared)
    if access.inspectorate_ids_of_liaison(user):
        visible = visible | access.items_for_the_inspectorate(user)
    return visible


def item_for_page(*, user, pk: int, today: datetime.date) -> TrackedItem:
    """The item if the user may read it; TrackedItem.DoesNotExist otherwise (a 404)."""
    return (
        _readable_items(user, today=today)
        .with_rag(today)
        .with_needs_owner()
        .select_related(
            "finding__inspection__inspectorate",
            "finding__repeats__inspection__inspectorate",
            "finding__supersedes__inspection__inspectorate",
            "organisation",
            "owner",
        )
        .get(pk=pk)
    )


HISTORY_PAGE = 50


@dataclasses.dataclass
class HistoryPage:
    events: list[TrackedItemEvent]
    # The key of the last event shown when there are earlier ones (for "Show earlier events").
    earlier_key: str | None
    is_latest: bool


def item_history(
    item: TrackedItem, *, before: str | None = None, size: int = HISTORY_PAGE
) -> HistoryPage:
    """The item's latest `size` events, newest first, or the `size` before the event whose
    key (``<occurred_on>.<id>``) is `before`, with who did it and the evidence attached: two
    queries, however long the history (through the (item, -occurred_on, -id) index)."""
    events = item.events.select_related("actor").prefetch_related(
        Prefetch(
            "evidence", queryset=Evidence.objects.only("id", "event_id", "original_name", "size")
        )
    )
    position = _history_position(before)
    if position is not None:
        events = events.filter(TupleLessThan(Tuple(F("occurred_on"), F("id")), position))
    rows = list(events.order_by("-occurred_on", "-id")[: size + 1])
    earlier = rows[size - 1] if len(rows) > size else None
    return HistoryPage(
        events=rows[:size],
        earlier_key=f"{earlier.occurred_on.isoformat()}.{earlier.pk}" if earlier else None,
        is_latest=position is None,
    )


def _history_position(key: str | None) -> tuple[datetime.date, int] | None:
    day, _, pk = (key or "").partition(".")
    try:
        return datetime.date.fromisoformat(day), int(pk)
    except ValueError:
        return None


def evidence_for_user(*, user, pk: int, today: datetime.date) -> Evidence:
    """Evidence of an item the user may see; Evidence.DoesNotExist otherwise (a 404)."""
    return Evidence.objects.get(pk=pk, item__in=_readable_items(user, today=today))


def tracking_scope_version(*, organisation_ids) -> tuple:
    """Changes whenever a tracked item of one of `organisation_ids` (None: any) is added or
    changed through the services (their ScopeDataVersion rows, raised in the write's own
    transaction), and whenever any finding or inspection is saved (rarely; the latest of
    each read through its updated_at index). A write in one force leaves the version of
    every scope without that force as it was. One query."""
    versions = ScopeDataVersion.objects.order_by()
    if organisation_ids is not None:
        versions = versions.filter(organisation_id__in=organisation_ids)
    row = versions.aggregate(
        items=Coalesce(Sum("version"), 0),
        findings=Max(_latest_change(Finding)),
        inspections=Max(_latest_change(Inspection)),
    )
    return row["items"], row["findings"], row["inspections"]


def _latest_change(model) -> Subquery:
    return Subquery(model.objects.order_by("-updated_at").values("updated_at")[:1])


def items_awaiting_the_inspectorate(*, user, today: datetime.date) -> QuerySet[TrackedItem]:
    """The items signed off by their organisations and waiting for the user's inspectorate
    to confirm or return them, longest waiting first (by the last change)."""
    return (
        access.items_for_the_inspectorate(user)
        .filter(status=TrackedItem.Status.AWAITING_INSPECTORATE)
        .with_rag(today)
        .select_related("finding__inspection__inspectorate", "organisation")
        .order_by("updated_at", "id")
    )


def finding_links(finding: Finding) -> dict[str, list[Finding]]:
    """The later findings that repeat or supersede `finding` (two queries); what it repeats
    or supersedes itself is on the finding (select_related by the caller)."""
    related = ("inspection__inspectorate",)
    return {
        "repeated_by": list(finding.repeated_by.select_related(*related)),
        "superseded_by": list(finding.superseded_by.select_related(*related)),
    }
