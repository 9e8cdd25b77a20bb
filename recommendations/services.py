"""Every write to findings, capabilities, tracked items and their history.

Writes to a tracked item take the version the user saw (`expected_version`); if someone else
saved in between, StaleEditError says what changed and nothing is written.
"""

import datetime
from collections.abc import Sequence

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.utils import timezone

from organisations import selectors as organisation_selectors
from organisations.access import as_recorded, require_keep_reference_data
from organisations.models import Organisation
from rocu_tracker import deadlines
from rocu_tracker.people import display_name
from rocu_tracker.versioning import StaleEditError
from webhooks import services as webhook_services

from . import access
from .models import (
    Capability,
    Evidence,
    Finding,
    ScopeDataVersion,
    TargetDateRevision,
    TrackedItem,
    TrackedItemEvent,
)

Status = TrackedItem.Status

# The only status moves there are. Proposed complete is signed off (complete) or returned
# (being progressed) by a lead; closing without sign-off (no further action, superseded)
# is a lead's decision too.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.AWAITING_REVIEW: frozenset(
        {
            Status.BEING_PROGRESSED,
            Status.PROPOSED_COMPLETE,
            Status.NO_FURTHER_ACTION,
            Status.SUPERSEDED,
            Status.WITHDRAWN,
        }
    ),
    Status.BEING_PROGRESSED: frozenset(
        {Status.PROPOSED_COMPLETE, Status.NO_FURTHER_ACTION, Status.SUPERSEDED, Status.WITHDRAWN}
    ),
    Status.PROPOSED_COMPLETE: frozenset(
        {
            Status.COMPLETE,
            Status.AWAITING_INSPECTORATE,
            Status.BEING_PROGRESSED,
            Status.SUPERSEDED,
            Status.WITHDRAWN,
        }
    ),
    # The inspectorate confirms a recommendation discharged, or returns it.
    Status.AWAITING_INSPECTORATE: frozenset(
        {Status.COMPLETE, Status.BEING_PROGRESSED, Status.SUPERSEDED, Status.WITHDRAWN}
    ),
    Status.COMPLETE: frozenset(),
    Status.NO_FURTHER_ACTION: frozenset(),
    Status.SUPERSEDED: frozenset(),
    # Addressed to the organisation again (finding_tracked_items_sync), never by an update.
    Status.WITHDRAWN: frozenset({Status.AWAITING_REVIEW}),
}
# Set by sign-off, the inspectorate or the intake services, never by a progress update.
NOT_BY_AN_UPDATE = frozenset({Status.COMPLETE, Status.AWAITING_INSPECTORATE, Status.WITHDRAWN})


def capability_upsert(*, slug: str, by, **fields) -> Capability:
    require_keep_reference_data(by)
    capability, _ = Capability.objects.update_or_create(slug=slug, defaults=fields)
    return capability


@transaction.atomic
def finding_upsert(
    *, inspection, key: str, by, addressees=(), capabilities=(), **fields
) -> Finding:
    """Create or change a finding. On an inspection already published to the trackers, its
    tracked items follow (finding_tracked_items_sync); on a draft, nothing is tracked yet."""
    access.require_edit_findings_of(by, inspection)
    finding, _ = Finding.objects.update_or_create(inspection=inspection, key=key, defaults=fields)
    _effective_deadlines_follow(finding)
    finding.addressees.set(addressees)
    finding.capabilities.set(capabilities)
    if inspection.published_to_trackers_at is not None:
        finding_tracked_items_sync(finding=finding, by=by)
    return finding


def _effective_deadlines_follow(finding: Finding) -> None:
    """The finding's items whose stored effective deadline is not what the finding's
    deadline now makes it (those without a target date of their own) take the new one."""
    own_target_not_set = finding.tracked_items.filter(target_date__isnull=True)
    if finding.deadline is None:
        stale = own_target_not_set.filter(effective_deadline__isnull=False)
    else:
        stale = own_target_not_set.exclude(effective_deadline=finding.deadline)
    organisation_ids = list(stale.values_list("organisation_id", flat=True))
    if organisation_ids:
        stale.update(effective_deadline=finding.deadline)
        _scope_versions_raise(organisation_ids)


