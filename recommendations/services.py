"""Every write to findings, capabilities and tracked items."""

import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from organisations import selectors as organisation_selectors
from organisations.models import Organisation

from .models import Capability, Finding, TrackedItem, TrackedItemEvent

Status = TrackedItem.Status

# The only status moves there are. Proposed complete is signed off (complete) or returned.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.AWAITING_REVIEW: frozenset(
        {
            Status.BEING_PROGRESSED,
            Status.PROPOSED_COMPLETE,
            Status.NO_FURTHER_ACTION,
            Status.SUPERSEDED,
        }
    ),
    Status.BEING_PROGRESSED: frozenset(
        {Status.PROPOSED_COMPLETE, Status.NO_FURTHER_ACTION, Status.SUPERSEDED}
    ),
    Status.PROPOSED_COMPLETE: frozenset({Status.COMPLETE, Status.BEING_PROGRESSED}),
    Status.COMPLETE: frozenset(),
    Status.NO_FURTHER_ACTION: frozenset(),
    Status.SUPERSEDED: frozenset(),
}


def capability_upsert(*, slug: str, **fields) -> Capability:
    capability, _ = Capability.objects.update_or_create(slug=slug, defaults=fields)
    return capability


def finding_upsert(*, inspection, key: str, addressees=(), capabilities=(), **fields) -> Finding:
    finding, _ = Finding.objects.update_or_create(inspection=inspection, key=key, defaults=fields)
    finding.addressees.set(addressees)
    finding.capabilities.set(capabilities)
    return finding


def finding_responsible_organisations(finding: Finding) -> list[Organisation]:
    """Who must answer the finding, as at the report's publication."""
    published_on = finding.inspection.published_on
    match finding.audience:
        case Finding.Audience.ALL_FORCES:
            return list(organisation_selectors.forces())
        case Finding.Audience.EACH_REGION:
            return list(organisation_selectors.regions_on(published_on))
        case Finding.Audience.NAMED:
            return list(finding.addressees.all())
    return []


@transaction.atomic
def finding_fan_out(*, finding: Finding) -> list[TrackedItem]:
    """One tracked item per responsible organisation; re-running adds only what is missing.
    Each new item's history opens on the publication day, as the inspectorate's does."""
    existing = set(finding.tracked_items.values_list("organisation_id", flat=True))
    missing = [
        organisation
        for organisation in finding_responsible_organisations(finding)
        if organisation.id not in existing
    ]
    items = TrackedItem.objects.bulk_create(
        TrackedItem(finding=finding, organisation=organisation) for organisation in missing
    )
    TrackedItemEvent.objects.bulk_create(
        TrackedItemEvent(
            item=item,
            kind=TrackedItemEvent.Kind.CREATED,
            occurred_on=finding.inspection.published_on,
            actor_name=finding.inspection.inspectorate.short_name,
            to_status=item.status,
        )
        for item in items
    )
    return items


def _bump_version(item: TrackedItem, **changes) -> None:
    TrackedItem.objects.filter(pk=item.pk).update(version=F("version") + 1, **changes)
    item.refresh_from_db(fields=["version", "updated_at", *changes])


@transaction.atomic
def tracked_item_transition(
    *,
    item: TrackedItem,
    to_status: str,
    by: AbstractBaseUser | None = None,
    actor_name: str = "",
    narrative: str = "",
    occurred_on: datetime.date | None = None,
) -> TrackedItemEvent:
    """Move an item to `to_status` if the transition table allows it, recording who, when,
    from, to and why. Anything else raises ValidationError and writes nothing."""
    item = TrackedItem.objects.select_for_update().get(pk=item.pk)
    if to_status not in TRANSITIONS.get(item.status, frozenset()):
        raise ValidationError(
            f"A tracked item cannot move from “{item.get_status_display()}” to "
            f"“{Status(to_status).label if to_status in Status.values else to_status}”."
        )
    from_status = item.status
    _bump_version(item, status=to_status, updated_at=timezone.now())
    return TrackedItemEvent.objects.create(
        item=item,
        kind=TrackedItemEvent.Kind.STATUS_CHANGE,
        occurred_on=occurred_on or timezone.localdate(),
        actor=by,
        actor_name=actor_name,
        from_status=from_status,
        to_status=to_status,
        narrative=narrative,
    )


def tracked_item_comment(
    *,
    item: TrackedItem,
    narrative: str,
    by: AbstractBaseUser | None = None,
    actor_name: str = "",
    occurred_on: datetime.date | None = None,
) -> TrackedItemEvent:
    if not narrative.strip():
        raise ValidationError("A comment needs some text.")
    return TrackedItemEvent.objects.create(
        item=item,
        kind=TrackedItemEvent.Kind.COMMENT,
        occurred_on=occurred_on or timezone.localdate(),
        actor=by,
        actor_name=actor_name,
        narrative=narrative,
    )


@transaction.atomic
def tracked_item_assign(
    *,
    item: TrackedItem,
    owner: AbstractBaseUser | None,
    by: AbstractBaseUser | None = None,
    occurred_on: datetime.date | None = None,
) -> TrackedItemEvent:
    previous = item.owner
    _bump_version(item, owner=owner, updated_at=timezone.now())
    return TrackedItemEvent.objects.create(
        item=item,
        kind=TrackedItemEvent.Kind.OWNER_CHANGE,
        occurred_on=occurred_on or timezone.localdate(),
        actor=by,
        narrative=f"Owner changed from {previous or 'nobody'} to {owner or 'nobody'}.",
    )
