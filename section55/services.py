"""Every write to Section 55 responses.

Each step is recorded as a dated event. The stage moves only along TRANSITIONS; drafting steps
move it forward and never back. Once published the draft is frozen: a correction must be
started, and publishing it adds a new version while the earlier ones are kept.

Every step locks the response's row first and checks the stage afresh under the lock, then
saves only the fields it changes and bumps the response's version. A drafting step takes the
version the user saw (`expected_version`); if someone saved in between, StaleEditError lists
what changed and carries the version now current, and nothing is written."""

import dataclasses
import datetime
from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from inspections.models import Inspection
from organisations.access import as_recorded
from organisations.models import Organisation
from recommendations.models import Finding
from rocu_tracker.deadlines import format_day
from rocu_tracker.versioning import StaleEditError
from webhooks import services as webhook_services

from . import access, selectors
from .models import (
    Agreement,
    Position,
    Section55Event,
    Section55Position,
    Section55Publication,
    Section55PublishedPosition,
    Section55Response,
)

Stage = Section55Response.Stage
Kind = Section55Event.Kind
ChiefOfficerComments = Section55Response.ChiefOfficerComments
EnteredBy = Section55Response.EnteredBy

# The only stage moves there are.
TRANSITIONS: dict[str, frozenset[str]] = {
    Stage.NOT_STARTED: frozenset(
        {Stage.CHIEF_OFFICER_INVITED, Stage.CHIEF_OFFICER_COMMENTED, Stage.DRAFTING}
    ),
    Stage.CHIEF_OFFICER_INVITED: frozenset({Stage.CHIEF_OFFICER_COMMENTED, Stage.DRAFTING}),
    Stage.CHIEF_OFFICER_COMMENTED: frozenset({Stage.DRAFTING}),
    Stage.DRAFTING: frozenset({Stage.PUBLISHED}),
    Stage.PUBLISHED: frozenset({Stage.COPIES_SENT, Stage.CORRECTING}),
    Stage.COPIES_SENT: frozenset({Stage.CORRECTING}),
    Stage.CORRECTING: frozenset({Stage.PUBLISHED}),
}
# Drafting steps may come in any order; the stage shows the furthest one reached.
DRAFT_ORDER = [
    Stage.NOT_STARTED,
    Stage.CHIEF_OFFICER_INVITED,
    Stage.CHIEF_OFFICER_COMMENTED,
    Stage.DRAFTING,
]


@dataclasses.dataclass(frozen=True)
class ChiefOfficerView:
    """The chief officer's agreement with one recommendation, and what they say about it."""

    finding: Finding
    agreement: str
    note: str = ""


STALE_MESSAGE = (
    "Someone else saved this response after you opened it. Your text is kept below; check "
    "what changed, then save again."
)
# Saved by every step besides the fields it changes.
ALWAYS_SAVED = ("stage", "version", "updated_at")


def _lock(response: Section55Response, expected_version: int | None = None) -> None:
    """Hold the response's row until the transaction ends and read it afresh, so every check
    that follows sees what is committed; then _check_version."""
    Section55Response.objects.select_for_update().filter(pk=response.pk).values_list("pk").get()
    response.refresh_from_db()
    _check_version(response, expected_version)


def _lock_draft(response: Section55Response, expected_version: int | None) -> None:
    """_lock for a drafting step: a published response is refused first (saying so is more
    use than a list of changes), then a stale version."""
    _lock(response)
    _refuse_if_frozen(response)
    _check_version(response, expected_version)


def _check_version(response: Section55Response, expected_version: int | None) -> None:
    """With `expected_version` (the version the user saw), StaleEditError, listing what
    changed since and carrying the version now current, if someone else saved in between."""
    if expected_version is not None and response.version != expected_version:
        changes = response.events.filter(response_version__gt=expected_version)
        raise StaleEditError(
            STALE_MESSAGE,
            changes=changes.select_related("actor").order_by("id"),
            current_version=response.version,
        )


def _refuse_if_frozen(response: Section55Response) -> None:
    if response.is_frozen:
        raise ValidationError(
            "This response is published and its text is frozen. Start a correction to change "
            "it; the published version will be kept."
        )


def _move(response: Section55Response, to_stage: str) -> str:
    """Move to `to_stage` if the table allows it; returns the stage moved from."""
    if to_stage not in TRANSITIONS[response.stage]:
        raise ValidationError(
            f"A response cannot move from “{response.get_stage_display()}” to "
            f"“{Stage(to_stage).label}”."
        )
    from_stage, response.stage = response.stage, to_stage
    return from_stage


def _advance(response: Section55Response, to_stage: str) -> str:
    """For a drafting step: refuse on a frozen response, move forward if `to_stage` is
    further on, else stay. Returns the stage moved from, or '' when it stayed."""
    _refuse_if_frozen(response)
    if response.stage == Stage.CORRECTING:
        return ""
    if DRAFT_ORDER.index(to_stage) <= DRAFT_ORDER.index(response.stage):
        return ""
    return _move(response, to_stage)


