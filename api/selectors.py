"""The API's reads: the same scoped querysets as the pages (another organisation's record
is not in them, so it is a 404), with what the serializers name selected in one go."""

import datetime

from django.db.models import Prefetch, QuerySet

from actionplans.models import Action, ActionPlan
from actionplans.selectors import plans_visible_to
from inspections.models import Inspection
from organisations.models import Organisation
from recommendations.models import Evidence, Finding, TrackedItem, TrackedItemEvent
from recommendations.selectors import item_for_page
from section55 import selectors as section55_selectors
from section55.models import Section55Publication


def organisations() -> QuerySet[Organisation]:
    """Every organisation: reference data, as every filter of the dashboards lists them."""
    return Organisation.objects.order_by("id")


def inspections_visible_to(user) -> QuerySet[Inspection]:
    return Inspection.objects.visible_to(user).select_related("inspectorate")


def findings_visible_to(user) -> QuerySet[Finding]:
    return Finding.objects.filter(
        inspection__in=Inspection.objects.visible_to(user).values("id")
    ).prefetch_related("addressees", "capabilities")


def item_readable_by(user, *, pk: int, today: datetime.date) -> TrackedItem:
    """The item page's own rule (recommendations.selectors.item_for_page); DoesNotExist
    for an item the user may not read."""
    return item_for_page(user=user, pk=pk, today=today)


def events_of(item: TrackedItem) -> QuerySet[TrackedItemEvent]:
    return item.events.select_related("actor").prefetch_related(
        Prefetch(
            "evidence", queryset=Evidence.objects.only("id", "event_id", "original_name", "size")
        )
    )


def plans_readable_by(user, *, today: datetime.date) -> QuerySet[ActionPlan]:
    return plans_visible_to(user, day=today)


def actions_readable_by(user, *, today: datetime.date) -> QuerySet[Action]:
    plans = plans_visible_to(user, day=today).values("id")
    return (
        Action.objects.filter(plan_id__in=plans)
        .select_related("plan__organisation")
        .prefetch_related(Prefetch("serves", queryset=TrackedItem.objects.only("id")))
    )


def published_responses() -> QuerySet[Section55Publication]:
    """The newest published version of each response, as /responses/ lists them."""
    return section55_selectors.latest_publications()


def published_response_versions() -> QuerySet[Section55Publication]:
    """Any published version (the public pages show each one at its own address)."""
    return Section55Publication.objects.select_related(
        "response__body", "response__inspection"
    ).prefetch_related("positions")