def _scope_versions_raise(organisation_ids) -> None:
    """Raise the data version of each organisation (ScopeDataVersion) in the caller's
    transaction: what is cached from their items is computed again, nobody else's. In id
    order, so two writes never wait on each other's rows in opposite orders."""
    ids = sorted(set(organisation_ids))
    if not ids:
        return
    table = ScopeDataVersion._meta.db_table
    rows = ", ".join(["(%s, 1)"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (organisation_id, version) VALUES {rows} "
            f"ON CONFLICT (organisation_id) DO UPDATE SET version = {table}.version + 1",
            ids,
        )


@transaction.atomic
def finding_tracked_items_sync(
    *, finding: Finding, by: AbstractBaseUser
) -> tuple[list[TrackedItem], list[TrackedItem], list[TrackedItem]]:
    """After a published finding changes: an item for each organisation now responsible
    that has none, a withdrawn item of an organisation responsible again reopened (awaiting
    review), and each open item of an organisation no longer responsible withdrawn, all
    through the transition table, with an event. Nothing is deleted. Returns (added,
    reopened, withdrawn)."""
    access.require_edit_findings_of(by, finding.inspection)
    added = finding_fan_out(finding=finding, by=by)
    responsible = (
        {organisation.id for organisation in finding_responsible_organisations(finding)}
        if finding.kind in Finding.TRACKED_KINDS
        else set()
    )
    addressed_again = finding.tracked_items.filter(
        organisation_id__in=responsible, status=Status.WITHDRAWN
    )
    no_longer_addressed = finding.tracked_items.exclude(organisation_id__in=responsible).exclude(
        status__in=TrackedItem.CLOSED_STATUSES
    )
    reopened = _move_each(
        addressed_again,
        to=Status.AWAITING_REVIEW,
        by=by,
        why="Addressed again: {} was added back to",
    )
    withdrawn = _move_each(
        no_longer_addressed, to=Status.WITHDRAWN, by=by, why="Withdrawn: {} was removed from"
    )
    return added, reopened, withdrawn


def _move_each(items, *, to: str, by, why: str) -> list[TrackedItem]:
    """Move each of a finding's `items` to `to` because its addressees changed."""
    moved = []
    for item in items.select_related("organisation", "finding__inspection__inspectorate"):
        tracked_item_transition(
            item=item,
            to_status=to,
            by=by,
            actor_name="" if as_recorded(by) else item.finding.inspection.inspectorate.short_name,
            narrative=f"{why.format(item.organisation.short_name)} the finding's addressees.",
        )
        moved.append(item)
    return moved


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
def finding_fan_out(*, finding: Finding, by) -> list[TrackedItem]:
    """One tracked item per responsible organisation; re-running adds only what is missing.
    Each new item's history opens on the publication day, as the inspectorate's does.
    Innovative practice and informational findings are recorded, never tracked."""
    access.require_edit_findings_of(by, finding.inspection)
    if finding.kind not in Finding.TRACKED_KINDS:
        return []
    existing = set(finding.tracked_items.values_list("organisation_id", flat=True))
    missing = [
        organisation
        for organisation in finding_responsible_organisations(finding)
        if organisation.id not in existing
    ]
    items = TrackedItem.objects.bulk_create(
        TrackedItem(finding=finding, organisation=organisation, effective_deadline=finding.deadline)
        for organisation in missing
    )
    _scope_versions_raise(organisation.id for organisation in missing)
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


LEAD_ONLY_STATUSES = frozenset({Status.COMPLETE, Status.NO_FURTHER_ACTION, Status.SUPERSEDED})


def _lock_current(item: TrackedItem, expected_version: int) -> TrackedItem:
    """The item locked for this transaction, or StaleEditError if it moved on."""
    current = TrackedItem.objects.select_for_update().get(pk=item.pk)
    if current.version != expected_version:
        changes = current.events.filter(item_version__gt=expected_version).select_related("actor")
        raise StaleEditError(
            "Someone else saved this item after you opened it. Your text is kept below; "
            "check what changed, then save again.",
            changes=changes,
            current_version=current.version,
        )
    return current


def _record(item: TrackedItem, *, kind: str, by, **fields) -> TrackedItemEvent:
    """Bump the item's version (and its organisation's data version) and append the event
    that explains it. The stored effective deadline follows the target date."""
    item.version += 1
    if item.target_date is not None:  # set or revised, never cleared
        item.effective_deadline = item.target_date
    item.save(
        update_fields=[
            "status",
            "owner",
            "target_date",
            "effective_deadline",
            "reminders_paused_until",
            "reminders_pause_reason",
            "version",
            "updated_at",
        ]
    )
    _scope_versions_raise([item.organisation_id])
    event = TrackedItemEvent.objects.create(
        item=item,
        kind=kind,
        occurred_on=fields.pop("occurred_on", None) or timezone.localdate(),
        actor=as_recorded(by),
        item_version=item.version,
        **fields,
    )
    webhook_services.webhooks_record_item_event(item=item, event=event)  # in this transaction
    return event


def allowed_next_statuses(item: TrackedItem, *, by) -> list[str]:
    """Statuses an update by `by` may set: only leads close an item (editors never sign off)."""
    targets = set(TRANSITIONS[item.status])
    if item.status == Status.PROPOSED_COMPLETE:
        targets = set()  # accepted or returned by a lead, not by an update
    if item.status == Status.WITHDRAWN:
        targets = set()  # reopened by the intake when addressed again, not by an update
    if not access.can_lead_item(by, item):
        targets -= LEAD_ONLY_STATUSES
    targets -= NOT_BY_AN_UPDATE
    return [status for status in Status.values if status in targets]


@transaction.atomic
def tracked_item_transition(
    *,
    item: TrackedItem,
    to_status: str,
    by: AbstractBaseUser,
    actor_name: str = "",
    narrative: str = "",
    occurred_on: datetime.date | None = None,
) -> TrackedItemEvent:
    """Move an item to `to_status` if the transition table allows it, recording who, when,
    from, to and why. Anything else raises ValidationError and writes nothing. For imports
    and the inspectorate's own entries; users go through progress_update_add and sign-off."""
    access.require_record_for_the_inspectorate(by, item)
    current = TrackedItem.objects.select_for_update().get(pk=item.pk)
    _check_transition(current, to_status)
    from_status = current.status
    current.status = to_status
    event = _record(
        current,
        kind=TrackedItemEvent.Kind.STATUS_CHANGE,
        by=by,
        actor_name=actor_name,
        from_status=from_status,
        to_status=to_status,
        narrative=narrative,
        occurred_on=occurred_on,
    )
    item.refresh_from_db()
    return event


def _check_transition(item: TrackedItem, to_status: str) -> None:
    if to_status not in TRANSITIONS.get(item.status, frozenset()):
        label = Status(to_status).label if to_status in Status.values else to_status
        raise ValidationError(
            f"A tracked item cannot move from “{item.get_status_display()}” to “{label}”."
        )


def tracked_item_comment(
    *,
    item: TrackedItem,
    narrative: str,
    by: AbstractBaseUser,
    actor_name: str = "",
    occurred_on: datetime.date | None = None,
) -> TrackedItemEvent:
    access.require_record_for_the_inspectorate(by, item)
    if not narrative.strip():
        raise ValidationError("A comment needs some text.")
    return TrackedItemEvent.objects.create(
        item=item,
        kind=TrackedItemEvent.Kind.COMMENT,
        occurred_on=happened_on(item, occurred_on),
        actor=as_recorded(by),
        actor_name=actor_name,
        narrative=narrative,
        item_version=item.version,
    )


def progress_update_add(
    *,
    item: TrackedItem,
    by: AbstractBaseUser,
    expected_version: int,
    status: str,
    narrative: str,
    percent_complete: int | None = None,
    evidence_files: Sequence[UploadedFile] = (),
    occurred_on: datetime.date | None = None,
) -> TrackedItemEvent:
    """Append a progress update, possibly moving the status, with any evidence files.
    Proposing completion needs a narrative and evidence (attached now or before).
    `occurred_on` is the day it happened (today if not given; see happened_on)."""
    access.require_change_item(by, item)
    occurred_on = happened_on(item, occurred_on)
    saved_files: list[Evidence] = []
    try:
        with transaction.atomic():
            current = _lock_current(item, expected_version)
            event = _progress_event(
                current,
                by=by,
                status=status,
                narrative=narrative,
                percent_complete=percent_complete,
                has_new_evidence=bool(evidence_files),
                occurred_on=occurred_on,
            )
            for upload in evidence_files:
                saved_files.append(_evidence_save(current, event, upload, by))
    except Exception:
        for evidence in saved_files:
            evidence.file.delete(save=False)
        raise
    item.refresh_from_db()
    return event


def _progress_event(
    item, *, by, status, narrative, percent_complete, has_new_evidence, occurred_on=None
):
    if status != item.status and status not in allowed_next_statuses(item, by=by):
        _check_transition(item, status)
        raise PermissionDenied("Only a lead may close an item or sign it off.")
    if status == Status.PROPOSED_COMPLETE and status != item.status:
        if not narrative.strip():
            raise ValidationError("Say what was done before proposing completion.")
        if not (has_new_evidence or item.evidence.exists()):
            raise ValidationError("Attach evidence before proposing completion.")
    if status in LEAD_ONLY_STATUSES and not narrative.strip():
        raise ValidationError("Give the reason for closing this item.")
    if status == item.status and not (narrative.strip() or has_new_evidence):
        raise ValidationError("Write an update, change the status or attach evidence.")
    from_status = item.status
    item.status = status
    changed = status != from_status
    return _record(
        item,
        kind=TrackedItemEvent.Kind.STATUS_CHANGE
        if changed
        else TrackedItemEvent.Kind.PROGRESS_UPDATE,
        by=by,
        from_status=from_status if changed else "",
        to_status=status if changed else "",
        narrative=narrative.strip(),
        percent_complete=percent_complete,
        occurred_on=occurred_on,
    )


def _evidence_save(item, event, upload: UploadedFile, by) -> Evidence:
    return Evidence.objects.create(
        item=item,
        event=event,
        file=upload,
        original_name=upload.name[:255],
        content_type=upload.content_type or "application/octet-stream",
        size=upload.size,
        uploaded_by=by,
    )


def _proposer(item: TrackedItem) -> int | None:
    proposal = (
        item.events.filter(to_status=Status.PROPOSED_COMPLETE).order_by("-id").only("actor").first()
    )
    return proposal.actor_id if proposal else None


@transaction.atomic
def tracked_item_accept(
    *,
    item: TrackedItem,
    by: AbstractBaseUser,
    expected_version: int,
    narrative: str = "",
    occurred_on: datetime.date | None = None,
) -> TrackedItemEvent:
    """A lead, never the proposer, signs off a proposed completion. What the inspectorate
    discharges (Finding.INSPECTORATE_CLOSES_KINDS) then waits for it; the rest is complete."""
    access.require_lead_item(by, item)
    occurred_on = happened_on(item, occurred_on)
    current = _lock_current(item, expected_version)
    if current.status != Status.PROPOSED_COMPLETE:
        raise ValidationError("Only an item proposed complete can be signed off.")
    if _proposer(current) == by.pk:
        raise PermissionDenied("Another lead must sign off a completion you proposed.")
    to_status = sign_off_status(current)
    current.status = to_status
    event = _record(
        current,
        kind=TrackedItemEvent.Kind.STATUS_CHANGE,
        by=by,
        from_status=Status.PROPOSED_COMPLETE,
        to_status=to_status,
        narrative=narrative.strip()
        or (
            "Signed off as complete."
            if to_status == Status.COMPLETE
            else "Signed off by the force; awaiting the inspectorate's confirmation."
        ),
        occurred_on=occurred_on,
    )
    item.refresh_from_db()
    return event


@transaction.atomic
def tracked_item_return(
    *,
    item: TrackedItem,
    by: AbstractBaseUser,
    expected_version: int,
    reason: str,
    occurred_on: datetime.date | None = None,
) -> TrackedItemEvent:
    """A lead sends a proposed completion back, saying why."""
    access.require_lead_item(by, item)
    if not reason.strip():
        raise ValidationError("Say why the proposal is returned.")
    occurred_on = happened_on(item, occurred_on)
    current = _lock_current(item, expected_version)
    if current.status != Status.PROPOSED_COMPLETE:
        raise ValidationError("Only an item proposed complete can be returned.")
    current.status = Status.BEING_PROGRESSED
    event = _record(
        current,
        kind=TrackedItemEvent.Kind.STATUS_CHANGE,
        by=by,
        from_status=Status.PROPOSED_COMPLETE,
        to_status=Status.BEING_PROGRESSED,
        narrative=reason.strip(),
        occurred_on=occurred_on,
    )
    item.refresh_from_db()
    return event


@transaction.atomic
def tracked_item_assign(
    *,
    item: TrackedItem,
    owner: AbstractBaseUser | None,
    by: AbstractBaseUser,
    expected_version: int | None = None,
    occurred_on: datetime.date | None = None,
) -> TrackedItemEvent:
    """Give the item an owner among its organisation's editors and leads."""
    access.require_change_item(by, item)
    if owner is not None and not access.can_own_item(owner, item):
        raise ValidationError("The owner must be an editor or lead of the organisation.")
    if expected_version is None:
        current = TrackedItem.objects.select_for_update().get(pk=item.pk)
    else:
        current = _lock_current(item, expected_version)
    previous = current.owner
    current.owner = owner
    event = _record(
        current,
        kind=TrackedItemEvent.Kind.OWNER_CHANGE,
        by=by,
        narrative=(
            f"Owner changed from {display_name(previous, nobody='nobody')} "
            f"to {display_name(owner, nobody='nobody')}."
        ),
        occurred_on=occurred_on,
    )
    item.refresh_from_db()
    return event


@transaction.atomic
def target_date_revision_request(
    *, item: TrackedItem, by: AbstractBaseUser, proposed_date: datetime.date, reason: str
) -> TargetDateRevision:
    access.require_change_item(by, item)
    if not reason.strip():
        raise ValidationError("A revised target date needs a reason.")
    deadlines.require_plausible_date(proposed_date)
    current = TrackedItem.objects.select_for_update().get(pk=item.pk)
    if current.target_date_revisions.filter(state=TargetDateRevision.State.PENDING).exists():
        raise ValidationError("A revision is already waiting for a lead's decision.")
    if proposed_date == current.target_date:
        raise ValidationError("That is already the target date.")
    revision = TargetDateRevision.objects.create(
        item=current,
        old_date=current.target_date,
        proposed_date=proposed_date,
        reason=reason.strip(),
        requested_by=by,
    )
    _record(
        current,
        kind=TrackedItemEvent.Kind.TARGET_DATE_REVISION,
        by=by,
        old_date=current.target_date,
        new_date=proposed_date,
        narrative=f"Revision requested: {reason.strip()}",
    )
    return revision


@transaction.atomic
def target_date_revision_decide(
    *, revision: TargetDateRevision, by: AbstractBaseUser, approve: bool, note: str = ""
) -> TargetDateRevision:
    """A lead, not the requester, approves (the target date moves) or rejects."""
    item = revision.item
    access.require_lead_item(by, item)
    revision = TargetDateRevision.objects.select_for_update().get(pk=revision.pk)
    if revision.state != TargetDateRevision.State.PENDING:
        raise ValidationError("This revision has already been decided.")
    if revision.requested_by_id == by.pk:
        raise PermissionDenied("Another lead must approve a revision you requested.")
    if not approve and not note.strip():
        raise ValidationError("Say why the revision is rejected.")
    revision.state = (
        TargetDateRevision.State.APPROVED if approve else TargetDateRevision.State.REJECTED
    )
    revision.decided_by = by
    revision.decided_at = timezone.now()
    revision.decision_note = note.strip()
    revision.save()
    current = TrackedItem.objects.select_for_update().get(pk=item.pk)
    if approve:
        current.target_date = revision.proposed_date
    verdict = "approved" if approve else "rejected"
    _record(
        current,
        kind=TrackedItemEvent.Kind.TARGET_DATE_REVISION,
        by=by,
        old_date=revision.old_date,
        new_date=revision.proposed_date,
        narrative=f"Revision {verdict}. Reason given: {revision.reason}"
        + (f" Note: {note.strip()}" if note.strip() else ""),
    )
    if approve:
        webhook_services.webhooks_record_target_date_revised(item=current, revision=revision)
    return revision


REMINDERS_PAUSE_LONGEST = datetime.timedelta(days=366)


@transaction.atomic
def tracked_item_reminders_pause(
    *, item: TrackedItem, by: AbstractBaseUser, until: datetime.date, reason: str
) -> TrackedItemEvent:
    """A lead of the item's organisation stops its reminders (and escalations) up to and
    including `until`, at most a year ahead, saying why; the history records it. Pausing
    again replaces the end date and the reason."""
    access.require_lead_item(by, item)
    today = timezone.localdate()
    if not reason.strip():
        raise ValidationError("Say why the reminders are paused.")
    if until < today:
        raise ValidationError("The pause cannot end in the past.")
    if until > today + REMINDERS_PAUSE_LONGEST:
        raise ValidationError(
            f"A pause can last a year at most: until {today + REMINDERS_PAUSE_LONGEST:%-d %B %Y}."
        )
    current = TrackedItem.objects.select_for_update().get(pk=item.pk)
    if current.is_closed:
        raise ValidationError("A closed item has no reminders to pause.")
    previous = current.reminders_paused_until if current.reminders_paused_on(today) else None
    current.reminders_paused_until = until
    current.reminders_pause_reason = reason.strip()[:500]
    event = _record(
        current,
        kind=TrackedItemEvent.Kind.REMINDERS_PAUSED,
        by=by,
        old_date=previous,
        new_date=until,
        narrative=reason.strip(),
    )
    item.refresh_from_db()
    return event


@transaction.atomic
def tracked_item_reminders_resume(
    *, item: TrackedItem, by: AbstractBaseUser, reason: str = ""
) -> TrackedItemEvent:
    """A lead ends a pause early: the next reminder scan reminds of the item again."""
    access.require_lead_item(by, item)
    current = TrackedItem.objects.select_for_update().get(pk=item.pk)
    if not current.reminders_paused_on(timezone.localdate()):
        raise ValidationError("Its reminders are not paused.")
    previous = current.reminders_paused_until
    current.reminders_paused_until = None
    current.reminders_pause_reason = ""
    event = _record(
        current,
        kind=TrackedItemEvent.Kind.REMINDERS_RESUMED,
        by=by,
        old_date=previous,
        narrative=reason.strip() or "Reminders resumed before the end of the pause.",
    )
    item.refresh_from_db()
    return event


# --- history as it happened, the inspectorate's sign-off, and links between reports ----------


def happened_on(item: TrackedItem, occurred_on: datetime.date | None) -> datetime.date:
    """The day an update, comment or status change happened: today unless the user says
    otherwise (a force back-filling its 2016 work), never in the future and never before
    the report was published. The event also keeps when it was recorded (recorded_at)."""
    today = timezone.localdate()
    if occurred_on is None:
        return today
    if occurred_on > today:
        raise ValidationError(
            f"It cannot have happened in the future: {deadlines.format_day(occurred_on)} is "
            f"after today ({deadlines.format_day(today)})."
        )
    published_on = item.finding.inspection.published_on
    if occurred_on < published_on:
        raise ValidationError(
            f"It cannot have happened before the report was published, on "
            f"{deadlines.format_day(published_on)}."
        )
    return occurred_on


def sign_off_status(item: TrackedItem) -> str:
    """Where a lead's sign-off takes an item: the inspectorate discharges recommendations
    and causes of concern, the force's own sign-off closes the rest."""
    if item.finding.kind in Finding.INSPECTORATE_CLOSES_KINDS:
        return Status.AWAITING_INSPECTORATE
    return Status.COMPLETE


def _inspectorate_decide(
    *, item, by, expected_version, to_status: str, narrative: str, occurred_on
) -> TrackedItemEvent:
    access.require_confirm_for_inspectorate(by, item)
    occurred_on = happened_on(item, occurred_on)
    current = _lock_current(item, expected_version)
    if current.status != Status.AWAITING_INSPECTORATE:
        raise ValidationError("Only an item awaiting the inspectorate is confirmed or returned.")
    _check_transition(current, to_status)
    current.status = to_status
    event = _record(
        current,
        kind=TrackedItemEvent.Kind.STATUS_CHANGE,
        by=by,
        from_status=Status.AWAITING_INSPECTORATE,
        to_status=to_status,
        narrative=narrative,
        occurred_on=occurred_on,
    )
    item.refresh_from_db()
    return event


@transaction.atomic
def tracked_item_inspectorate_confirm(
    *,
    item: TrackedItem,
    by: AbstractBaseUser,
    expected_version: int,
    narrative: str = "",
    occurred_on: datetime.date | None = None,
) -> TrackedItemEvent:
    """The inspectorate's liaison confirms a signed-off item discharged: it is complete."""
    inspectorate = item.finding.inspection.inspectorate.short_name
    return _inspectorate_decide(
        item=item,
        by=by,
        expected_version=expected_version,
        to_status=Status.COMPLETE,
        narrative=narrative.strip() or f"Confirmed as discharged by {inspectorate}.",
        occurred_on=occurred_on,
    )


@transaction.atomic
def tracked_item_inspectorate_return(
    *,
    item: TrackedItem,
    by: AbstractBaseUser,
    expected_version: int,
    reason: str,
    occurred_on: datetime.date | None = None,
) -> TrackedItemEvent:
    """The inspectorate's liaison returns a signed-off item to the force, saying why: it is
    being progressed again, and the force proposes and signs it off once more."""
    access.require_confirm_for_inspectorate(by, item)
    if not reason.strip():
        raise ValidationError("Say why the inspectorate returns it.")
    return _inspectorate_decide(
        item=item,
        by=by,
        expected_version=expected_version,
        to_status=Status.BEING_PROGRESSED,
        narrative=reason.strip(),
        occurred_on=occurred_on,
    )


def _require_earlier(finding: Finding, earlier: Finding) -> None:
    if earlier.pk == finding.pk:
        raise ValidationError("A finding cannot repeat or supersede itself.")
    if earlier.inspection.published_on >= finding.inspection.published_on:
        raise ValidationError(
            "The earlier finding must come from a report published before this one "
            f"({deadlines.format_day(finding.inspection.published_on)})."
        )


def _finding_title(finding: Finding) -> str:
    inspection = finding.inspection
    label = finding.get_kind_display()
    if finding.reference:
        label += f" {finding.reference}"
    inspectorate = inspection.inspectorate.short_name
    return f"{label} of the {inspection.published_on:%Y} {inspectorate} report"


@transaction.atomic
def finding_link_repeat(
    *, finding: Finding, earlier: Finding | None, by: AbstractBaseUser
) -> Finding:
    """Record that `finding` raises `earlier` again (None clears it): both show it. The
    earlier finding's items are not touched."""
    access.require_link_findings(by, finding)
    if earlier is not None:
        _require_earlier(finding, earlier)
    finding.repeats = earlier
    finding.save(update_fields=["repeats", "updated_at"])
    return finding


@transaction.atomic
def finding_supersede(
    *, finding: Finding, earlier: Finding, by: AbstractBaseUser
) -> list[TrackedItemEvent]:
    """Record that `finding` replaces `earlier`, and close each of the earlier finding's
    open items as superseded (through the transition table), each with an event naming the
    later finding, dated the later report's publication. Returns those events."""
    access.require_link_findings(by, finding)
    _require_earlier(finding, earlier)
    finding.supersedes = earlier
    finding.save(update_fields=["supersedes", "updated_at"])
    narrative = f"Superseded by the {_finding_title(finding)}."
    events = []
    for current in (
        earlier.tracked_items.select_for_update()
        .exclude(status__in=TrackedItem.CLOSED_STATUSES)
        .order_by("id")
    ):
        _check_transition(current, Status.SUPERSEDED)
        from_status = current.status
        current.status = Status.SUPERSEDED
        events.append(
            _record(
                current,
                kind=TrackedItemEvent.Kind.STATUS_CHANGE,
                by=by,
                actor_name="" if as_recorded(by) else finding.inspection.inspectorate.short_name,
                from_status=from_status,
                to_status=Status.SUPERSEDED,
                narrative=narrative,
                occurred_on=finding.inspection.published_on,
            )
        )
    return events