def _record(
    response: Section55Response,
    kind: str,
    *,
    by: AbstractBaseUser,
    fields: Iterable[str] = (),
    occurred_on: datetime.date | None = None,
    from_stage: str = "",
    narrative: str = "",
    version: int | None = None,
) -> Section55Event:
    """Bump the response's version, save only the stage, the version and the `fields` this
    step changed, and append the event that explains it. Call only under _lock."""
    response.version += 1
    response.save(update_fields=[*ALWAYS_SAVED, *fields])
    return Section55Event.objects.create(
        response=response,
        kind=kind,
        occurred_on=occurred_on or timezone.localdate(),
        actor=as_recorded(by),
        from_stage=from_stage,
        to_stage=response.stage if from_stage else "",
        narrative=narrative,
        version=version,
        response_version=response.version,
    )


def _not_in_future(day: datetime.date, what: str) -> None:
    if day > timezone.localdate():
        raise ValidationError(f"{what} cannot be in the future.")


def _recommendation(response: Section55Response, finding: Finding) -> str:
    """The recommendation's label ('Recommendation 2'), refusing anything that is not one of
    the response's report's recommendations."""
    findings = list(selectors.recommendations(response.inspection))
    if finding not in findings:
        raise ValidationError("That is not a recommendation of this report.")
    return selectors.recommendation_label(finding, findings.index(finding) + 1)


# --- the steps --------------------------------------------------------------------------------


def section55_response_open(
    *, inspection: Inspection, body: Organisation, by: AbstractBaseUser
) -> Section55Response:
    """The body's response to the report, opened if it has none yet."""
    access.require_run_response(by, body)
    if body.kind != Organisation.Kind.LOCAL_POLICING_BODY:
        raise ValidationError("Only a local policing body answers under Section 55.")
    if not selectors.concerns(inspection, body):
        raise ValidationError(
            f"This report does not concern a force that {body.short_name} oversaw when it "
            "was published."
        )
    with transaction.atomic():
        response, created = Section55Response.objects.get_or_create(
            inspection=inspection, body=body
        )
        if created:
            _record(response, Kind.OPENED, by=by)
    return response


@transaction.atomic
def section55_chief_officer_invite(
    *,
    response: Section55Response,
    invited_on: datetime.date,
    comments_due_on: datetime.date,
    by: AbstractBaseUser,
    expected_version: int | None = None,
) -> Section55Event:
    """s.55(4): invite the chief officer's comments before a date the office sets."""
    access.require_run_response(by, response.body)
    _not_in_future(invited_on, "The invitation")
    if comments_due_on < invited_on:
        raise ValidationError("The chief officer's comments cannot be due before the invitation.")
    _lock_draft(response, expected_version)
    from_stage = _advance(response, Stage.CHIEF_OFFICER_INVITED)
    response.chief_officer_invited_on = invited_on
    response.chief_officer_comments_due_on = comments_due_on
    return _record(
        response,
        Kind.CHIEF_OFFICER_INVITED,
        by=by,
        fields=["chief_officer_invited_on", "chief_officer_comments_due_on"],
        occurred_on=invited_on,
        from_stage=from_stage,
        narrative=f"Comments asked for by {format_day(comments_due_on)}.",
    )


@transaction.atomic
def section55_chief_officer_comments_record(
    *,
    response: Section55Response,
    comments: str,
    received_on: datetime.date | None,
    entered_by: str = EnteredBy.OFFICE,
    views: Iterable[ChiefOfficerView] = (),
    by: AbstractBaseUser,
    expected_version: int | None = None,
) -> Section55Event:
    """The chief officer's comments, entered by the force itself or by the office on the
    chief officer's behalf, with their agreement with each recommendation."""
    access.require_enter_chief_officer_comments(by, response)
    if not comments.strip():
        raise ValidationError("The chief officer's comments need some text.")
    if received_on is not None:
        _not_in_future(received_on, "The day the comments were received")
    _lock_draft(response, expected_version)
    from_stage = _advance(response, Stage.CHIEF_OFFICER_COMMENTED)
    response.chief_officer_comments_status = ChiefOfficerComments.RECEIVED
    response.chief_officer_comments = comments.strip()
    response.chief_officer_comments_received_on = received_on
    response.chief_officer_comments_entered_by = EnteredBy(entered_by)
    narrative = [EnteredBy(entered_by).label + "."]
    for view in views:
        label = _recommendation(response, view.finding)
        Section55Position.objects.update_or_create(
            response=response,
            finding=view.finding,
            defaults={
                "chief_officer_agreement": Agreement(view.agreement),
                "chief_officer_note": view.note.strip(),
            },
        )
        if view.agreement != Agreement.NOT_STATED:
            narrative.append(f"{Agreement(view.agreement).label} with {label.lower()}.")
    return _record(
        response,
        Kind.CHIEF_OFFICER_COMMENTS,
        by=by,
        fields=[
            "chief_officer_comments_status",
            "chief_officer_comments",
            "chief_officer_comments_received_on",
            "chief_officer_comments_entered_by",
        ],
        occurred_on=received_on,
        from_stage=from_stage,
        narrative=" ".join(narrative),
    )


@transaction.atomic
def section55_chief_officer_comments_not_received(
    *, response: Section55Response, by: AbstractBaseUser
) -> Section55Event:
    """Record that the comments did not come by the date the office set. A one-click step
    with nothing typed to lose: it checks what is committed, not what the user saw."""
    access.require_run_response(by, response.body)
    today = timezone.localdate()
    _lock(response)
    if response.chief_officer_comments_due_on is None:
        raise ValidationError("Invite the chief officer's comments, with a date, first.")
    if today <= response.chief_officer_comments_due_on:
        raise ValidationError(
            "The chief officer has until "
            f"{format_day(response.chief_officer_comments_due_on)}: comments can be marked not "
            "received only after that day."
        )
    if response.chief_officer_comments_status == ChiefOfficerComments.RECEIVED:
        raise ValidationError("The chief officer's comments are already recorded.")
    from_stage = _advance(response, Stage.CHIEF_OFFICER_COMMENTED)
    response.chief_officer_comments_status = ChiefOfficerComments.NOT_RECEIVED
    return _record(
        response,
        Kind.CHIEF_OFFICER_NOT_RECEIVED,
        by=by,
        fields=["chief_officer_comments_status"],
        occurred_on=today,
        from_stage=from_stage,
        narrative=f"Asked for by {format_day(response.chief_officer_comments_due_on)}.",
    )


@transaction.atomic
def section55_office_comments_record(
    *,
    response: Section55Response,
    comments: str,
    by: AbstractBaseUser,
    expected_version: int | None = None,
) -> Section55Event:
    access.require_run_response(by, response.body)
    if not comments.strip():
        raise ValidationError("The office's comments need some text.")
    _lock_draft(response, expected_version)
    from_stage = _advance(response, Stage.DRAFTING)
    response.office_comments = comments.strip()
    return _record(
        response,
        Kind.OFFICE_COMMENTS,
        by=by,
        fields=["office_comments"],
        from_stage=from_stage,
    )


@transaction.atomic
def section55_position_set(
    *,
    response: Section55Response,
    finding: Finding,
    position: str,
    explanation: str,
    agreement: str = Agreement.NOT_STATED,
    by: AbstractBaseUser,
    expected_version: int | None = None,
) -> Section55Position:
    """s.55(5B): the action taken or proposed on a recommendation, or why none."""
    access.require_run_response(by, response.body)
    label = _recommendation(response, finding)
    if position not in Position.values:
        raise ValidationError(f"{label}: choose action taken, action proposed or no action.")
    if not explanation.strip():
        raise ValidationError(
            f"{label}: explain the action taken or proposed, or why no action is taken."
        )
    _lock_draft(response, expected_version)
    from_stage = _advance(response, Stage.DRAFTING)
    record, _ = Section55Position.objects.update_or_create(
        response=response,
        finding=finding,
        defaults={
            "position": position,
            "explanation": explanation.strip(),
            "agreement": Agreement(agreement),
        },
    )
    _record(
        response,
        Kind.POSITION,
        by=by,
        from_stage=from_stage,
        narrative=f"{label}: {Position(position).label.lower()}.",
    )
    return record


# --- publication ------------------------------------------------------------------------------


@transaction.atomic
def section55_response_publish(
    *,
    response: Section55Response,
    published_on: datetime.date | None = None,
    acknowledged: bool = False,
    by: AbstractBaseUser,
) -> Section55Publication:
    """Publish the response as its next version, freezing a copy of everything in it.
    Refused, with the list of what is missing, unless it is complete; and, where it answers
    fewer recommendations than the report makes (or a recommendation's text is not recorded),
    unless the office has `acknowledged` the warnings, which the history then records."""
    access.require_run_response(by, response.body)
    _lock(response)
    if response.is_frozen:
        raise ValidationError("This version is already published. Start a correction first.")
    rows = selectors.recommendation_rows(
        inspection=response.inspection, body=response.body, response=response
    )
    missing = selectors.publication_missing(response, rows)
    if missing:
        raise ValidationError(missing)
    warnings = selectors.publication_warnings(response, rows)
    if warnings and not acknowledged:
        raise ValidationError(
            [
                "Read these warnings and tick the box to acknowledge them before publishing.",
                *warnings,
            ]
        )
    published_on = published_on or timezone.localdate()
    _not_in_future(published_on, "The publication date")
    if published_on < response.inspection.published_on:
        raise ValidationError("The response cannot be published before the report.")
    previous = response.publications.order_by("-version").first()
    if previous and published_on < previous.published_on:
        raise ValidationError(
            f"Version {previous.version} was published on {format_day(previous.published_on)}; "
            "a correction cannot be published before it."
        )
    correction = (
        response.events.filter(kind=Kind.CORRECTION_STARTED, id__gt=_last_published_event(response))
        .order_by("-id")
        .first()
    )
    if previous and correction is None:
        raise ValidationError("Start a correction, saying what it changes, before publishing.")
    publication = Section55Publication.objects.create(
        response=response,
        version=previous.version + 1 if previous else 1,
        published_on=published_on,
        published_by=as_recorded(by),
        correction_note=correction.narrative if previous and correction else "",
        chief_officer_comments_status=response.chief_officer_comments_status,
        chief_officer_comments=response.chief_officer_comments,
        chief_officer_comments_received_on=response.chief_officer_comments_received_on,
        chief_officer_comments_due_on=response.chief_officer_comments_due_on,
        chief_officer_comments_entered_by=response.chief_officer_comments_entered_by,
        office_comments=response.office_comments,
    )
    Section55PublishedPosition.objects.bulk_create(
        Section55PublishedPosition(
            publication=publication,
            finding=row.finding,
            order=order,
            label=row.label,
            recommendation=row.text,
            recommendation_summary=row.summary,
            position=row.position.position,
            explanation=row.position.explanation,
            agreement=row.position.agreement,
            chief_officer_agreement=row.position.chief_officer_agreement,
            chief_officer_note=row.position.chief_officer_note,
        )
        for order, row in enumerate(rows, start=1)
    )
    from_stage = _move(response, Stage.PUBLISHED)
    _record(
        response,
        Kind.PUBLISHED,
        by=by,
        occurred_on=published_on,
        from_stage=from_stage,
        narrative=" ".join(
            [f"Version {publication.version}.", *(["Acknowledged:", *warnings] if warnings else [])]
        ),
        version=publication.version,
    )
    webhook_services.webhooks_record_section55_published(publication=publication)
    return publication


def _last_published_event(response: Section55Response) -> int:
    last = response.events.filter(kind=Kind.PUBLISHED).order_by("-id").values_list("id").first()
    return last[0] if last else 0


@transaction.atomic
def section55_copies_record(
    *,
    response: Section55Response,
    home_secretary_on: datetime.date | None = None,
    inspectorate_on: datetime.date | None = None,
    by: AbstractBaseUser,
) -> Section55Publication:
    """s.55(6): the days copies of the newest version went to the Home Secretary and to the
    inspectorate. Each is recorded once per version."""
    access.require_run_response(by, response.body)
    _lock(response)
    publication = response.publications.order_by("-version").first()
    if publication is None:
        raise ValidationError("Copies are sent once the response is published.")
    inspectorate = response.inspection.inspectorate.short_name
    home_secretary = ("copy_to_home_secretary_on", home_secretary_on, Kind.COPY_HOME_SECRETARY)
    copies = [
        (*home_secretary, "Home Secretary"),
        ("copy_to_inspectorate_on", inspectorate_on, Kind.COPY_INSPECTORATE, inspectorate),
    ]
    for field, sent_on, kind, recipient in copies:
        if sent_on is None:
            continue
        if getattr(publication, field) is not None:
            raise ValidationError(
                f"The copy of version {publication.version} to the {recipient} is already recorded."
            )
        _not_in_future(sent_on, "The day a copy was sent")
        if sent_on < publication.published_on:
            raise ValidationError("A copy cannot be sent before the response is published.")
        setattr(publication, field, sent_on)
        publication.save(update_fields=[field])
        from_stage = ""
        both_sent = publication.copy_to_home_secretary_on and publication.copy_to_inspectorate_on
        if both_sent and response.stage == Stage.PUBLISHED:
            from_stage = _move(response, Stage.COPIES_SENT)
        _record(
            response,
            kind,
            by=by,
            occurred_on=sent_on,
            from_stage=from_stage,
            narrative=f"Version {publication.version}.",
            version=publication.version,
        )
    return publication


@transaction.atomic
def section55_correction_start(
    *, response: Section55Response, reason: str, by: AbstractBaseUser
) -> Section55Event:
    """Open the published response for a correction; publishing it adds a new version."""
    access.require_run_response(by, response.body)
    _lock(response)
    if not reason.strip():
        raise ValidationError("Say what the correction is for.")
    from_stage = _move(response, Stage.CORRECTING)
    return _record(
        response,
        Kind.CORRECTION_STARTED,
        by=by,
        from_stage=from_stage,
        narrative=reason.strip(),
    )
